/**
 * SIGKILL at random points of `simdm perso run` (a child process), then `simdm perso resume`:
 * journal and cards agree, no row on two cards, none lost. The long campaign (>= 20 kills) is
 * scripts/crash-campaign.sh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VPCD_BASE_PORT } from '../../src/sim/vpcd.js';
import { CardHostClient, E2E } from '../helpers/vcards.js';
import { crashCampaign } from '../fixtures/perso/crash.js';

const PORTS = Array.from({ length: 4 }, (_, i) => VPCD_BASE_PORT + i);

describe.skipIf(!E2E)('perso: killed with SIGKILL, then resumed', () => {
  let host: CardHostClient;
  beforeAll(async () => {
    host = await CardHostClient.start();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('3 kills at random journal points: every card verified once, journal and cards agree', async () => {
    const seed = Number(process.env.PERSO_SEED ?? 3);
    const r = await crashCampaign(host, { seed, kills: 3, cards: 24, ports: PORTS });
    expect(r.problems).toEqual([]);
    expect(r.kills).toBeGreaterThanOrEqual(2);
    expect(r.verified + r.held).toBe(24);
    console.log(
      `perso crash e2e (seed ${seed}): ${r.kills} SIGKILLs at journal events ${r.killedAtEvents.join(', ')}; ${r.verified} verified, ${r.held} held; ${r.secondsTotal.toFixed(1)} s`,
    );
  }, 240_000);
});
