/**
 * Device targets over the real PC/SC path (virtual UICC in a vpcd slot -> pcscd -> pcsclite):
 * a fixed sample of the property test's random profiles and the shipped LwM2M example, written by
 * the writer and read by every target's own APDU sequence (logical channels, SELECT by path
 * with 7FFF, READ BINARY Le=00 with the T=0 procedures done by the APDU layer), each with the
 * outcome the devices' rules give. Kept to a few cards: the property test covers the space on
 * the in-process card.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileProfile } from '../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../src/bootstrap/profile/load.js';
import { judge, runTargets } from '../../src/bootstrap/targets/index.js';
import { writePlan } from '../../src/bootstrap/writer.js';
import { defaultImage, pinHex } from '../../src/sim/default-image.js';
import { SecretStore } from '../../src/util/secrets.js';
import { expectedOutcome, randomProfile, writeProfile } from '../helpers/random-profiles.js';
import { connectedCard, E2E, useCardRig } from '../helpers/vcards.js';

const P = 35976;
const secrets = new SecretStore({
  SIMDM_ADM1: '11111111',
  SIMDM_ADM2: '22222222',
  SIMDM_ADM3: '33333333',
  SIMDM_LWM2M_PSK: '000102030405060708090A0B0C0D0E0F',
} as unknown as NodeJS.ProcessEnv);

function image() {
  const img = defaultImage();
  img.pins.find((p) => p.name === 'ADM1')!.value = pinHex('11111111');
  img.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('22222222'), retries: 10, maxRetries: 10, enabled: true });
  img.pins.push({ name: 'ADM3', ref: 0x0c, value: pinHex('33333333'), retries: 10, maxRetries: 10, enabled: true });
  return img;
}

describe.skipIf(!E2E)('device targets over pcscd', () => {
  const rig = useCardRig([P]);
  const connect = () => connectedCard(rig.ctx, P);
  const sample = fc.sample(randomProfile, { seed: 1111, numRuns: 3 });

  it('a sample of random profiles and lwm2m-iot.yaml: each target loads what the devices rules say', async () => {
    const cases = [...sample.map((rp) => ({ rp, file: writeProfile(rp) })), { rp: undefined, file: 'card-profiles/lwm2m-iot.yaml' }];
    for (const c of cases) {
      const plan = compileProfile(loadProfile(c.file, { vars: () => '89441000000000000156', secrets: (n) => secrets.get(n) }), {
        iccid: '89441000000000000156',
      });
      await rig.fresh(P, image());
      const { t, link } = await connect();
      await writePlan(link, plan, { secrets, backupDir: false });
      const first = plan.files.find((f) => f.kind === 'lwm2m');
      for (const r of await runTargets(link)) {
        const v = judge(plan, r);
        const want = c.rp ? expectedOutcome(r.target, c.rp, first?.bytes.length) : v.applies ? true : undefined;
        expect(v.applies, `${r.target} on ${c.file}`).toBe(want !== undefined);
        if (want !== undefined) expect(v.loads, `${r.target} on ${c.file}: ${r.reasons.join('; ')}`).toBe(want);
        // the models send their own commands through pcscd: a few dozen APDUs each
        expect(r.apdus).toBeGreaterThan(3);
      }
      await t.disconnect();
    }
  }, 120_000);
});
