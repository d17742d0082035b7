/**
 * The everyday scripts in apdu-scripts/, each run against the virtual UICC, with the expected
 * values taken from the card's image (default-image.ts) and the specs they cite, not from the
 * code that runs them. One runs through the `simdm script run` command as a user would.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../../src/script/parse.js';
import { runScript, type RunReport } from '../../../src/script/run.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import type { CardImage } from '../../../src/sim/image.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { ROOT, runSimdm } from '../../helpers/cli.js';

const script = (name: string) => parseScript(readFileSync(join(ROOT, 'apdu-scripts', name), 'utf8'));
// the well-known GlobalPlatform test key (GPC 2.3 development cards), the virtual ISD's default
const GP_TEST_KEY = '404142434445464748494A4B4C4D4E4F';
const KIC = '000102030405060708090A0B0C0D0E0F';
const KID = '101112131415161718191A1B1C1D1E1F';

async function run(
  name: string,
  env: Record<string, string>,
  opts: { image?: CardImage; vars?: Record<string, string> } = {},
): Promise<{ report: RunReport; log: string[]; card: VirtualUicc }> {
  const card = new VirtualUicc(opts.image ?? defaultImage());
  const t = new InProcessTransport(card);
  await t.connect();
  const log: string[] = [];
  const report = await runScript(
    script(name),
    t,
    { secrets: new SecretStore(env), log: (l) => log.push(l), ...(opts.vars ? { vars: opts.vars } : {}) },
    async () => new Uint8Array(0),
  );
  return { report, log, card };
}

/** EF.SPN's bytes in the card's image */
function spnOf(card: VirtualUicc): string {
  const usim = card.toImage().mf.children!.find((f) => f.name === 'ADF.USIM')!;
  return usim.children!.find((f) => f.fid === '6F46')!.content!.toUpperCase();
}

describe('apdu-scripts/', () => {
  it('read-identity.apdu: ICCID, IMSI after PIN1, SPN', async () => {
    const { report } = await run('read-identity.apdu', { SIMDM_PIN1: '1234' });
    expect(report.failed).toBe(0);
    const data = report.steps.map((s) => s.data).filter(Boolean);
    // EF.ICCID 8944100000000000015 swapped, EF.IMSI 001010123456789, EF.SPN "simdm"
    expect(data).toEqual(['984401000000000010F5', '080910101032547698', '0173696D646DFFFFFFFFFFFFFFFFFFFFFF']);
    expect(JSON.stringify(report)).not.toContain('31323334');
  });

  it('read-identity.apdu through `simdm script run` (PIN1 from the environment, never printed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdm-apdu-scripts-'));
    const image = join(dir, 'card.json');
    writeFileSync(image, JSON.stringify(defaultImage()));
    const r = await runSimdm(['script', 'run', 'apdu-scripts/read-identity.apdu', '--reader', `sim:${image}`], { env: { SIMDM_PIN1: '1234' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('080910101032547698 9000');
    expect(r.stdout + r.stderr).not.toMatch(/31323334|1234FFFF/i);
  });

  it('read-identity.apdu without SIMDM_PIN1 says which secret is missing', async () => {
    await expect(run('read-identity.apdu', {})).rejects.toThrow(/PIN1 not set/);
  });

  it('change-spn.apdu: writes "Example Mobile" with ADM1 from the environment', async () => {
    const { report, card } = await run('change-spn.apdu', { SIMDM_ADM1: '88888888' });
    expect(report.failed).toBe(0);
    expect(spnOf(card)).toBe('01' + Buffer.from('Example Mobile').toString('hex').toUpperCase() + 'FFFF');
  });

  it('change-spn.apdu: a wrong ADM1 is presented once, the SPN stays', async () => {
    const { report, card } = await run('change-spn.apdu', { SIMDM_ADM1: '11111111' });
    expect(report.failed).toBe(1);
    expect(report.steps[0]!.message).toMatch(/2 tries left|63C2|verification failed/i);
    expect(spnOf(card)).toBe('0173696D646DFFFFFFFFFFFFFFFFFFFFFF');
  });

  it('pin-counters.apdu: 3 tries for PIN1, PIN2, ADM1 and 10 for PUK1 (the default card), nothing presented', async () => {
    const { report, card } = await run('pin-counters.apdu', {});
    expect(report.failed).toBe(0);
    expect(report.steps.map((s) => s.sw)).toEqual(['63C3', '63CA', '63C3', '63C3']);
    // asking is free: the counters are unchanged afterwards
    expect((await run('pin-counters.apdu', {}, { image: card.toImage() })).report.steps.map((s) => s.sw)).toEqual(['63C3', '63CA', '63C3', '63C3']);
  });

  it('gp-card-status.apdu: GET STATUS over SCP03 with the key from the environment', async () => {
    const { report, log } = await run('gp-card-status.apdu', { SIMDM_KEY: GP_TEST_KEY });
    expect(report.failed).toBe(0);
    expect(log.join('\n')).toContain('GP secure channel open');
    // ISD entry (GPC 2.3 11.4.3.2): E3 { 4F the ISD AID A000000151000000, 9F70 its life cycle }
    expect(report.steps[0]!.data).toMatch(/^E3..4F08A0000001510000009F7001/);
    expect(report.steps[1]!.data).toContain('A0000000871002FF33FF018900000100');
  });

  it('gp-card-status.apdu: a wrong key opens no channel; GET STATUS without one is refused', async () => {
    await expect(run('gp-card-status.apdu', { SIMDM_KEY: '00'.repeat(16) })).rejects.toThrow(/cryptogram/i);
    const card = new VirtualUicc(defaultImage());
    const t = new InProcessTransport(card);
    await t.connect();
    const plain = await runScript(parseScript('00A4040C08A000000151000000\n80F28002024F00\n'), t, { secrets: new SecretStore({}) });
    expect(plain.steps[1]!.sw).toBe('6982');
  });

  it('ota-rfm-spn.apdu: one secured packet updates EF.SPN; the same counter again is refused', async () => {
    const image = defaultImage();
    image.applets = { ...image.applets, ota: { keySets: [{ index: 1, kic: KIC, kid: KID }] } };
    const env = { SIMDM_KIC: KIC, SIMDM_KID: KID };
    const { report, log, card } = await run('ota-rfm-spn.apdu', env, { image, vars: { CNTR: '1' } });
    expect(report.failed, log.join('\n')).toBe(0);
    expect(spnOf(card)).toBe('01' + Buffer.from('OTA Mobile').toString('hex').toUpperCase() + 'FF'.repeat(6));
    // TS 102 225 5.1.1: counter must be higher than the last one accepted
    await expect(run('ota-rfm-spn.apdu', env, { image: card.toImage(), vars: { CNTR: '1' } })).rejects.toThrow(/CNTR low/);
    await expect(run('ota-rfm-spn.apdu', {}, { image, vars: { CNTR: '1' } })).rejects.toThrow(/KIC/);
  });
});
