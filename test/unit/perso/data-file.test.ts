/**
 * Issue 12 item 8: the streamed data file (src/perso/data-file.ts) applies loadData's rules row by
 * row (bad rows with row and column, duplicates refused on both sides) and keeps only offsets: a
 * row is read back from the file when its card is written.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../../src/perso/data.js';
import { openDataFile } from '../../../src/perso/data-file.js';

const CSV = [
  'ICCID,IMSI,SPN',
  '8988211000000000011,001010000000001,"Op, ""one"""',
  '',
  '8988211000000000029,00101,x',
  '8988211000000000037,001010000000003,"multi',
  'line"',
  '8988211000000000045,001010000000004,a,b',
  '8988211000000000052,001010000000005,dup1',
  '8988211000000000052,001010000000006,dup2',
  '8988211000000000060,001010000000007,ok',
].join('\r\n');

describe('streamed data file', () => {
  it('finds the same rows and errors as loadData, and reads rows back by number', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'perso-df-')), 'd.csv');
    writeFileSync(f, '\ufeff' + CSV + '\r\n');
    const mem = loadData('\ufeff' + CSV + '\r\n', { plaintext: true });
    const d = openDataFile(f, { plaintext: true });
    try {
      expect(d.columns).toEqual(mem.columns);
      expect([...d.refs()]).toEqual(mem.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })));
      expect(d.errors.map((e) => e.message)).toEqual(mem.errors.map((e) => e.message));
      expect(d.count).toBe(3);
      expect(d.row(2)?.values.SPN).toBe('Op, "one"');
      expect(d.row(5)?.values.SPN).toBe('multi\r\nline');
      expect(d.row(10)?.values.SPN).toBe('ok');
      expect(d.row(9)).toBeUndefined(); // a duplicate
      expect(d.row(7)).toBeUndefined(); // a bad row
    } finally {
      d.close();
    }
  });

  it('refuses a record longer than 64 KiB with the line, not the content', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'perso-df-')), 'd.csv');
    writeFileSync(f, 'ICCID,IMSI\n"' + 'S3CRET'.repeat(20_000));
    expect(() => openDataFile(f)).toThrow(/line 2: a record longer than 65536 bytes/);
    try {
      openDataFile(f);
    } catch (e) {
      expect((e as Error).message).not.toContain('S3CRET');
    }
  });
});
