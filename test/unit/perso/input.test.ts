import { describe, expect, it } from 'vitest';
import { parseCsv, iterateCsv } from '../../../src/perso/csv.js';
import { decryptData, encryptData, loadData, luhnDigit, openRowSecrets } from '../../../src/perso/data.js';
import { PersoError, PersoInputError } from '../../../src/perso/errors.js';
import { TransportKey } from '../../../src/perso/keystore.js';

const KEY = new TransportKey(Buffer.alloc(32, 1));
const OTHER = new TransportKey(Buffer.alloc(32, 2));
const HEAD = 'ICCID,IMSI,KI,OPC,ADM1,PIN1,PUK1,SPN';
// ICCIDs with Luhn digits worked out by hand (ITU-T E.118 / ISO 7812-1)
const ICCID1 = '8988211000000000011';
const ICCID2 = '8988211000000000029';
const K = '000102030405060708090A0B0C0D0E0F';
const row = (iccid: string, imsi: string, extra = ''): string => `${iccid},${imsi},${K},${K},88888888,1234,12345678,Test${extra}`;

describe('RFC 4180 CSV', () => {
  it('reads quoted fields, doubled quotes, CRLF and embedded newlines', () => {
    const r = parseCsv('a,b,c\r\n"x,1","say ""hi""","two\nlines"\r\n\r\nlast,,\n');
    expect(r.map((x) => x.fields)).toEqual([
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'two\nlines'],
      ['last', '', ''],
    ]);
    expect(r[2]!.line).toBe(5);
  });
  it('names the row (line) and column of a malformed record and goes on', () => {
    const out = [...iterateCsv('a,b\n1,x"y\n2,"open\n')];
    expect(out[0]).toEqual({ record: 1, line: 1, fields: ['a', 'b'] });
    const e = out[1] as PersoInputError;
    expect(e).toBeInstanceOf(PersoInputError);
    expect([e.row, e.column]).toEqual([2, '2']);
    const u = out[2] as PersoInputError;
    expect(u.message).toMatch(/row 3, column 2: unterminated quoted field/);
  });
  it('rejects text after a closing quote', () => {
    expect(() => parseCsv('"a"b,c\n')).toThrow(/row 1, column 1: unexpected character after closing quote/);
  });
});

describe('batch data and key store', () => {
  it('Luhn digit', () => {
    expect(luhnDigit('898821100000000001')).toBe(1);
    expect(luhnDigit('7992739871')).toBe(3); // the textbook example
  });

  it('keeps good rows, reports bad ones with row and column, refuses duplicate ICCIDs', () => {
    const csv = [
      HEAD,
      row(ICCID1, '001010000000001'),
      row('8988211000000000012', '001010000000002'), // wrong Luhn digit
      `${ICCID2},00101X,${K},${K},88888888,1234,12345678,x`, // bad IMSI
      row(ICCID2, '001010000000004'),
      row('8988211000000000037', '001010000000005'),
      row('8988211000000000037', '001010000000006'), // duplicate ICCID
      `${ICCID2},1`, // too few fields
    ].join('\n');
    const enc = encryptData(csv, KEY);
    expect(enc.rows).toBe(2);
    const msgs = enc.errors.map((e) => e.message);
    expect(msgs).toEqual([
      'row 3, column ICCID: ICCID check digit (Luhn, E.118) is wrong',
      'row 4, column IMSI: IMSI must be 6 to 15 digits (TS 23.003 2.2)',
      'row 6, column ICCID: duplicate ICCID (also on row 7): refused',
      'row 7, column ICCID: duplicate ICCID (also on row 7): refused'.replace('row 7)', 'row 6)'),
      'row 8, column 3: expected 8 fields, found 2',
    ]);
    const d = loadData(enc.text, { key: KEY });
    expect(d.rows.map((r) => r.iccid)).toEqual([ICCID1, ICCID2]);
    expect(d.encrypted).toBe(true);
    // no secret in the stored text
    expect(enc.text).not.toContain(K);
    expect(enc.text).not.toContain('88888888');
    const s = openRowSecrets(KEY, d.rows[0]!);
    expect(s.get('KI')!.toString()).toBe(K);
    expect(s.get('ADM1')!.toString()).toBe('88888888');
  });

  it('detects a wrong transport key before any row (authenticated encryption)', () => {
    const enc = encryptData([HEAD, row(ICCID1, '001010000000001')].join('\n'), KEY);
    expect(() => loadData(enc.text, { key: OTHER })).toThrow(PersoError);
    expect(() => loadData(enc.text, { key: OTHER })).toThrow(/transport key does not open this key store/);
  });

  it('a cell moved to another row does not authenticate, and the error names row and column', () => {
    const enc = encryptData([HEAD, row(ICCID1, '001010000000001'), row(ICCID2, '001010000000002')].join('\n'), KEY);
    const lines = enc.text.trim().split('\n');
    const a = lines[2]!.split(',');
    const b = lines[3]!.split(',');
    [a[2], b[2]] = [b[2]!, a[2]!];
    lines[2] = a.join(',');
    lines[3] = b.join(',');
    const d = loadData(lines.join('\n'), { key: KEY });
    expect(() => openRowSecrets(KEY, d.rows[0]!)).toThrow('row 3, column KI: secret cell does not authenticate (wrong key, or the cell was altered or moved)');
    const back = decryptData(lines.join('\n'), KEY);
    expect(back.rows).toBe(0);
    expect(back.errors).toHaveLength(2);
  });

  it('refuses plaintext secrets in a run and round-trips import/export', () => {
    const plain = [HEAD, row(ICCID1, '001010000000001')].join('\n');
    const d = loadData(plain);
    expect(d.rows).toHaveLength(0);
    expect(d.errors[0]!.message).toBe('row 2, column KI: secret in plaintext: encrypt the file with `simdm perso import`');
    const back = decryptData(encryptData(plain, KEY).text, KEY);
    expect(back.text.trim()).toBe(plain);
  });
});

describe('secret columns', () => {
  it('keys, PINs, ADMs and SCP/ISD key roles are encrypted at rest; identifiers are not', async () => {
    const { isSecretColumn } = await import('../../../src/perso/keystore.js');
    for (const c of [
      'K',
      'OPc',
      'ADM1',
      'ADM3',
      'ADM10',
      'PIN1',
      'PUK2',
      'KIC1',
      'KID4',
      'KIK9',
      'ISD_ENC',
      'ISD_MAC',
      'ISD_DEK',
      'ISD_KEY',
      'LWM2M_PSK',
      'DM_SECRET',
      'DM_PASSWORD',
    ]) {
      expect(isSecretColumn(c), c).toBe(true);
    }
    for (const c of ['ICCID', 'IMSI', 'SPN', 'MSISDN', 'ISD_KVN']) expect(isSecretColumn(c), c).toBe(false);
  });
});
