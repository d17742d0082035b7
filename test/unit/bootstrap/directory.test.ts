import { describe, expect, it } from 'vitest';
import { DataTypeType } from '../../../src/bootstrap/asn1/data-type.js';
import { OdfEntryType } from '../../../src/bootstrap/asn1/odf.js';
import { parseDirectory } from '../../../src/bootstrap/directory.js';
import { fromHex } from '../../../src/util/hex.js';

const odf = 'A706300404026430';

describe('directory files (EF.ODF, EF.DODF): padding, unknown and malformed entries', () => {
  it('FF and 00 padding end the file', () => {
    for (const pad of ['FF', '00']) {
      const r = parseDirectory(fromHex(odf + odf.replace('6430', '6431') + pad.repeat(20)), OdfEntryType, 'EF.ODF');
      expect(r.entries).toHaveLength(2);
      expect(r.issues).toEqual([]);
      expect(r.usedLength).toBe(16);
    }
  });

  it('data after padding is reported', () => {
    const r = parseDirectory(fromHex(odf + 'FFFF' + odf), OdfEntryType, 'EF.ODF');
    expect(r.entries).toHaveLength(1);
    expect(r.issues).toEqual(['EF.ODF: data after padding at offset 10 (ignored)']);
  });

  it('an entry of another type is skipped, the next one read', () => {
    const r = parseDirectory(fromHex('0403010203' + odf), OdfEntryType, 'EF.ODF');
    expect(r.entries).toHaveLength(1);
    expect(r.issues[0]).toMatch(/EF\.ODF entry 1 at offset 0: tag 04 is not a PKCS15Objects; skipped/);
  });

  it('a malformed entry with a sound header is skipped; a broken header ends reading', () => {
    // 30 06 { 30 00, 30 00, 02 00 }: typeAttributes missing
    const r = parseDirectory(
      fromHex('3006300030000500' + 'A11B3007' + '0C054C774D324D' + '3000' + 'A10E300C0604672B09013004' + '04026440'),
      DataTypeType,
      'EF.DODF 6430',
    );
    expect(r.entries).toHaveLength(1);
    expect(r.issues[0]).toMatch(/EF\.DODF 6430 entry 1/);
    const t = parseDirectory(fromHex(odf + '3080'), OdfEntryType, 'EF.ODF');
    expect(t.entries).toHaveLength(1);
    expect(t.issues[0]).toMatch(/rest of EF\.ODF is unreadable/);
  });
});
