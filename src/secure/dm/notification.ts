/**
 * OMA DM package #0, the server-alerted management session trigger (OMA-TS-DM_Notification V1.2
 * clause 6):
 *   digest (128 bits) ‖ trigger-hdr ‖ trigger-body
 *   trigger-hdr = version (10 bits, protocol version × 10: 1.2 → 12) ‖ ui-mode (2) ‖ initiator (1)
 *                 ‖ future-use (27, zero) ‖ sessionid (16) ‖ length-identifier (8) ‖ server-identifier
 *   digest = H(B64(H(server-identifier ":" password)) ":" nonce ":" B64(H(trigger))), H = MD5,
 *   trigger = trigger-hdr ‖ trigger-body
 */
import { b64, innerCredential, md5 } from './auth.js';
import { DmError } from './errors.js';
import { ctEqual } from '../aka/compare.js';
import { concatBytes } from '../../util/hex.js';

export type UiMode = 'not-specified' | 'background' | 'informative' | 'user-interaction';
const UI_MODES: UiMode[] = ['not-specified', 'background', 'informative', 'user-interaction'];

export interface NotificationHeader {
  /** protocol version × 10 (12 for DM 1.2) */
  version: number;
  uiMode: UiMode;
  /** true: server-initiated */
  serverInitiated: boolean;
  sessionId: number;
  serverId: string;
}

export interface Notification extends NotificationHeader {
  digest: Uint8Array;
  /** trigger-hdr ‖ trigger-body, the part the digest covers */
  trigger: Uint8Array;
  body: Uint8Array;
}

const enc = new TextEncoder();

export function encodeTrigger(h: NotificationHeader, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (!Number.isInteger(h.version) || h.version < 0 || h.version > 1023) throw new DmError('dm.notification', 'version must fit 10 bits');
  if (!Number.isInteger(h.sessionId) || h.sessionId < 0 || h.sessionId > 0xffff) throw new DmError('dm.notification', 'session id must fit 16 bits');
  const sid = enc.encode(h.serverId);
  if (sid.length > 255) throw new DmError('dm.notification', 'server identifier longer than 255 bytes');
  const ui = UI_MODES.indexOf(h.uiMode);
  if (ui < 0) throw new DmError('dm.notification', `unknown ui-mode ${String(h.uiMode)}`);
  const hdr = new Uint8Array(8 + sid.length);
  // bits: vvvvvvvv vvuuiFFF FFFF... (40 bits), then sessionid, length
  hdr[0] = h.version >> 2;
  hdr[1] = ((h.version & 0x03) << 6) | (ui << 4) | ((h.serverInitiated ? 1 : 0) << 3);
  // hdr[2..4] future-use, zero
  hdr[5] = h.sessionId >> 8;
  hdr[6] = h.sessionId & 0xff;
  hdr[7] = sid.length;
  hdr.set(sid, 8);
  return concatBytes(hdr, body);
}

export function notificationDigest(serverId: string, password: string, nonce: Uint8Array, trigger: Uint8Array): Uint8Array {
  const colon = Uint8Array.of(0x3a);
  return md5(concatBytes(innerCredential(serverId, password), colon, nonce, colon, enc.encode(b64(md5(trigger)))));
}

export function buildNotification(h: NotificationHeader, password: string, nonce: Uint8Array, body?: Uint8Array): Uint8Array {
  const trigger = encodeTrigger(h, body);
  return concatBytes(notificationDigest(h.serverId, password, nonce, trigger), trigger);
}

/** Parses package #0 without checking the digest. Throws DmError `dm.notification`. */
export function parseNotification(pkg: Uint8Array): Notification {
  if (pkg.length < 16 + 8) throw new DmError('dm.notification', `package #0 of ${pkg.length} bytes (at least 24)`);
  const digest = pkg.slice(0, 16);
  const trigger = pkg.slice(16);
  const version = (trigger[0]! << 2) | (trigger[1]! >> 6);
  const uiMode = UI_MODES[(trigger[1]! >> 4) & 0x03]!;
  const serverInitiated = ((trigger[1]! >> 3) & 1) === 1;
  const sessionId = (trigger[5]! << 8) | trigger[6]!;
  const len = trigger[7]!;
  if (8 + len > trigger.length) throw new DmError('dm.notification', `server identifier of ${len} bytes runs past the end`);
  let serverId: string;
  try {
    serverId = new TextDecoder('utf-8', { fatal: true }).decode(trigger.subarray(8, 8 + len));
  } catch {
    throw new DmError('dm.notification', 'server identifier is not UTF-8');
  }
  return { digest, trigger, version, uiMode, serverInitiated, sessionId, serverId, body: trigger.slice(8 + len) };
}

/** Parses and verifies the digest in constant time; throws `dm.auth-failure` when it does not match. */
export function verifyNotification(pkg: Uint8Array, password: string, nonce: Uint8Array): Notification {
  const n = parseNotification(pkg);
  if (!ctEqual(n.digest, notificationDigest(n.serverId, password, nonce, n.trigger))) {
    throw new DmError('dm.auth-failure', `package #0 from server ${JSON.stringify(n.serverId.slice(0, 64))}: digest does not verify`);
  }
  return n;
}
