/**
 * SMS-PP data download (3GPP TS 31.111 7.1.1.2): the secured command packet travels in ENVELOPEs
 * (BER-TLV tag D1) holding device identities (82: network -> UICC) and the SMS-DELIVER TPDU (8B,
 * TS 23.040 9.2.2.1) with TP-PID 7F (USIM data download), TP-DCS F6 (8-bit, class 2) and a user
 * data header whose IEI 70 (TS 31.115 4.2) marks a command packet.
 *
 * A packet longer than one SMS (140 octets of user data) is split over concatenated short
 * messages (TS 23.040 9.2.3.24.1, IEI 00: reference, total, sequence); the first carries IEI 70
 * as well (TS 31.115 4.2, "concatenated" case). The PoR comes back as the response data of the
 * ENVELOPE that completed the packet (02 71 00 ...).
 */
import type { CommandApdu } from '../../apdu/command.js';
import { concatBytes, hexNum } from '../../util/hex.js';
import { OtaError } from './errors.js';

const MAX_UD = 140;

function tlv(tag: number, v: Uint8Array): Uint8Array {
  if (v.length > 255) throw new OtaError('format', 'SMS-PP element longer than 255 bytes');
  return concatBytes(Uint8Array.of(tag), v.length > 127 ? Uint8Array.of(0x81, v.length) : Uint8Array.of(v.length), v);
}

/** TS 23.040 9.1.2.5 address: digit count, TON/NPI, BCD digits with swapped nibbles. */
export function encodeSmsAddress(digits: string, tonNpi = 0x81): Uint8Array {
  if (!/^[0-9]{0,20}$/.test(digits)) throw new OtaError('format', 'originating address must be up to 20 decimal digits');
  const bcd: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = digits.charCodeAt(i) - 48;
    const hi = i + 1 < digits.length ? digits.charCodeAt(i + 1) - 48 : 0x0f;
    bcd.push((hi << 4) | lo);
  }
  return Uint8Array.of(digits.length, tonNpi, ...bcd);
}

export interface SmsPpOptions {
  originator?: string;
  /** TP-SCTS, 7 bytes (default all zero) */
  timestamp?: Uint8Array;
  /** concatenation reference number (default 1) */
  reference?: number;
}

function deliver(ud: Uint8Array, more: boolean, o: SmsPpOptions): Uint8Array {
  const scts = o.timestamp ?? new Uint8Array(7);
  // 0x40 TP-UDHI | 0x04 TP-MMS set = no more messages waiting | TP-MTI 00 SMS-DELIVER
  const first = 0x40 | (more ? 0x00 : 0x04);
  return concatBytes(Uint8Array.of(first), encodeSmsAddress(o.originator ?? '12345678'), Uint8Array.of(0x7f, 0xf6), scts, Uint8Array.of(ud.length), ud);
}

/** The SMS-DELIVER TPDUs carrying `packet` (CPL onwards): one, or concatenated ones. */
export function buildSmsDelivers(packet: Uint8Array, o: SmsPpOptions = {}): Uint8Array[] {
  if (3 + packet.length <= MAX_UD) return [deliver(concatBytes(Uint8Array.of(0x02, 0x70, 0x00), packet), false, o)];
  const ref = (o.reference ?? 1) & 0xff;
  const firstRoom = MAX_UD - 8; // UDHL 07 | 00 03 ref n i | 70 00
  const nextRoom = MAX_UD - 6; // UDHL 05 | 00 03 ref n i
  const total = 1 + Math.ceil(Math.max(0, packet.length - firstRoom) / nextRoom);
  if (total > 255) throw new OtaError('format', `secured packet of ${packet.length} bytes needs more than 255 short messages`);
  const out: Uint8Array[] = [];
  let off = 0;
  for (let seq = 1; seq <= total; seq++) {
    const room = seq === 1 ? firstRoom : nextRoom;
    const part = packet.subarray(off, off + room);
    off += part.length;
    const udh = seq === 1 ? Uint8Array.of(0x07, 0x00, 0x03, ref, total, seq, 0x70, 0x00) : Uint8Array.of(0x05, 0x00, 0x03, ref, total, seq);
    out.push(deliver(concatBytes(udh, part), seq < total, o));
  }
  return out;
}

