/**
 * A sample of the fidelity table (test/unit/sim/fidelity-rows.ts, rows marked e2e) through the real
 * path: virtual UICC in vpcd slot 35975 -> pcscd -> pcsclite, raw C-APDUs with no GET RESPONSE
 * help, the card reset between rows. Also the per-APDU latency of the card host, seen from PC/SC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionUsimAuth } from '../../src/sim/applets/usim-auth.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { VirtualUicc } from '../../src/sim/uicc.js';
import type { PcscTransport } from '../../src/transport/pcsc.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { FIDELITY } from '../unit/sim/fidelity-rows.js';
import { CardHostClient, E2E, PcscContext, readerFor } from '../helpers/vcards.js';

const PORT = 35975;

describe.skipIf(!E2E)('fidelity table through pcscd + vpcd', () => {
  let host: CardHostClient;
  let ctx: PcscContext;
  let t: PcscTransport;
  beforeAll(async () => {
    const card = new VirtualUicc(defaultImage());
    provisionUsimAuth(card, { alg: 'milenage', k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' });
    host = await CardHostClient.start();
    await host.plug(PORT, card.toImage());
    ctx = new PcscContext();
    t = await readerFor(ctx, PORT, 10_000);
    await t.connect();
  });
  afterAll(async () => {
    await t?.close();
    ctx?.close();
    await host?.stop();
  });

  const rows = FIDELITY.filter((r) => r.e2e);
  it(`${rows.length} rows answer as in-process`, async () => {
    expect(rows.every((r) => !r.t1 && !r.dualMode)).toBe(true);
    for (const row of rows) {
      await t.reset();
      for (const [i, step] of row.steps.entries()) {
        const r = await t.transmit(fromHex(step.c.replace(/\s+/g, '')));
        const what = `${row.name}, step ${i + 1}: ${step.c}`;
        expect(toHex(r.subarray(r.length - 2)), what).toBe(step.sw);
        if (step.data !== undefined) expect(toHex(r.subarray(0, r.length - 2)), what).toBe(step.data);
      }
    }
  });

  it('per-APDU latency set on the card host shows in PC/SC round trips', async () => {
    const time = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) await t.transmit(fromHex('00A4000C023F00'));
      return (performance.now() - t0) / 5;
    };
    await host.latency(PORT, 30);
    const slow = await time();
    await host.latency(PORT, undefined);
    const fast = await time();
    expect(slow).toBeGreaterThanOrEqual(29);
    expect(fast).toBeLessThan(slow);
  });
});
