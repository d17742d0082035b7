/**
 * SMS-PP data download (3GPP TS 31.111 7.1.1.2): the secured command packet travels in an
 * ENVELOPE (BER-TLV tag D1) holding device identities (82: network -> UICC), optionally the
 * service centre address (86), and the SMS-DELIVER TPDU (8B, TS 23.040 9.2.2.1) with TP-PID 7F
 * (USIM data download), TP-DCS F6 (8-bit, class 2) and a user data header whose IEI 70 (TS 31.115
 * 4.2) marks a command packet. The PoR comes back as the ENVELOPE's response data (02 71 00 ...).
 */
import type { CommandApdu } from '../../apdu/command.js';
import { concatBytes } from '../../util/hex.js';
import { OtaError } from './errors.js';
import { UDH_COMMAND } from './packet.js';

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
}

/** The SMS-DELIVER TPDU carrying `packet` (CPL onwards) behind the 02 70 00 header. */
export function buildSmsDeliver(packet: Uint8Array, o: SmsPpOptions = {}): Uint8Array {
  const ud = concatBytes(UDH_COMMAND, packet);
  if (ud.length > 140) throw new OtaError('format', `secured packet of ${packet.length} bytes does not fit one SMS (concatenation not supported)`);
  const scts = o.timestamp ?? new Uint8Array(7);
  // 0x40 TP-UDHI | 0x04 TP-MMS (no more messages) | TP-MTI 00 SMS-DELIVER
  return concatBytes(Uint8Array.of(0x44), encodeSmsAddress(o.originator ?? '12345678'), Uint8Array.of(0x7f, 0xf6), scts, Uint8Array.of(ud.length), ud);
}

/** ENVELOPE (SMS-PP download) C-APDU, CLA 80 INS C2 (TS 102 221 10.1.1 / TS 31.111 7.1.1.2). */
export function buildSmsPpEnvelope(packet: Uint8Array, o: SmsPpOptions = {}): CommandApdu {
  const body = concatBytes(tlv(0x82, Uint8Array.of(0x83, 0x81)), tlv(0x8b, buildSmsDeliver(packet, o)));
  return { cla: 0x80, ins: 0xc2, p1: 0x00, p2: 0x00, data: tlv(0xd1, body), le: 256 };
}

/** Card side: the command packet (CPL onwards) inside an SMS-PP download ENVELOPE's data. */
export function parseSmsPpEnvelope(data: Uint8Array): { packet: Uint8Array; originator: Uint8Array } {
  const rd = (b: Uint8Array, i: number): { tag: number; len: number; start: number } => {
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
  };
  const top = rd(data, 0);
  if (top.tag !== 0xd1) throw new OtaError('format', `not an SMS-PP download envelope (tag ${top.tag.toString(16)})`);
  const body = data.subarray(top.start, top.start + top.len);
  let tpdu: Uint8Array | undefined;
  for (let i = 0; i < body.length; ) {
    const e = rd(body, i);
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
  let i = 1 + oaLen;
  if (i + 10 > tpdu.length) throw new OtaError('format', 'SMS TPDU truncated');
  const originator = tpdu.slice(1, 1 + oaLen);
  const pid = tpdu[i]!;
  const dcs = tpdu[i + 1]!;
  i += 9;
  const udl = tpdu[i]!;
  const ud = tpdu.subarray(i + 1);
  if (pid !== 0x7f) throw new OtaError('format', `TP-PID ${pid.toString(16)} is not USIM data download (7F)`);
  if ((dcs & 0x04) === 0) throw new OtaError('format', 'TP-DCS is not 8-bit data');
  if (udl !== ud.length) throw new OtaError('format', `TP-UDL ${udl} does not match ${ud.length} bytes of user data`);
  if ((first & 0x40) === 0 || ud.length < 3) throw new OtaError('format', 'SMS without user data header');
  const udhl = ud[0]!;
  if (1 + udhl > ud.length) throw new OtaError('format', 'user data header runs past the end');
  let found = false;
  for (let j = 1; j < 1 + udhl; ) {
    const iei = ud[j]!;
    const l = ud[j + 1] ?? 0;
    if (iei === 0x70) found = true;
    j += 2 + l;
  }
  if (!found) throw new OtaError('format', 'user data header has no command packet IEI 70');
  return { packet: ud.slice(1 + udhl), originator };
}
