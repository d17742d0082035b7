/**
 * The device side of a DM session with mutual authentication (docs in src/dms/server.ts), using
 * the credentials of a DMAcc account from the bootstrap (OMA-TS-DM_Security V1.2 5.5):
 *  - the client authenticates with its CLCRED: syncml:auth-md5 (`authorization: syncml:auth-md5
 *    <cred>`) or HMAC (x-syncml-hmac over the request body), built over the nonce the server last
 *    gave it (initially the bootstrap's AAuthData);
 *  - each request carries a fresh random challenge; the server must answer with
 *    B64(MD5(B64(MD5(name:secret)):challenge)) from the SRVCRED, or the client refuses the server;
 *  - the server's NextNonce is stored for the next session (the tree's AAuthData).
 * On a 401 carrying a new nonce (the DM "Chal"), the client retries once with it.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { authHmac, authMd5, verifyMd5 } from '../secure/dm/auth.js';
import { formatHmacHeader, HMAC_HEADER } from '../secure/dm/hmac-header.js';
import { AgentError } from './errors.js';
import type { AuthCredential, DmAccountView } from './tree.js';

export interface DmSessionOptions {
  /** CA for the DMS certificate (PEM) */
  ca?: string | Buffer;
  devId: string;
  timeoutMs?: number;
}

export interface DmSessionResult {
  serverId: string;
  /** the nonce for the next session (base64) */
  nextNonce: string;
  /** number of HTTP round trips (2 when the server challenged first) */
  roundTrips: number;
}

interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

function post(url: URL, body: string, headers: Record<string, string>, opts: DmSessionOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
        ...(opts.ca ? { ca: opts.ca } : {}),
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 65_536) req.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = {};
          }
          resolve({ status: res.statusCode ?? 0, body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(new AgentError('agent.dm', `DM server ${url.host} unreachable: ${e.message}`)));
    req.end(body);
  });
}

function cred(acc: DmAccountView, level: string): AuthCredential {
  const c = acc.auth.find((a) => a.level === level);
  if (!c || c.name === undefined || c.secret === undefined) throw new AgentError('agent.dm', `account ${acc.nodeName} has no complete ${level} credential`);
  return c;
}

/** Runs one authenticated exchange with the account's DM server. */
export async function dmSession(acc: DmAccountView, opts: DmSessionOptions): Promise<DmSessionResult> {
  if (!acc.addr) throw new AgentError('agent.dm', `account ${acc.nodeName} has no server address`);
  let url: URL;
  try {
    url = new URL(acc.addr);
  } catch {
    throw new AgentError('agent.dm', `account ${acc.nodeName}: server address is not a URL`);
  }
  if (url.protocol !== 'https:') throw new AgentError('agent.dm', `account ${acc.nodeName}: only https:// DM servers are used`);
  const cli = cred(acc, 'CLCRED');
  const srv = cred(acc, 'SRVCRED');
  const hmac = /HMAC/i.test(cli.type);
  let nonce = new Uint8Array(Buffer.from(cli.data ?? '', 'base64'));
  for (let attempt = 1; attempt <= 2; attempt++) {
    const challenge = new Uint8Array(randomBytes(16));
    const body = JSON.stringify({ v: 1, serverId: acc.serverId, clientName: cli.name, devId: opts.devId, challenge: Buffer.from(challenge).toString('base64') });
    const headers: Record<string, string> = hmac
      ? { [HMAC_HEADER]: formatHmacHeader({ username: cli.name!, mac: authHmac(cli.name!, cli.secret!, nonce, new TextEncoder().encode(body)) }) }
      : { authorization: `syncml:auth-md5 ${authMd5(cli.name!, cli.secret!, nonce)}` };
    const a = await post(url, body, headers, opts);
    const next = typeof a.body.nextNonce === 'string' ? a.body.nextNonce : undefined;
    if (a.status === 200) {
      const sc = typeof a.body.serverCred === 'string' ? a.body.serverCred : '';
      // the server proves it knows the SRVCRED secret over our fresh challenge
      if (!verifyMd5(sc, srv.name!, srv.secret!, challenge)) throw new AgentError('agent.dm', `DM server ${acc.serverId} failed to authenticate itself`);
      if (!next) throw new AgentError('agent.dm', `DM server ${acc.serverId} sent no next nonce`);
      return { serverId: acc.serverId, nextNonce: next, roundTrips: attempt };
    }
    const code = typeof a.body.code === 'string' ? a.body.code.slice(0, 40) : `HTTP ${a.status}`;
    if (a.status === 401 && next && attempt === 1 && code !== 'dm.nonce-replay') {
      nonce = new Uint8Array(Buffer.from(next, 'base64'));
      continue;
    }
    throw new AgentError('agent.dm', `DM server ${acc.serverId} refused the session (${code})`);
  }
  throw new AgentError('agent.dm', `DM server ${acc.serverId} refused the session`);
}
