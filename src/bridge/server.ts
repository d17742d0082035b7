/**
 * `simdm bridge serve`: local readers over WebSocket + TLS (docs/bridge-protocol.md).
 *
 * - Authentication at the HTTP upgrade: `Authorization: Bearer <token>` (looked up by hash in the
 *   TokenStore) or a client certificate issued by `clientCa` whose CN names a principal. Anything
 *   else gets 401 and no WebSocket. There is no plain-TCP listener at all.
 * - One connection = one session with its own sequence numbers (exactly previous + 1; anything
 *   else is refused with `bridge.replay` and not executed).
 * - A reader is held by at most one session (`acquire`, optionally waiting in a FIFO queue).
 *   It is freed on `release`, when the connection closes, when the client misses a heartbeat
 *   (dead peer) and after `idleMs` without a request (live but idle peer). On release the card is
 *   reset so the next session does not inherit verified PINs or an open secure channel.
 * - Read-only principals can only send the commands `readOnlyAllows` lets through.
 * - Card insertion/removal is pushed to every session watching or holding the reader.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { SimdmError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import { PcscTransport } from '../transport/pcsc.js';
import type { AuditLog } from './audit.js';
import type { ReaderBackend } from './backend.js';
import { BridgeError } from './errors.js';
import { readerAllowed, readOnlyAllows, type Principal } from './policy.js';
import { type ClientRequest, decodeClientFrame, encodeServerFrame, MAX_FRAME, PROTOCOL_VERSION, type ServerFrame } from './protocol.js';
import { hashToken, type TokenStore } from './tokens.js';
import { hexNum } from '../util/hex.js';

export interface BridgeServerOptions {
  backend: ReaderBackend;
  tokens: TokenStore;
  tls: { cert: string | Buffer; key: string | Buffer; clientCa?: string | Buffer };
  host?: string;
  port?: number;
  audit?: AuditLog;
  /** a held reader is released after this long without a request (default 60 s; 0 = never) */
  idleMs?: number;
  /** ping period; a client that has not answered the previous ping is dropped (default 10 s) */
  heartbeatMs?: number;
  /**
   * reset the card when a session releases it, and before the first `connect` of a session when
   * the previous holder left it unreset (default true). false: a session inherits the previous
   * one's verified PIN/ADM, selected files, open logical and secure channels.
   */
  resetOnRelease?: boolean;
  /** authenticated connections in all (default 256) */
  maxConnections?: number;
  /** authenticated connections of one principal (default 64: a quarter of maxConnections), so one token cannot take them all */
  maxConnectionsPerPrincipal?: number;
  /** connections not yet authenticated (TLS handshake or upgrade pending) (default 64); more are closed at once */
  maxPreAuth?: number;
  /** the TLS handshake and the authenticated upgrade must be done within this (default 5 s) */
  authTimeoutMs?: number;
  /** a session holding and watching no reader is closed after this long without a request (default: idleMs; 0 = never) */
  sessionIdleMs?: number;
  /**
   * failed authentications per peer address within `authWindowMs` (default 20): further failing
   * attempts from it get 429 and are counted in one audit line per window, not one each. A valid
   * credential is accepted whatever its address did (several clients can share one NAT address).
   */
  maxAuthFailures?: number;
  /** failed authentications within `authWindowMs` over all addresses, beyond which every failing attempt gets 429 (default 200) */
  maxGlobalAuthFailures?: number;
  authWindowMs?: number;
  log?: (line: string) => void;
}

