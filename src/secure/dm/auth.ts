/**
 * OMA DM credentials (OMA-TS-DM_Security V1.2 5.5.2 / 5.5.3; OMA-TS-DM_Protocol 9.4.2 example):
 * - syncml:auth-basic: B64(username ":" password)
 * - syncml:auth-md5:   B64(H(B64(H(username ":" password)) ":" nonce)), H = MD5
 * - syncml:auth-MAC (transport header x-syncml-hmac):
 *     mac = B64(H(B64(H(username ":" password)) ":" nonce ":" B64(H(message body))))
 * The nonce is the binary nonce (NextNonce is carried base64-encoded in the XML and decoded
 * before use). Verification compares in constant time.
 */
import { createHash } from 'node:crypto';
import { ctEqual } from '../aka/compare.js';
import { concatBytes } from '../../util/hex.js';

const enc = new TextEncoder();
const COLON = Uint8Array.of(0x3a);

export type Bytes = Uint8Array | string;
const bytes = (b: Bytes): Uint8Array => (typeof b === 'string' ? enc.encode(b) : b);

export function md5(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('md5').update(data).digest());
}
export function b64(data: Uint8Array): string {
  return Buffer.from(data).toString('base64');
}

/** B64(H(a ":" b)), the inner credential shared by md5, HMAC and notification digests. */
export function innerCredential(name: Bytes, password: Bytes): Uint8Array {
  return enc.encode(b64(md5(concatBytes(bytes(name), COLON, bytes(password)))));
}

export function authBasic(username: string, password: string): string {
  return b64(enc.encode(`${username}:${password}`));
}

export function authMd5(username: Bytes, password: Bytes, nonce: Uint8Array): string {
  return b64(md5(concatBytes(innerCredential(username, password), COLON, nonce)));
}

export function authHmac(username: Bytes, password: Bytes, nonce: Uint8Array, body: Uint8Array): string {
  const bodyHash = enc.encode(b64(md5(body)));
  return b64(md5(concatBytes(innerCredential(username, password), COLON, nonce, COLON, bodyHash)));
}

function ctString(a: string, b: string): boolean {
  return ctEqual(enc.encode(a), enc.encode(b));
}

export function verifyBasic(presented: string, username: string, password: string): boolean {
  return ctString(presented.trim(), authBasic(username, password));
}

export function verifyMd5(presented: string, username: Bytes, password: Bytes, nonce: Uint8Array): boolean {
  return ctString(presented.trim(), authMd5(username, password, nonce));
}

export function verifyHmac(presented: string, username: Bytes, password: Bytes, nonce: Uint8Array, body: Uint8Array): boolean {
  return ctString(presented.trim(), authHmac(username, password, nonce, body));
}

/** Splits a syncml:auth-basic credential; undefined when it is not base64 of "user:password". */
export function parseBasic(credential: string): { username: string; password: string } | undefined {
  const t = credential.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return undefined;
  const s = Buffer.from(t, 'base64').toString('utf8');
  const i = s.indexOf(':');
  if (i < 0) return undefined;
  return { username: s.slice(0, i), password: s.slice(i + 1) };
}
