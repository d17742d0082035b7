import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../src/codec/errors.js';
import {
  asciiType,
  bcdType,
  bytesType,
  decodeSchema,
  encodeSchema,
  encodeSchemaCanonical,
  hexType,
  listType,
  nestedType,
  schemaEquals,
  uintType,
  utf8Type,
  type TlvSchema,
} from '../../../../src/codec/tlv/schema.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

// DISPLAY TEXT (TS 102 223 6.6.1) declared once, in the COMPREHENSION-TLV flavour
const DISPLAY_TEXT: TlvSchema = {
  name: 'DISPLAY TEXT',
  flavour: 'comprehension',
  fields: [
    { tag: 0x81, name: 'commandDetails', type: hexType(3, 3) },
    { tag: 0x82, name: 'deviceIdentities', type: hexType(2, 2) },
    { tag: 0x8d, name: 'textString', type: bytesType },
    { tag: 0x9e, name: 'iconIdentifier', type: hexType(2, 2), optional: true },
    { tag: 0x84, name: 'duration', type: hexType(2, 2), optional: true },
  ],
};

describe('declarative TLV schema', () => {
  it('decodes and encodes a proactive command body (COMPREHENSION-TLV)', () => {
    // TS 31.124 DISPLAY TEXT with duration: 10 seconds (B2G STK tests, display_text_cmd_11)
    const body = '8103012180820281028D0A043130205365636F6E648402010A';
    const o = decodeSchema(DISPLAY_TEXT, fromHex(body));
    expect(o.commandDetails).toBe('012180');
    expect(o.deviceIdentities).toBe('8102');
    expect(new TextDecoder().decode((o.textString as Uint8Array).subarray(1))).toBe('10 Second');
    expect(o.duration).toBe('010A');
    expect(o._order).toBeUndefined();
    expect(toHex(encodeSchema(DISPLAY_TEXT, o))).toBe(body);
  });

  it('keeps the CR bit and unknown tags as read', () => {
    // text string with CR clear (0D), and an unknown CR-less tag 2B after it
    const body = '810301218082028102' + '0D03046869' + '2B00';
    const o = decodeSchema(DISPLAY_TEXT, fromHex(body));
    expect(o._unknown).toEqual([{ tag: 0x2b, value: new Uint8Array(0) }]);
    expect(o._order).toEqual([0x81, 0x82, 0x0d, 0x2b]);
    expect(toHex(encodeSchema(DISPLAY_TEXT, o))).toBe(body);
    // canonically the CR bit is the declared one
    expect(toHex(encodeSchemaCanonical(DISPLAY_TEXT, o))).toBe('810301218082028102' + '8D03046869' + '2B00');
  });

  it('handles nested schemas, repeatable fields and value types (BER-TLV)', () => {
    const inner: TlvSchema = {
      name: 'inner',
      flavour: 'ber',
      fields: [
        { tag: 0x80, name: 'n', type: uintType(2) },
        { tag: 0x5f2d, name: 'lang', type: asciiType, optional: true },
      ],
    };
    const outer: TlvSchema = {
      name: 'outer',
      flavour: 'ber',
      fields: [
        { tag: 0x5a, name: 'iccid', type: bcdType(true) },
        { tag: 0x50, name: 'label', type: utf8Type, optional: true },
        { tag: 0x5f20, name: 'msisdn', type: bcdType(), optional: true },
        { tag: 0xa1, name: 'items', type: nestedType(inner), repeatable: true },
      ],
    };
    // ICCID 8949440000001155314 in swapped-nibble BCD with an F filler (TS 102 221 13.2)
    const b2 = fromHex('5A0A' + '989444000000115513F4' + '5003C3A97A' + '5F2002123F' + 'A10480020001' + 'A1098002000A5F2D02656E');
    const o = decodeSchema(outer, b2);
    expect(o.iccid).toBe('8949440000001155314');
    expect(o.label).toBe('éz');
    expect(o.msisdn).toBe('123');
    expect(o.items).toEqual([{ n: 1 }, { n: 10, lang: 'en' }]);
    expect(toHex(encodeSchema(outer, o))).toBe(toHex(b2));
    expect(schemaEquals(outer, o, decodeSchema(outer, b2))).toBe(true);
  });

  it('decodes fixed-size lists (File List of TS 102 223 8.18: number of files, then 2-byte ids)', () => {
    const s: TlvSchema = {
      name: 'REFRESH',
      flavour: 'comprehension',
      fields: [{ tag: 0x92, name: 'fileIds', type: listType(hexType(2, 2), 2) }],
    };
    // file list body as REFRESH carries it, without the leading count byte for this test
    const o = decodeSchema(s, fromHex('92063F007F106F3A'));
    expect(o.fileIds).toEqual(['3F00', '7F10', '6F3A']);
    expect(toHex(encodeSchema(s, o))).toBe('92063F007F106F3A');
    expect(() => decodeSchema(s, fromHex('92033F007F'))).toThrow(/multiple of 2/);
  });

  it('throws CodecError naming offset and tag for bad values', () => {
    const s: TlvSchema = {
      name: 's',
      flavour: 'ber',
      fields: [
        { tag: 0x80, name: 'x', type: utf8Type },
        { tag: 0x81, name: 'y', type: bcdType(), optional: true },
      ],
    };
    let e: CodecError | undefined;
    try {
      decodeSchema(s, fromHex('8002C328'));
    } catch (x) {
      e = x as CodecError;
    }
    expect(e).toBeInstanceOf(CodecError);
    expect(e!.offset).toBe(2);
    expect(e!.tag).toBe('80');
    expect(() => decodeSchema(s, fromHex('800141 81011A'.replace(/ /g, '')))).toThrow(/BCD/);
    expect(() => decodeSchema(s, fromHex('810112'))).toThrow(/mandatory x/);
  });
});