/** The SMS-DELIVER TPDU of a packet that fits one short message. */
export function buildSmsDeliver(packet: Uint8Array, o: SmsPpOptions = {}): Uint8Array {
  const all = buildSmsDelivers(packet, o);
  if (all.length !== 1) throw new OtaError('format', `secured packet of ${packet.length} bytes does not fit one SMS: use buildSmsPpEnvelopes`);
  return all[0]!;
}

function envelope(tpdu: Uint8Array): CommandApdu {
  const body = concatBytes(tlv(0x82, Uint8Array.of(0x83, 0x81)), tlv(0x8b, tpdu));
  return { cla: 0x80, ins: 0xc2, p1: 0x00, p2: 0x00, data: tlv(0xd1, body), le: 256 };
}

/** ENVELOPE (SMS-PP download) C-APDUs for a packet, one per short message (TS 31.111 7.1.1.2). */
export function buildSmsPpEnvelopes(packet: Uint8Array, o: SmsPpOptions = {}): CommandApdu[] {
  return buildSmsDelivers(packet, o).map(envelope);
}

/** The ENVELOPE of a packet that fits one short message. */
export function buildSmsPpEnvelope(packet: Uint8Array, o: SmsPpOptions = {}): CommandApdu {
  return envelope(buildSmsDeliver(packet, o));
}

export interface SmsPpSegment {
  /** the user data after the header: the whole packet, or one part of a concatenated one */
  payload: Uint8Array;
  originator: Uint8Array;
  /** the UDH carries IEI 70 (command packet) */
  commandPacket: boolean;
  concat?: { reference: number; total: number; sequence: number };
}

function readTlv(b: Uint8Array, i: number): { tag: number; len: number; start: number } {
  if (i + 2 > b.length) throw new OtaError('format', 'SMS-PP envelope truncated');
  const tag = b[i]!;
  let len = b[i + 1]!;
  let start = i + 2;
  if (len === 0x81) {
    if (i + 3 > b.length) throw new OtaError('format', 'SMS-PP envelope truncated');
    len = b[i + 2]!;
    start = i + 3;
  } else if (len > 0x7f) throw new OtaError('format', 'SMS-PP envelope length form not supported');
  if (start + len > b.length) throw new OtaError('format', 'SMS-PP envelope element runs past the end');
  return { tag, len, start };
}

