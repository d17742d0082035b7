/**
 * Cards pulled at random APDUs (vpcd card host pull plans, the APDU executed or not) while a
 * batch runs on 8 readers through pcscd; the operator puts each pulled card back. The run must
 * release or hold the row of a pulled card, finish every card, and journal and cards must agree:
 * no row on two cards, none lost.
 */
import { describe, expect, it } from 'vitest';
import { TransportKey } from '../../src/perso/keystore.js';
import { runBatch } from '../../src/perso/run.js';
import { VPCD_BASE_PORT } from '../../src/sim/vpcd.js';
import { E2E, useCardRig, vpcdReaderName } from '../helpers/vcards.js';
import { agreement, checkCards, Feeder, journalRows, KEY_HEX, makeBatch, prng } from '../fixtures/perso/harness.js';

const PORTS = Array.from({ length: 8 }, (_, i) => VPCD_BASE_PORT + i);
const SEED = Number(process.env.PERSO_SEED ?? 8);

// Seed 8 runs in the default suite (about 10 s); scripts/pull-campaign.sh runs many seeds (PERSO_SEEDS).
// It found two defects of stop 10: a connect racing the disconnect of a pulled card's handle in the
// pcsclite binding (the reader then refused every connect: a blank card never written), and the
// held-card check reading rows only from memory (a streamed data file: a card pulled in its ICCID
// commit and put back was never finished).
describe.skipIf(!E2E)('perso: cards pulled mid-write', () => {
  // the feeder plugs the cards
  const rig = useCardRig([]);

  it(`releases or holds the row of a pulled card and finishes the batch (seed ${SEED})`, async () => {
    const rnd = prng(SEED);
    const b = makeBatch(40, `pull${SEED}`);
    // about half the cards are pulled once, at an APDU 0..29 (a card takes 25), executed or not
    const feeder = new Feeder(rig.host, PORTS, b.journalPath, 40, () => (rnd() < 0.5 ? { at: Math.floor(rnd() * 30), apply: rnd() < 0.5 } : undefined));
    await feeder.start();
    let pulledEvents = 0;
    const sum = await runBatch({
      batchFile: b.batchFile,
      key: new TransportKey(Buffer.from(KEY_HEX, 'hex')),
      readers: PORTS.map(vpcdReaderName).join(','),
      context: rig.ctx,
      signal: AbortSignal.timeout(60_000),
      onEvent: (e) => {
        if (e.type === 'pulled') pulledEvents++;
      },
    });
    const left = await feeder.stop();
    expect(feeder.errors).toEqual([]);
    const rows = journalRows(b.journalPath);
    const c = checkCards([...feeder.finished, ...left], b.rows);
    expect(agreement(rows, c)).toEqual([]);
    expect(pulledEvents).toBeGreaterThan(3);
    const held = rows.filter((r) => r.state === 'held').length;
    // every pulled card is put back: a held row is continued on its card, so none stays held
    expect(held).toBe(0);
    expect(sum.verified).toBe(40);
    // every card fed is accounted for: written with a verified row, or still blank
    expect(c.verifiedCards + c.blankCards).toBe(feeder.cardsFed);
    console.log(`perso pull e2e (seed ${SEED}): ${pulledEvents} pulls, ${sum.verified} verified, ${feeder.pulls} cards put back`);
  }, 90_000);
});
