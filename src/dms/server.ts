/**
 * `simdm dms serve`: a small DM server endpoint over HTTPS for tests and demos.
 *
 * POST /dm with a DmRequest (request.ts). For the account (clientName + serverId) it
 *  - checks the client credential over the client's current nonce (NonceStore): syncml:auth-md5
 *    or x-syncml-hmac over the body (OMA-TS-DM_Security V1.2 5.5.2/5.5.3); a credential over an
 *    already used nonce is a replay and refused (401 dm.nonce-replay);
 *  - on success answers 200 { serverCred, nextNonce }: serverCred proves the server's SRVCRED
 *    secret over the client's fresh challenge, nextNonce is the client's nonce for next time;
 *  - on failure answers 401 { code, nextNonce } (a new nonce, as DM's Chal does), except for
 *    replays, which get no nonce.
 * Accounts come from the bootstrap (accountsFromBootstrap) or a JSON file.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authMd5, verifyHmac, verifyMd5 } from '../secure/dm/auth.js';
import { DmError } from '../secure/dm/errors.js';
import { HMAC_HEADER } from '../secure/dm/hmac-header.js';
import { NonceStore } from '../secure/dm/nonce-store.js';
import { SimdmError } from '../errors.js';
import { DmsError } from './errors.js';
import { decodeCredential, decodeDmRequest, MAX_BODY } from './request.js';
import { ctEqual } from '../secure/aka/compare.js';
import { type GbaConfig, GbaBsf, gbaMac, parseGbaAuthorization } from './gba.js';

export interface DmsAccount {
  serverId: string;
  clientName: string;
  clientSecret: string;
  serverName: string;
  serverSecret: string;
  /** the client's first nonce, base64 (the bootstrap's CLCRED AAuthData) */
  clientNonce: string;
  /** 'DIGEST' (syncml:auth-md5) or 'HMAC' */
  authType: string;
}

export interface DmsSessionLog {
  time: string;
  clientName: string;
  serverId: string;
  devId?: string;
  result: 'ok' | string;
}

export interface DmsOptions {
  accounts: DmsAccount[];
  tls: { cert: string | Buffer; key: string | Buffer };
  host?: string;
  port?: number;
  onSession?: (l: DmsSessionLog) => void;
  /** AKA/GBA: accounts whose authType is GBA authenticate with Ks_NAF (gba.ts) */
  gba?: GbaConfig;
}

export class DmsServer {
  private readonly https: Server;
  private readonly nonces: NonceStore;
  readonly gba: GbaBsf | undefined;
  readonly sessions: DmsSessionLog[] = [];

