import { describe, expect, it } from 'vitest';
import { claForChannel, channelOfCla, decodeCommand, encodeCommand } from '../../../src/apdu/command.js';
import { decodeResponse, TruncatedResponseError } from '../../../src/apdu/response.js';
import { fromHex, toHex } from '../../../src/util/hex.js';

// Encodings from ISO/IEC 7816-4 section 5.1 (table 2: the four cases, short and extended)
describe('command APDU encoding (ISO 7816-4 5.1)', () => {
  it('case 1: header only', () => {
    expect(toHex(encodeCommand({ cla: 0x00, ins: 0x70, p1: 0x80, p2: 0x01 }))).toBe('00708001');
  });
  it('case 2 short: Le, 00 meaning 256', () => {
    expect(toHex(encodeCommand({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 10 }))).toBe('00B000000A');
    expect(toHex(encodeCommand({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).toBe('00B0000000');
  });
  it('case 3 short: SELECT MF by FID (TS 102 221 11.1.1)', () => {
    expect(toHex(encodeCommand({ cla: 0x00, ins: 0xa4, p1: 0, p2: 0x04, data: fromHex('3F00') }))).toBe('00A40004023F00');
  });
  it('case 4 short', () => {
    expect(toHex(encodeCommand({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x04, data: fromHex('A000000087'), le: 256 }))).toBe('00A4040405A00000008700');
  });
  it('case 2 extended: Le 65536 is 00 0000', () => {
    expect(toHex(encodeCommand({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 65536 }))).toBe('00B00000000000');
    expect(toHex(encodeCommand({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 300 }))).toBe('00B0000000012C');
  });
  it('case 3 and 4 extended when data exceeds 255 bytes', () => {
    const data = new Uint8Array(300).fill(0xaa);
    const c3 = encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data });
    expect(toHex(c3.subarray(0, 7))).toBe('00D6000000012C');
    expect(c3.length).toBe(7 + 300);
    const c4 = encodeCommand({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data, le: 256 });
    expect(toHex(c4.subarray(c4.length - 2))).toBe('0100');
  });
  it('round-trips every case through the decoder', () => {
    for (const hex of ['00708001', '00B000000A', '00A40004023F00', '00A4040405A00000008700', '00B00000000000', '00B0000000012C']) {
      expect(toHex(encodeCommand(decodeCommand(fromHex(hex))))).toBe(hex);
    }
  });
  it('refuses malformed C-APDUs', () => {
    expect(() => decodeCommand(fromHex('00A4'))).toThrow(/at least 4/);
    expect(() => decodeCommand(fromHex('00A4000402 3F'))).toThrow(/Lc 2/);
    expect(() => encodeCommand({ cla: 0x100, ins: 0, p1: 0, p2: 0 })).toThrow(/CLA/);
  });
});

describe('logical channels in CLA (TS 102 221 10.1.1, ISO 7816-4 5.4.1)', () => {
  it('first interindustry values carry channels 0-3 in b2-b1', () => {
    expect(claForChannel(0x00, 3)).toBe(0x03);
    expect(claForChannel(0x80, 2)).toBe(0x82);
  });
  it('further interindustry values carry channels 4-19 as 0x40 + (n-4)', () => {
    expect(claForChannel(0x00, 4)).toBe(0x40);
    expect(claForChannel(0x00, 19)).toBe(0x4f);
    expect(claForChannel(0x80, 5)).toBe(0xc1);
  });
  it('decodes channel numbers back', () => {
    for (let n = 0; n < 20; n++) expect(channelOfCla(claForChannel(0x00, n))).toBe(n);
    expect(() => claForChannel(0, 20)).toThrow(/0..19/);
  });
});

describe('response APDU', () => {
  it('splits data and SW', () => {
    const r = decodeResponse(fromHex('0102039000'));
    expect(toHex(r.data)).toBe('010203');
    expect(r.sw).toBe(0x9000);
  });
  it('a response shorter than 2 bytes is a typed error, not a crash', () => {
    expect(() => decodeResponse(new Uint8Array(0))).toThrow(TruncatedResponseError);
    expect(() => decodeResponse(Uint8Array.of(0x90))).toThrow(/no status word/);
  });
});