interface Waiter {
  conn: Session;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class Slot {
  holder: Session | undefined;
  readonly waiters: Waiter[] = [];
  readonly watchers = new Set<Session>();
  transport: Transport | undefined;
  /** the card was reset when the last session released it, and nobody connected since */
  clean = false;
  constructor(readonly name: string) {}
}

export class BridgeServer {
  private readonly https: Server;
  private readonly wss: WebSocketServer;
  private readonly slots = new Map<string, Slot>();
  private readonly sessions = new Set<Session>();
  private heartbeat: NodeJS.Timeout | undefined;
  private tokens: TokenStore;
  /** peer address -> times of recent authentication failures (at most maxAuthFailures kept) */
  private readonly failures = new Map<string, number[]>();
  /** times of recent authentication failures over all addresses (at most maxGlobalAuthFailures kept) */
  private globalFailures: number[] = [];
  /** failing attempts answered 429 and not audited one by one since the last summary line */
  private suppressed = { count: 0, addrs: new Set<string>(), timer: undefined as NodeJS.Timeout | undefined };
  /** connections that have not authenticated yet: "address:port" -> deadline timer */
  private readonly preAuth = new Map<string, NodeJS.Timeout>();
  /** authenticated connections per principal id, counted from the upgrade until the socket closes */
  private readonly perPrincipal = new Map<string, number>();
  private liveConnections = 0;
  readonly idleMs: number;
  readonly sessionIdleMs: number;
  readonly resetOnRelease: boolean;

