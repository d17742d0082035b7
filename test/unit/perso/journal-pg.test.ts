/**
 * The PostgreSQL journal against a real server started by the test: several stations claiming
 * blank-card rows at once (FOR UPDATE SKIP LOCKED) never get the same row; a full run of two
 * stations sharing the journal writes every card once; a dead station's claims are recovered.
 * Skipped, loudly, when PostgreSQL is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFiles } from '../../../src/perso/batch.js';
import { encryptData, loadData } from '../../../src/perso/data.js';
import { generateCsv } from '../../../src/perso/generate.js';
import { EfJob } from '../../../src/perso/job.js';
import { PgJournal } from '../../../src/perso/journal-pg.js';
import { TransportKey } from '../../../src/perso/keystore.js';
import { PersoRunner } from '../../../src/perso/runner.js';
import { cardImage, efContent } from '../../fixtures/perso/images.js';
import { pgBin, type PgServer, startPg } from '../../fixtures/perso/pg.js';
import { FakeSlot } from './slots.js';

const HAVE_PG = pgBin() !== undefined;
if (!HAVE_PG) console.warn('\n*** PostgreSQL not installed (apt-get install postgresql): PERSO POSTGRESQL JOURNAL TESTS SKIPPED ***\n');

const KEY = new TransportKey(Buffer.alloc(32, 5));

describe.skipIf(!HAVE_PG)('PostgreSQL journal (real server)', () => {
  let pg: PgServer;
  let n = 0;
  beforeAll(async () => {
    pg = await startPg();
  }, 90_000);
  afterAll(() => pg?.stop());

  async function fresh(): Promise<string> {
    const admin = await PgJournal.open(pg.url);
    await admin.close();
    const db = `perso${++n}`;
    const { default: pgMod } = await import('pg');
    const c = new pgMod.Client({ connectionString: pg.url });
    await c.connect();
    await c.query(`CREATE DATABASE ${db}`);
    await c.end();
    return pg.url.replace(/\/postgres$/, `/${db}`);
  }

  it('16 claimers on each of 3 stations racing for 300 rows: every row claimed exactly once', async () => {
    const url = await fresh();
    const stations = await Promise.all([0, 1, 2].map(() => PgJournal.open(url)));
    const rows = Array.from({ length: 300 }, (_, i) => ({
      rowNo: i + 2,
      iccid: `89882110000000${String(i).padStart(5, '0')}`,
      imsi: `0010100000${String(i).padStart(5, '0')}`,
    }));
    await Promise.all(stations.map((j) => j.ensureRows(rows, 'race')));
    const sessions = await Promise.all(stations.map((j, i) => j.openSession(`station${i}`)));
    const got: number[] = [];
    await Promise.all(
      stations.flatMap((j, si) =>
        Array.from({ length: 16 }, async (_, r) => {
          for (;;) {
            const row = await j.claimNext(`st${si}-r${r}`, sessions[si]!);
            if (!row) return;
            got.push(row.rowNo);
          }
        }),
      ),
    );
    expect(got).toHaveLength(300);
    expect(new Set(got).size).toBe(300);
    const claimed = (await stations[0]!.events()).filter((e) => e.event === 'claimed');
    expect(claimed).toHaveLength(300);
    await Promise.all(stations.map((j) => j.close()));
  }, 60_000);

  it('two stations with 4 readers each run one batch: every card written once, verified', async () => {
    const url = await fresh();
    const data = loadData(encryptData(generateCsv({ count: 24, seed: 'pg' }), KEY).text, { key: KEY });
    const js = [await PgJournal.open(url), await PgJournal.open(url)];
    for (const j of js)
      await j.ensureRows(
        data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
        'pg',
      );
    const slots = js.map((_, s) =>
      Array.from(
        { length: 4 },
        (_, r) =>
          new FakeSlot(
            `S${s}R${r}`,
            Array.from({ length: 6 }, () => cardImage()),
          ),
      ),
    );
    const sums = await Promise.all(
      js.map(async (j, s) => {
        const session = await j.openSession(`station${s}`);
        return new PersoRunner({ journal: j, data, key: KEY, job: new EfJob(defaultFiles(data.columns)), readers: slots[s]!, session }).run();
      }),
    );
    expect(sums[0]!.verified + sums[1]!.verified).toBe(24);
    const rows = await js[0]!.rows();
    expect(rows.every((r) => r.state === 'verified')).toBe(true);
    const iccids = slots
      .flat()
      .flatMap((x) => x.all)
      .map((c) => efContent(c.toImage(), ['2FE2']))
      .filter((h) => !/^F+$/.test(h));
    expect(iccids).toHaveLength(24);
    expect(new Set(iccids).size).toBe(24);
    for (const j of js) await j.close();
  }, 60_000);

  it('recovers a dead session: pre-numbered and pre-commit rows free again, post-commit blank rows held', async () => {
    const url = await fresh();
    const j = await PgJournal.open(url);
    await j.ensureRows(
      [2, 3, 4].map((i) => ({ rowNo: i, iccid: `898821100000000000${i}`, imsi: `00101000000000${i}` })),
      'rec',
    );
    const dead = await j.openSession('dead');
    const a = await j.claimNext('R1', dead);
    const b = await j.claimNext('R2', dead);
    await j.stepBegin(a!.rowNo, 1, 'EF.IMSI', dead);
    await j.stepBegin(b!.rowNo, 1, 'EF.IMSI', dead);
    await j.stepBegin(b!.rowNo, 2, 'EF.ICCID', dead, true);
    const c = await j.claimIccid('8988211000000000004', 'R3', dead);
    expect(c.kind).toBe('claimed');
    const me = await j.openSession('alive');
    const rec = await j.recover(me, [dead]);
    expect(rec.map((r) => [r.rowNo, r.to])).toEqual([
      [2, 'free'],
      [3, 'held'],
      [4, 'free'],
    ]);
    // the dead session can no longer write
    await expect(j.stepDone(a!.rowNo, 1, 'EF.IMSI', dead).then(() => j.verified(a!.rowNo, dead, 'x'))).rejects.toThrow(/no longer held/);
    await j.close();
  }, 60_000);
});
