/**
 * Perso's value encoders: each EF through the card model's codec, checked against hand-made
 * vectors from the specs (not computed by the code under test).
 */
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../../../src/perso/encode.js';
import { PersoError } from '../../../src/perso/errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const FF = (n: number): string => 'FF'.repeat(n);

describe('perso encoders', () => {
  it('EF.SPN: display condition 01, the SMS default alphabet where it has every character (TS 31.102 4.2.12, TS 23.038 6.2.1)', () => {
    expect(hex(encodeValue('spn', 'Operator', 'EF.SPN'))).toBe('014F70657261746F72' + FF(8));
    // the apostrophe is 0x27 in the default alphabet: no UCS2 needed (perso once wrote UCS2 here)
    expect(hex(encodeValue('spn', "O'Brien", 'EF.SPN'))).toBe('014F27427269656E' + FF(9));
    // '@' is 0x00 and '_' 0x11 in the default alphabet, unlike ASCII
    expect(hex(encodeValue('spn', 'a@b_c', 'EF.SPN'))).toBe('0161006211' + '63' + FF(11));
  });

  it('EF.SPN: UCS2 with prefix 80 when a character is not in the default alphabet (TS 102 221 Annex A)', () => {
    // Ł U+0141, ó U+00F3 (not in the default alphabet), d U+0064, ź U+017A
    expect(hex(encodeValue('spn', 'Łódź', 'EF.SPN'))).toBe('0180014100F30064017A' + FF(7));
  });

  it('EF.SPN: a name that does not fit 16 bytes is a perso.encode error naming the row', () => {
    try {
      encodeValue('spn', 'Seventeen chars!!', 'EF.SPN (row 7)');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PersoError);
      expect((e as PersoError).code).toBe('perso.encode');
      expect((e as PersoError).message).toMatch(/^EF\.SPN \(row 7\): .*16/);
    }
  });

  it('EF.IMSI and EF.ICCID: length byte and parity nibble, nibble-swapped BCD (TS 31.102 4.2.2, TS 102 221 13.2)', () => {
    // IMSI 001010000000001: 15 digits, odd parity 9, then digits swapped in pairs
    expect(hex(encodeValue('imsi', '001010000000001', 'EF.IMSI'))).toBe('080910100000000010');
    expect(hex(encodeValue('iccid', '8988211000000000011', 'EF.ICCID'))).toBe('988812010000000010F1');
    expect(() => encodeValue('imsi', '12345', 'EF.IMSI')).toThrow(PersoError);
  });
});