  constructor(readonly opts: BridgeServerOptions) {
    this.idleMs = opts.idleMs ?? 60_000;
    this.sessionIdleMs = opts.sessionIdleMs ?? this.idleMs;
    this.resetOnRelease = opts.resetOnRelease ?? true;
    this.tokens = opts.tokens;
    const ca = opts.tls.clientCa;
    const authTimeout = opts.authTimeoutMs ?? 5_000;
    this.https = createServer({
      cert: opts.tls.cert,
      key: opts.tls.key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: authTimeout,
      ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}),
    });
    // Pre-authentication cap and deadline: a socket that has not completed TLS and an authenticated
    // upgrade within authTimeout is closed, and beyond maxPreAuth such sockets new ones are closed
    // at once, so idle or slow peers cannot exhaust file descriptors.
    this.https.on('connection', (sock: Socket) => {
      const key = `${sock.remoteAddress}:${sock.remotePort}`;
      if (this.preAuth.size >= (opts.maxPreAuth ?? 64)) {
        sock.destroy();
        return;
      }
      const timer = setTimeout(() => {
        this.preAuth.delete(key);
        sock.destroy();
      }, authTimeout);
      timer.unref();
      this.preAuth.set(key, timer);
      sock.once('close', () => this.authDone(key));
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
    this.https.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ code: 'bridge.upgrade', message: 'WebSocket upgrade required' }));
    });
    this.https.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.https.on('tlsClientError', (e: Error) => this.log(`TLS handshake failed: ${e.message.split('\n')[0]}`));
  }

  log(line: string): void {
    this.opts.log?.(line);
  }

  async listen(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.https.once('error', reject);
      this.https.listen(this.opts.port ?? 0, host, () => {
        this.https.off('error', reject);
        resolve();
      });
    });
    const hb = this.opts.heartbeatMs ?? 10_000;
    if (hb > 0) {
      this.heartbeat = setInterval(() => {
        for (const s of this.sessions) s.heartbeat();
      }, hb);
      this.heartbeat.unref();
    }
    const a = this.https.address();
    return { host, port: typeof a === 'object' && a ? a.port : 0 };
  }

  /** the connection `key` authenticated (or closed): no longer counted before authentication */
  private authDone(key: string): void {
    const t = this.preAuth.get(key);
    if (t) clearTimeout(t);
    this.preAuth.delete(key);
  }

  /** Connections not yet authenticated (for tests and status). */
  get pendingAuth(): number {
    return this.preAuth.size;
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.flushSuppressed();
    for (const t of this.preAuth.values()) clearTimeout(t);
    for (const s of [...this.sessions]) s.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    const closed = new Promise<void>((resolve) => this.https.close(() => resolve()));
    this.https.closeAllConnections?.();
    await closed;
  }

  /** Holder of each reader, for tests and status output. */
  holders(): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const [n, s] of this.slots) out[n] = s.holder?.principal.id;
    return out;
  }

  /**
   * Replaces the principals (e.g. on SIGHUP after `simdm bridge token`). Sessions of principals
   * that are gone or whose rights changed are closed.
   */
  setTokens(tokens: TokenStore): void {
    this.tokens = tokens;
    for (const s of this.sessions) {
      const p = s.principal;
      const now = s.viaCertCn !== undefined ? tokens.byCertCn(s.viaCertCn) : s.viaTokenHash ? tokens.byTokenHash(s.viaTokenHash) : undefined;
      if (!now || now.id !== p.id || now.readOnly !== p.readOnly || now.readers.join('\n') !== p.readers.join('\n')) {
        this.opts.audit?.event({ event: 'session', who: p.id, detail: 'closed: principal revoked or changed' });
        s.ws.close(4001, 'credentials revoked');
      }
    }
  }

  /**
   * Records a failed authentication from `addr`. Returns true when the address or the server as a
   * whole is over its limit: the attempt is then answered 429 and only counted (one summary audit
   * line per window), so unauthenticated peers cannot grow the audit log without bound.
   */
  private failed(addr: string): boolean {
    const max = this.opts.maxAuthFailures ?? 20;
    const maxGlobal = this.opts.maxGlobalAuthFailures ?? 200;
    const win = this.opts.authWindowMs ?? 60_000;
    const now = Date.now();
    const f = (this.failures.get(addr) ?? []).filter((t) => now - t < win);
    this.globalFailures = this.globalFailures.filter((t) => now - t < win);
    const over = f.length >= max || this.globalFailures.length >= maxGlobal;
    f.push(now);
    if (f.length > max) f.shift();
    this.failures.delete(addr);
    this.failures.set(addr, f);
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
    this.globalFailures.push(now);
    if (this.globalFailures.length > maxGlobal) this.globalFailures.shift();
    if (over) {
      const sup = this.suppressed;
      sup.count++;
      if (sup.addrs.size < 10_000) sup.addrs.add(addr);
      if (!sup.timer) {
        sup.timer = setTimeout(() => this.flushSuppressed(), win);
        sup.timer.unref();
      }
    }
    return over;
  }

  /** One audit line for the failing attempts that were refused without a line of their own. */
  private flushSuppressed(): void {
    const sup = this.suppressed;
    if (sup.timer) clearTimeout(sup.timer);
    sup.timer = undefined;
    if (sup.count === 0) return;
    const detail = `throttled: ${sup.count} further failed authentication${sup.count === 1 ? '' : 's'} from ${sup.addrs.size} address${sup.addrs.size === 1 ? '' : 'es'} refused (429)`;
    this.opts.audit?.event({ event: 'auth-failed', who: '-', detail });
    this.log(detail);
    sup.count = 0;
    sup.addrs.clear();
  }

  private authenticate(req: IncomingMessage): { principal: Principal; tokenHash?: Uint8Array; certCn?: string } | undefined {
    const h = req.headers.authorization;
    if (h !== undefined) {
      const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(h);
      if (!m) return undefined;
      const tokenHash = hashToken(m[1]!);
      const principal = this.tokens.byTokenHash(tokenHash);
      return principal ? { principal, tokenHash } : undefined;
    }
    const sock = req.socket as TLSSocket;
    if (this.opts.tls.clientCa && sock.authorized) {
      const cert = sock.getPeerCertificate();
      const cn = cert?.subject?.CN;
      const principal = typeof cn === 'string' ? this.tokens.byCertCn(cn) : undefined;
      if (principal) return { principal, certCn: cn as string };
    }
    return undefined;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const refuse = (status: number, code: string, message: string): void => {
      const body = JSON.stringify({ code, message });
      const reason = status === 401 ? 'Unauthorized' : status === 429 ? 'Too Many Requests' : 'Service Unavailable';
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    const addr = req.socket.remoteAddress ?? '?';
    const auth = this.authenticate(req);
    if (!auth) {
      const why = req.headers.authorization === undefined ? 'no credentials' : 'bad credentials';
      if (this.failed(addr)) {
        refuse(429, 'bridge.auth', 'too many failed authentications: try later');
        return;
      }
      this.opts.audit?.event({ event: 'auth-failed', who: peer, detail: why });
      this.log(`refused ${peer}: ${why}`);
      refuse(401, 'bridge.auth', `authentication required: ${why}`);
      return;
    }
    const principal = auth.principal;
    const mine = this.perPrincipal.get(principal.id) ?? 0;
    const perMax = this.opts.maxConnectionsPerPrincipal ?? 64;
    if (mine >= perMax) {
      this.opts.audit?.event({ event: 'refused', who: principal.id, code: 'bridge.busy', detail: `connection limit of the principal (${perMax}) reached` });
      refuse(503, 'bridge.busy', `too many connections for ${principal.id} (at most ${perMax})`);
      return;
    }
    if (this.liveConnections >= (this.opts.maxConnections ?? 256)) {
      refuse(503, 'bridge.busy', 'too many connections');
      return;
    }
    this.authDone(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    this.perPrincipal.set(principal.id, mine + 1);
    this.liveConnections++;
    socket.once('close', () => {
      this.liveConnections--;
      const n = (this.perPrincipal.get(principal.id) ?? 1) - 1;
      if (n > 0) this.perPrincipal.set(principal.id, n);
      else this.perPrincipal.delete(principal.id);
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const s = new Session(this, ws, principal, peer);
      s.viaTokenHash = auth.tokenHash;
      s.viaCertCn = auth.certCn;
      this.sessions.add(s);
      ws.on('close', () => {
        this.sessions.delete(s);
        void s.closed();
      });
    });
  }

  slot(name: string): Slot {
    let s = this.slots.get(name);
    if (!s) {
      s = new Slot(name);
      this.slots.set(name, s);
    }
    return s;
  }

  /** The reader's transport, with event forwarding installed once. */
  async transportOf(slot: Slot): Promise<Transport> {
    if (slot.transport) return slot.transport;
    const t = await this.opts.backend.get(slot.name);
    if (slot.transport) return slot.transport;
    slot.transport = t;
    const push = (ev: 'inserted' | 'removed') => () => {
      this.opts.audit?.event({ event: 'card', who: '-', reader: slot.name, detail: ev });
      const targets = new Set(slot.watchers);
      if (slot.holder) targets.add(slot.holder);
      for (const s of targets) s.send({ kind: 'event', ev, reader: slot.name });
    };
    t.on?.('inserted', push('inserted'));
    t.on?.('removed', push('removed'));
    return t;
  }

  async acquire(slot: Slot, conn: Session, waitMs: number): Promise<void> {
    if (!slot.holder) {
      slot.holder = conn;
      return;
    }
    if (waitMs <= 0) throw new BridgeError('bridge.busy', `reader "${slot.name}" is in use by another session`);
    await new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        conn,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = slot.waiters.indexOf(w);
          if (i >= 0) slot.waiters.splice(i, 1);
          reject(new BridgeError('bridge.busy', `reader "${slot.name}" still in use after ${waitMs} ms`));
        }, waitMs),
      };
      slot.waiters.push(w);
    });
  }

  /**
   * Frees the reader and hands it to the next waiter. When the session used the card at all
   * (`touched`, even if it sent `disconnect` since: a PC/SC disconnect leaves the card powered with
   * its PINs verified), the card is reset unless resetOnRelease is off.
   */
  async release(slot: Slot, conn: Session, touched: boolean, cardConnected: boolean): Promise<void> {
    if (slot.holder !== conn) return;
    const t = slot.transport;
    if (t && touched) {
      slot.clean = false;
      try {
        if (this.resetOnRelease) {
          if (!cardConnected) await t.connect();
          await t.disconnect({ reset: true });
          slot.clean = true;
        } else if (cardConnected) {
          await t.disconnect();
        }
      } catch {
        /* card gone: nothing to clean (a new card starts reset) */
        slot.clean = false;
      }
    }
    slot.holder = undefined;
    for (const w of slot.waiters) if (w.conn === conn) clearTimeout(w.timer);
    const rest = slot.waiters.filter((w) => w.conn !== conn);
    slot.waiters.length = 0;
    slot.waiters.push(...rest);
    const next = slot.waiters.shift();
    if (next) {
      clearTimeout(next.timer);
      slot.holder = next.conn;
      next.resolve();
    }
  }

  dropWaiter(conn: Session): void {
    for (const slot of this.slots.values()) {
      for (const w of slot.waiters.filter((x) => x.conn === conn)) {
        clearTimeout(w.timer);
        slot.waiters.splice(slot.waiters.indexOf(w), 1);
        w.reject(new BridgeError('bridge.closed', 'connection closed'));
      }
      slot.watchers.delete(conn);
    }
  }
}

