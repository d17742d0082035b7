/**
 * The two DM 1.2 authentication schemes both sides use (OMA-TS-DM_Security V1.2 5.5):
 *  - `md5`  (AAuthType DIGEST): Cred in SyncHdr, Type syncml:auth-md5, Format b64,
 *            Data = B64(MD5(B64(MD5(name:secret)):nonce));
 *  - `hmac` (AAuthType HMAC): no Cred; the HTTP header x-syncml-hmac carries
 *            algorithm=MD5, username, mac = B64(MD5(B64(MD5(name:secret)):nonce:B64(MD5(body)))).
 * The nonce is the one the other side gave in its last Chal NextNonce (base64 in the message,
 * binary in the digest).
 */
import { authHmac, authMd5, verifyHmac, verifyMd5 } from '../secure/dm/auth.js';
import { DmError } from '../secure/dm/errors.js';
import { formatHmacHeader, HMAC_HEADER, parseHmacHeader } from '../secure/dm/hmac-header.js';
import type { DmCred } from './message.js';

export type DmAuthScheme = 'md5' | 'hmac';

export const CHAL_TYPE: Record<DmAuthScheme, string> = { md5: 'syncml:auth-md5', hmac: 'syncml:auth-MAC' };

/** DMAcc AAuthType -> scheme; undefined for types simdm does not speak (BASIC, X509, ...). */
export function schemeOf(aauthType: string): DmAuthScheme | undefined {
  const t = aauthType.trim().toUpperCase();
  if (t === 'DIGEST' || t === 'MD5' || t === 'SYNCML:AUTH-MD5') return 'md5';
  if (t === 'HMAC' || t === 'SYNCML:AUTH-MAC') return 'hmac';
  return undefined;
}

export function schemeOfChal(type: string): DmAuthScheme | undefined {
  return schemeOf(type);
}

export const nonceBytes = (b64: string | undefined): Uint8Array => new Uint8Array(Buffer.from(b64 ?? '', 'base64'));

export interface Credential {
  cred?: DmCred;
  headers: Record<string, string>;
}

/** The credential one side presents for a message body it is about to send. */
export function present(scheme: DmAuthScheme, name: string, secret: string, nonceB64: string | undefined, body: Uint8Array): Credential {
  const nonce = nonceBytes(nonceB64);
  if (scheme === 'md5') return { cred: { type: CHAL_TYPE.md5, format: 'b64', data: authMd5(name, secret, nonce) }, headers: {} };
  return { headers: { [HMAC_HEADER]: formatHmacHeader({ username: name, mac: authHmac(name, secret, nonce, body) }) } };
}

export interface Presented {
  cred?: DmCred;
  /** the x-syncml-hmac header value, if any */
  hmac?: string;
}

/** Whether the presented credential names `name` (HMAC) or carries an md5 Cred at all. */
export function hasCredential(scheme: DmAuthScheme, p: Presented): boolean {
  return scheme === 'md5' ? p.cred?.type === CHAL_TYPE.md5 : p.hmac !== undefined;
}

/** Checks a presented credential over `nonce`. Throws DmError('dm.header') for a malformed header. */
export function verifyPresented(scheme: DmAuthScheme, p: Presented, name: string, secret: string, nonce: Uint8Array, body: Uint8Array): boolean {
  if (scheme === 'md5') return p.cred?.type === CHAL_TYPE.md5 && verifyMd5(p.cred.data, name, secret, nonce);
  if (p.hmac === undefined) return false;
  const h = parseHmacHeader(p.hmac);
  if (h.username !== name) return false;
  return verifyHmac(h.mac, name, secret, nonce, body);
}

/** The username of an x-syncml-hmac header (the account it names), or undefined. */
export function hmacUsername(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseHmacHeader(value).username;
  } catch (e) {
    if (e instanceof DmError) return undefined;
    throw e;
  }
}

export { HMAC_HEADER };
