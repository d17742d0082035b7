/**
 * Decoding of a DM session request (untrusted bytes from the network): JSON body
 *   { "v": 1, "serverId": S, "clientName": C, "devId": D, "challenge": base64(8..64 bytes) }
 * and its credential header: `authorization: syncml:auth-md5 <b64 digest>` or `x-syncml-hmac`.
 * Throws only DmsError('dms.request') (and DmError('dm.header') from the HMAC header parser,
 * rewrapped here).
 */
import { DmError } from '../secure/dm/errors.js';
import { parseHmacHeader } from '../secure/dm/hmac-header.js';
import { DmsError } from './errors.js';

export interface DmRequest {
  serverId: string;
  clientName: string;
  devId: string;
  challenge: Uint8Array;
}

export type DmCredential = { scheme: 'md5'; digest: string } | { scheme: 'hmac'; username: string; mac: string };

export const MAX_BODY = 16_384;

const bad = (m: string): DmsError => new DmsError('dms.request', m);

function str(o: Record<string, unknown>, k: string, max = 256): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0 || v.length > max || /[\u0000-\u001f\u007f]/.test(v)) throw bad(`${k} must be a printable string of 1..${max} characters`);
  return v;
}

export function decodeDmRequest(body: Uint8Array): DmRequest {
  if (body.length > MAX_BODY) throw bad(`body longer than ${MAX_BODY} bytes`);
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw bad('body is not UTF-8 JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw bad('body is not a JSON object');
  const r = o as Record<string, unknown>;
  if (r.v !== 1) throw bad('unsupported version');
  const ch = str(r, 'challenge', 100);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(ch) || ch.length % 4 !== 0) throw bad('challenge must be base64');
  const challenge = new Uint8Array(Buffer.from(ch, 'base64'));
  if (challenge.length < 8 || challenge.length > 64) throw bad('challenge must be 8..64 bytes');
  return { serverId: str(r, 'serverId'), clientName: str(r, 'clientName'), devId: str(r, 'devId'), challenge };
}

export function decodeCredential(authorization: string | undefined, hmac: string | undefined): DmCredential | undefined {
  if (hmac !== undefined) {
    try {
      const h = parseHmacHeader(hmac);
      return { scheme: 'hmac', username: h.username, mac: h.mac };
    } catch (e) {
      if (e instanceof DmError) throw bad(`x-syncml-hmac: ${e.message}`);
      throw e;
    }
  }
  if (authorization === undefined) return undefined;
  const m = /^syncml:auth-md5 ([A-Za-z0-9+/]{22}==)$/.exec(authorization.trim());
  if (!m) throw bad('authorization must be "syncml:auth-md5 <base64 MD5 digest>"');
  return { scheme: 'md5', digest: m[1]! };
}