const MAX_IN_FLIGHT = 64;

class Session {
  private lastSeq = 0;
  /** requests accepted and not yet answered (bounded: a client cannot queue without limit) */
  private inFlight = 0;
  private queue: Promise<void> = Promise.resolve();
  private held: Slot | undefined;
  private cardConnected = false;
  /** the session connected to the card of the held reader at least once */
  private touched = false;
  private watching = false;
  /** the open PC/SC transaction (begin ... end): ends it, and settles when it has ended */
  private tx: { end: () => void; done: Promise<void> } | undefined;
  private alive = true;
  private idleTimer: NodeJS.Timeout | undefined;
  private gone = false;
  /** how the session authenticated, to re-check it when the principals change */
  viaTokenHash: Uint8Array | undefined;
  viaCertCn: string | undefined;

  constructor(
    private readonly server: BridgeServer,
    readonly ws: WebSocket,
    readonly principal: Principal,
    readonly peer: string,
  ) {
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('error', () => ws.terminate());
    server.opts.audit?.event({ event: 'session', who: principal.id, detail: `connected from ${peer}` });
    this.send({ kind: 'hello', v: PROTOCOL_VERSION, who: principal.id, readOnly: principal.readOnly, idleMs: server.idleMs });
    // a session that never sends a request is idle from the start
    this.touch();
  }

