/**
 * The client side of the bridge: a Transport for `remote://host:port/READER`, so every command and
 * the device agent use a bridged reader like a local one.
 *
 * connect() acquires the reader (exclusive, waiting up to `acquireWaitMs`) and powers the card;
 * disconnect() releases it. Card events are watched from open() on, without holding the reader.
 * If the server releases the reader after its idle timeout, the next connect() acquires it anew.
 * Errors: BridgeError for bridge refusals, TransportError with the card-side kind for card faults
 * (`transport.card-removed` on the server is `TransportError('card-removed')` here).
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { SimdmError } from '../errors.js';
import { TransportError, type TransportErrorKind } from '../transport/errors.js';
import type { Transport, TransportEvent } from '../transport/types.js';
import { BridgeError, type BridgeErrorCode } from './errors.js';
import { type ClientRequest, decodeServerFrame, encodeClientRequest, MAX_FRAME, type ReaderInfo, type ServerFrame } from './protocol.js';

/** Distributes Omit over a union. */
type DOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export interface RemoteOptions {
  /** bearer token (never logged) */
  token?: string;
  /** PEM CA bundle that signed the bridge's certificate (default: the system store) */
  ca?: string | Buffer;
  /** PEM client certificate and key for mutual TLS */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** send APDUs in binary frames (default true) */
  binary?: boolean;
  /** how long connect() waits for a busy reader (default 10 s) */
  acquireWaitMs?: number;
  /** per-request timeout (default 30 s) */
  requestTimeoutMs?: number;
  /** TLS server name to check (default: the host) */
  servername?: string;
}

export interface RemoteSpec {
  host: string;
  port: number;
  reader: string | undefined;
  params: URLSearchParams;
}

/** remote://host:port/READER (reader URL-encoded; empty = list only) [?ca=FILE&cert=FILE&key=FILE&tokenFile=FILE] */
export function parseRemoteSpec(spec: string): RemoteSpec {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new BridgeError('bridge.config', `not a remote://host:port/READER address: ${spec.slice(0, 200)}`);
  }
  if (u.protocol !== 'remote:' || !u.hostname || !u.port)
    throw new BridgeError('bridge.config', `not a remote://host:port/READER address: ${spec.slice(0, 200)}`);
  if (u.username || u.password)
    throw new BridgeError('bridge.config', 'remote://: credentials do not belong in the address; use --token-file or SIMDM_BRIDGE_TOKEN');
  const path = u.pathname.replace(/^\//, '');
  let reader: string | undefined;
  try {
    reader = path ? decodeURIComponent(path) : undefined;
  } catch {
    throw new BridgeError('bridge.config', 'remote://: the reader name is not valid URL encoding');
  }
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port), reader, params: u.searchParams };
}

interface Pending {
  resolve: (f: ServerFrame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** One authenticated connection to a bridge. */
export class BridgeClient {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(ev: 'inserted' | 'removed', reader: string) => void>();
  private readonly notices = new Set<(code: string, message: string) => void>();
  private closedError: Error | undefined;
  who = '';
  readOnly = false;

  private constructor(
    private readonly ws: WebSocket,
    private readonly timeoutMs: number,
  ) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', () => this.fail(new TransportError('transport-broken', 'connection to the bridge closed')));
    ws.on('error', (e: Error) => this.fail(new TransportError('transport-broken', `bridge connection: ${e.message}`)));
  }

  static async connect(host: string, port: number, opts: RemoteOptions): Promise<BridgeClient> {
    const url = `wss://${host.includes(':') ? `[${host}]` : host}:${port}/`;
    const ws = new WebSocket(url, {
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.cert ? { cert: opts.cert } : {}),
      ...(opts.key ? { key: opts.key } : {}),
      ...(opts.servername ? { servername: opts.servername } : {}),
      maxPayload: MAX_FRAME,
      perMessageDeflate: false,
      handshakeTimeout: opts.requestTimeoutMs ?? 30_000,
    });
    const client = await new Promise<BridgeClient>((resolve, reject) => {
      let status = 0;
      ws.once('unexpected-response', (_req, res) => {
        status = res.statusCode ?? 0;
        res.resume();
        ws.terminate();
        reject(
          status === 401 || status === 429
            ? new BridgeError(
                'bridge.auth',
                `bridge ${host}:${port} refused the credentials (HTTP ${status}${status === 429 ? ': too many failures, try later' : ''})`,
              )
            : new BridgeError('bridge.closed', `bridge ${host}:${port} answered HTTP ${status}`),
        );
      });
      ws.once('error', (e: Error) => {
        if (!status) reject(new BridgeError('bridge.tls', `cannot reach bridge ${host}:${port} over TLS: ${e.message}`));
      });
      ws.once('message', (data: WebSocket.RawData, isBinary: boolean) => {
        try {
          const f = decodeServerFrame(isBinary ? new Uint8Array(data as Buffer) : (data as Buffer).toString('utf8'), isBinary);
          if (f.kind !== 'hello') throw new BridgeError('bridge.frame', 'bridge did not greet with hello');
          const c = new BridgeClient(ws, opts.requestTimeoutMs ?? 30_000);
          c.who = f.who;
          c.readOnly = f.readOnly;
          resolve(c);
        } catch (e) {
          ws.terminate();
          reject(e);
        }
      });
    });
    return client;
  }

