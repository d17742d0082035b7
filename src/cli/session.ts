/**
 * Opens the card a command works on: the transport from --reader, a connection, and the APDU
 * link with --trace wired to stderr (secrets redacted by the trace itself).
 */
import type { CardLink } from '../apdu/link.js';
import { streamSink } from '../apdu/trace.js';
import { openReader } from '../api/reader.js';
import type { Transport } from '../transport/types.js';
import type { GlobalArgs } from './context.js';

export interface CardSession {
  transport: Transport;
  link: CardLink;
  atr: Uint8Array;
}

export async function withCard<T>(argv: GlobalArgs & { wait?: number }, fn: (s: CardSession) => Promise<T>): Promise<T> {
  // close() resets the card: a verified PIN or ADM must not outlive the command (pcscd keeps a
  // card powered for a while after the last handle closes, and the next process would find it unlocked)
  const r = await openReader(argv.reader, {
    schemeOptions: argv as Record<string, unknown>,
    ...(argv.wait !== undefined ? { waitMs: argv.wait } : {}),
    ...(argv.trace ? { trace: streamSink((l) => process.stderr.write(l)) } : {}),
  });
  try {
    return await fn({ transport: r.transport, link: r.link, atr: r.atr });
  } finally {
    await r.close();
  }
}
