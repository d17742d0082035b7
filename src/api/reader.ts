/**
 * openReader(): the one call a program needs to talk to a card, whatever the reader: a PC/SC
 * reader name, `sim:[IMAGE.json]` (the virtual UICC in this process) or
 * `remote://host:port/READER` (a reader behind a simdm bridge). It connects, and gives the APDU
 * link and the card file system over it; close() resets the card (so a verified PIN or ADM does
 * not outlive the session) and releases the reader.
 */
import { CardLink } from '../apdu/link.js';
import type { TraceSink } from '../apdu/trace.js';
import { registerRemoteScheme, REMOTE_SCHEME } from '../bridge/remote-scheme.js';
import { CardFs } from '../card/fs.js';
import { registerSimScheme, SIM_SCHEME } from '../sim/scheme.js';
import { openTransport, registeredSchemes } from '../transport/open.js';
import { PcscTransport } from '../transport/pcsc.js';
import type { Transport } from '../transport/types.js';

export interface OpenReaderOptions {
  /** every APDU, PINs and keys redacted (e.g. streamSink(line => process.stderr.write(line))) */
  trace?: TraceSink;
  /** PC/SC: how long to wait for a card in the reader, ms (default 1000) */
  waitMs?: number;
  /** reset the card on close (default true: nothing verified survives the session) */
  resetOnClose?: boolean;
  /**
   * options for the reader's scheme; remote:// readers take `tokenFile`, `bridgeCa`, `bridgeCert`,
   * `bridgeKey` (paths, as the CLI options of those names; the token may also come from
   * SIMDM_BRIDGE_TOKEN, the CA from SIMDM_BRIDGE_CA)
   */
  schemeOptions?: Record<string, unknown>;
}

export interface Reader {
  /** the reader's name as the transport reports it */
  readonly name: string;
  readonly atr: Uint8Array;
  readonly transport: Transport;
  /** APDUs with T=0 procedures, logical channels, status words (ISO 7816-4) */
  readonly link: CardLink;
  /** SELECT / READ / UPDATE by name, path, FID or AID (TS 102 221) */
  readonly fs: CardFs;
  close(): Promise<void>;
}

/** Registers the built-in reader schemes (`sim:`, `remote://`) unless the program did already. */
export function registerBuiltinSchemes(): void {
  const known = registeredSchemes();
  if (!known.includes(SIM_SCHEME)) registerSimScheme();
  if (!known.includes(REMOTE_SCHEME)) registerRemoteScheme();
}

/** Opens `spec` (undefined: SIMDM_READER, else the first PC/SC reader) and connects to its card. */
export async function openReader(spec?: string, opts: OpenReaderOptions = {}): Promise<Reader> {
  registerBuiltinSchemes();
  const opened = await openTransport(spec, opts.schemeOptions ?? {});
  const t = opened.transport;
  let atr: Uint8Array;
  try {
    if (t instanceof PcscTransport && !t.cardPresent) await t.waitForCard(opts.waitMs ?? 1000);
    atr = await t.connect();
  } catch (e) {
    await opened.close();
    throw e;
  }
  const link = new CardLink(t, opts.trace ? { trace: opts.trace } : {});
  let closed = false;
  let fs: CardFs | undefined;
  return {
    name: t.name,
    atr,
    transport: t,
    link,
    get fs() {
      return (fs ??= new CardFs(link));
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await t.disconnect({ reset: opts.resetOnClose ?? true }).catch(() => undefined);
      } finally {
        await opened.close();
      }
    },
  };
}
