import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../src/codec/errors.js';
import { compileLanguage } from '../../../../src/codec/wbxml/codepages/types.js';
import {
  canonicalTree,
  decodeWbxml,
  DEVINF12,
  el,
  encodeWbxml,
  findLanguage,
  LANGUAGE_DECLS,
  languageForPublicId,
  mbUint32Bytes,
  opaque,
  parseXml,
  PROV10,
  readMbUint32,
  serializeXml,
  SYNCML11,
  SYNCML12,
  text,
  wbxmlToXml,
  WbxmlEncodeError,
  xmlToWbxml,
} from '../../../../src/codec/wbxml/index.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

describe('mb_u_int32 (WAP-192 section 5.1)', () => {
  it('the spec example: 0xA0 is 81 20', () => {
    expect(toHex(mbUint32Bytes(0xa0))).toBe('8120');
    expect(readMbUint32(fromHex('8120'), 0)).toEqual({ value: 0xa0, next: 2 });
  });
  it('edges: 0, 127, 128, 2^32-1 in 5 bytes', () => {
    expect(toHex(mbUint32Bytes(0))).toBe('00');
    expect(toHex(mbUint32Bytes(0x7f))).toBe('7F');
    expect(toHex(mbUint32Bytes(0x80))).toBe('8100');
    expect(toHex(mbUint32Bytes(0xffffffff))).toBe('8FFFFFFF7F');
    expect(readMbUint32(fromHex('8FFFFFFF7F'), 0).value).toBe(0xffffffff);
  });
  it('refuses values it cannot write, and bytes past 32 bits', () => {
    expect(() => mbUint32Bytes(2 ** 32)).toThrow(WbxmlEncodeError);
    expect(() => mbUint32Bytes(-1)).toThrow(WbxmlEncodeError);
    expect(() => readMbUint32(fromHex('9080808000'), 0)).toThrow(CodecError);
  });
});

describe('code page tables and public identifiers', () => {
  it('every declared language compiles (no global token used as a page token, no duplicates)', () => {
    for (const d of LANGUAGE_DECLS) expect(() => compileLanguage(d)).not.toThrow();
  });
  it('a table that uses a global token is refused', () => {
    expect(() => compileLanguage({ id: 'bad', title: 'bad', pages: [{ page: 0, attrValues: [[0x83, 'x']] }] })).toThrow(/ATTRVALUE/);
    expect(() => compileLanguage({ id: 'bad', title: 'bad', pages: [{ page: 0, tags: [[0x04, 'x']] }] })).toThrow(/0x05-0x3F/);
  });
  it('maps well-known ids, FPIs and short names', () => {
    expect(languageForPublicId(0x0b)).toBe(PROV10);
    expect(languageForPublicId('-//WAPFORUM//DTD PROV 1.0//EN')).toBe(PROV10);
    expect(languageForPublicId(0x1201)).toBe(SYNCML12);
    expect(languageForPublicId('-//SYNCML//DTD SyncML 1.1//EN')).toBe(SYNCML11);
    expect(languageForPublicId(0x0fd3)).toBe(SYNCML11);
    expect(languageForPublicId(0x1203)).toBe(DEVINF12);
    expect(findLanguage('prov10')).toBe(PROV10);
    expect(findLanguage('0x1201')).toBe(SYNCML12);
    expect(findLanguage('11')).toBe(PROV10);
    expect(languageForPublicId(0x7777)).toBeUndefined();
  });
  it('a string public id is read from the string table (publicid = 0 index)', () => {
    const bytes = xmlToWbxml('<!DOCTYPE wap-provisioningdoc PUBLIC "-//WAPFORUM//DTD PROV 1.0//EN" ""><wap-provisioningdoc/>', {
      publicId: '-//WAPFORUM//DTD PROV 1.0//EN',
    });
    expect(toHex(bytes.subarray(0, 4))).toBe('0300006A');
    const d = decodeWbxml(bytes);
    expect(d.publicId).toBe('-//WAPFORUM//DTD PROV 1.0//EN');
    expect(d.language).toBe(PROV10);
  });
});

