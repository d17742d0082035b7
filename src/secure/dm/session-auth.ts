/**
 * The two checks a DM party runs on what arrives, combining the pieces of this folder:
 * - server side, an HTTP request with x-syncml-hmac (OMA-TS-DM_Security 5.5.3): parse the header,
 *   look up the user's password, verify the MAC over the body with the user's current nonce from
 *   the NonceStore (which rotates it and refuses replays), and return the NextNonce to send;
 * - device side, a package #0 (OMA-TS-DM_Notification 6): verify the digest with the server's
 *   password and nonce, then refuse a package already seen (ReplayGuard).
 */
import { verifyHmac } from './auth.js';
import { DmError } from './errors.js';
import { parseHmacHeader } from './hmac-header.js';
import type { NonceStore, ReplayGuard } from './nonce-store.js';
import { type Notification, verifyNotification } from './notification.js';

export function authenticateHmacRequest(
  headerValue: string,
  body: Uint8Array,
  passwordOf: (username: string) => string | undefined,
  nonces: NonceStore,
): { username: string; nextNonce: Uint8Array } {
  const h = parseHmacHeader(headerValue);
  const password = passwordOf(h.username);
  // same error for unknown user and wrong MAC: no user enumeration
  if (password === undefined) throw new DmError('dm.auth-failure', 'credential does not verify');
  const nextNonce = nonces.authenticate(h.username, (nonce) => verifyHmac(h.mac, h.username, password, nonce, body));
  return { username: h.username, nextNonce };
}

export function acceptNotification(pkg: Uint8Array, password: string, nonce: Uint8Array, guard: ReplayGuard): Notification {
  const n = verifyNotification(pkg, password, nonce);
  guard.check(n.digest);
  return n;
}
