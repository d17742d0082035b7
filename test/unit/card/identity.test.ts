/**
 * ICCID and IMSI through the card model's one codec (card/spec): the helpers every layer uses
 * (bootstrap's reader, perso, the virtual ISD) for EF.ICCID (TS 102 221 13.2) and EF.IMSI
 * (TS 31.102 4.2.2, digits coded as TS 24.008 10.5.1.4).
 */
import { describe, expect, it } from 'vitest';
import { iccidContent, iccidOf } from '../../../src/card/spec/ts-102-221.js';
import { imsiContent, imsiOf } from '../../../src/card/spec/ts-31-102.js';
import { CodecError } from '../../../src/codec/errors.js';
import { fromHex, toHex } from '../../../src/util/hex.js';

describe('EF.ICCID digits', () => {
  it('reads and writes the nibble-swapped, F-padded BCD (pySim real-card vector)', () => {
    expect(iccidOf(fromHex('988812010000400310F0'))).toBe('8988211000000430010');
    expect(toHex(iccidContent('8988211000000430010'))).toBe('988812010000400310F0');
    // 18 digits: the last byte is all padding
    expect(toHex(iccidContent('898821100000043001'))).toBe('988812010000400310FF');
  });
  it('a blank card (all FF) and content that is not BCD have no ICCID', () => {
    expect(iccidOf(new Uint8Array(10).fill(0xff))).toBeUndefined();
    expect(iccidOf(fromHex('9888120100004003A0F0'))).toBeUndefined();
    expect(iccidOf(fromHex('98F8120100004003F0FF'))).toBeUndefined(); // digits after the padding
  });
});

describe('EF.IMSI digits', () => {
  it('odd digit count: parity nibble 9 (pySim real-card vector)', () => {
    expect(imsiOf(fromHex('082982608200002080'))).toBe('228062800000208');
    expect(toHex(imsiContent('228062800000208'))).toBe('082982608200002080');
  });
  it('even digit count: parity nibble 1 and an F filler', () => {
    expect(toHex(imsiContent('26201110648750'))).toBe('0821261011608457F0');
    expect(imsiOf(fromHex('0821261011608457F0'))).toBe('26201110648750');
  });
  it('a blank file is null; a bad length byte is a CodecError naming EF.IMSI', () => {
    expect(imsiOf(new Uint8Array(9).fill(0xff))).toBeNull();
    expect(() => imsiOf(fromHex('092982608200002080'))).toThrow(CodecError);
    expect(() => imsiOf(fromHex('092982608200002080'))).toThrow(/EF\.IMSI/);
  });
});
