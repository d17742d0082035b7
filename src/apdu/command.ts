/**
 * Command APDUs: ISO/IEC 7816-4 section 5.1 (cases 1-4, short and extended length).
 * `le` is the number of bytes expected: undefined = no Le field; 256 (short) / 65536 (extended)
 * is encoded as 00 / 0000 ("as many as available").
 */
import { SimdmError } from '../errors.js';
import { toHex, hexNum } from '../util/hex.js';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  le?: number;
  /** force the extended length encoding even when short would do */
  extended?: boolean;
  /** the data field carries a secret (PIN, key): redacted in traces and errors */
  secret?: boolean;
}

export class ApduFormatError extends SimdmError {
  constructor(message: string) {
    super('apdu.format', message);
  }
}

export function encodeCommand(c: CommandApdu): Uint8Array {
  for (const [k, v] of [
    ['CLA', c.cla],
    ['INS', c.ins],
    ['P1', c.p1],
    ['P2', c.p2],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new ApduFormatError(`${k} must be a byte, got ${v}`);
  }
  const nc = c.data?.length ?? 0;
  const le = c.le;
  if (nc > 65535) throw new ApduFormatError(`data field of ${nc} bytes exceeds 65535`);
  if (le !== undefined && (!Number.isInteger(le) || le < 0 || le > 65536)) throw new ApduFormatError(`Le ${le} out of range`);
  const ext = c.extended || nc > 255 || (le !== undefined && le > 256);
  const parts: number[] = [c.cla, c.ins, c.p1, c.p2];
  if (!ext) {
    if (nc > 0) parts.push(nc);
    const head = Uint8Array.from(parts);
    const out = new Uint8Array(head.length + nc + (le !== undefined ? 1 : 0));
    out.set(head, 0);
    if (nc) out.set(c.data!, head.length);
    if (le !== undefined) out[out.length - 1] = le === 256 ? 0 : le;
    return out;
  }
  // extended: Lc = 00 hi lo; Le = (00 if no Lc) hi lo, 0000 meaning 65536 (7816-4 5.1)
  const out: number[] = [...parts];
  if (nc > 0) out.push(0, nc >> 8, nc & 0xff, ...c.data!);
  if (le !== undefined) {
    if (nc === 0) out.push(0);
    const v = le === 65536 ? 0 : le;
    out.push(v >> 8, v & 0xff);
  }
  return Uint8Array.from(out);
}

/** Parses a C-APDU (used by the virtual card and the trace). */
export function decodeCommand(b: Uint8Array): CommandApdu {
  if (b.length < 4) throw new ApduFormatError(`C-APDU of ${b.length} bytes (at least 4)`);
  const c: CommandApdu = { cla: b[0]!, ins: b[1]!, p1: b[2]!, p2: b[3]! };
  const body = b.subarray(4);
  if (body.length === 0) return c; // case 1
  if (body.length === 1) {
    c.le = body[0] === 0 ? 256 : body[0]!; // case 2 short
    return c;
  }
  if (body[0] !== 0) {
    // short case 3 or 4
    const lc = body[0]!;
    if (body.length === 1 + lc) {
      c.data = body.subarray(1, 1 + lc);
    } else if (body.length === 2 + lc) {
      c.data = body.subarray(1, 1 + lc);
      c.le = body[1 + lc] === 0 ? 256 : body[1 + lc]!;
    } else throw new ApduFormatError(`Lc ${lc} does not match ${body.length - 1} bytes of body`);
    return c;
  }
  // extended
  c.extended = true;
  if (body.length === 3) {
    const v = (body[1]! << 8) | body[2]!;
    c.le = v === 0 ? 65536 : v;
    return c;
  }
  const lc = (body[1]! << 8) | body[2]!;
  if (lc === 0) throw new ApduFormatError('extended Lc of 0');
  if (body.length === 3 + lc) {
    c.data = body.subarray(3, 3 + lc);
  } else if (body.length === 5 + lc) {
    c.data = body.subarray(3, 3 + lc);
    const v = (body[3 + lc]! << 8) | body[4 + lc]!;
    c.le = v === 0 ? 65536 : v;
  } else throw new ApduFormatError(`extended Lc ${lc} does not match ${body.length - 3} bytes of body`);
  return c;
}

/** "00A40004 02 3F00" style text, with secret data replaced by ** */
export function formatCommand(c: CommandApdu): string {
  const head = toHex(Uint8Array.of(c.cla, c.ins, c.p1, c.p2));
  const parts = [head];
  if (c.data && c.data.length) parts.push(hexNum(c.data.length, 2), c.secret ? '**' : toHex(c.data));
  if (c.le !== undefined) parts.push(hexNum(c.le === 256 ? 0 : c.le & 0xffff, 2));
  return parts.join(' ');
}

/** Logical channel number (0..19) from CLA (ISO 7816-4 5.4.1, ETSI TS 102 221 10.1.1). */
export function channelOfCla(cla: number): number {
  if ((cla & 0x40) === 0) return cla & 0x03;
  return 4 + (cla & 0x0f);
}

/** Sets the logical channel bits of CLA, keeping its class (interindustry 0x00 / proprietary 0x80). */
export function claForChannel(cla: number, channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel > 19) throw new ApduFormatError(`logical channel ${channel} (0..19)`);
  const proprietary = cla & 0x80;
  if (channel <= 3) {
    // first interindustry values: b2-b1 channel, b4-b3 secure messaging kept
    const base = (cla & 0x40) === 0 ? cla & 0x0c : 0;
    return proprietary | base | channel;
  }
  // further interindustry values: b7 set, b4-b1 = channel - 4, b6 secure messaging
  const sm = (cla & 0x40) === 0 ? (cla & 0x0c ? 0x20 : 0) : cla & 0x20;
  return proprietary | 0x40 | sm | (channel - 4);
}
