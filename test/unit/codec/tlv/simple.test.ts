import { describe, expect, it } from 'vitest';
import { codecError } from '../../../helpers/errors.js';
import { decodeSimple, encodeSimple } from '../../../../src/codec/tlv/simple.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

describe('SIMPLE-TLV (ISO 7816-4 5.2.1)', () => {
  it('decodes one-byte and three-byte lengths', () => {
    // per the clause: tag 01..FE; length 00..FE, or FF then two bytes
    const long = new Uint8Array(300).fill(0x5a);
    const bytes = fromHex('0102AABB' + 'FE00' + '80FF012C' + toHex(long));
    const list = decodeSimple(bytes);
    expect(list.map((t) => [t.tag, t.value.length, t.offset])).toEqual([
      [0x01, 2, 0],
      [0xfe, 0, 4],
      [0x80, 300, 6],
    ]);
    expect(toHex(encodeSimple(list))).toBe(toHex(bytes));
  });

  it('keeps a three-byte length below 255 when re-encoding', () => {
    const bytes = fromHex('42FF000201 02'.replace(/ /g, ''));
    const list = decodeSimple(bytes);
    expect(list[0]!.longLength).toBe(true);
    expect(toHex(encodeSimple(list))).toBe('42FF00020102');
    expect(toHex(encodeSimple([{ tag: 0x42, value: fromHex('0102') }]))).toBe('42020102');
  });

  it('rejects tags 00 and FF and bad lengths', () => {
    expect(codecError(() => decodeSimple(fromHex('0000'))).tag).toBe('00');
    expect(codecError(() => decodeSimple(fromHex('FF00'))).tag).toBe('FF');
    let e = codecError(() => decodeSimple(fromHex('01FF00')));
    expect(e.message).toMatch(/length truncated/);
    expect(e.offset).toBe(1);
    e = codecError(() => decodeSimple(fromHex('010301')));
    expect(e.message).toMatch(/runs past/);
    e = codecError(() => decodeSimple(fromHex('0101AA05')));
    expect(e.message).toMatch(/length missing/);
    expect(e.offset).toBe(4);
  });
});
