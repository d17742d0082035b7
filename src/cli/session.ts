/**
 * Opens the card a command works on: the transport from --reader, a connection, and the APDU
 * link with --trace wired to stderr (secrets redacted by the trace itself).
 */
import type { CardLink } from '../apdu/link.js';
import { streamSink } from '../apdu/trace.js';
import { openReader } from '../api/reader.js';
import { PcscTransport } from '../transport/pcsc.js';
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
    await release(r);
  }
}

/** `p`, or nothing after `ms` (the command must end even when a reader never answers). */
const settle = (p: Promise<unknown>, ms: number): Promise<unknown> =>
  Promise.race([p.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * The end of a command's card session. The card is reset (nothing verified survives), then:
 * - a PC/SC reader is NOT closed: the process exits right after the command (cli/main.ts), which
 *   releases the PC/SC context. pcsclite's close() joins its status threads synchronously, and a
 *   thread that is not inside SCardGetStatusChange during the ~50 ms close() spends cancelling
 *   (it re-enters it after SCardListReaders, without looking at the exit flag: pcsclite
 *   src/pcsclite.cpp HandlerFunction / Close, src/cardreader.cpp) blocks it, and the whole
 *   process, for ever. The reset just before makes pcscd report a card event, which is what
 *   sends that thread round its loop at that moment: `bootstrap read --format raw` wrote its files
 *   and never exited (issue #11 item 5);
 * - any other reader (sim:, remote://) is closed (a sim: image is saved on close).
 */
async function release(r: Awaited<ReturnType<typeof openReader>>): Promise<void> {
  await settle(r.transport.disconnect({ reset: true }), 5000);
  if (r.transport instanceof PcscTransport) return;
  await settle(r.close(), 5000);
}
