/**
 * PC/SC transport through the `pcsclite` binding (pcsc-lite's winscard API).
 *
 * Known traps of the binding, handled here (see docs/pcsc.md): it defaults to exclusive mode (we
 * always pass SCARD_SHARE_SHARED); every reader and the context must be closed or Node never exits;
 * a transmit during card removal may succeed with 0 bytes (we turn < 2 bytes into card-removed);
 * after pcscd dies the context never recovers (RPC transport error: open a new PcscContext);
 * it must not be used from worker_threads.
 */
import { createRequire } from 'node:module';
import { fromPcscError, TransportError } from './errors.js';
import { TransportEvents } from './events.js';
import type { Transport } from './types.js';

const require = createRequire(import.meta.url);

type Cb<T> = (err: unknown, v: T) => void;
/** The part of the binding's reader object we use (its own typings do not export these). */
export interface CardReader {
  readonly name: string;
  state: number;
  connected: boolean;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  connect(options: { share_mode: number; protocol: number }, cb: Cb<number>): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  get_status(cb: (err: unknown, state: number, atr?: Buffer) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: Cb<Buffer>): void;
  close(): void;
}
interface PCSCLite {
  on(event: 'error', listener: (e: unknown) => void): unknown;
  on(event: 'reader', listener: (r: CardReader) => void): unknown;
  close(): void;
}

type PcscFactory = () => PCSCLite;

let factory: PcscFactory | undefined;
function loadBinding(): PcscFactory {
  if (!factory) {
    try {
      factory = require('pcsclite') as PcscFactory;
    } catch (e) {
      throw new TransportError(
        'no-service',
        `the pcsclite binding is not built (${(e as Error).message.split('\n')[0]}): install libpcsclite-dev and run npm rebuild pcsclite`,
      );
    }
  }
  return factory;
}

/** One PC/SC context (one pcsclite instance) shared by the transports of a process. */
export class PcscContext {
  private readonly pcsc: PCSCLite;
  readonly readers = new Map<string, CardReader>();
  /** latest status event per reader */
  readonly lastStatus = new Map<string, { state: number; atr?: Uint8Array }>();
  private error: TransportError | undefined;
  private listed = false;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor() {
    try {
      this.pcsc = loadBinding()();
    } catch (e) {
      throw fromPcscError(e, 'PC/SC');
    }
    this.pcsc.on('error', (e: unknown) => {
      this.error = fromPcscError(e, 'PC/SC');
      this.wake();
    });
    this.pcsc.on('reader', (r: CardReader) => {
      this.readers.set(r.name, r);
      // the first status event follows the 'reader' event: keep the latest for transports made later
      r.on('status', (st: { state: number; atr?: Buffer }) => {
        this.lastStatus.set(r.name, { state: st.state, ...(st.atr ? { atr: new Uint8Array(st.atr) } : {}) });
      });
      r.on('error', () => {
        /* surfaced through the transport's calls */
      });
      r.on('end', () => this.readers.delete(r.name));
      this.listed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Reader names. pcsclite reports readers asynchronously; we wait until the first list arrives
   * or `settleMs` passes (a daemon with no readers never reports).
   */
  async listReaders(settleMs = 400): Promise<string[]> {
    if (this.error) throw this.error;
    if (!this.listed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, settleMs);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      // more readers may arrive in the same burst
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.error) throw this.error;
    return [...this.readers.keys()];
  }

  /** Finds a reader by exact name, unique case-insensitive substring, or index in the list. */
  async reader(spec: string | undefined, settleMs = 400): Promise<CardReader> {
    const names = await this.listReaders(settleMs);
    if (names.length === 0) throw new TransportError('no-reader', 'no PC/SC reader found (is a reader plugged in, or vpcd configured?)');
    let name: string | undefined;
    if (spec === undefined || spec === '') {
      name = names[0];
    } else if (names.includes(spec)) {
      name = spec;
    } else if (/^\d+$/.test(spec) && Number(spec) < names.length) {
      name = names[Number(spec)];
    } else {
      const hits = names.filter((n) => n.toLowerCase().includes(spec.toLowerCase()));
      if (hits.length === 1) name = hits[0];
      else if (hits.length > 1) throw new TransportError('no-reader', `reader "${spec}" is ambiguous: ${hits.map((h) => `"${h}"`).join(', ')}`);
    }
    if (!name) throw new TransportError('no-reader', `unknown reader "${spec}"; readers: ${names.map((n) => `"${n}"`).join(', ')}`);
    return this.readers.get(name)!;
  }

  async transport(spec: string | undefined): Promise<PcscTransport> {
    return new PcscTransport(this, await this.reader(spec));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.readers.values()) {
      try {
        r.close();
      } catch {
        /* already closed */
      }
    }
    try {
      this.pcsc.close();
    } catch {
      /* already closed */
    }
  }
}

export class PcscTransport extends TransportEvents implements Transport {
  readonly name: string;
  private atrBytes: Uint8Array | undefined;
  /** ATR from the latest status event of a present card */
  private lastAtr: Uint8Array | undefined;
  private protocol = 0;
  private present = false;
  private statusWaiters: (() => void)[] = [];
  /** depth of transaction() calls; the outermost one holds the card exclusively */
  private txDepth = 0;
  /** how long transaction() waits for another client to let go of the card (default 5 s) */
  transactionWaitMs = 5_000;

