/**
 * PIN and ADM handling that cannot block a card: ETSI TS 102 221 11.1.9 (VERIFY PIN), 11.1.10
 * (CHANGE PIN), 11.1.11 (DISABLE PIN), 11.1.12 (ENABLE PIN), 11.1.13 (UNBLOCK PIN), 9.5 (PIN
 * format and key references).
 *
 * Every command that presents a secret first reads the retry counter (VERIFY / UNBLOCK with no
 * data answer 63Cx with the tries left), refuses when only one try is left unless `force` is set,
 * and never repeats a failed presentation on its own. Values are never put into messages.
 * The counter read and the presentation run as one transaction on the card (Transport.transaction:
 * exclusive PC/SC access), so another process sharing the reader cannot spend a try in between.
 */
import type { ApduSender } from '../apdu/link.js';
import { SwError, swHex } from '../apdu/sw.js';
import { UsageError } from '../errors.js';
import { PinError } from './errors.js';
import { isAdm, keyName, keyRefOf } from './keys.js';
import { hexNum } from '../util/hex.js';

export type PinRef = number | string;

export interface PinStatus {
  ref: number;
  name: string;
  /** tries left; undefined when the card only says "verified" (9000) */
  retries: number | undefined;
  verified: boolean;
  blocked: boolean;
}

export interface SafetyOptions {
  /** allow presenting a secret with only one try left */
  force?: boolean;
}

/** VERIFY with no data (11.1.9): 9000 verified (or disabled), 63Cx tries left, 6983 blocked. */
export async function pinStatus(sender: ApduSender, ref: PinRef): Promise<PinStatus> {
  const r = keyRefOf(ref);
  const name = keyName(r);
  const res = await sender.transmit({ cla: 0x00, ins: 0x20, p1: 0x00, p2: r });
  const sw = res.sw;
  if (sw === 0x9000) return { ref: r, name, retries: undefined, verified: true, blocked: false };
  if ((sw & 0xfff0) === 0x63c0) {
    const n = sw & 0x0f;
    return { ref: r, name, retries: n, verified: false, blocked: n === 0 };
  }
  if (sw === 0x6983) return { ref: r, name, retries: 0, verified: false, blocked: true };
  if (sw === 0x6a88 || sw === 0x6a86 || sw === 0x6b00)
    throw new PinError('unknown', `${name} (key reference ${hexNum(r)}): the card has no such key (${swHex(sw)})`);
  throw new SwError(sw, `VERIFY ${name} (retry counter)`);
}

/** UNBLOCK PIN with no data (11.1.13): the PUK's tries left. */
export async function pukStatus(sender: ApduSender, ref: PinRef): Promise<{ ref: number; name: string; retries: number; blocked: boolean }> {
  const r = keyRefOf(ref);
  const name = `PUK of ${keyName(r)}`;
  const res = await sender.transmit({ cla: 0x00, ins: 0x2c, p1: 0x00, p2: r });
  if ((res.sw & 0xfff0) === 0x63c0) return { ref: r, name, retries: res.sw & 0x0f, blocked: (res.sw & 0x0f) === 0 };
  if (res.sw === 0x6983) return { ref: r, name, retries: 0, blocked: true };
  throw new SwError(res.sw, `UNBLOCK ${keyName(r)} (PUK retry counter)`);
}

/** Counter read + presentation as one transaction where the sender offers one. */
function guarded<T>(sender: ApduSender, fn: () => Promise<T>): Promise<T> {
  return sender.transaction ? sender.transaction(fn) : fn();
}

/** Refuses when the counter says one more wrong value could block the key. */
function guard(name: string, what: string, retries: number | undefined, blocked: boolean, opts: SafetyOptions, unblockHint: string): void {
  if (blocked) throw new PinError('blocked', `${name} is blocked: ${unblockHint}`, 0);
  if (retries === 1 && !opts.force) {
    throw new PinError('last-try', `${name} has 1 try left: refusing to ${what} (a wrong value would block it); check the value and repeat with --force`, 1);
  }
}

function hintFor(ref: number): string {
  return isAdm(ref)
    ? 'an ADM key cannot be unblocked by the user, ask the card issuer'
    : `unblock it with its PUK (simdm pin unblock --pin-ref ${keyName(ref).toLowerCase()})`;
}

async function present(sender: ApduSender, ins: number, ref: number, data: Uint8Array, what: string, p1 = 0x00): Promise<void> {
  const name = keyName(ref);
  const res = await sender.transmit({ cla: 0x00, ins, p1, p2: ref, data, secret: true });
  if (res.sw === 0x9000) return;
  if ((res.sw & 0xfff0) === 0x63c0) {
    const n = res.sw & 0x0f;
    throw new PinError('wrong', `${what}: wrong ${name}, ${n} ${n === 1 ? 'try' : 'tries'} left; not retried`, n);
  }
  if (res.sw === 0x6983) throw new PinError('blocked', `${what}: ${name} is now blocked: ${hintFor(ref)}`, 0);
  if (res.sw === 0x6984) throw new PinError('disabled', `${what}: ${name} is disabled (6984)`);
  if (res.sw === 0x6985)
    throw new PinError(
      'conditions',
      `${what}: conditions of use not satisfied (6985)${ins === 0x26 || ins === 0x28 ? `: ${name} is already ${ins === 0x28 ? 'enabled' : 'disabled'}, or cannot be` : ''}`,
    );
  throw new SwError(res.sw, what);
}

