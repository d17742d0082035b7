/**
 * `simdm dms serve`: a small OMA DM 1.2 server (OMA-TS-DM_Protocol V1.2, server side of a
 * client-initiated session) over HTTP(S), XML or WBXML as the client sends it.
 *
 * For each POST on a served path (the paths of the accounts' server addresses, and /dm):
 *  - a new session (Alert 1201/1200) names its account by SyncHdr Source LocName (md5) or the
 *    x-syncml-hmac username (HMAC) -- both the CLCRED AAuthName;
 *  - the client's credential is checked over the nonces in force for that account
 *    (ChallengeNonces: the device's current nonce and any challenge sent since; a refusal adds
 *    a fresh challenge beside them and never replaces them, so nobody can lock a device out);
 *    accepted: Status 212 with Chal NextNonce (the device's next nonce); refused: Status 401/407
 *    with Chal and a fresh nonce, and the session ends there;
 *  - the server authenticates itself in every answer's first message with its SRVCRED over the
 *    server nonce the device gave it last (md5: Cred in SyncHdr; HMAC: x-syncml-hmac on every
 *    message); a device that refuses it (Status 401 + Chal) gets one more message over the new
 *    nonce, then the session is logged `rejected-by-device`;
 *  - the queued management commands (Get/Replace/Add/Delete/Exec) go in package 2; the session
 *    ends with a message without commands once their Status/Results are in.
 * Every session is logged once with its account and a truthful outcome (DmsSessionLog).
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { CHAL_TYPE, type DmAuthScheme, HMAC_HEADER, hasCredential, hmacUsername, nonceBytes, present, schemeOf, verifyPresented } from '../dm/credentials.js';
import {
  ALERT,
  decodeDmMessage,
  DM_CONTENT_TYPE,
  DM_MAX_MESSAGE,
  type DmCommand,
  type DmEncoding,
  type DmItem,
  type DmMessage,
  encodeDmMessage,
  encodingOf,
  STATUS,
  statusesFor,
} from '../dm/message.js';
import { SimdmError } from '../errors.js';
import { ChallengeNonces } from '../secure/dm/nonce-store.js';
import { buildNotification, type UiMode } from '../secure/dm/notification.js';
import { type GbaConfig, GbaBsf, gbaMac, parseGbaAuthorization } from './gba.js';
import { ctEqual } from '../secure/aka/compare.js';
import { DmsError } from './errors.js';

export type DmsAuthType = 'DIGEST' | 'HMAC' | 'GBA';

export interface DmsAccount {
  serverId: string;
  /** CLCRED AAuthName */
  clientName: string;
  clientSecret: string;
  /** SRVCRED AAuthName */
  serverName: string;
  serverSecret: string;
  /** the client's first nonce, base64 (the bootstrap's CLCRED AAuthData) */
  clientNonce: string;
  /** the server's first nonce, base64 (the bootstrap's SRVCRED AAuthData) */
  serverNonce?: string;
  /** 'DIGEST' (syncml:auth-md5), 'HMAC' (syncml:auth-MAC) or 'GBA' */
  authType: DmsAuthType;
  /** the account's server address (its path is served) */
  addr?: string;
}

/** A management command the server sends in a session (once per account). */
export interface DmsCommand {
  verb: 'Get' | 'Replace' | 'Add' | 'Delete' | 'Exec';
  uri: string;
  data?: string;
  format?: string;
}

export interface DmsSessionLog {
  time: string;
  /** the account as presented (CLCRED name, or the device id when none was given) */
  clientName: string;
  /** the account's ServerID, or '-' when no account matched */
  serverId: string;
  devId?: string;
  /** 'ok', or what went wrong: dm.auth-required, dm.auth-failure, dm.nonce-replay, dm.nonce-stale,
   *  dm.unknown-account, rejected-by-device, dm.message, dm.session-unknown, gba.auth-failure */
  result: string;
  /** per command sent: "Replace ./x -> 200" */
  commands?: string[];
  /** Results the device returned (Get) */
  results?: DmItem[];
}