/** Card side: one short message of an SMS-PP download ENVELOPE. */
export function parseSmsPpSegment(data: Uint8Array): SmsPpSegment {
  const top = readTlv(data, 0);
  if (top.tag !== 0xd1) throw new OtaError('format', `not an SMS-PP download envelope (tag ${hexNum(top.tag)})`);
  const body = data.subarray(top.start, top.start + top.len);
  let tpdu: Uint8Array | undefined;
  for (let i = 0; i < body.length;) {
    const e = readTlv(body, i);
    if ((e.tag & 0x7f) === 0x0b) tpdu = body.subarray(e.start, e.start + e.len);
    i = e.start + e.len;
  }
  if (!tpdu) throw new OtaError('format', 'SMS-PP envelope without SMS TPDU (8B)');
  // SMS-DELIVER: first octet, TP-OA, PID, DCS, SCTS(7), UDL, UD
  if (tpdu.length < 2) throw new OtaError('format', 'SMS TPDU too short');
  const first = tpdu[0]!;
  if ((first & 0x03) !== 0x00) throw new OtaError('format', 'SMS TPDU is not an SMS-DELIVER');
  const digits = tpdu[1]!;
  const oaLen = 2 + Math.ceil(digits / 2);
  const i = 1 + oaLen;
  if (i + 10 > tpdu.length) throw new OtaError('format', 'SMS TPDU truncated');
  const originator = tpdu.slice(1, 1 + oaLen);
  const pid = tpdu[i]!;
  const dcs = tpdu[i + 1]!;
  const udl = tpdu[i + 9]!;
  const ud = tpdu.subarray(i + 10);
  if (pid !== 0x7f) throw new OtaError('format', `TP-PID ${hexNum(pid)} is not USIM data download (7F)`);
  if ((dcs & 0x04) === 0) throw new OtaError('format', 'TP-DCS is not 8-bit data');
  if (udl !== ud.length) throw new OtaError('format', `TP-UDL ${udl} does not match ${ud.length} bytes of user data`);
  if ((first & 0x40) === 0 || ud.length < 1) throw new OtaError('format', 'SMS without user data header');
  const udhl = ud[0]!;
  if (1 + udhl > ud.length) throw new OtaError('format', 'user data header runs past the end');
  const seg: SmsPpSegment = { payload: ud.slice(1 + udhl), originator, commandPacket: false };
  for (let j = 1; j < 1 + udhl;) {
    if (j + 2 > 1 + udhl) throw new OtaError('format', 'user data header element truncated');
    const iei = ud[j]!;
    const l = ud[j + 1]!;
    if (j + 2 + l > 1 + udhl) throw new OtaError('format', 'user data header element runs past the header');
    if (iei === 0x70) seg.commandPacket = true;
    if (iei === 0x00) {
      if (l !== 3) throw new OtaError('format', 'concatenation element of the wrong length');
      const [reference, total, sequence] = [ud[j + 2]!, ud[j + 3]!, ud[j + 4]!];
      if (total === 0 || sequence === 0 || sequence > total) throw new OtaError('format', 'concatenation element out of range');
      seg.concat = { reference, total, sequence };
    }
    j += 2 + l;
  }
  if (!seg.commandPacket && !seg.concat) throw new OtaError('format', 'user data header has no command packet IEI 70');
  return seg;
}

/** Card side: the command packet (CPL onwards) of a single-SMS ENVELOPE. */
export function parseSmsPpEnvelope(data: Uint8Array): { packet: Uint8Array; originator: Uint8Array } {
  const s = parseSmsPpSegment(data);
  if (s.concat && s.concat.total > 1) throw new OtaError('format', 'one part of a concatenated message: use SmsReassembler');
  if (!s.commandPacket) throw new OtaError('format', 'user data header has no command packet IEI 70');
  return { packet: s.payload, originator: s.originator };
}

/**
 * Collects the parts of concatenated short messages (by reference number) until a command
 * packet is complete. Bounded: at most `maxPending` references are kept.
 */
export class SmsReassembler {
  private readonly pending = new Map<number, { total: number; parts: (Uint8Array | undefined)[]; command: boolean }>();
  constructor(private readonly maxPending = 4) {}

  /** Adds one segment; returns the whole packet when complete, else undefined. */
  add(s: SmsPpSegment): Uint8Array | undefined {
    if (!s.concat || s.concat.total === 1) {
      if (!s.commandPacket) throw new OtaError('format', 'user data header has no command packet IEI 70');
      return s.payload;
    }
    const { reference, total, sequence } = s.concat;
    let p = this.pending.get(reference);
    if (!p || p.total !== total) {
      if (!p && this.pending.size >= this.maxPending) this.pending.delete(this.pending.keys().next().value!);
      p = { total, parts: new Array<Uint8Array | undefined>(total).fill(undefined), command: false };
      this.pending.set(reference, p);
    }
    p.parts[sequence - 1] = s.payload;
    if (sequence === 1) p.command = s.commandPacket;
    if (p.parts.some((x) => x === undefined)) return undefined;
    this.pending.delete(reference);
    if (!p.command) throw new OtaError('format', 'concatenated message without command packet IEI 70 in its first part');
    return concatBytes(...(p.parts as Uint8Array[]));
  }
}
