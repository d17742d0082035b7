/**
 * Opens the card a command works on: the transport from --reader, a connection, and the APDU
 * link with --trace wired to stderr (secrets redacted by the trace itself).
 */
import { CardLink } from '../apdu/link.js';
import { streamSink } from '../apdu/trace.js';
import { openTransport } from '../transport/open.js';
import { PcscTransport } from '../transport/pcsc.js';
import type { Transport } from '../transport/types.js';
import type { GlobalArgs } from './context.js';

export interface CardSession {
  transport: Transport;
  link: CardLink;
  atr: Uint8Array;
}

export async function withCard<T>(argv: GlobalArgs & { wait?: number }, fn: (s: CardSession) => Promise<T>): Promise<T> {
  const opened = await openTransport(argv.reader, argv as Record<string, unknown>);
  try {
    const t = opened.transport;
    if (t instanceof PcscTransport && !t.cardPresent) await t.waitForCard(argv.wait ?? 1000);
    const atr = await t.connect();
    const link = new CardLink(t, argv.trace ? { trace: streamSink((l) => process.stderr.write(l)) } : {});
    try {
      return await fn({ transport: t, link, atr });
    } finally {
      // a verified PIN or ADM must not outlive the command: pcscd keeps a card powered for a
      // while after the last handle closes, and the next process would find it unlocked
      await t.disconnect({ reset: true }).catch(() => undefined);
    }
  } finally {
    await opened.close();
  }
}