export interface DmsOptions {
  accounts: DmsAccount[];
  /** HTTPS (default); without it the server speaks plain HTTP (tests and peers without TLS) */
  tls?: { cert: string | Buffer; key: string | Buffer };
  host?: string;
  port?: number;
  /** extra paths served besides the accounts' (default ['/dm']) */
  paths?: string[];
  onSession?: (l: DmsSessionLog) => void;
  /** one line per request that is not a DM message (404, 415, ...) */
  onReject?: (line: string) => void;
  /** AKA/GBA: accounts whose authType is GBA authenticate with Ks_NAF (gba.ts) */
  gba?: GbaConfig;
  /** commands sent to each account in its next session */
  commands?: DmsCommand[];
  /** send each session's commands in one Atomic or Sequence (OMA-TS-DM_RepPro 6.6.3 / 6.6.13) */
  group?: 'Atomic' | 'Sequence';
  /** how long an idle session is kept (default 5 min) */
  sessionTtlMs?: number;
  /**
   * Data longer than this goes as a large object in chunks, one per message (OMA-TS-DM_Protocol
   * V1.2 large objects: Meta Size, MoreData, Status 213). Default: 4096, less when the device's
   * MaxMsgSize is small.
   */
  chunkSize?: number;
}

interface Session {
  account: DmsAccount;
  scheme: DmAuthScheme | 'gba';
  ksNaf?: Uint8Array;
  devId: string;
  encoding: DmEncoding;
  msgId: number;
  /** sent commands by "MsgID/CmdID" (what a Status's MsgRef/CmdRef name), awaiting Status */
  sent: Map<string, DmsCommand>;
  /** sent Atomic/Sequence by "MsgID/CmdID", awaiting Status */
  sentGroups: Map<string, string>;
  outcomes: string[];
  results: DmItem[];
  /** the device accepted our credential */
  accepted: boolean;
  refusals: number;
  /** the commands of our last message, re-sent after a refusal */
  lastCommands: DmCommand[];
  /** commands for the next messages of the package (the chunks of a large object and what follows) */
  outbox: DmCommand[];
  /** "MsgID/CmdID" of chunks sent with MoreData: the device owes 213 for them */
  chunkIds: Set<string>;
  /** a command could not go (too large), or a device broke a large object: the session is incomplete */
  unsent?: boolean;
  /** the device's MaxMsgSize / MaxObjSize (package 1 SyncHdr Meta) */
  maxMsgSize?: number;
  maxObjSize?: number;
  at: number;
}

const principal = (a: DmsAccount): string => `${a.serverId}\u0000${a.clientName}`;

export class DmsServer {
  private readonly server: Server;
  private readonly clientNonces = new ChallengeNonces({ length: 16 });
  private readonly serverNonces = new Map<string, string>();
  private readonly liveSessions = new Map<string, Session>();
  private readonly queues = new Map<string, DmsCommand[]>();
  private readonly paths: Set<string>;
  /** the whole command each chunk of a large object came from */
  private readonly origin = new WeakMap<DmCommand, DmsCommand>();
  readonly gba: GbaBsf | undefined;
  readonly sessions: DmsSessionLog[] = [];