  send(f: ServerFrame): void {
    if (this.gone || this.ws.readyState !== this.ws.OPEN) return;
    const out = encodeServerFrame(f);
    this.ws.send(out, { binary: typeof out !== 'string' });
  }

  heartbeat(): void {
    if (!this.alive) {
      this.server.log(`${this.principal.id}@${this.peer}: no heartbeat answer, dropping the session`);
      this.ws.terminate();
      return;
    }
    this.alive = false;
    try {
      this.ws.ping();
    } catch {
      this.ws.terminate();
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    let req: ClientRequest;
    try {
      req = decodeClientFrame(isBinary ? new Uint8Array(bytes) : bytes.toString('utf8'), isBinary);
    } catch (e) {
      this.send({ kind: 'error', re: 0, code: 'bridge.frame', message: (e as Error).message });
      return;
    }
    if (req.seq !== this.lastSeq + 1) {
      const why = req.seq <= this.lastSeq ? 'replayed' : 'out of order';
      this.server.opts.audit?.event({
        event: 'refused',
        who: this.principal.id,
        code: 'bridge.replay',
        detail: `${why} seq ${req.seq}, expected ${this.lastSeq + 1}`,
      });
      this.send({ kind: 'error', re: req.seq, code: 'bridge.replay', message: `frame ${why}: sequence number ${req.seq}, expected ${this.lastSeq + 1}` });
      return;
    }
    if (this.inFlight >= MAX_IN_FLIGHT) {
      // not executed and not counted: the client may send it again with the same number
      this.send({ kind: 'error', re: req.seq, code: 'bridge.busy', message: `more than ${MAX_IN_FLIGHT} requests pending in this session` });
      return;
    }
    this.lastSeq = req.seq;
    this.inFlight++;
    this.touch();
    this.queue = this.queue.then(() =>
      this.handle(req)
        .catch((e: unknown) => {
          const code = e instanceof SimdmError ? e.code : 'bridge.internal';
          const message = e instanceof SimdmError ? e.message : 'internal error';
          this.send({ kind: 'error', re: req.seq, code, message });
        })
        .finally(() => {
          this.inFlight--;
        }),
    );
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.held) {
      // a session that holds and watches nothing only takes a connection slot: close it when idle
      const ms = this.server.sessionIdleMs;
      if (this.watching || ms <= 0 || this.gone) return;
      this.idleTimer = setTimeout(() => {
        if (this.inFlight > 0 || this.held) return this.touch();
        this.server.log(`${this.principal.id}@${this.peer}: no request for ${ms} ms and no reader, closing the session`);
        this.send({ kind: 'error', re: 0, code: 'bridge.idle', message: `session closed after ${ms} ms without a request` });
        this.ws.close(4002, 'idle');
      }, ms);
      this.idleTimer.unref();
      return;
    }
    if (this.server.idleMs <= 0) return;
    this.idleTimer = setTimeout(() => {
      this.queue = this.queue.then(async () => {
        if (!this.held) return;
        const name = this.held.name;
        await this.releaseHeld();
        this.touch();
        this.server.log(`${this.principal.id}: idle for ${this.server.idleMs} ms, released "${name}"`);
        this.send({ kind: 'error', re: 0, code: 'bridge.idle', message: `reader "${name}" released after ${this.server.idleMs} ms without a request` });
      });
    }, this.server.idleMs);
    this.idleTimer.unref();
  }

