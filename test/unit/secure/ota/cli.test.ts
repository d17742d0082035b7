/** The gp / ota CLI commands end to end (from the sources, the built-in virtual card as reader `sim:`). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { simdmArgv } from '../../../helpers/cli.js';

function simdm(args: string[], env: Record<string, string>): { out: string; code: number; err: string } {
  try {
    const out = execFileSync(process.execPath, simdmArgv(args), {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { out, code: 0, err: '' };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { out: x.stdout, code: x.status, err: x.stderr };
  }
}

const GP_KEY = '404142434445464748494A4B4C4D4E4F';
const AES = { SIMDM_KIC: '200102030405060708090a0b0c0d0e0f', SIMDM_KID: '201102030405060708090a0b0c0d0e0f' };

describe('simdm gp / ota', { timeout: 60_000 }, () => {
  it('gp auth opens SCP03 with full security on the virtual card; wrong keys fail without echoing them', () => {
    const r = simdm(['gp', 'auth', '--reader', 'sim:', '--level', 'cmac+cdec+rmac+renc', '--json'], { SIMDM_KEY: GP_KEY });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ scp: 3, kvn: 0x30, level: 'C-MAC+C-DECRYPTION+R-MAC+R-ENCRYPTION' });
    const bad = simdm(['gp', 'auth', '--reader', 'sim:'], { SIMDM_KEY: '00112233445566778899AABBCCDDEEFF' });
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('card cryptogram');
    expect(bad.err).not.toContain('00112233445566778899');
  });
  it('gp list --scp 02 without --kvn on the default card: the SCP02 key set (KVN 20) is found; load files and modules listed', () => {
    const r = simdm(['gp', 'list', '--reader', 'sim:', '--scp', '02', '--json'], { SIMDM_KEY: GP_KEY });
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out) as { channel: { scp: number; kvn: number }; entries: { scope: string; aid: string; modules?: string[] }[] };
    expect(v.channel).toMatchObject({ scp: 2, kvn: 0x20 });
    expect(v.entries.find((e) => e.scope === 'isd')!.aid).toBe('A000000151000000');
    expect(v.entries.find((e) => e.scope === 'modules')).toMatchObject({ aid: 'A0000001515350', modules: ['A000000151535041'] });
  });
  it("ota wrap reproduces pySim's AES-128 packet; ota unwrap decodes pySim's PoR", () => {
    const w = simdm(['ota', 'wrap', '--spi', '0619', '--kic', '22', '--kid', '22', '--tar', 'B00011', '00a40004023f00'], AES);
    expect(w.out.trim()).toBe('00281506192222B00011E87CCEEBB2D93083011CE294F93FC4D8DE80DA1ABAE8C37CA3E72EC4432E5058');
    const u = simdm(
      [
        'ota',
        'unwrap',
        '--spi',
        '0619',
        '--kic',
        '22',
        '--kid',
        '22',
        '--json',
        '027100002412b00011ebc6b497e2cad7aedf36ace0e3a29b38853f0fe9ccde81913be5702b73abce1f',
      ],
      AES,
    );
    expect(JSON.parse(u.out)).toMatchObject({ status: 0, verified: true, executed: 1, responses: [{ sw: '6132' }] });
  });
  it('ota wrap without SIMDM_KID refuses to build a CC packet', () => {
    const r = simdm(['ota', 'wrap', '--spi', '0609', '--kic', '22', '--kid', '22', '00a40004023f00'], { SIMDM_KIC: AES.SIMDM_KIC, SIMDM_KID: '' });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/KID/);
  });
});