describe('encoder', () => {
  it('PROV: tokens for type=, name=, prefixed starts and values; page 1 for OMA additions', () => {
    const root = el('wap-provisioningdoc', { version: '1.0' }, [
      el('characteristic', { type: 'APPLICATION' }, [el('parm', { name: 'AAUTHLEVEL', value: 'APPSRV' })]),
    ]);
    // C5 46 01: wap-provisioningdoc version="1.0"; C6 00 01 55 01: characteristic, page 1, type=APPLICATION;
    // 87 30 06 8D 01: parm name=AAUTHLEVEL value= APPSRV (page 1); 01 01: ENDs
    expect(toHex(encodeWbxml(root), ' ')).toBe('03 0B 6A 00 C5 46 01 C6 00 01 55 01 87 30 06 8D 01 01 01');
  });

  it('puts repeated strings in the string table and references them with STR_T', () => {
    const root = el('wap-provisioningdoc', {}, [el('parm', { name: 'NAPID', value: 'NAP_1' }), el('parm', { name: 'TO-NAPID', value: 'NAP_1' })]);
    const b = encodeWbxml(root);
    expect(toHex(b.subarray(0, 10), ' ')).toBe('03 0B 6A 06 4E 41 50 5F 31 00');
    expect(toHex(b.subarray(10), ' ')).toBe('45 87 11 06 83 00 01 87 22 06 83 00 01 01');
    expect(toHex(encodeWbxml(root, { stringTable: 'none' }).subarray(0, 4))).toBe('030B6A00');
  });

  it('unknown elements and attributes are LITERALs named in the string table', () => {
    const root = el('wap-provisioningdoc', {}, [el('vendor-x', { foo: 'bar' })]);
    const b = encodeWbxml(root);
    const d = decodeWbxml(b);
    expect(d.root).toEqual(root);
    expect(toHex(b)).toContain('84'); // LITERAL_A
  });

  it('SyncML: xmlns="syncml:metinf" selects page 1; the decoder restores the xmlns', () => {
    const xml = '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Item><Meta><Format xmlns="syncml:metinf">chr</Format></Meta></Item></SyncBody></SyncML>';
    const b = xmlToWbxml(xml);
    expect(toHex(b, ' ')).toBe('03 A4 01 6A 00 6D 6B 54 5A 00 01 47 03 63 68 72 00 01 01 01 01 01');
    expect(canonicalTree(decodeWbxml(b).root)).toEqual(canonicalTree(parseXml(xml).root));
  });

  it('ISO-8859-1 and US-ASCII: characters beyond the charset become ENTITY; NUL always does', () => {
    const root = el('wap-provisioningdoc', {}, ['é€\u0000']);
    // ENTITY 8364 (U+20AC = 0b1000001_0101100 -> C1 2C), ENTITY 0
    expect(toHex(encodeWbxml(root, { charset: 4, stringTable: 'none' }), ' ')).toBe('03 0B 04 00 45 03 E9 00 02 C1 2C 02 00 01');
    expect(decodeWbxml(fromHex('03 0B 04 00 45 03 E9 00 02 C1 2C 02 00 01')).root).toEqual(root);
    const back = decodeWbxml(encodeWbxml(root, { charset: 3 }));
    expect(back.root).toEqual(root);
  });

  it('OPAQUE round-trips, and appears in XML as CDATA', () => {
    const root = el('SyncML', { xmlns: 'SYNCML:SYNCML1.2' }, [el('Data', {}, [opaque(Uint8Array.of(0, 1, 0xff))])]);
    const b = encodeWbxml(root);
    expect(decodeWbxml(b).root).toEqual(root);
    expect(wbxmlToXml(b)).toContain('<Data><![CDATA[AAH/]]></Data>');
  });

  it('refuses what it cannot write', () => {
    expect(() => encodeWbxml(el('a'), { charset: 1015 })).toThrow(WbxmlEncodeError);
    expect(() => encodeWbxml(el('a'), { version: 7 })).toThrow(WbxmlEncodeError);
    expect(() => encodeWbxml(el('é'), { charset: 3 })).toThrow(WbxmlEncodeError);
  });
});

describe('XML text', () => {
  it('parses entities, character references, CDATA (as OPAQUE), drops comments, reads the DOCTYPE', () => {
    const p = parseXml(
      `<?xml version="1.0"?>\n<!DOCTYPE SyncML PUBLIC '-//SYNCML//DTD SyncML 1.2//EN' 'sys'>\n<!-- c -->` +
        `<SyncML a="x &amp; &#x41;&#160;"> t &lt; &#65; <!-- c --><Data><![CDATA[<raw>]]></Data></SyncML>`,
    );
    expect(p.publicId).toBe('-//SYNCML//DTD SyncML 1.2//EN');
    expect(p.systemId).toBe('sys');
    expect(p.root.attrs).toEqual({ a: 'x & A\u00A0' });
    expect(p.root.children[0]).toEqual(text('t < A'));
    expect(p.root.children[1]).toEqual(el('Data', {}, [opaque(new TextEncoder().encode('<raw>'))]));
  });

  it('malformed XML is a WbxmlEncodeError naming line and column', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/line 1/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(WbxmlEncodeError);
  });

  it('XML nested deeper than the WBXML limit is a WbxmlEncodeError', () => {
    const d = 100_000;
    expect(() => parseXml('<a>'.repeat(d) + '</a>'.repeat(d))).toThrow(WbxmlEncodeError);
    expect(parseXml('<a>'.repeat(200) + '</a>'.repeat(200)).root.name).toBe('a');
  });

  it('serialises with escapes and survives a parse round trip', () => {
    const root = el('wap-provisioningdoc', { version: '1.0' }, [
      el('parm', { name: 'a"<&>\n', value: '' }),
      el('characteristic', {}, ['x < y & z', el('parm')]),
    ]);
    const xml = serializeXml(root, { language: PROV10, indent: 0 });
    expect(xml).toContain('<!DOCTYPE wap-provisioningdoc PUBLIC "-//WAPFORUM//DTD PROV 1.0//EN" "http://www.wapforum.org/DTD/prov.dtd">');
    expect(xml).toContain('name="a&quot;&lt;&amp;&gt;&#10;"');
    expect(parseXml(xml, { whitespace: 'keep' }).root).toEqual(root);
  });
});
