import { describe, expect, it } from 'vitest';
import { codecError } from '../../../helpers/errors.js';
import {
  berTagClass,
  berTagNumber,
  decodeBer,
  decodeBerOne,
  encodeBer,
  encodeBerLength,
  encodeBerTag,
  encodeBerTree,
  isConstructedTag,
  isValidBerTag,
  tagHex,
} from '../../../../src/codec/tlv/ber.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

describe('BER-TLV (ISO 7816-4 5.2 / X.690 8.1)', () => {
  // EF.IMSI FCP from a sysmoISIM (pySim tests/unittests/test_decode_select_resp.py)
  const FCP_IMSI = '62178202412183026F078A01058B036F060A80020009880138';

  it('decodes a real FCP into a tree with offsets', () => {
    const [fcp] = decodeBer(fromHex(FCP_IMSI));
    expect(fcp!.tag).toBe(0x62);
    expect(fcp!.constructed).toBe(true);
    expect(fcp!.children!.map((c) => tagHex(c.tag))).toEqual(['82', '83', '8A', '8B', '80', '88']);
    expect(fcp!.children!.map((c) => c.offset)).toEqual([2, 6, 10, 13, 18, 22]);
    expect(toHex(fcp!.children![1]!.value)).toBe('6F07');
    expect(toHex(encodeBerTree([fcp!]))).toBe(FCP_IMSI);
  });

  it('skips 00/FF padding between objects (EF.DIR record padded with FF)', () => {
    // EF.DIR record of a USIM (softsim test data): application template then FF padding
    const rec = fromHex('61144F0CA0000000871002FF49FF058950045553494DFFFFFFFFFFFFFFFFFFFFFF');
    const list = decodeBer(rec);
    expect(list).toHaveLength(1);
    expect(list[0]!.children!.map((c) => tagHex(c.tag))).toEqual(['4F', '50']);
    expect(new TextDecoder().decode(list[0]!.children![1]!.value)).toBe('USIM');
  });

  it('codes lengths as X.690 8.1.3 says', () => {
    // X.690 8.1.3.5 example: L = 201 is 81 C9 in the long form
    expect(toHex(encodeBerLength(201))).toBe('81C9');
    expect(toHex(encodeBerLength(127))).toBe('7F');
    expect(toHex(encodeBerLength(0x1234))).toBe('821234');
    expect(toHex(encodeBerLength(0x123456))).toBe('83123456');
    expect(toHex(encodeBerLength(0x12345678))).toBe('8412345678');
    const v = new Uint8Array(201).fill(0x41);
    const enc = encodeBer(0x04, v);
    expect(toHex(enc.subarray(0, 3))).toBe('0481C9');
    expect(decodeBerOne(enc).tlv.value.length).toBe(201);
  });

  it('reads a non-minimal long length (BER allows it)', () => {
    const [t] = decodeBer(fromHex('8A820001 05'.replace(/ /g, '')));
    expect(t!.tag).toBe(0x8a);
    expect(toHex(t!.value)).toBe('05');
  });

  it('handles multi-byte tags (X.690 8.1.2.4)', () => {
    // tag number 201 in the context class, primitive: 9F 81 49 (201 = 1*128 + 73)
    const bytes = fromHex('9F814901AA');
    const { tlv, length } = decodeBerOne(bytes);
    expect(length).toBe(5);
    expect(tlv.tag).toBe(0x9f8149);
    expect(berTagNumber(tlv.tag)).toBe(201);
    expect(berTagClass(tlv.tag)).toBe('context');
    expect(toHex(encodeBerTag(0x9f8149))).toBe('9F8149');
    // 5F2D language preference (ISO 7816-4), 7F49 public key template (constructed)
    expect(berTagClass(0x5f2d)).toBe('application');
    expect(isConstructedTag(0x7f49)).toBe(true);
    expect(isConstructedTag(0x5f2d)).toBe(false);
    expect(isValidBerTag(0x9f8149)).toBe(true);
    expect(isValidBerTag(0x9f80)).toBe(false);
    expect(isValidBerTag(0x1f)).toBe(false);
  });

  it('rejects indefinite lengths', () => {
    const e = codecError(() => decodeBer(fromHex('30800000')));
    expect(e.tag).toBe('30');
    expect(e.offset).toBe(1);
    expect(e.message).toMatch(/indefinite/);
  });

  it('rejects truncated and overlong input, naming offset and tag', () => {
    let e = codecError(() => decodeBer(fromHex('6203820241')));
    expect(e.tag).toBe('82');
    expect(e.offset).toBe(2);
    e = codecError(() => decodeBer(fromHex('62')));
    expect(e.tag).toBe('62');
    e = codecError(() => decodeBer(fromHex('8A82 01'.replace(/ /g, ''))));
    expect(e.message).toMatch(/length truncated/);
    e = codecError(() => decodeBer(fromHex('8A850000000001AA')));
    expect(e.message).toMatch(/at most 4/);
    e = codecError(() => decodeBer(fromHex('9F81')));
    expect(e.message).toMatch(/tag truncated/);
    expect(e.tag).toBe('9F81');
    e = codecError(() => decodeBer(fromHex('9F8181818101AA')));
    expect(e.message).toMatch(/longer than 4/);
    e = codecError(() => decodeBer(fromHex('9F800101AA')));
    expect(e.message).toMatch(/leading zero/);
  });

  it('rejects 100,000-deep nesting with a CodecError, not a stack overflow', () => {
    const depth = 100_000;
    // each level: 30 84 LLLLLLLL (6 bytes), innermost 30 00
    const out = new Uint8Array(depth * 6 + 2);
    for (let d = 0; d < depth; d++) {
      const rest = (depth - d - 1) * 6 + 2;
      const o = d * 6;
      out[o] = 0x30;
      out[o + 1] = 0x84;
      out[o + 2] = (rest >>> 24) & 0xff;
      out[o + 3] = (rest >>> 16) & 0xff;
      out[o + 4] = (rest >>> 8) & 0xff;
      out[o + 5] = rest & 0xff;
    }
    out[depth * 6] = 0x30;
    const e = codecError(() => decodeBer(out));
    expect(e.message).toMatch(/nesting deeper than 32/);
    expect(e.tag).toBe('30');
    // a caller asking for a huge limit still gets the hard cap
    expect(codecError(() => decodeBer(out, { maxDepth: 1e9 })).message).toMatch(/nesting deeper than 256/);
  });
});
