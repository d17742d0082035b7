/**
 * Bad input: every fault is a CodecError naming the offset and the token at fault.
 * Header used below: 03 0B 6A 00 = WBXML 1.3, PROV 1.0 (0x0B), UTF-8, empty string table.
 */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../src/codec/errors.js';
import { decodeWbxml, el, encodeWbxml, PROV10, serializeXml, WBXML_MAX_DEPTH } from '../../../../src/codec/wbxml/index.js';
import { fromHex } from '../../../../src/util/hex.js';

function codecError(hex: string | Uint8Array, opts = {}): CodecError {
  try {
    decodeWbxml(typeof hex === 'string' ? fromHex(hex) : hex, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    const ce = e as CodecError;
    expect(ce.offset).toBeTypeOf('number');
    expect(ce.tag).toBeTypeOf('string');
    expect(ce.message).toContain(`offset ${ce.offset}`);
    return ce;
  }
  throw new Error('expected a CodecError');
}

const H = '03 0B 6A 00';

describe('WBXML decoder rejects bad input with CodecError(offset, token)', () => {
  const cases: [string, string, RegExp, number, string][] = [
    ['empty input', '', /empty/, 0, 'version'],
    ['unknown version', '10 0B 6A 00 45', /version/, 0, 'version'],
    ['truncated mb_u_int32 public id', '03 8B', /truncated publicid/, 1, 'publicid'],
    ['mb_u_int32 over 32 bits', '03 90 80 80 80 00 6A 00 45', /overflows 32 bits/, 1, 'publicid'],
    ['mb_u_int32 longer than 5 bytes', '03 80 80 80 80 80 01', /overflows|longer/, 1, 'publicid'],
    ['unsupported charset (UTF-16 = 1015)', '03 0B 87 77 00 45', /charset MIBenum 1015/, 2, 'charset'],
    ['string table longer than the input', '03 0B 6A 05 41 00', /string table length 5/, 3, 'strtbl'],
    ['unknown tag token', `${H} 08`, /unknown tag token 0x08 on page 0/, 4, '0x08'],
    ['unknown tag code page', `${H} 00 05 45`, /unknown tag code page 5/, 4, 'SWITCH_PAGE'],
    ['unknown attribute page', `${H} C5 00 07 46 01 01`, /unknown attribute code page 7/, 5, 'SWITCH_PAGE'],
    ['unknown attribute start token', `${H} C5 04 01 01`.replace('C5 04', 'C5 7F'), /unknown attribute start token 0x7F/, 5, '0x7F'],
    ['unknown attribute value token', `${H} 87 05 FF 01`, /unknown attribute value token 0xFF/, 6, '0xFF'],
    ['attribute value before a start token', `${H} 87 85 01`, /before any attribute start/, 5, '0x85'],
    ['STR_T index out of range', `${H} 45 83 05 01`, /string table index 5 out of range/, 5, 'STR_T'],
    ['string table entry not terminated', '03 0B 6A 02 41 42 45 83 00 01', /not terminated inside the table/, 7, 'STR_T'],
    ['invalid UTF-8', `${H} 45 03 41 C3 28 00 01`, /invalid UTF-8/, 7, 'STR_I'],
    ['unterminated inline string', `${H} 45 03 41 42`, /inline string not terminated/, 5, 'STR_I'],
    ['END without an open element', `${H} 01`, /END without an open element/, 4, 'END'],
    ['input ends inside an element', `${H} 45 46`, /input ends inside <characteristic>/, 6, 'END'],
    ['input ends inside an attribute list', `${H} C5 46`, /attribute list/, 6, 'END'],
    ['bytes after the document element', `${H} 05 05`, /after the document element/, 5, '0x05'],
    ['text before the document element', `${H} 03 41 00`, /outside the document element/, 4, 'STR_I'],
    ['extension token', `${H} 45 40 41 00 01`, /extension token EXT_I_0/, 5, 'EXT_I_0'],
    ['processing instruction', `${H} 45 43 01`, /PI/, 5, 'PI'],
    ['ENTITY beyond Unicode', `${H} 45 02 C4 80 80 00 01`, /not a Unicode scalar/, 5, 'ENTITY'],
    ['OPAQUE longer than the input', `${H} 45 C3 10 41 01`, /OPAQUE length 16/, 5, 'OPAQUE'],
    ['LITERAL name that is not an XML name', '03 0B 6A 02 31 00 04 00', /not an XML name/, 6, 'LITERAL'],
    ['repeated attribute', `${H} 87 07 07 01`, /repeated/, 6, '0x07'],
    ['global token in an attribute list', `${H} 87 44 01`, /LITERAL_C is not allowed/, 5, 'LITERAL_C'],
  ];
  for (const [what, hex, msg, offset, tag] of cases) {
    it(what, () => {
      const e = codecError(hex);
      expect(e.message).toMatch(msg);
      expect(e.offset).toBe(offset);
      expect(e.tag).toBe(tag);
    });
  }

  it('US-ASCII documents reject bytes >= 0x80', () => {
    const e = codecError('03 0B 03 00 45 03 41 E9 00 01');
    expect(e.message).toMatch(/not US-ASCII/);
    expect(e.offset).toBe(7);
  });

  it('a 100,000-deep input gives CodecError at the depth limit, not a stack overflow', () => {
    const deep = new Uint8Array(4 + 1 + 100_000);
    deep.set(fromHex(H));
    deep[4] = 0x45;
    deep.fill(0x46, 5);
    const e = codecError(deep);
    expect(e.message).toMatch(new RegExp(`deeper than ${WBXML_MAX_DEPTH}`));
    expect(e.offset).toBe(5 + WBXML_MAX_DEPTH - 1);
  });

  it('the whole codec is iterative: 100,000 levels encode, decode (with the limit lifted) and serialise', () => {
    const root = el('wap-provisioningdoc');
    let cur = root;
    for (let i = 0; i < 100_000; i++) {
      const c = el('characteristic');
      cur.children.push(c);
      cur = c;
    }
    const bytes = encodeWbxml(root, { language: PROV10 });
    expect(bytes.length).toBe(4 + 1 + 100_000 * 2);
    const back = decodeWbxml(bytes, { maxDepth: Infinity });
    let d = 0;
    for (let n = back.root; n.children.length; n = n.children[0] as typeof n) d++;
    expect(d).toBe(100_000);
    expect(serializeXml(back.root, { indent: 0 }).length).toBeGreaterThan(100_000 * 30);
  });
});