  constructor(readonly opts: DmsOptions) {
    const seed: Record<string, { current: string; issuedAt: number; retired: string[] }> = {};
    for (const a of opts.accounts) seed[key(a.clientName, a.serverId)] = { current: a.clientNonce || Buffer.alloc(16).toString('base64'), issuedAt: Date.now(), retired: [] };
    this.nonces = NonceStore.fromJSON(seed, { length: 16 });
    this.gba = opts.gba ? new GbaBsf(opts.gba) : undefined;
    this.https = createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, (req, res) => void this.handle(req, res));
  }

  async listen(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.https.once('error', reject);
      this.https.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const a = this.https.address();
    return { host, port: typeof a === 'object' && a ? a.port : 0 };
  }

  close(): Promise<void> {
    this.https.closeAllConnections?.();
    return new Promise((resolve) => this.https.close(() => resolve()));
  }

  private reply(res: ServerResponse, status: number, body: object): void {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s), 'cache-control': 'no-store' });
    res.end(s);
  }

  private log(l: Omit<DmsSessionLog, 'time'>): void {
    const e = { time: new Date().toISOString(), ...l };
    this.sessions.push(e);
    if (this.sessions.length > 1000) this.sessions.shift();
    this.opts.onSession?.(e);
  }

  /** Ub (TS 33.220 4.5.2), simplified: challenge, then RES -> B-TID. */
  private bootstrap(body: Uint8Array, res: ServerResponse): void {
    try {
      const r = decodeGbaBootstrap(body);
      if (r.rand === undefined) return this.reply(res, 401, { code: 'gba.challenge', ...this.gba!.challenge(r.impi) });
      const btid = this.gba!.answer(r.impi, r.rand, new Uint8Array(Buffer.from(r.res!, 'base64')));
      if (!btid) return this.reply(res, 401, { code: 'gba.auth-failure', message: 'RES does not match' });
      return this.reply(res, 200, { btid });
    } catch (e) {
      return this.reply(res, 400, { code: 'dms.request', message: e instanceof SimdmError ? e.message : 'bad request' });
    }
  }

  private gbaSession(r: ReturnType<typeof decodeDmRequest>, auth: { btid: string; mac: string }, body: Uint8Array, res: ServerResponse): void {
    const acc = this.opts.accounts.find((a) => a.serverId === r.serverId && /GBA/i.test(a.authType));
    const ksNaf = this.gba?.ksNaf(auth.btid);
    const ok = !!acc && !!ksNaf && ctEqual(new TextEncoder().encode(gbaMac(ksNaf, body)), new TextEncoder().encode(auth.mac));
    if (!ok) {
      this.log({ clientName: r.clientName, serverId: r.serverId, devId: r.devId, result: 'gba.auth-failure' });
      return this.reply(res, 401, { code: 'gba.auth-failure', message: 'GBA credential does not verify' });
    }
    try {
      this.gba!.replay.check(Buffer.from(auth.mac, 'base64'));
    } catch {
      this.log({ clientName: r.clientName, serverId: r.serverId, devId: r.devId, result: 'dm.nonce-replay' });
      return this.reply(res, 401, { code: 'dm.nonce-replay', message: 'request already seen (replay)' });
    }
    this.log({ clientName: r.clientName, serverId: r.serverId, devId: r.devId, result: 'ok' });
    return this.reply(res, 200, { status: 'ok', serverCred: gbaMac(ksNaf!, Buffer.concat([Buffer.from('server:'), Buffer.from(r.challenge)])), nextNonce: Buffer.alloc(16).toString('base64') });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || (req.url !== '/dm' && !(req.url === '/gba/bootstrap' && this.gba))) return this.reply(res, 404, { code: 'dms.request', message: 'POST /dm' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_BODY) return this.reply(res, 413, { code: 'dms.request', message: 'body too large' });
      chunks.push(c);
    }
    const body = new Uint8Array(Buffer.concat(chunks));
    if (req.url === '/gba/bootstrap') return this.bootstrap(body, res);
    try {
      const r = decodeDmRequest(body);
      const gbaAuth = req.headers.authorization?.startsWith('gba-mac ') ? parseGbaAuthorization(req.headers.authorization) : undefined;
      if (gbaAuth) return this.gbaSession(r, gbaAuth, body, res);
      const h = req.headers[HMAC_HEADER];
      const cred = decodeCredential(req.headers.authorization, Array.isArray(h) ? h[0] : h);
      const acc = this.opts.accounts.find((a) => a.clientName === r.clientName && a.serverId === r.serverId);
      const principal = key(r.clientName, r.serverId);
      if (!acc) {
        this.log({ clientName: r.clientName, serverId: r.serverId, devId: r.devId, result: 'dm.auth-failure' });
        return this.reply(res, 401, { code: 'dm.auth-failure', message: 'unknown account' });
      }
      if (!cred) {
        const next = this.nonces.issue(principal);
        this.log({ clientName: r.clientName, serverId: r.serverId, devId: r.devId, result: 'dm.auth-required' });
        return this.reply(res, 401, { code: 'dm.auth-required', nextNonce: Buffer.from(next).toString('base64') });
      }
      const wantHmac = /HMAC/i.test(acc.authType);
      if ((cred.scheme === 'hmac') !== wantHmac) throw new DmError('dm.auth-failure', `this account authenticates with ${wantHmac ? 'HMAC' : 'syncml:auth-md5'}`);
      if (cred.scheme === 'hmac' && cred.username !== acc.clientName) throw new DmError('dm.auth-failure', 'HMAC username does not match');
      const verify = (nonce: Uint8Array): boolean =>
        cred.scheme === 'md5' ? verifyMd5(cred.digest, acc.clientName, acc.clientSecret, nonce) : verifyHmac(cred.mac, acc.clientName, acc.clientSecret, nonce, body);
      const next = this.nonces.authenticate(principal, verify);
      this.log({ clientName: r.clientName, serverId: r.serverId, devId: r.devId, result: 'ok' });
      return this.reply(res, 200, { status: 'ok', serverCred: authMd5(acc.serverName, acc.serverSecret, r.challenge), nextNonce: Buffer.from(next).toString('base64') });
    } catch (e) {
      if (e instanceof DmsError) return this.reply(res, 400, { code: e.code, message: e.message });
      if (e instanceof DmError) {
        this.log({ clientName: '?', serverId: '?', result: e.code });
        if (e.code === 'dm.nonce-replay') return this.reply(res, 401, { code: e.code, message: e.message });
        let nextNonce: string | undefined;
        try {
          const r = decodeDmRequest(body);
          nextNonce = Buffer.from(this.nonces.issue(key(r.clientName, r.serverId))).toString('base64');
        } catch {
          /* no account to challenge */
        }
        return this.reply(res, 401, { code: e.code, message: e.message, ...(nextNonce ? { nextNonce } : {}) });
      }
      return this.reply(res, 500, { code: 'dms.internal', message: e instanceof SimdmError ? e.message : 'internal error' });
    }
  }
}

export interface GbaBootstrapRequest {
  impi: string;
  rand?: string;
  res?: string;
}

export function decodeGbaBootstrap(body: Uint8Array): GbaBootstrapRequest {
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new DmsError('dms.request', 'body is not UTF-8 JSON');
  }
  if (typeof o !== 'object' || o === null) throw new DmsError('dms.request', 'body is not a JSON object');
  const r = o as Record<string, unknown>;
  const b64 = (v: unknown): v is string => typeof v === 'string' && v.length <= 64 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
  if (typeof r.impi !== 'string' || r.impi.length === 0 || r.impi.length > 256) throw new DmsError('dms.request', 'impi must be a string');
  if (r.rand === undefined && r.res === undefined) return { impi: r.impi };
  if (!b64(r.rand) || !b64(r.res)) throw new DmsError('dms.request', 'rand and res must be base64');
  return { impi: r.impi, rand: r.rand, res: r.res };
}

function key(clientName: string, serverId: string): string {
  return `${serverId}\u0000${clientName}`;
}
