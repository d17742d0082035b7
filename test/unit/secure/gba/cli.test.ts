/** `simdm gba` in-process: keys from SIMDM_CK/SIMDM_IK (or SIMDM_KS), expected values from OpenSSL. */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import gbaCmd from '../../../../src/cli/commands/gba.js';

afterEach(() => vi.unstubAllEnvs());

async function simdm(args: string[], env: Record<string, string>): Promise<string> {
  for (const k of ['SIMDM_CK', 'SIMDM_IK', 'SIMDM_KS']) vi.stubEnv(k, ''); // an empty value counts as unset
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  try {
    await yargs(args)
      .option('json', { type: 'boolean', global: true })
      .option('keys', { type: 'string', global: true })
      .command(gbaCmd)
      .strict()
      .fail((m, e) => {
        throw e ?? new Error(m);
      })
      .parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out;
}

const ck = 'b40ba9a3c58b2a05bbf0d987b21bf8cb';
const ik = 'f769bcd751044604127672711c6d3441';
const rand = '23553cbe9637a89d218ae64dae47bf35';
const hx = (s: string) => Buffer.from(s).toString('hex');
const l2 = (n: number) => n.toString(16).padStart(4, '0');

describe('simdm gba ks-naf', () => {
  it('Ks_ext_NAF and B-TID; SIMDM_KS and SIMDM_CK/IK agree', async () => {
    const impi = 'user@ims.example.org';
    const fqdn = 'naf.example.org';
    const s = '01' + hx('gba-me') + '0006' + rand + '0010' + hx(impi) + l2(impi.length) + hx(fqdn) + '0100000002' + l2(fqdn.length + 5);
    const expected = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${ck}${ik}`, '-binary'], {
      input: Buffer.from(s, 'hex'),
    }).toString('hex');
    const args = ['gba', 'ks-naf', '--json', '--naf-id', fqdn, '--impi', impi, '--rand', rand, '--bsf', 'bsf.example.org'];
    const a = JSON.parse(await simdm(args, { SIMDM_CK: ck, SIMDM_IK: ik }));
    expect(a.ks_ext_naf).toBe(expected);
    expect(a.b_tid).toBe(Buffer.from(rand, 'hex').toString('base64') + '@bsf.example.org');
    vi.unstubAllEnvs();
    const b = JSON.parse(await simdm(args, { SIMDM_KS: ck + ik }));
    expect(b.ks_ext_naf).toBe(expected);
  });
  it('needs the keys from the environment, not arguments', async () => {
    await expect(simdm(['gba', 'ks-naf', '--naf-id', 'n', '--impi', 'i', '--rand', rand], {})).rejects.toThrow(/SIMDM_CK/);
  });
});
