/**
 * `simdm aka` end to end in-process: vector/auts on published TS 35.208 data, and provision + run
 * against a virtual card image (sim:FILE), including the AUTS resynchronisation path.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import akaCmd from '../../../../src/cli/commands/aka.js';
import { registerReaderSchemes } from '../../../../src/cli/schemes.js';
import { defaultImage } from '../../../../src/sim/default-image.js';
import { saveImage } from '../../../../src/sim/image.js';
import { MILENAGE_SETS } from './milenage-vectors.js';

const set1 = MILENAGE_SETS[0]!;
const set19 = MILENAGE_SETS[18]!;
registerReaderSchemes(); // sim:FILE readers, as main.ts does

// main.ts registers the reader schemes (sim:, remote://) before any command runs; so does this test
registerReaderSchemes();

afterEach(() => {
  vi.unstubAllEnvs();
  process.exitCode = 0;
});

async function simdm(args: string[], env: Record<string, string>): Promise<string> {
  for (const k of ['SIMDM_K', 'SIMDM_OP', 'SIMDM_OPC', 'SIMDM_TOP', 'SIMDM_TOPC', 'SIMDM_PIN1']) vi.stubEnv(k, ''); // empty = unset
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await yargs(args)
      .option('reader', { type: 'string', global: true })
      .option('json', { type: 'boolean', global: true })
      .option('keys', { type: 'string', global: true })
      .command(akaCmd)
      .strict()
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('simdm aka', () => {
  it('vector --json on TS 35.208 set 1 (keys from SIMDM_K / SIMDM_OP)', async () => {
    const out = JSON.parse(
      await simdm(['aka', 'vector', '--json', '--rand', set1.rand, '--sqn', set1.sqn, '--amf', set1.amf], { SIMDM_K: set1.k, SIMDM_OP: set1.op }),
    );
    expect(out).toMatchObject({
      rand: set1.rand,
      xres: set1.f2,
      ck: set1.f3,
      ik: set1.f4,
      ak: set1.f5,
      mac_a: set1.f1,
      mac_s: set1.f1star,
      ak_star: set1.f5star,
    });
  });
  it('auts on the published set 19 AUTS', async () => {
    const out = JSON.parse(
      await simdm(['aka', 'auts', '--json', '--rand', set19.rand, '--auts', '4f2039392ddd4bb4316ed4a14688'], { SIMDM_K: set19.k, SIMDM_OPC: set19.opc }),
    );
    expect(out).toEqual({ sqn_ms: '000000000001', sqn_ms_decimal: 1, next_sqn: '000000000020', next_sqn_decimal: 32 });
  });
  it('refuses OP and OPc together, and never echoes the key', async () => {
    await expect(simdm(['aka', 'vector', '--sqn', '000000000001'], { SIMDM_K: set1.k, SIMDM_OP: set1.op, SIMDM_OPC: set1.opc })).rejects.toThrow(/exactly one/);
    await expect(simdm(['aka', 'vector', '--sqn', '000000000001'], { SIMDM_K: set1.k.slice(2), SIMDM_OPC: set1.opc })).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(set1.k.slice(2)) }),
    );
  });
  it('provision + run against a virtual card image, then resync on a stale SQN', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdm-aka-'));
    const image = join(dir, 'card.json');
    saveImage(image, defaultImage());
    const env = { SIMDM_K: set1.k, SIMDM_OPC: set1.opc, SIMDM_PIN1: '1234' };
    await simdm(['aka', 'provision', '--image', image], env);
    const stored = JSON.parse(readFileSync(image, 'utf8')).applets['usim-auth'];
    expect(stored).toMatchObject({ alg: 'milenage', opc: set1.opc.toUpperCase() });
    const first = JSON.parse(await simdm(['aka', 'run', '--json', '--reader', `sim:${image}`, '--sqn', '000000000040'], env));
    expect(first).toEqual({ result: 'ok', res_ok: true, ck_ik_ok: true, sqn: 64 });
    // the card image now holds SQN_MS = 64: the same SQN again forces AUTS and a resync
    const second = JSON.parse(await simdm(['aka', 'run', '--json', '--reader', `sim:${image}`, '--sqn', '000000000040'], env));
    expect(second).toEqual({ result: 'ok', res_ok: true, ck_ik_ok: true, sqn: 96, resynchronised_from_sqn_ms: 64 });
  });
  it('run: a card with another K reports MAC failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdm-aka-'));
    const image = join(dir, 'card.json');
    saveImage(image, defaultImage());
    await simdm(['aka', 'provision', '--image', image], { SIMDM_K: set1.k, SIMDM_OPC: set1.opc });
    await expect(
      simdm(['aka', 'run', '--reader', `sim:${image}`, '--sqn', '000000000040'], { SIMDM_K: set19.k, SIMDM_OPC: set1.opc, SIMDM_PIN1: '1234' }),
    ).rejects.toThrow(/MAC failure/);
  });
});