  constructor(readonly opts: DmsOptions) {
    for (const a of opts.accounts) {
      if (!['DIGEST', 'HMAC', 'GBA'].includes(a.authType))
        throw new DmsError('dms.config', `account ${a.clientName}@${a.serverId}: authType ${String(a.authType).slice(0, 20)} is not DIGEST, HMAC or GBA`);
      if (a.authType !== 'GBA') this.clientNonces.seed(principal(a), nonceBytes(a.clientNonce));
      this.serverNonces.set(principal(a), a.serverNonce ?? '');
      this.queues.set(principal(a), [...(opts.commands ?? [])]);
    }
    this.paths = new Set(opts.paths ?? ['/dm']);
    for (const a of opts.accounts) {
      if (!a.addr) continue;
      try {
        this.paths.add(new URL(a.addr).pathname || '/');
      } catch {
        /* not a URL: nothing to serve */
      }
    }
    this.gba = opts.gba ? new GbaBsf(opts.gba) : undefined;
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.server = opts.tls ? createHttps({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, handler) : createHttp(handler);
  }

  /** The paths served (POST). */
  get servedPaths(): string[] {
    return [...this.paths].sort();
  }

  /** Queues commands for an account's next session. */
  queue(clientName: string, serverId: string, cmds: DmsCommand[]): void {
    const a = this.opts.accounts.find((x) => x.clientName === clientName && x.serverId === serverId);
    if (!a) throw new DmsError('dms.config', `no account ${clientName}@${serverId}`);
    this.queues.get(principal(a))!.push(...cmds);
  }

  /**
   * Package #0 for an account (OMA-TS-DM_Notification 6): the digest over the trigger with the
   * account's server id and SRVCRED secret and the server nonce the device gave last.
   */
  notification(clientName: string, serverId: string, uiMode: UiMode = 'background'): Uint8Array {
    const a = this.opts.accounts.find((x) => x.clientName === clientName && x.serverId === serverId);
    if (!a || a.authType === 'GBA') throw new DmsError('dms.config', `no md5/HMAC account ${clientName}@${serverId}`);
    const sessionId = randomBytes(2).readUInt16BE(0);
    return buildNotification(
      { version: 12, uiMode, serverInitiated: true, sessionId, serverId: a.serverId },
      a.serverSecret,
      nonceBytes(this.serverNonces.get(principal(a)) ?? ''),
    );
  }

  async listen(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const a = this.server.address();
    return { host, port: typeof a === 'object' && a ? a.port : 0 };
  }

  close(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private log(l: Omit<DmsSessionLog, 'time'>): void {
    const e = { time: new Date().toISOString(), ...l };
    this.sessions.push(e);
    if (this.sessions.length > 1000) this.sessions.shift();
    this.opts.onSession?.(e);
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text + '\n');
  }

  private json(res: ServerResponse, status: number, body: object): void {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s), 'cache-control': 'no-store' });
    res.end(s);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const gbaPath = path === '/gba/bootstrap' && this.gba;
    if (req.method !== 'POST' || (!this.paths.has(path) && !gbaPath)) {
      this.opts.onReject?.(`${req.method} ${path.slice(0, 100)}: 404 (served: POST ${this.servedPaths.join(', ')})`);
      return this.plain(res, 404, `not found: POST ${this.servedPaths.join(' or ')}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > DM_MAX_MESSAGE) {
        this.opts.onReject?.(`POST ${path}: 413 (over ${DM_MAX_MESSAGE} bytes)`);
        return this.plain(res, 413, 'message too large');
      }
      chunks.push(c);
    }
    const body = new Uint8Array(Buffer.concat(chunks));
    if (gbaPath) return this.bootstrap(body, res);
    const enc = encodingOf(req.headers['content-type']);
    if (!enc) {
      this.opts.onReject?.(`POST ${path}: 415 (content type ${String(req.headers['content-type']).slice(0, 60)})`);
      return this.plain(res, 415, `content type must be ${DM_CONTENT_TYPE.wbxml} or ${DM_CONTENT_TYPE.xml}`);
    }
    let msg: DmMessage;
    try {
      msg = decodeDmMessage(body, req.headers['content-type']);
    } catch (e) {
      const code = e instanceof SimdmError ? e.code : 'dm.message';
      this.log({ clientName: '-', serverId: '-', result: code });
      return this.plain(res, 400, `${code}: ${e instanceof SimdmError ? e.message : 'bad message'}`);
    }
    try {
      const out = this.step(msg, enc, body, req.headers);
      res.writeHead(200, { 'content-type': DM_CONTENT_TYPE[enc], 'content-length': out.body.length, 'cache-control': 'no-store', ...out.headers });
      res.end(out.body);
    } catch (e) {
      this.log({
        clientName: msg.header.sourceName ?? msg.header.source,
        serverId: '-',
        devId: msg.header.source,
        result: e instanceof SimdmError ? e.code : 'dms.internal',
      });
      this.plain(res, 500, 'internal error');
    }
  }

  /** Ub (TS 33.220 4.5.2), simplified: challenge, then RES -> B-TID (JSON; see gba.ts). */
  private bootstrap(body: Uint8Array, res: ServerResponse): void {
    try {
      const r = decodeGbaBootstrap(body);
      if (r.rand === undefined) return this.json(res, 401, { code: 'gba.challenge', ...this.gba!.challenge(r.impi) });
      const btid = this.gba!.answer(r.impi, r.rand, new Uint8Array(Buffer.from(r.res!, 'base64')));
      if (!btid) return this.json(res, 401, { code: 'gba.auth-failure', message: 'RES does not match' });
      return this.json(res, 200, { btid });
    } catch (e) {
      return this.json(res, 400, { code: 'dms.request', message: e instanceof SimdmError ? e.message : 'bad request' });
    }
  }

  /**
   * The account a new session is for: the x-syncml-hmac username (DM_Security 5.5.3) or the
   * SyncHdr Source LocName (5.5.2) name it. A client that names nobody (libdmclient sends only
   * Source LocURI = DevId with its md5 Cred) is matched by the accounts served at the message's
   * Target address: the one whose credential verifies over one of its nonces, else the only one.
   */
  private findAccount(msg: DmMessage, headers: IncomingMessage['headers'], raw: Uint8Array): DmsAccount | undefined {
    const hmacName = hmacUsername(typeof headers[HMAC_HEADER] === 'string' ? headers[HMAC_HEADER] : undefined);
    const name = hmacName ?? msg.header.sourceName ?? msg.header.source;
    const cands = this.opts.accounts.filter((a) => a.clientName === name);
    const atTarget = (list: DmsAccount[]): DmsAccount[] => list.filter((a) => a.addr !== undefined && sameUrl(a.addr, msg.header.target));
    if (cands.length === 1) return cands[0];
    // several servers share the client name: the one whose address the message targets
    if (cands.length > 1) return atTarget(cands)[0] ?? cands[0];
    if (hmacName !== undefined || msg.header.sourceName !== undefined) return undefined;
    const here = atTarget(this.opts.accounts);
    const pool = here.length ? here : this.opts.accounts;
    const cred = msg.header.cred;
    if (cred) {
      const verified = pool.filter(
        (a) => a.authType === 'DIGEST' && this.clientNonces.knows(principal(a), (n) => safeVerify('md5', { cred }, a.clientName, a.clientSecret, n, raw)),
      );
      if (verified.length === 1) return verified[0];
    }
    return here.length === 1 ? here[0] : undefined;
  }

  /**
   * A refused message: Status for the SyncHdr (with `chal`) and, one for one, a Status with the
   * same code for each of its commands, which were not executed (SyncML RepPro 5.1.x Status: one
   * Status per command, the SyncHdr's first; DM_Protocol 8.3). A client that re-sends what was
   * refused (libdmclient re-queues only commands answered 401/407) then repeats package 1.
   */
  private refusal(msg: DmMessage, hdr: Extract<DmCommand, { kind: 'Status' }>): DmCommand[] {
    return [hdr, ...statusesFor(msg, hdr.data)];
  }

  /** One message in, one out. */
  private step(msg: DmMessage, enc: DmEncoding, raw: Uint8Array, headers: IncomingMessage['headers']): { body: Uint8Array; headers: Record<string, string> } {
    const key = `${msg.header.sessionId}\u0000${msg.header.source}`;
    this.expire();
    let s = this.liveSessions.get(key);
    const hdrRef = { cmdId: 0, msgRef: msg.header.msgId, cmdRef: 0, cmd: 'SyncHdr', targetRef: msg.header.target, sourceRef: msg.header.source };
    const reply = (sess: Session | undefined, account: DmsAccount | undefined, body: DmCommand[]): { body: Uint8Array; headers: Record<string, string> } =>
      this.reply(msg, sess, account, enc, body);

    if (!s) {
      const alert = msg.body.find((c) => c.kind === 'Alert' && (c.data === ALERT.clientInitiated || c.data === ALERT.serverInitiated));
      const account = this.findAccount(msg, headers, raw);
      const who = {
        clientName: msg.header.sourceName ?? hmacUsername(headers[HMAC_HEADER] as string | undefined) ?? account?.clientName ?? msg.header.source,
        devId: msg.header.source,
      };
      if (!alert) {
        this.log({ ...who, serverId: account?.serverId ?? '-', result: 'dm.session-unknown' });
        return reply(undefined, undefined, [{ kind: 'Status', ...hdrRef, data: STATUS.badRequest }]);
      }
      if (!account) {
        this.log({ ...who, serverId: '-', result: 'dm.unknown-account' });
        // the same answer as a wrong credential: no account enumeration
        return reply(
          undefined,
          undefined,
          this.refusal(msg, {
            kind: 'Status',
            ...hdrRef,
            chal: { type: CHAL_TYPE.md5, format: 'b64', nextNonce: randomBytes(16).toString('base64') },
            data: STATUS.unauthorized,
          }),
        );
      }
      const p = principal(account);
      let sess: Session;
      if (account.authType === 'GBA') {
        const ksNaf = this.gbaVerify(headers, raw);
        if (!ksNaf) {
          this.log({ ...who, serverId: account.serverId, result: 'gba.auth-failure' });
          return reply(undefined, account, this.refusal(msg, { kind: 'Status', ...hdrRef, data: STATUS.unauthorized }));
        }
        sess = this.open(key, account, 'gba', msg, enc);
        sess.ksNaf = ksNaf;
        return this.firstAnswer(sess, msg, { kind: 'Status', ...hdrRef, data: STATUS.authAccepted });
      }
      const scheme = schemeOf(account.authType)!;
      const presented = {
        ...(msg.header.cred ? { cred: msg.header.cred } : {}),
        ...(typeof headers[HMAC_HEADER] === 'string' ? { hmac: headers[HMAC_HEADER] } : {}),
      };
      if (!hasCredential(scheme, presented)) {
        this.log({ ...who, serverId: account.serverId, result: 'dm.auth-required' });
        return reply(undefined, account, this.refusal(msg, { kind: 'Status', ...hdrRef, chal: this.chal(scheme, p), data: STATUS.credMissing }));
      }
      let next: Uint8Array;
      try {
        next = this.clientNonces.authenticate(p, (n) => safeVerify(scheme, presented, account.clientName, account.clientSecret, n, raw));
      } catch (e) {
        this.log({ ...who, serverId: account.serverId, result: e instanceof SimdmError ? e.code : 'dm.auth-failure' });
        return reply(undefined, account, this.refusal(msg, { kind: 'Status', ...hdrRef, chal: this.chal(scheme, p), data: STATUS.unauthorized }));
      }
      sess = this.open(key, account, scheme, msg, enc);
      return this.firstAnswer(sess, msg, {
        kind: 'Status',
        ...hdrRef,
        chal: { type: CHAL_TYPE[scheme], format: 'b64', nextNonce: Buffer.from(next).toString('base64') },
        data: STATUS.authAccepted,
      });
    }

    // ---- a message of a session in progress --------------------------------------------------
    s.at = Date.now();
    const acc = s.account;
    const p = principal(acc);
    const hdr: Extract<DmCommand, { kind: 'Status' }> = { kind: 'Status', ...hdrRef, data: STATUS.ok };
    if (s.scheme === 'gba') {
      if (!this.gbaVerify(headers, raw)) return this.abort(key, s, 'gba.auth-failure', msg, [{ ...hdr, data: STATUS.unauthorized }]);
    } else if (s.scheme === 'hmac') {
      const presented = typeof headers[HMAC_HEADER] === 'string' ? { hmac: headers[HMAC_HEADER] } : {};
      try {
        const next = this.clientNonces.authenticate(p, (n) => safeVerify('hmac', presented, acc.clientName, acc.clientSecret, n, raw));
        hdr.chal = { type: CHAL_TYPE.hmac, format: 'b64', nextNonce: Buffer.from(next).toString('base64') };
      } catch (e) {
        return this.abort(key, s, e instanceof SimdmError ? e.code : 'dm.auth-failure', msg, [
          { ...hdr, chal: this.chal('hmac', p), data: STATUS.unauthorized },
        ]);
      }
    }
    // the device's verdict on our credential
    const verdict = msg.body.find((c): c is Extract<DmCommand, { kind: 'Status' }> => c.kind === 'Status' && c.cmdRef === 0 && c.cmd === 'SyncHdr');
    if (verdict?.chal?.nextNonce !== undefined && s.scheme !== 'gba') this.serverNonces.set(p, verdict.chal.nextNonce);
    if (verdict && (verdict.data === STATUS.unauthorized || verdict.data === STATUS.credMissing)) {
      s.refusals++;
      if (s.refusals >= 2 || !verdict.chal?.nextNonce) return this.abort(key, s, 'rejected-by-device', msg, [hdr]);
      // once more over the nonce the device just gave (DM_Security 5.5.2); the refused commands
      // were not executed (the device answered them with its refusal) and go again under new CmdIDs
      s.accepted = false;
      s.sent.clear();
      s.sentGroups.clear();
      return this.reply(msg, s, acc, s.encoding, [hdr, ...s.lastCommands], true);
    }
    if (verdict && (verdict.data === STATUS.authAccepted || verdict.data === STATUS.ok)) s.accepted = true;
    for (const c of msg.body) {
      if (c.kind === 'Status' && c.cmdRef !== 0) {
        const ref = `${c.msgRef}/${c.cmdRef}`;
        const sent = s.sent.get(ref);
        const group = s.sentGroups.get(ref);
        if (sent) {
          // a chunk accepted (213) is not the command's outcome: the last chunk's status is
          if (s.chunkIds.has(ref) && c.data !== STATUS.chunkAccepted) {
            // the device did not buffer the chunk: the rest of that object is not sent
            s.outcomes.push(`${sent.verb} ${sent.uri} -> ${c.data} on a chunk (large object abandoned)`);
            s.outbox = s.outbox.filter((x) => this.origin.get(x) !== sent);
            s.unsent = true;
          } else if (c.data !== STATUS.chunkAccepted) s.outcomes.push(`${sent.verb} ${sent.uri} -> ${c.data}`);
          s.sent.delete(ref);
        } else if (group) {
          s.outcomes.push(`${group} -> ${c.data}`);
          s.sentGroups.delete(ref);
        }
      } else if (c.kind === 'Results') s.results.push(...c.items);
    }
    if (!s.accepted) return this.abort(key, s, 'rejected-by-device', msg, [hdr]);
    // the device's own commands here: Alert 1222 (next message) is answered 200, others 406
    const theirs: DmCommand[] = msg.body.flatMap((c): DmCommand[] =>
      c.kind === 'Status' || c.kind === 'Results'
        ? []
        : [
            {
              kind: 'Status',
              cmdId: 0,
              msgRef: msg.header.msgId,
              cmdRef: c.cmdId,
              cmd: c.kind === 'Unsupported' ? c.name : c.kind,
              data: c.kind === 'Alert' && c.data === ALERT.nextMessage ? STATUS.ok : STATUS.optionalNotSupported,
            },
          ],
    );
    // more of the package to send (the next chunk of a large object, what follows it)
    if (s.outbox.length) {
      const batch = this.nextBatch(s);
      return this.reply(msg, s, acc, s.encoding, [hdr, ...theirs, ...batch], s.scheme !== 'md5', s.outbox.length === 0);
    }
    // all our commands answered: the last message, without commands
    this.liveSessions.delete(key);
    // a group the device gave no Status (libdmclient runs an Atomic's commands one by one and
    // answers only them) is not reported as done: RepPro requires a Status for every command
    for (const g of s.sentGroups.values()) s.outcomes.push(`${g} -> no Status`);
    const failed = s.sent.size > 0 || s.sentGroups.size > 0 || s.unsent ? 'incomplete' : 'ok';
    this.log({
      clientName: acc.clientName,
      serverId: acc.serverId,
      devId: s.devId,
      result: failed,
      ...(s.outcomes.length ? { commands: s.outcomes } : {}),
      ...(s.results.length ? { results: s.results } : {}),
    });
    return this.reply(msg, s, acc, s.encoding, [hdr, ...theirs], s.scheme !== 'md5');
  }

  private open(key: string, account: DmsAccount, scheme: Session['scheme'], msg: DmMessage, enc: DmEncoding): Session {
    const s: Session = {
      account,
      scheme,
      devId: msg.header.source,
      encoding: enc,
      msgId: 0,
      sent: new Map(),
      sentGroups: new Map(),
      outcomes: [],
      results: [],
      accepted: false,
      refusals: 0,
      lastCommands: [],
      outbox: [],
      chunkIds: new Set(),
      ...(msg.header.maxMsgSize !== undefined ? { maxMsgSize: msg.header.maxMsgSize } : {}),
      ...(msg.header.maxObjSize !== undefined ? { maxObjSize: msg.header.maxObjSize } : {}),
      at: Date.now(),
    };
    this.liveSessions.set(key, s);
    return s;
  }

  private chal(scheme: DmAuthScheme, p: string): { type: string; format: string; nextNonce: string } {
    return { type: CHAL_TYPE[scheme], format: 'b64', nextNonce: Buffer.from(this.clientNonces.challenge(p)).toString('base64') };
  }

  /** Package 2: statuses for the client's commands, then the queued management commands. */
  private firstAnswer(s: Session, msg: DmMessage, hdrStatus: Extract<DmCommand, { kind: 'Status' }>): { body: Uint8Array; headers: Record<string, string> } {
    const statuses: DmCommand[] = [hdrStatus];
    for (const c of msg.body) {
      if (c.kind === 'Status' || c.kind === 'Results') continue;
      const cmd = c.kind === 'Unsupported' ? c.name : c.kind;
      statuses.push({
        kind: 'Status',
        cmdId: 0,
        msgRef: msg.header.msgId,
        cmdRef: c.cmdId,
        cmd,
        data: c.kind === 'Alert' || c.kind === 'Replace' ? STATUS.ok : STATUS.optionalNotSupported,
      });
    }
    const q = this.queues.get(principal(s.account)) ?? [];
    const queued: DmCommand[] = q.splice(0).map((c) => toCommand(c));
    const cmds: DmCommand[] = this.opts.group && queued.length ? [{ kind: this.opts.group, cmdId: 0, body: queued }] : queued;
    s.outbox = cmds.flatMap((c) => this.chunks(s, c));
    const batch = this.nextBatch(s);
    return this.reply(msg, s, s.account, s.encoding, [...statuses, ...batch], true, s.outbox.length === 0);
  }

  /**
   * A Replace/Add whose data is longer than the chunk size, as one command per chunk: the first
   * with Meta Size (bytes, UTF-8), all but the last with <MoreData/> (OMA-TS-DM_Protocol V1.2
   * large object handling; the device answers 213 to each chunk and the command's status to the
   * last). Groups are sent whole.
   */
  private chunks(s: Session, c: DmCommand): DmCommand[] {
    if ((c.kind !== 'Replace' && c.kind !== 'Add') || c.items.length !== 1) return [c];
    const it = c.items[0]!;
    const data = it.data ?? '';
    const size = this.opts.chunkSize ?? Math.min(4096, Math.max(256, (s.maxMsgSize ?? DM_MAX_MESSAGE) - 2048));
    // only to a device that announced MaxObjSize (it takes large objects); others get it whole
    if (data.length <= size || s.maxObjSize === undefined) return [c];
    if (Buffer.byteLength(data, 'utf8') > s.maxObjSize) {
      const whole = fromCommand(c);
      s.outcomes.push(`${whole.verb} ${whole.uri} -> not sent (larger than the device's MaxObjSize ${s.maxObjSize})`);
      s.unsent = true;
      return [];
    }
    const parts: string[] = [];
    for (let i = 0; i < data.length; i += size) parts.push(data.slice(i, i + size));
    const whole = fromCommand(c);
    const out = parts.map((part, i) => ({
      kind: c.kind,
      cmdId: 0,
      items: [
        {
          target: it.target,
          ...(i === 0 ? { meta: { ...it.meta, size: Buffer.byteLength(data, 'utf8') } } : {}),
          data: part,
          ...(i < parts.length - 1 ? { moreData: true } : {}),
        },
      ],
    })) as DmCommand[];
    for (const x of out) this.origin.set(x, whole);
    return out;
  }

  /** The commands of the next message: up to and including the first chunk with MoreData. */
  private nextBatch(s: Session): DmCommand[] {
    const batch: DmCommand[] = [];
    while (s.outbox.length) {
      const c = s.outbox.shift()!;
      batch.push(c);
      if ((c.kind === 'Replace' || c.kind === 'Add') && c.items[0]?.moreData) break;
    }
    s.lastCommands = batch;
    return batch;
  }

  private abort(key: string, s: Session, result: string, msg: DmMessage, body: DmCommand[]): { body: Uint8Array; headers: Record<string, string> } {
    this.liveSessions.delete(key);
    // commands never acknowledged go back to the queue
    // (a chunked command once, with its whole data; with what was still to be sent)
    const verbs = (c: DmCommand): DmsCommand[] =>
      c.kind === 'Atomic' || c.kind === 'Sequence'
        ? c.body.flatMap(verbs)
        : c.kind === 'Status' || c.kind === 'Results' || c.kind === 'Alert' || c.kind === 'Unsupported'
          ? []
          : [this.origin.get(c) ?? fromCommand(c)];
    const unanswered = [...new Set([...s.sent.values(), ...s.outbox.flatMap(verbs)])];
    if (unanswered.length) this.queues.get(principal(s.account))?.unshift(...unanswered);
    this.log({
      clientName: s.account.clientName,
      serverId: s.account.serverId,
      devId: s.devId,
      result,
      ...(s.outcomes.length ? { commands: s.outcomes } : {}),
    });
    return this.reply(msg, s, s.account, s.encoding, body, false);
  }

  /**
   * Encodes an answer. `withCred`: the server authenticates itself in this message (md5: Cred in
   * SyncHdr over the server nonce; HMAC: the x-syncml-hmac header; GBA: x-gba-mac).
   */
  private reply(
    msg: DmMessage,
    s: Session | undefined,
    account: DmsAccount | undefined,
    enc: DmEncoding,
    body: DmCommand[],
    withCred = false,
    final = true,
  ): { body: Uint8Array; headers: Record<string, string> } {
    // CmdIDs in document order, a group's before its commands'; our queued commands are tracked
    const queued = new Set<DmCommand>();
    const collect = (c: DmCommand): void => {
      if (c.kind === 'Atomic' || c.kind === 'Sequence') c.body.forEach(collect);
      queued.add(c);
    };
    s?.lastCommands.forEach(collect);
    let id = 0;
    const msgId = (s?.msgId ?? 0) + 1;
    const number = (c: DmCommand): DmCommand => {
      const own = ++id;
      const ref = `${msgId}/${own}`;
      if (c.kind === 'Atomic' || c.kind === 'Sequence') {
        if (s && queued.has(c)) s.sentGroups.set(ref, c.kind);
        return { ...c, cmdId: own, body: c.body.map(number) };
      }
      if (s && queued.has(c) && c.kind !== 'Status' && c.kind !== 'Results' && c.kind !== 'Alert' && c.kind !== 'Unsupported') {
        s.sent.set(ref, this.origin.get(c) ?? fromCommand(c));
        if (c.items[0]?.moreData) s.chunkIds.add(ref);
      }
      return { ...c, cmdId: own };
    };
    const cmds = body.map(number);
    if (s) s.msgId++;
    const out: DmMessage = {
      header: { sessionId: msg.header.sessionId, msgId: s?.msgId ?? 1, target: msg.header.source, source: msg.header.target },
      body: cmds,
      final,
    };
    const headers: Record<string, string> = {};
    if (s && account && withCred) {
      const sn = this.serverNonces.get(principal(account)) ?? '';
      if (s.scheme === 'md5') out.header.cred = present('md5', account.serverName, account.serverSecret, sn, new Uint8Array()).cred!;
      const bytes = encodeDmMessage(out, enc);
      if (s.scheme === 'hmac') Object.assign(headers, present('hmac', account.serverName, account.serverSecret, sn, bytes).headers);
      if (s.scheme === 'gba' && s.ksNaf) headers['x-gba-mac'] = gbaMac(s.ksNaf, Buffer.concat([Buffer.from('server:'), bytes]));
      return { body: bytes, headers };
    }
    return { body: encodeDmMessage(out, enc), headers };
  }

  private gbaVerify(headers: IncomingMessage['headers'], body: Uint8Array): Uint8Array | undefined {
    const h = headers.authorization;
    const auth = typeof h === 'string' && h.startsWith('gba-mac ') ? parseGbaAuthorization(h) : undefined;
    const ksNaf = auth ? this.gba?.ksNaf(auth.btid) : undefined;
    if (!auth || !ksNaf || !ctEqual(new TextEncoder().encode(gbaMac(ksNaf, body)), new TextEncoder().encode(auth.mac))) return undefined;
    try {
      this.gba!.replay.check(Buffer.from(auth.mac, 'base64'));
    } catch {
      return undefined;
    }
    return ksNaf;
  }

  private expire(): void {
    const ttl = this.opts.sessionTtlMs ?? 300_000;
    const now = Date.now();
    for (const [k, s] of this.liveSessions) {
      if (now - s.at > ttl) {
        this.liveSessions.delete(k);
        this.log({
          clientName: s.account.clientName,
          serverId: s.account.serverId,
          devId: s.devId,
          result: 'dm.session-timeout',
          ...(s.outcomes.length ? { commands: s.outcomes } : {}),
        });
      }
    }
  }
}

function safeVerify(
  scheme: DmAuthScheme,
  p: { cred?: DmMessage['header']['cred']; hmac?: string },
  name: string,
  secret: string,
  nonce: Uint8Array,
  body: Uint8Array,
): boolean {
  try {
    return verifyPresented(scheme, p, name, secret, nonce, body);
  } catch {
    return false;
  }
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

function toCommand(c: DmsCommand): DmCommand {
  const item: DmItem = { target: c.uri };
  if (c.data !== undefined) item.data = c.data;
  if (c.format !== undefined || c.data !== undefined) item.meta = { format: c.format ?? 'chr' };
  return { kind: c.verb, cmdId: 0, items: [item] };
}

function fromCommand(c: Extract<DmCommand, { kind: 'Get' | 'Replace' | 'Add' | 'Delete' | 'Exec' | 'Copy' }>): DmsCommand {
  const it = c.items[0] ?? {};
  return {
    verb: c.kind === 'Copy' ? 'Get' : c.kind,
    uri: it.target ?? '',
    ...(it.data !== undefined ? { data: it.data } : {}),
    ...(it.meta?.format !== undefined ? { format: it.meta.format } : {}),
  };
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