  private fail(e: Error): void {
    this.closedError ??= e;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    let f: ServerFrame;
    try {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      f = decodeServerFrame(isBinary ? new Uint8Array(buf) : buf.toString('utf8'), isBinary);
    } catch {
      this.ws.terminate();
      return;
    }
    if (f.kind === 'hello') return;
    if (f.kind === 'event') {
      for (const l of this.eventListeners) l(f.ev, f.reader);
      return;
    }
    if (f.re === 0) {
      if (f.kind === 'error') for (const l of this.notices) l(f.code, f.message);
      return;
    }
    const p = this.pending.get(f.re);
    if (!p) return; // an answer to a request that already timed out
    this.pending.delete(f.re);
    clearTimeout(p.timer);
    if (f.kind === 'error') p.reject(errorFromServer(f.code, f.message));
    else p.resolve(f);
  }

  onEvent(l: (ev: 'inserted' | 'removed', reader: string) => void): void {
    this.eventListeners.add(l);
  }
  offEvent(l: (ev: 'inserted' | 'removed', reader: string) => void): void {
    this.eventListeners.delete(l);
  }
  onNotice(l: (code: string, message: string) => void): void {
    this.notices.add(l);
  }

  /** Sends a request with the next sequence number and waits for its answer. */
  request(r: DOmit<ClientRequest, 'seq'>, timeoutMs = this.timeoutMs): Promise<ServerFrame> {
    if (this.closedError) return Promise.reject(this.closedError);
    const seq = ++this.seq;
    const frame = encodeClientRequest({ ...r, seq } as ClientRequest);
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new TransportError('timeout', `bridge did not answer ${r.op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
      this.ws.send(frame, { binary: typeof frame !== 'string' }, (err) => {
        if (err) {
          clearTimeout(timer);
          this.pending.delete(seq);
          reject(new TransportError('transport-broken', `bridge connection: ${err.message}`));
        }
      });
    });
  }

  /** For tests: send raw bytes or text as they are (no sequence number bookkeeping). */
  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }
  /** For tests: the next sequence number request() would use, and a way to wait for any answer to it. */
  expect(seq: number, timeoutMs = this.timeoutMs): Promise<ServerFrame> {
    return new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new TransportError('timeout', `no answer to seq ${seq}`));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
    });
  }
  get lastSeq(): number {
    return this.seq;
  }
  set lastSeq(v: number) {
    this.seq = v;
  }

  async list(): Promise<ReaderInfo[]> {
    const f = await this.request({ op: 'list' });
    return f.kind === 'ok' ? (f.readers ?? []) : [];
  }

  close(): void {
    this.fail(new TransportError('transport-broken', 'bridge connection closed'));
    this.ws.close();
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

const TRANSPORT_KINDS = new Set<string>([
  'no-service',
  'no-reader',
  'no-card',
  'card-removed',
  'protocol-mismatch',
  'sharing-violation',
  'timeout',
  'transport-broken',
  'unresponsive-card',
  'cancelled',
  'other',
]);
const BRIDGE_CODES = new Set<string>([
  'bridge.auth',
  'bridge.forbidden',
  'bridge.replay',
  'bridge.frame',
  'bridge.busy',
  'bridge.reader',
  'bridge.state',
  'bridge.tls',
  'bridge.closed',
  'bridge.config',
  'bridge.idle',
]);

function errorFromServer(code: string, message: string): SimdmError {
  if (code.startsWith('transport.') && TRANSPORT_KINDS.has(code.slice(10)))
    return new TransportError(code.slice(10) as TransportErrorKind, `bridge: ${message}`);
  if (BRIDGE_CODES.has(code)) return new BridgeError(code as BridgeErrorCode, `bridge: ${message}`);
  return new SimdmError(code, `bridge: ${message}`);
}

/** A bridged reader as a Transport. */
export class RemoteTransport implements Transport {
  private atrBytes: Uint8Array | undefined;
  private acquired = false;
  private present = false;
  private readonly listeners = new Map<TransportEvent, Set<() => void>>();

  private constructor(
    readonly client: BridgeClient,
    readonly reader: string,
    readonly name: string,
    private readonly opts: RemoteOptions,
  ) {
    client.onEvent((ev, r) => {
      if (r !== reader) return;
      this.present = ev === 'inserted';
      if (!this.present) this.atrBytes = undefined;
      for (const l of this.listeners.get(ev) ?? []) l();
    });
    client.onNotice((code) => {
      if (code === 'bridge.idle') {
        this.acquired = false;
        this.atrBytes = undefined;
      }
    });
  }

  static async open(host: string, port: number, reader: string, opts: RemoteOptions): Promise<RemoteTransport> {
    const client = await BridgeClient.connect(host, port, opts);
    try {
      const t = new RemoteTransport(client, reader, `remote://${host}:${port}/${reader}`, opts);
      const f = await client.request({ op: 'watch', reader });
      t.present = f.kind === 'ok' && f.present === true;
      return t;
    } catch (e) {
      client.close();
      throw e;
    }
  }