  private slotFor(reader: string) {
    if (!readerAllowed(this.principal, reader)) throw new BridgeError('bridge.forbidden', `reader "${reader}" is not allowed for ${this.principal.id}`);
    return this.server.slot(reader);
  }

  private heldSlot(): Slot {
    if (!this.held) throw new BridgeError('bridge.state', 'no reader acquired in this session');
    return this.held;
  }

  private async handle(req: ClientRequest): Promise<void> {
    const audit = this.server.opts.audit;
    const who = this.principal.id;
    switch (req.op) {
      case 'list': {
        const names = (await this.server.opts.backend.list()).filter((n) => readerAllowed(this.principal, n));
        const readers = await Promise.all(names.map(async (name) => ({ name, present: await this.server.opts.backend.present(name).catch(() => false) })));
        this.send({ kind: 'ok', re: req.seq, readers });
        return;
      }
      case 'watch': {
        const slot = this.slotFor(req.reader);
        await this.server.transportOf(slot);
        slot.watchers.add(this);
        this.watching = true;
        this.send({ kind: 'ok', re: req.seq, present: await this.server.opts.backend.present(req.reader) });
        return;
      }
      case 'acquire': {
        const slot = this.slotFor(req.reader);
        if (this.held === slot) {
          this.send({ kind: 'ok', re: req.seq });
          return;
        }
        if (this.held) throw new BridgeError('bridge.state', `this session already holds "${this.held.name}": release it first`);
        await this.server.transportOf(slot);
        await this.server.acquire(slot, this, req.waitMs);
        if (this.gone) {
          await this.server.release(slot, this, false, false);
          return;
        }
        this.held = slot;
        this.cardConnected = false;
        this.touched = false;
        audit?.event({ event: 'acquire', who, reader: slot.name });
        this.touch();
        this.send({ kind: 'ok', re: req.seq, present: await this.server.opts.backend.present(slot.name) });
        return;
      }
      case 'connect': {
        const slot = this.heldSlot();
        const t = slot.transport!;
        // a card just inserted may not be reported yet (as withCard does for local readers)
        if (t instanceof PcscTransport && !t.cardPresent) await t.waitForCard(1000);
        let atr = await t.connect();
        // the first connect of a session finds the card reset, whatever the previous holder did
        if (!this.touched && !slot.clean && this.server.resetOnRelease) atr = await t.reset();
        slot.clean = false;
        this.touched = true;
        this.cardConnected = true;
        this.send({ kind: 'ok', re: req.seq, atr });
        return;
      }
      case 'reset': {
        const slot = this.heldSlot();
        const atr = await slot.transport!.reset();
        slot.clean = false;
        this.touched = true;
        this.cardConnected = true;
        this.send({ kind: 'ok', re: req.seq, atr });
        return;
      }
      case 'disconnect': {
        const slot = this.heldSlot();
        await this.endTransaction();
        await slot.transport!.disconnect();
        this.cardConnected = false;
        this.send({ kind: 'ok', re: req.seq });
        return;
      }
      case 'begin': {
        const slot = this.heldSlot();
        if (!this.cardConnected) throw new BridgeError('bridge.state', 'no card connected in this session: connect first');
        if (this.tx) throw new BridgeError('bridge.state', 'a transaction is already open in this session');
        let end!: () => void;
        let started!: () => void;
        const hold = new Promise<void>((r) => (end = r));
        const began = new Promise<void>((r) => (started = r));
        const done = slot.transport!.transaction(async () => {
          started();
          await hold;
        });
        this.tx = { end, done: done.catch(() => undefined) };
        try {
          await Promise.race([began, done]);
        } catch (e) {
          this.tx = undefined;
          throw e;
        }
        this.send({ kind: 'ok', re: req.seq });
        return;
      }
      case 'end':
        await this.endTransaction();
        this.send({ kind: 'ok', re: req.seq });
        return;
      case 'release':
        await this.releaseHeld();
        this.send({ kind: 'ok', re: req.seq });
        return;
      case 'apdu': {
        const slot = this.heldSlot();
        const ins = req.apdu[1]!;
        if (this.principal.readOnly && !readOnlyAllows(req.apdu, this.principal.allow)) {
          audit?.apdu(who, slot.name, req.apdu, undefined, 0, { code: 'bridge.forbidden' });
          throw new BridgeError('bridge.forbidden', `read-only session: CLA ${hexNum(req.apdu[0]!)} INS ${hexNum(ins)} is not allowed`);
        }
        const t0 = performance.now();
        let rapdu: Uint8Array;
        try {
          rapdu = await slot.transport!.transmit(req.apdu);
        } catch (e) {
          audit?.apdu(who, slot.name, req.apdu, undefined, performance.now() - t0, { code: e instanceof SimdmError ? e.code : 'error' });
          throw e;
        }
        audit?.apdu(who, slot.name, req.apdu, rapdu, performance.now() - t0);
        this.send({ kind: 'rapdu', re: req.seq, rapdu, binary: req.binary });
        return;
      }
    }
  }

  /** Ends the session's open transaction, if any (the card goes back to shared mode). */
  private async endTransaction(): Promise<void> {
    const tx = this.tx;
    if (!tx) return;
    this.tx = undefined;
    tx.end();
    await tx.done;
  }

  private async releaseHeld(): Promise<void> {
    const slot = this.held;
    if (!slot) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await this.endTransaction();
    this.held = undefined;
    await this.server.release(slot, this, this.touched, this.cardConnected);
    this.cardConnected = false;
    this.touched = false;
    this.server.opts.audit?.event({ event: 'release', who: this.principal.id, reader: slot.name });
  }

  async closed(): Promise<void> {
    this.gone = true;
    this.server.dropWaiter(this);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // let the request in progress finish before the reader is handed on
    await this.queue;
    await this.releaseHeld();
    this.server.opts.audit?.event({ event: 'session', who: this.principal.id, detail: 'closed' });
  }
}
