/**
 * Key references of PINs and administrative keys: ETSI TS 102 221 section 9.5.1 (table 9.3).
 * PIN Appl 1..8 = 01..08, ADM1..5 = 0A..0E, Universal PIN = 11, second-level PIN Appl 1..8
 * (PIN2 = 81) = 81..88, ADM6..10 = 8A..8E.
 */
import { UsageError } from '../errors.js';
import { hexNum } from '../util/hex.js';

export type KeyName = string;

/** 'PIN1' -> 0x01, 'PIN2' -> 0x81, 'ADM1' -> 0x0A, 'UPIN' -> 0x11, '0x0A' / '10' / 10 -> 10 */
export function keyRefOf(name: string | number): number {
  if (typeof name === 'number') {
    if (!Number.isInteger(name) || name < 1 || name > 0x8e) throw new UsageError(`key reference ${name} out of range 01..8E`);
    return name;
  }
  const s = name.trim().toUpperCase();
  if (s === 'UPIN') return 0x11;
  let m = /^PIN([1-8])$/.exec(s);
  // PIN2 is the second-level PIN of application 1 (81) in TS 31.102 usage
  if (m) return s === 'PIN2' ? 0x81 : Number(m[1]);
  m = /^SPIN([1-8])$/.exec(s);
  if (m) return 0x80 + Number(m[1]);
  m = /^ADM(\d{1,2})$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    if (n >= 1 && n <= 5) return 0x09 + n;
    if (n >= 6 && n <= 10) return 0x84 + n;
  }
  if (/^(0X)?[0-9A-F]{1,2}$/.test(s) && (s.startsWith('0X') || /[A-F]/.test(s) || s.length === 2)) return keyRefOf(parseInt(s.replace(/^0X/, ''), 16));
  if (/^\d+$/.test(s)) return keyRefOf(Number(s));
  throw new UsageError(`unknown key '${name}': use PIN1..PIN8, PIN2, UPIN, ADM1..ADM10 or a key reference like 0x0A`);
}

/** 0x01 -> 'PIN1', 0x81 -> 'PIN2', 0x0A -> 'ADM1' */
export function keyName(ref: number): string {
  if (ref >= 0x01 && ref <= 0x08) return `PIN${ref}`;
  if (ref === 0x81) return 'PIN2';
  if (ref >= 0x82 && ref <= 0x88) return `SPIN${ref - 0x80}`;
  if (ref >= 0x0a && ref <= 0x0e) return `ADM${ref - 0x09}`;
  if (ref >= 0x8a && ref <= 0x8e) return `ADM${ref - 0x84}`;
  if (ref === 0x11) return 'UPIN';
  return `key ${hexNum(ref)}`;
}

export function isAdm(ref: number): boolean {
  return (ref >= 0x0a && ref <= 0x0e) || (ref >= 0x8a && ref <= 0x8e);
}

/** The secret holding the PUK of a PIN: PIN1 -> PUK1, PIN2 -> PUK2, UPIN -> UPUK */
export function pukName(ref: number): string {
  const n = keyName(ref);
  if (n === 'UPIN') return 'UPUK';
  return n.replace(/^S?PIN/, 'PUK');
}