  get atr(): Uint8Array | undefined {
    return this.atrBytes;
  }

  get cardPresent(): boolean {
    return this.present;
  }

  /** Resolves when a card is present (or rejects after `timeoutMs`). */
  async waitForCard(timeoutMs: number): Promise<void> {
    if (this.present) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off('inserted', done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('inserted', done);
        reject(new TransportError('no-card', `${this.name}: no card inserted within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('inserted', done);
    });
  }

  private async ensureAcquired(): Promise<void> {
    if (this.acquired) return;
    const wait = this.opts.acquireWaitMs ?? 10_000;
    await this.client.request({ op: 'acquire', reader: this.reader, waitMs: wait }, wait + (this.opts.requestTimeoutMs ?? 30_000));
    this.acquired = true;
  }

  async connect(): Promise<Uint8Array> {
    await this.ensureAcquired();
    const f = await this.client.request({ op: 'connect' });
    this.atrBytes = f.kind === 'ok' && f.atr ? f.atr : new Uint8Array();
    this.present = true;
    return this.atrBytes;
  }

  async transmit(capdu: Uint8Array): Promise<Uint8Array> {
    const f = await this.client.request({ op: 'apdu', apdu: capdu, binary: this.opts.binary ?? true });
    if (f.kind !== 'rapdu') throw new BridgeError('bridge.frame', 'bridge answered an APDU without an R-APDU');
    return f.rapdu;
  }

  async reset(): Promise<Uint8Array> {
    await this.ensureAcquired();
    const f = await this.client.request({ op: 'reset' });
    this.atrBytes = f.kind === 'ok' && f.atr ? f.atr : new Uint8Array();
    return this.atrBytes;
  }

  private txDepth = 0;

  /** A PC/SC transaction on the bridge's reader (ops `begin` and `end`) around `fn`. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.txDepth > 0 || !this.acquired || !this.atrBytes) return fn();
    await this.client.request({ op: 'begin' });
    this.txDepth++;
    try {
      return await fn();
    } finally {
      this.txDepth--;
      if (this.client.isOpen && this.acquired) await this.client.request({ op: 'end' }).catch(() => undefined);
    }
  }

  async disconnect(): Promise<void> {
    this.atrBytes = undefined;
    if (!this.acquired || !this.client.isOpen) return;
    this.acquired = false;
    await this.client.request({ op: 'release' });
  }

  async close(): Promise<void> {
    await this.disconnect().catch(() => undefined);
    this.client.close();
  }

  on(event: TransportEvent, listener: () => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }

  off(event: TransportEvent, listener: () => void): void {
    this.listeners.get(event)?.delete(listener);
  }
}

/** Reads a PEM file for the TLS options; errors name the file, never its content. */
export function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BridgeError('bridge.config', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
