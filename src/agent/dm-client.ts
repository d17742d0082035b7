/**
 * The device side of an OMA DM 1.2 session (OMA-TS-DM_Protocol V1.2 clause 8, client-initiated),
 * with the credentials of a DMAcc account (OMA-TS-DM_Security V1.2 5.5):
 *
 *   package 1   SyncHdr (Source = DevId, LocName = CLCRED AAuthName, Cred for md5), Alert 1201,
 *               Replace ./DevInfo/{DevId,Man,Mod,DmV,Lang}, Final
 *   package 2   the server: Status for our SyncHdr (212 accepted, with Chal NextNonce for our next
 *               credential; 401/407 refused, with Chal: we retry once over the new nonce), its own
 *               Cred over the SRVCRED nonce, Status for Alert/Replace, management commands
 *   package 3   Status for the server's SyncHdr (212 + Chal NextNonce for the server's next
 *               credential; 401 + Chal when its credential does not verify: the server may try
 *               once more, then the session is abandoned), Status/Results of its commands
 *   ...         until a server message carries no command.
 *
 * md5 authenticates the first exchange; HMAC (x-syncml-hmac) covers every message, each over the
 * nonce the other side gave in its last Chal. Nonces are committed through `onNonce` only once
 * the message that carries them went out (ours) or came in (the server's).
 */
import { randomBytes } from 'node:crypto';
import { CHAL_TYPE, type DmAuthScheme, HMAC_HEADER, hasCredential, present, schemeOf, verifyPresented } from '../dm/credentials.js';
import { postDm } from '../dm/http.js';
import {
  ALERT,
  decodeDmMessage,
  DM_CONTENT_TYPE,
  DM_MAX_MESSAGE,
  type DmChal,
  type DmCommand,
  type DmEncoding,
  type DmMessage,
  encodeDmMessage,
  STATUS,
  statusesFor,
} from '../dm/message.js';
import { SimdmError } from '../errors.js';
import { ctEqual } from '../secure/aka/compare.js';
import { gbaMac } from '../secure/gba/ua.js';
import { devInfoItems, executeBody, MAX_OBJECT, type TreeSession } from './dm-tree.js';
import { AgentError } from './errors.js';
import type { AuthCredential, DeviceTree, DmAccountView } from './tree.js';
import { hexNum, toHex } from '../util/hex.js';

export interface DmSessionOptions {
  /** CA for the DMS certificate (PEM) */
  ca?: string | Buffer;
  devId: string;
  timeoutMs?: number;
  /** message encoding (default wbxml) */
  encoding?: DmEncoding;
  /** accept http:// server addresses (tests against a plain-HTTP peer); default: https only */
  allowHttp?: boolean;
  /** connect elsewhere than the account's host:port (dm/http.ts connectTo) */
  connectTo?: Record<string, string>;
  /** a server-initiated session (package #0 received): Alert 1200 with the notification's session id */
  serverInitiated?: { sessionId: number };
  /** GBA instead of the account's md5/HMAC: every message MACed with Ks_NAF (gba-client.ts) */
  gba?: { btid: string; ksNaf: Uint8Array };
}

export interface DmSessionResult {
  serverId: string;
  /** HTTP round trips */
  roundTrips: number;
  /** URIs the server changed */
  changed: string[];
  /** card-resident accounts the server changed (to be written back to the card) */
  cardChanges: string[];
}

/** Receives each nonce as soon as it is in force: CLCRED (ours, from the server) or SRVCRED. */
export type NonceSink = (level: 'CLCRED' | 'SRVCRED', nonceB64: string) => void;

function cred(acc: DmAccountView, level: string): AuthCredential & { name: string; secret: string } {
  const c = acc.auth.find((a) => a.level === level);
  if (!c || c.name === undefined || c.secret === undefined) throw new AgentError('agent.dm', `account ${acc.nodeName} has no complete ${level} credential`);
  return c as AuthCredential & { name: string; secret: string };
}

/** a runaway session ends here; a large object of MAX_OBJECT in 4096-byte chunks takes 65 */
const MAX_ROUND_TRIPS = 100;

/** Our Status for the server's SyncHdr (RepPro: the first Status of a message; DM_Security 5.5.2 Chal). */
function headerStatus(reply: DmMessage, devId: string, data: number, chal?: DmChal): Extract<DmCommand, { kind: 'Status' }> {
  return {
    kind: 'Status',
    cmdId: 0,
    msgRef: reply.header.msgId,
    cmdRef: 0,
    cmd: 'SyncHdr',
    targetRef: devId,
    sourceRef: reply.header.source,
    ...(chal ? { chal } : {}),
    data,
  };
}

