import { describe, expect, it } from 'vitest';
import { codecError } from '../../../helpers/errors.js';
import {
  comprehensionTagHex,
  decodeCatTemplate,
  decodeComprehension,
  encodeCatTemplate,
  encodeComprehension,
} from '../../../../src/codec/tlv/comprehension.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const ascii = (b: Uint8Array) => new TextDecoder().decode(b);

describe('COMPREHENSION-TLV (TS 102 223 7.1.1)', () => {
  // TS 31.124 / TS 102 384 DISPLAY TEXT 1.1 (as used in Mozilla B2G's STK tests)
  const DISPLAY_TEXT_1 = 'D01A8103012180820281028D0F04546F6F6C6B697420546573742031';

  it('decodes DISPLAY TEXT 1.1', () => {
    const t = decodeCatTemplate(fromHex(DISPLAY_TEXT_1));
    expect(t.tag).toBe(0xd0);
    expect(t.items.map((i) => [i.tag, i.cr, toHex(i.value)])).toEqual([
      [0x01, true, '012180'], // command details: number 1, DISPLAY TEXT, qualifier 80
      [0x02, true, '8102'], // device identities: UICC -> display
      [0x0d, true, '04546F6F6C6B697420546573742031'], // text string, 8-bit data
    ]);
    expect(ascii(t.items[2]!.value.subarray(1))).toBe('Toolkit Test 1');
    expect(t.items.map((i) => i.offset)).toEqual([2, 7, 11]);
    expect(toHex(encodeCatTemplate(t))).toBe(DISPLAY_TEXT_1);
  });

  it('reads a tag with the CR bit clear', () => {
    // DISPLAY TEXT whose text string is coded 0D (comprehension not required), 7-bit packed
    const hex = 'D0288103012180820281020D1D00D3309BFC06C95C301AA8E80259C3EC34B9AC07C9602F58ED159BB940';
    const t = decodeCatTemplate(fromHex(hex));
    expect(t.items[2]!.tag).toBe(0x0d);
    expect(t.items[2]!.cr).toBe(false);
    expect(comprehensionTagHex(t.items[2]!)).toBe('0D');
    expect(toHex(encodeCatTemplate(t))).toBe(hex);
  });

  it('reads two-byte lengths (81 xx) in both the BER template and a COMPREHENSION-TLV', () => {
    const hex =
      'D081AD8103012180820281028D81A1045468697320636F6D6D616E6420696E7374727563747320746865204D4520746F20646973706C617920612074657874206D6573736167652E20497420616C6C6F7773207468652053494D20746F20646566696E6520746865207072696F72697479206F662074686174206D6573736167652C20616E6420746865207465787420737472696E6720666F726D61742E2054776F207479706573206F66207072696F';
    const t = decodeCatTemplate(fromHex(hex));
    expect(t.items[2]!.value.length).toBe(0xa1);
    expect(ascii(t.items[2]!.value.subarray(1))).toBe(
      'This command instructs the ME to display a text message. It allows the SIM to define the priority of that message, and the text string format. Two types of prio',
    );
    expect(toHex(encodeCatTemplate(t))).toBe(hex);
  });

  it('decodes the SMS-PP download ENVELOPE of TS 31.124 27.22.5.1 (3.1.1)', () => {
    const hex = 'D12D8202838106099111223344556677F88B1C04049121437F16891010000000000D546573744D6573736167652031';
    const t = decodeCatTemplate(fromHex(hex));
    expect(t.tag).toBe(0xd1);
    expect(t.items.map((i) => comprehensionTagHex(i))).toEqual(['82', '06', '8B']);
    expect(toHex(t.items[0]!.value)).toBe('8381'); // network -> UICC
    expect(toHex(t.items[1]!.value)).toBe('9111223344556677F8'); // address, international
    expect(ascii(t.items[2]!.value.subarray(15))).toBe('TestMessage 1');
    expect(toHex(encodeCatTemplate(t))).toBe(hex);
  });

  it('codes three-byte tags (7.1.1.2)', () => {
    // '7F', then CR + 15-bit tag value: tag value 0x0101 with CR = 7F 81 01
    const bytes = fromHex('7F8101020102' + '7F0005' + '00');
    const list = decodeComprehension(bytes);
    expect(list[0]).toMatchObject({ tag: 0x0101, cr: true });
    expect(toHex(list[0]!.value)).toBe('0102');
    // a small value in the three-byte form is kept in that form
    expect(list[1]).toMatchObject({ tag: 0x05, cr: false, threeByte: true });
    expect(toHex(encodeComprehension(list))).toBe(toHex(bytes));
    expect(toHex(encodeComprehension([{ tag: 0x1234, cr: false, value: new Uint8Array(0) }]))).toBe('7F123400');
  });

  it('rejects bad tags and lengths with offset and tag', () => {
    let e = codecError(() => decodeComprehension(fromHex('810301218000')));
    expect(e.tag).toBe('00');
    expect(e.offset).toBe(5);
    e = codecError(() => decodeComprehension(fromHex('8001FF')));
    expect(e.tag).toBe('80');
    e = codecError(() => decodeComprehension(fromHex('FF00')));
    expect(e.tag).toBe('FF');
    e = codecError(() => decodeComprehension(fromHex('8D820001AA')));
    expect(e.message).toMatch(/not allowed/);
    e = codecError(() => decodeComprehension(fromHex('8D8105AABBCCDDEE')));
    expect(e.message).toMatch(/one-byte form/);
    e = codecError(() => decodeComprehension(fromHex('8D05AABB')));
    expect(e.message).toMatch(/runs past the end/);
    expect(e.tag).toBe('8D');
    e = codecError(() => decodeComprehension(fromHex('7F81')));
    expect(e.message).toMatch(/three-byte tag truncated/);
    e = codecError(() => decodeCatTemplate(fromHex('6203820100')));
    expect(e.message).toMatch(/D0..DF/);
  });
});
