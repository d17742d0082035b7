/**
 * The perso CLI without readers: generate, check, import with bad rows, wrong transport key,
 * report formats. Secrets only from the environment; never in any output.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simdmArgv } from '../../helpers/cli.js';

const KEY = 'A'.repeat(64);
const WRONG = 'B'.repeat(64);

function simdm(args: string[], key = KEY) {
  const r = spawnSync(process.execPath, simdmArgv(args), { encoding: 'utf8', env: { ...process.env, SIMDM_TRANSPORT_KEY: key }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('simdm perso (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perso-cli-'));
  const ks = join(dir, 'ks.csv');
  const batch = join(dir, 'b.yaml');

  it('generate writes an encrypted key store and a batch; check opens it; a wrong key is refused', () => {
    const g = simdm(['perso', 'generate', '--count', '5', '--out', ks, '--write-batch', batch]);
    expect(g.code, g.err).toBe(0);
    const text = readFileSync(ks, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^#simdm-keystore,v1,aes-256-gcm,/);
    expect(text).not.toMatch(/,88888888,/);
    const c = simdm(['perso', 'check', batch, '--json']);
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(c.out)).toMatchObject({ rows: 5, badRows: [] });
    const w = simdm(['perso', 'check', batch], WRONG);
    expect(w.code).toBe(1);
    expect(w.err).toBe('simdm: the transport key does not open this key store (wrong SIMDM_TRANSPORT_KEY, or the file was altered)\n');
  }, 90_000);

  it('check authenticates every secret cell: a flipped bit, cells swapped between rows, a non-base64 cell (issue 12 item 7)', () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'perso-cli-'));
    const ks2 = join(dir2, 'ks.csv');
    const batch2 = join(dir2, 'b.yaml');
    expect(simdm(['perso', 'generate', '--count', '5', '--out', ks2, '--write-batch', batch2]).code).toBe(0);
    const lines = readFileSync(ks2, 'utf8').split('\n');
    const header = lines[1]!.split(',');
    const ki = header.indexOf('KI');
    const opc = header.indexOf('OPC');
    const cells = (n: number) => lines[n]!.split(',');
    // row of line 3: one bit flipped in KI's ciphertext
    const r3 = cells(2);
    const raw = Buffer.from(r3[ki]!.slice(4), 'base64');
    raw[20]! ^= 0x01;
    r3[ki] = 'enc:' + raw.toString('base64');
    lines[2] = r3.join(',');
    // rows of lines 4 and 5: their OPc cells swapped
    const r4 = cells(3);
    const r5 = cells(4);
    [r4[opc], r5[opc]] = [r5[opc]!, r4[opc]!];
    lines[3] = r4.join(',');
    lines[4] = r5.join(',');
    // row of line 6: not base64
    const r6 = cells(5);
    r6[ki] = 'enc:%%%not-base64%%%';
    lines[5] = r6.join(',');
    writeFileSync(ks2, lines.join('\n'));
    const c = simdm(['perso', 'check', batch2, '--json']);
    expect(c.code).toBe(2);
    const j = JSON.parse(c.out) as { rows: number; badRows: string[] };
    expect(j.rows).toBe(1);
    expect(j.badRows).toEqual([
      'row 3, column KI: secret cell does not authenticate (wrong key, or the cell was altered or moved)',
      'row 4, column OPC: secret cell does not authenticate (wrong key, or the cell was altered or moved)',
      'row 5, column OPC: secret cell does not authenticate (wrong key, or the cell was altered or moved)',
      'row 6, column KI: secret cell does not authenticate (wrong key, or the cell was altered or moved)',
    ]);
  }, 90_000);

  it('import reports bad rows by row and column and keeps the rest; secrets never printed', () => {
    const plain = join(dir, 'plain.csv');
    writeFileSync(
      plain,
      'ICCID,IMSI,KI,ADM1\n8988211000000000011,001010000000001,000102030405060708090A0B0C0D0E0F,12345678\n8988211000000000011,001010000000002,000102030405060708090A0B0C0D0E0F,12345678\n8988211000000000029,00101,000102030405060708090A0B0C0D0E0F,12345678\n8988211000000000037,001010000000004,00,12345678\n8988211000000000045,001010000000005,000102030405060708090A0B0C0D0E0F,12345678\n',
    );
    const r = simdm(['perso', 'import', plain, '--out', join(dir, 'imp.csv')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      'simdm: row 2, column ICCID: duplicate ICCID (also on row 3): refused',
      'simdm: row 3, column ICCID: duplicate ICCID (also on row 2): refused',
      'simdm: row 4, column IMSI: IMSI must be 6 to 15 digits (TS 23.003 2.2)',
      'simdm: row 5, column KI: KI must be 16 or 32 bytes of hex',
    ]);
    expect(r.out).toMatch(/^1 rows encrypted/);
    expect(r.out + r.err).not.toContain('000102030405060708090A0B0C0D0E0F');
    expect(r.out + r.err).not.toContain('12345678');
  }, 60_000);

  it('report of an untouched batch; resume with a wrong key refused', () => {
    const t = simdm(['perso', 'report', batch]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/: 0 rows, 0 verified/);
    const e = simdm(['perso', 'resume', batch, '--readers', 'x'], WRONG);
    expect(e.code).toBe(1);
  }, 60_000);
});
