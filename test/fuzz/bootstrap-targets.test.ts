/**
 * Property: a random profile (1-6 files, 1-3 authorities, contents up to and past the limits)
 * written by the writer to the virtual UICC is read by each device target model through the
 * APDU layer, and each target does what the devices' rules say (test/helpers/random-profiles.ts):
 * nrf91 loads the first LwM2M file iff it fits 256 bytes, omapi loads iff the searchOID layout
 * is on, opensc and strict load every file, each with the fields of the profile.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import { compileProfile } from '../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../src/bootstrap/profile/load.js';
import { judge, runTargets } from '../../src/bootstrap/targets/index.js';
import { writePlan } from '../../src/bootstrap/writer.js';
import { defaultImage, pinHex } from '../../src/sim/default-image.js';
import { InProcessTransport } from '../../src/sim/inproc.js';
import { VirtualUicc } from '../../src/sim/uicc.js';
import { SecretStore } from '../../src/util/secrets.js';
import { FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';
import { expectedOutcome, randomProfile, writeProfile } from '../helpers/random-profiles.js';

const RUNS = Math.min(FUZZ_RUNS_SLOW, Number(process.env.SIMDM_TARGET_RUNS ?? 25));
const secrets = new SecretStore({ SIMDM_ADM1: '11111111', SIMDM_ADM2: '22222222', SIMDM_ADM3: '33333333' } as unknown as NodeJS.ProcessEnv);

async function card() {
  const img = defaultImage();
  img.pins.find((p) => p.name === 'ADM1')!.value = pinHex('11111111');
  img.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('22222222'), retries: 10, maxRetries: 10, enabled: true });
  img.pins.push({ name: 'ADM3', ref: 0x0c, value: pinHex('33333333'), retries: 10, maxRetries: 10, enabled: true });
  const t = new InProcessTransport(new VirtualUicc(img), 'property');
  await t.connect();
  return new CardLink(t);
}

describe('device targets on random profiles', () => {
  it('each target loads exactly what the devices rules say', async () => {
    await fc.assert(
      fc.asyncProperty(randomProfile, async (rp) => {
        const plan = compileProfile(loadProfile(writeProfile(rp), {}));
        const link = await card();
        await writePlan(link, plan, { secrets, backupDir: false });
        const first = plan.files.find((f) => f.kind === 'lwm2m');
        for (const r of await runTargets(link)) {
          const v = judge(plan, r);
          const want = expectedOutcome(r.target, rp, first?.bytes.length);
          expect(v.applies, `${r.target} applies\n${rp.yaml}`).toBe(want !== undefined);
          if (want !== undefined) expect(v.loads, `${r.target}: ${r.reasons.join('; ')}\n${rp.yaml}`).toBe(want);
        }
      }),
      { numRuns: RUNS },
    );
  }, 240_000);
});
