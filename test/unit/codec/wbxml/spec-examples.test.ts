/**
 * WAP-192-WBXML-20010725-a section 8: the specification's two encoding examples, byte for byte,
 * with the token tables the examples define (8.1: tags BR=5 CARD=6 XYZ=7; 8.2: tags CARD=5
 * INPUT=6 XYZ=7 DO=8, attribute starts STYLE="LIST"=5 TYPE=6 TYPE="TEXT"=7 URL="http://"=8
 * NAME=9 KEY=0A, attribute values ".org"=85 "ACCEPT"=86).
 */
import { describe, expect, it } from 'vitest';
import { decodeWbxml, el, encodeWbxml, text, type LanguageDecl } from '../../../../src/codec/wbxml/index.js';
import { fromHex } from '../../../../src/util/hex.js';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');

const EX1: LanguageDecl = {
  id: 'wap192-8.1',
  title: 'WAP-192 section 8.1 example',
  pages: [
    {
      page: 0,
      tags: [
        [0x05, 'BR'],
        [0x06, 'CARD'],
        [0x07, 'XYZ'],
      ],
    },
  ],
};

const EX2: LanguageDecl = {
  id: 'wap192-8.2',
  title: 'WAP-192 section 8.2 example',
  tokeniseValueSubstrings: true,
  pages: [
    {
      page: 0,
      tags: [
        [0x05, 'CARD'],
        [0x06, 'INPUT'],
        [0x07, 'XYZ'],
        [0x08, 'DO'],
      ],
      attrStarts: [
        [0x05, 'STYLE', 'LIST'],
        [0x06, 'TYPE'],
        [0x07, 'TYPE', 'TEXT'],
        [0x08, 'URL', 'http://'],
        [0x09, 'NAME'],
        [0x0a, 'KEY'],
      ],
      attrValues: [
        [0x85, '.org'],
        [0x86, 'ACCEPT'],
      ],
    },
  ],
};

// section 8.1, "the tokenised form": version 1.1, unknown public id, US-ASCII, empty string table
const EX1_BYTES = fromHex(
  `01 01 03 00 47 46 03 ${ascii(' X & Y')} 00 05 03 ${ascii(' X')} 00 02 81 20 03 ${ascii('=')} 00 02 81 20 03 ${ascii('1 ')} 00 01 01`,
);
const EX1_TREE = el('XYZ', {}, [el('CARD', {}, [' X & Y', el('BR'), ' X\u00A0=\u00A01 '])]);

// section 8.2: UTF-8, string table "abc\0 Enter name: \0"
const EX2_BYTES = fromHex(
  `01 01 6A 12 ${ascii('abc')} 00 ${ascii(' Enter name: ')} 00 47 C5 09 83 00 05 01 88 06 86 08 03 ${ascii('xyz')} 00 85 03 ${ascii('/s')} 00 01 83 04 86 07 0A 03 ${ascii('N')} 00 01 01 01`,
);
const EX2_TREE = el('XYZ', {}, [
  el('CARD', { NAME: 'abc', STYLE: 'LIST' }, [
    el('DO', { TYPE: 'ACCEPT', URL: 'http://xyz.org/s' }),
    text(' Enter name: '),
    el('INPUT', { TYPE: 'TEXT', KEY: 'N' }),
  ]),
]);

describe('WAP-192 section 8 examples', () => {
  it('8.1 decodes to the example document (ENTITY nbsp, BR empty element)', () => {
    const d = decodeWbxml(EX1_BYTES, { language: EX1 });
    expect(d.version).toBe(0x01);
    expect(d.publicId).toBe(1);
    expect(d.charset).toBe(3);
    expect(d.root).toEqual(EX1_TREE);
  });

  it('8.1 encodes byte for byte (US-ASCII: U+00A0 goes as ENTITY)', () => {
    const b = encodeWbxml(EX1_TREE, { version: 0x01, publicId: 1, charset: 3, language: EX1, stringTable: 'none' });
    expect(Buffer.from(b).toString('hex')).toBe(Buffer.from(EX1_BYTES).toString('hex'));
  });

  it('8.2 decodes to the example document (attribute prefixes, value tokens, STR_T)', () => {
    const d = decodeWbxml(EX2_BYTES, { language: EX2 });
    expect(d.charset).toBe(106);
    expect(d.root).toEqual(EX2_TREE);
  });

  it('8.2 encodes byte for byte with the example string table', () => {
    const b = encodeWbxml(EX2_TREE, { version: 0x01, publicId: 1, language: EX2, stringTable: ['abc', ' Enter name: '] });
    expect(Buffer.from(b).toString('hex')).toBe(Buffer.from(EX2_BYTES).toString('hex'));
  });
});