  /** the reader's status events: presence, ATR, insert/remove notifications */
  private readonly onStatus = (s: { state: number; atr?: Buffer }): void => {
    const now = (s.state & this.reader.SCARD_STATE_PRESENT) !== 0;
    if (now && s.atr && s.atr.length) this.lastAtr = new Uint8Array(s.atr);
    if (!now) this.lastAtr = undefined;
    if (now !== this.present) {
      this.present = now;
      if (!now) this.atrBytes = undefined;
      this.emit(now ? 'inserted' : 'removed');
    }
    const w = this.statusWaiters;
    this.statusWaiters = [];
    for (const f of w) f();
  };

  constructor(
    readonly context: PcscContext,
    readonly reader: CardReader,
  ) {
    super();
    this.name = reader.name;
    const last = context.lastStatus.get(reader.name);
    this.present = ((last?.state ?? reader.state ?? 0) & reader.SCARD_STATE_PRESENT) !== 0;
    if (this.present && last?.atr?.length) this.lastAtr = last.atr;
    reader.on('status', this.onStatus);
  }

  get atr(): Uint8Array | undefined {
    return this.atrBytes;
  }

  get cardPresent(): boolean {
    return this.present;
  }

  /** Resolves when a card is present in the reader (or rejects after `timeoutMs`). */
  async waitForCard(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.present) {
      const left = end - Date.now();
      if (left <= 0) throw new TransportError('no-card', `${this.name}: no card inserted within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.statusWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves when the reader is empty. */
  async waitForRemoval(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.present) {
      const left = end - Date.now();
      if (left <= 0) throw new TransportError('timeout', `${this.name}: card not removed within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.statusWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async connect(): Promise<Uint8Array> {
    const r = this.reader;
    this.protocol = await this.open(this.txDepth > 0 ? r.SCARD_SHARE_EXCLUSIVE : r.SCARD_SHARE_SHARED);
    this.present = true;
    // The ATR comes from the reader's status events. (Calling the binding's get_status again would
    // start a second status thread: it never answers. The binding calls it once per reader.)
    if (!this.lastAtr) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        this.statusWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const atr = this.lastAtr ?? new Uint8Array();
    this.atrBytes = atr;
    return atr;
  }

  /**
   * The binding's connect/disconnect run on a worker thread and its `connected` flag changes only
   * when one completes: a connect issued while a disconnect is in flight is answered "already
   * connected" without a handle, and a second connect can overwrite (and so leak) the handle of
   * the first, which, opened exclusive, then refuses every later connect of this process with a
   * sharing violation. Every handle change goes through this one queue.
   */
  private handleOps: Promise<void> = Promise.resolve();
  /** the card went away under the open handle (set by lost(), cleared by the next open) */
  private handleLost = false;
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.handleOps.then(fn, fn);
    this.handleOps = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  private open(shareMode: number): Promise<number> {
    const r = this.reader;
    return this.serial(async () => {
      // a handle still open (connected by an earlier call) is closed first, never reused blindly
      await this.release(r.SCARD_LEAVE_CARD);
      return new Promise<number>((resolve, reject) => {
        r.connect({ share_mode: shareMode, protocol: r.SCARD_PROTOCOL_T0 | r.SCARD_PROTOCOL_T1 }, (err, p) => {
          if (err) reject(fromPcscError(err, `${this.name}: connect`));
          else {
            this.handleLost = false;
            resolve(p);
          }
        });
      });
    });
  }

  /**
   * The connected card handle re-opened in `shareMode` (the card is left powered: its verified
   * PINs, selected files and channels stay). Exclusive mode waits up to transactionWaitMs while
   * another client holds the card.
   */
  private async reopen(shareMode: number): Promise<void> {
    // open() closes the current handle first (SCARD_LEAVE_CARD: no reset)
    const end = Date.now() + this.transactionWaitMs;
    for (;;) {
      try {
        this.protocol = await this.open(shareMode);
        return;
      } catch (e) {
        if (!(e instanceof TransportError) || e.kind !== 'sharing-violation' || Date.now() >= end) throw e;
        await new Promise((res) => setTimeout(res, 20));
      }
    }
  }

  /**
   * PC/SC has SCardBeginTransaction, but the `pcsclite` binding does not expose it (nor
   * SCardReconnect): the closest real guarantee is exclusive share mode. The card handle is
   * re-opened with SCARD_SHARE_EXCLUSIVE (SCARD_LEAVE_CARD in between: no reset, the card state
   * stays) for the sequence, so pcscd refuses every other client's connect and transmit until it
   * ends; then it is re-opened shared. Another client that holds the card already makes this wait
   * up to transactionWaitMs, then fail with `sharing-violation` before anything was sent.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.txDepth > 0 || !this.reader.connected) return fn();
    this.txDepth++;
    try {
      await this.reopen(this.reader.SCARD_SHARE_EXCLUSIVE);
      return await fn();
    } finally {
      this.txDepth--;
      // after a pull the handle is gone (lost()): nothing to re-open, the next connect() starts afresh
      if (this.reader.connected && !this.handleLost) await this.reopen(this.reader.SCARD_SHARE_SHARED).catch(() => undefined);
    }
  }

  transmit(capdu: Uint8Array): Promise<Uint8Array> {
    const r = this.reader;
    if (!r.connected) return Promise.reject(new TransportError('no-card', `${this.name}: not connected to a card`));
    return new Promise((resolve, reject) => {
      r.transmit(Buffer.from(capdu.buffer, capdu.byteOffset, capdu.length), 65538, this.protocol, (err, data) => {
        if (err) {
          const e = fromPcscError(err, `${this.name}: transmit`);
          if (e.kind === 'card-removed' || e.kind === 'no-card' || e.kind === 'unresponsive-card') this.lost();
          reject(e);
          return;
        }
        if (!data || data.length < 2) {
          // a transmit during removal can "succeed" with an empty buffer
          this.lost();
          reject(new TransportError('card-removed', `${this.name}: the card was removed (response of ${data?.length ?? 0} bytes)`));
          return;
        }
        resolve(new Uint8Array(data.buffer, data.byteOffset, data.length));
      });
    });
  }

  /** After a removal the handle is dead: drop it so the next connect() starts afresh. */
  private lost(): void {
    this.handleLost = true;
    this.atrBytes = undefined;
    void this.disconnectQuietly(this.reader.SCARD_LEAVE_CARD);
  }

  async reset(): Promise<Uint8Array> {
    await this.disconnectQuietly(this.reader.SCARD_RESET_CARD);
    return this.connect();
  }

  /** Closes the open handle, if any (not queued: callers run inside serial()). */
  private release(disposition: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.reader.connected) return resolve();
      this.reader.disconnect(disposition, () => resolve());
    });
  }

  private disconnectQuietly(disposition: number): Promise<void> {
    return this.serial(() => this.release(disposition));
  }

  async disconnect(opts: { reset?: boolean } = {}): Promise<void> {
    await this.disconnectQuietly(opts.reset ? this.reader.SCARD_RESET_CARD : this.reader.SCARD_LEAVE_CARD);
    this.atrBytes = undefined;
  }

  private isClosed = false;

  /** close() was called: the transport no longer follows the reader's status */
  get closed(): boolean {
    return this.isClosed;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.reader.removeListener('status', this.onStatus);
    await this.disconnect();
  }
}
