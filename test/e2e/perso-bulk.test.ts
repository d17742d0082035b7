/**
 * Issue 8 acceptance: a batch of 200 blank cards written through real pcscd on 16 vpcd readers
 * in parallel, the test swapping in a new blank card whenever one is verified; every card then
 * checked against its row, byte for byte, with encodings computed by the test itself.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqliteJournal } from '../../src/perso/journal-sqlite.js';
import { auditCsv, buildReport, reportCsv } from '../../src/perso/report.js';
import { TransportKey } from '../../src/perso/keystore.js';
import { runBatch } from '../../src/perso/run.js';
import { VPCD_BASE_PORT } from '../../src/sim/vpcd.js';
import { E2E, useCardRig, vpcdReaderName } from '../helpers/vcards.js';
import { checkCards, Feeder, journalRows, KEY_HEX, makeBatch } from '../fixtures/perso/harness.js';

const PORTS = Array.from({ length: 16 }, (_, i) => VPCD_BASE_PORT + i);

describe.skipIf(!E2E)('perso: 200 cards on 16 readers through pcscd', () => {
  // the feeder plugs the cards
  const rig = useCardRig([]);

  it('writes and verifies every card, each against its own row', async () => {
    const b = makeBatch(200, 'bulk200');
    const feeder = new Feeder(rig.host, PORTS, b.journalPath, 200);
    await feeder.start();
    const verifiedPerReader = new Map<string, number>();
    const sum = await runBatch({
      batchFile: b.batchFile,
      key: new TransportKey(Buffer.from(KEY_HEX, 'hex')),
      readers: PORTS.map(vpcdReaderName).join(','),
      context: rig.ctx,
      signal: AbortSignal.timeout(240_000),
      onEvent: (e) => {
        if (e.type === 'verified') verifiedPerReader.set(e.reader, (verifiedPerReader.get(e.reader) ?? 0) + 1);
        if (process.env.PERSO_DEBUG) process.stderr.write(`${Date.now()} ${e.type} ${e.reader} ${e.rowNo ?? ''} ${e.detail ?? ''}\n`);
      },
    });
    const left = await feeder.stop();
    const cards = [...feeder.finished, ...left];
    expect(sum.verified).toBe(200);
    expect(sum.failed).toBe(0);
    expect(feeder.cardsFed).toBe(200);
    // every one of the 16 readers took part
    expect(verifiedPerReader.size).toBe(16);
    const rows = journalRows(b.journalPath);
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.state !== 'verified')).toEqual([]);
    const c = checkCards(cards, b.rows);
    expect(c.problems).toEqual([]);
    expect(c.verifiedCards).toBe(200);
    expect(c.blankCards).toBe(0);
    expect(new Set(c.iccids)).toEqual(new Set(b.rows.map((r) => r.ICCID)));
    // report and audit trail: every row verified, session ids and success flags, no secret anywhere
    const j = new SqliteJournal(b.journalPath);
    const rep = await buildReport(j, 'bulk200');
    expect(rep.counts.verified).toBe(200);
    const csv = reportCsv(rep);
    expect(csv.split('\r\n')[0]).toBe('row,iccid,imsi,state,mode,step,step_done,reader,attempts,reason,updated_at');
    const audit = auditCsv(await j.events());
    expect(audit).toContain(`,${sum.session},verified,1,`);
    await j.close();
    const journalBytes = readFileSync(b.journalPath).toString('latin1') + readFileSync(b.journalPath + '-wal', { flag: 'a+' }).toString('latin1');
    for (const r of b.rows.slice(0, 20)) {
      for (const secret of [r.KI, r.OPC]) {
        expect(journalBytes).not.toContain(secret);
        expect(audit + csv).not.toContain(secret);
      }
    }
    console.log(
      `perso e2e: 200 cards on 16 readers in ${(sum.elapsedMs / 1000).toFixed(1)} s, ${sum.cardsPerMinute.toFixed(0)} cards/min, ${(sum.apdusVerified / sum.verified).toFixed(1)} APDUs per card`,
    );
  }, 300_000);
});