/** Runs one client-initiated DM session with the account's server over `tree`. */
export async function dmSession(acc: DmAccountView, tree: DeviceTree, opts: DmSessionOptions, onNonce: NonceSink = () => undefined): Promise<DmSessionResult> {
  if (!acc.addr) throw new AgentError('agent.dm', `account ${acc.nodeName} has no server address`);
  let url: URL;
  try {
    url = new URL(acc.addr);
  } catch {
    throw new AgentError('agent.dm', `account ${acc.nodeName}: server address is not a URL`);
  }
  if (url.protocol !== 'https:' && !(opts.allowHttp && url.protocol === 'http:'))
    throw new AgentError('agent.dm', `account ${acc.nodeName}: only https:// DM servers are used`);
  const gba = opts.gba;
  const cli = gba ? { level: 'CLCRED', type: 'GBA', name: acc.auth.find((a) => a.level === 'CLCRED')?.name ?? opts.devId, secret: '' } : cred(acc, 'CLCRED');
  const srv = gba ? { level: 'SRVCRED', type: 'GBA', name: '', secret: '' } : cred(acc, 'SRVCRED');
  const scheme: DmAuthScheme | 'gba' | undefined = gba ? 'gba' : schemeOf(cli.type);
  if (!scheme) throw new AgentError('agent.dm', `account ${acc.nodeName}: authentication type ${cli.type.slice(0, 20)} is not supported (DIGEST, HMAC)`);
  const enc = opts.encoding ?? 'wbxml';
  const ts: TreeSession = { tree, serverId: acc.serverId, cardChanges: new Set(), changed: [] };

  let clientNonce = cli.data;
  let serverNonce = srv.data;
  // DM_Notification 6: the session id of package #0 is the session's (hex)
  const sessionId = opts.serverInitiated ? hexNum(opts.serverInitiated.sessionId, 1) : toHex(randomBytes(2));
  let msgId = 0;
  let clientAuthed = false;
  let clientRetries = 0;
  let serverFailures = 0;
  let serverAuthedOnce = false;
  let reported = false;
  let pending: DmCommand[] = [
    { kind: 'Alert', cmdId: 0, data: opts.serverInitiated ? ALERT.serverInitiated : ALERT.clientInitiated, items: [] },
    { kind: 'Replace', cmdId: 0, items: devInfoItems(tree) },
  ];
  let hdrStatus: Extract<DmCommand, { kind: 'Status' }> | undefined;
  let proposedServerNonce: string | undefined;
  let target = url;

  for (let trip = 1; trip <= MAX_ROUND_TRIPS; trip++) {
    msgId++;
    const body: DmCommand[] = [...(hdrStatus ? [hdrStatus] : []), ...pending].map((c, i) => ({ ...c, cmdId: i + 1 }));
    const msg: DmMessage = {
      header: { sessionId, msgId, target: url.href, source: opts.devId, sourceName: cli.name, maxMsgSize: DM_MAX_MESSAGE, maxObjSize: MAX_OBJECT },
      body,
      final: true,
    };
    let bytes: Uint8Array;
    const headers: Record<string, string> = { 'content-type': DM_CONTENT_TYPE[enc] };
    if (scheme === 'md5') {
      if (!clientAuthed) msg.header.cred = present('md5', cli.name, cli.secret, clientNonce, new Uint8Array()).cred!;
      bytes = encodeDmMessage(msg, enc);
    } else if (scheme === 'gba') {
      bytes = encodeDmMessage(msg, enc);
      headers.authorization = `gba-mac btid="${gba!.btid}", mac="${gbaMac(gba!.ksNaf, bytes)}"`;
    } else {
      bytes = encodeDmMessage(msg, enc);
      Object.assign(headers, present('hmac', cli.name, cli.secret, clientNonce, bytes).headers);
    }
    let ans;
    try {
      ans = await postDm(target, bytes, headers, {
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.connectTo ? { connectTo: opts.connectTo } : {}),
      });
    } catch (e) {
      throw new AgentError('agent.dm', `DM server ${acc.serverId}: ${e instanceof SimdmError ? e.message : 'unreachable'}`, { cause: e });
    }
    // what we sent is in force now
    if (proposedServerNonce !== undefined) {
      serverNonce = proposedServerNonce;
      onNonce('SRVCRED', serverNonce);
      proposedServerNonce = undefined;
    }
    if (hdrStatus && (hdrStatus.data === STATUS.authAccepted || hdrStatus.data === STATUS.ok)) reported = true;
    if (serverFailures >= 2) throw new AgentError('agent.dm', `DM server ${acc.serverId} failed to authenticate itself`);
    if (ans.status !== 200) throw new AgentError('agent.dm', `DM server ${acc.serverId} answered HTTP ${ans.status}`);
    let reply: DmMessage;
    try {
      reply = decodeDmMessage(ans.body, ans.contentType);
    } catch (e) {
      throw new AgentError('agent.dm', `DM server ${acc.serverId}: ${e instanceof SimdmError ? e.message : 'undecodable answer'}`, { cause: e });
    }
    if (reply.header.sessionId !== sessionId) throw new AgentError('agent.dm', `DM server ${acc.serverId} answered for another session`);
    if (reply.header.respUri) {
      try {
        const r = new URL(reply.header.respUri, url);
        if (r.origin === url.origin) target = r;
      } catch {
        /* keep the address */
      }
    }

    // 1. were we accepted?
    const st = reply.body.find(
      (c): c is Extract<DmCommand, { kind: 'Status' }> =>
        c.kind === 'Status' && c.cmdRef === 0 && c.cmd === 'SyncHdr' && (c.msgRef === 0 || c.msgRef === msgId),
    );
    if (st?.chal?.nextNonce) {
      clientNonce = st.chal.nextNonce;
      onNonce('CLCRED', clientNonce);
    }
    if (!clientAuthed) {
      if (st && (st.data === STATUS.authAccepted || st.data === STATUS.ok)) clientAuthed = true;
      else if (st && (st.data === STATUS.unauthorized || st.data === STATUS.credMissing) && st.chal?.nextNonce && clientRetries < 2) {
        clientRetries++;
        continue; // package 1 again, over the new nonce
      } else throw new AgentError('agent.dm', `DM server ${acc.serverId} refused the session (${st ? `status ${st.data}` : 'no status for the header'})`);
    } else if (st && st.data !== STATUS.ok && st.data !== STATUS.authAccepted) {
      throw new AgentError('agent.dm', `DM server ${acc.serverId} refused the session (status ${st.data})`);
    }

    // 2. is the server who it says? (md5: its first message; HMAC: every message)
    if (scheme !== 'md5' || !serverAuthedOnce) {
      const presented = {
        ...(reply.header.cred ? { cred: reply.header.cred } : {}),
        ...(typeof ans.headers[HMAC_HEADER] === 'string' ? { hmac: ans.headers[HMAC_HEADER] } : {}),
      };
      let ok = false;
      try {
        if (scheme === 'gba') {
          const h = ans.headers['x-gba-mac'];
          ok =
            typeof h === 'string' &&
            ctEqual(new TextEncoder().encode(h), new TextEncoder().encode(gbaMac(gba!.ksNaf, Buffer.concat([Buffer.from('server:'), ans.body]))));
        } else ok = verifyPresented(scheme, presented, srv.name, srv.secret, new Uint8Array(Buffer.from(serverNonce ?? '', 'base64')), ans.body);
      } catch {
        ok = false;
      }
      if (scheme !== 'gba') proposedServerNonce = randomBytes(16).toString('base64');
      const chal = scheme === 'gba' ? undefined : { type: CHAL_TYPE[scheme], format: 'b64', nextNonce: proposedServerNonce! };
      if (!ok) {
        serverFailures++;
        if (scheme === 'gba') throw new AgentError('agent.dm', `DM server ${acc.serverId} failed to authenticate itself (GBA)`);
        hdrStatus = headerStatus(reply, opts.devId, hasCredential(scheme, presented) ? STATUS.unauthorized : STATUS.credMissing, chal);
        pending = statusesFor(reply, hdrStatus.data); // its commands are not executed
        continue;
      }
      serverAuthedOnce = true;
      hdrStatus = headerStatus(reply, opts.devId, STATUS.authAccepted, chal);
    } else hdrStatus = headerStatus(reply, opts.devId, STATUS.ok);

    // 3. its commands (Atomic and Sequence included: dm-tree.ts executeBody)
    const executed = executeBody(ts, reply);
    pending = executed.answers;
    // a message without Final: the server has more of its package; ask for it (RepPro Alert 1222)
    if (!reply.final) pending.push({ kind: 'Alert', cmdId: 0, data: ALERT.nextMessage, items: [] });
    const commands = executed.commands;
    if (commands === 0 && reported) {
      // nothing more to say: a nonce proposed in this last status never went out, the server keeps its own
      proposedServerNonce = undefined;
      return { serverId: acc.serverId, roundTrips: trip, changed: ts.changed, cardChanges: [...ts.cardChanges] };
    }
  }
  throw new AgentError('agent.dm', `DM session with ${acc.serverId} did not end within ${MAX_ROUND_TRIPS} messages`);
}