/** VERIFY (11.1.9) after reading the counter. */
export async function verifyPin(sender: ApduSender, ref: PinRef, value: Uint8Array, opts: SafetyOptions = {}): Promise<void> {
  const r = keyRefOf(ref);
  checkLength(r, value);
  await guarded(sender, async () => {
    const st = await pinStatus(sender, r);
    guard(st.name, 'verify', st.retries, st.blocked, opts, hintFor(r));
    await present(sender, 0x20, r, value, `VERIFY ${st.name}`);
  });
}

/** CHANGE PIN (11.1.10): old and new value, each 8 bytes. */
export async function changePin(sender: ApduSender, ref: PinRef, oldValue: Uint8Array, newValue: Uint8Array, opts: SafetyOptions = {}): Promise<void> {
  const r = keyRefOf(ref);
  checkLength(r, oldValue);
  checkLength(r, newValue, 'new value');
  await guarded(sender, async () => {
    const st = await pinStatus(sender, r);
    guard(st.name, 'change it', st.retries, st.blocked, opts, hintFor(r));
    await present(sender, 0x24, r, concat(oldValue, newValue), `CHANGE ${st.name}`);
  });
}

/** DISABLE PIN (11.1.11). */
export async function disablePin(sender: ApduSender, ref: PinRef, value: Uint8Array, opts: SafetyOptions = {}): Promise<void> {
  const r = keyRefOf(ref);
  if (isAdm(r)) throw new UsageError(`${keyName(r)} is an ADM key: it cannot be disabled`);
  checkLength(r, value);
  await guarded(sender, async () => {
    const st = await pinStatus(sender, r);
    guard(st.name, 'disable it', st.retries, st.blocked, opts, hintFor(r));
    await present(sender, 0x26, r, value, `DISABLE ${st.name}`);
  });
}

/** ENABLE PIN (11.1.12). */
export async function enablePin(sender: ApduSender, ref: PinRef, value: Uint8Array, opts: SafetyOptions = {}): Promise<void> {
  const r = keyRefOf(ref);
  if (isAdm(r)) throw new UsageError(`${keyName(r)} is an ADM key: it cannot be enabled or disabled`);
  checkLength(r, value);
  await guarded(sender, async () => {
    const st = await pinStatus(sender, r);
    guard(st.name, 'enable it', st.retries, st.blocked, opts, hintFor(r));
    await present(sender, 0x28, r, value, `ENABLE ${st.name}`);
  });
}

/** UNBLOCK PIN (11.1.13): PUK then the new PIN; reads the PUK counter first. */
export async function unblockPin(sender: ApduSender, ref: PinRef, puk: Uint8Array, newValue: Uint8Array, opts: SafetyOptions = {}): Promise<void> {
  const r = keyRefOf(ref);
  if (isAdm(r)) throw new UsageError(`${keyName(r)} is an ADM key: it has no PUK`);
  if (puk.length !== 8) throw new UsageError(`the PUK must be 8 bytes (8 digits), got ${puk.length}`);
  checkLength(r, newValue, 'new value');
  await guarded(sender, async () => {
    const st = await pukStatus(sender, r);
    guard(st.name, 'unblock', st.retries, st.blocked, opts, 'the PUK is blocked too: the card cannot be unblocked by the user');
    const res = await sender.transmit({ cla: 0x00, ins: 0x2c, p1: 0x00, p2: r, data: concat(puk, newValue), secret: true });
    if (res.sw === 0x9000) return;
    if ((res.sw & 0xfff0) === 0x63c0) {
      const n = res.sw & 0x0f;
      throw new PinError('wrong', `UNBLOCK ${keyName(r)}: wrong PUK, ${n} ${n === 1 ? 'try' : 'tries'} left; not retried`, n);
    }
    if (res.sw === 0x6983) throw new PinError('blocked', `UNBLOCK ${keyName(r)}: the PUK is now blocked`, 0);
    throw new SwError(res.sw, `UNBLOCK ${keyName(r)}`);
  });
}

function checkLength(ref: number, v: Uint8Array, what = 'value'): void {
  if (v.length !== 8) throw new UsageError(`${keyName(ref)} ${what} must be 8 bytes (FF padded), got ${v.length}`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * PIN value coding (TS 102 221 9.5.1): ASCII digits, 4..8 of them, padded with FF to 8 bytes.
 * ADM values: 16 hex digits taken as the 8 bytes, else ASCII (up to 8 characters) FF padded.
 * Error messages never repeat the value.
 */
export function encodePinValue(text: string, kind: 'pin' | 'adm' | 'puk'): Uint8Array {
  const t = text.trim();
  if (kind === 'adm') {
    if (/^(0x)?[0-9A-Fa-f]{16}$/.test(t)) return Uint8Array.from(Buffer.from(t.replace(/^0x/, ''), 'hex'));
    if (t.length < 1 || t.length > 8 || !/^[\x20-\x7e]+$/.test(t)) {
      throw new UsageError('ADM value must be 16 hex digits or 1..8 printable ASCII characters');
    }
    const out = new Uint8Array(8).fill(0xff);
    out.set(Buffer.from(t, 'ascii'));
    return out;
  }
  const min = kind === 'puk' ? 8 : 4;
  if (!/^\d+$/.test(t) || t.length < min || t.length > 8) {
    throw new UsageError(`${kind === 'puk' ? 'PUK' : 'PIN'} must be ${min === 8 ? '8' : '4 to 8'} decimal digits`);
  }
  const out = new Uint8Array(8).fill(0xff);
  out.set(Buffer.from(t, 'ascii'));
  return out;
}
