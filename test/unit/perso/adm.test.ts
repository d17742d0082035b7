/**
 * A wrong ADM stops that card before its last retry and never blocks it: verifyPin reads the
 * counter first and refuses at one try left; a blank card's row goes back to the pool, a
 * pre-numbered card's row fails and is not retried.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFiles } from '../../../src/perso/batch.js';
import { encryptData, loadData } from '../../../src/perso/data.js';
import { generateCsv } from '../../../src/perso/generate.js';
import { EfJob } from '../../../src/perso/job.js';
import { SqliteJournal } from '../../../src/perso/journal-sqlite.js';
import { TransportKey } from '../../../src/perso/keystore.js';
import { PersoRunner } from '../../../src/perso/runner.js';
import type { CardImage } from '../../../src/sim/image.js';
import { cardImage } from '../../fixtures/perso/images.js';
import { FakeSlot } from './slots.js';

const KEY = new TransportKey(Buffer.alloc(32, 3));

async function attempt(journal: SqliteJournal, data: ReturnType<typeof loadData>, img: CardImage): Promise<CardImage> {
  const s = await journal.openSession('t');
  const slot = new FakeSlot('R1', [img]);
  await new PersoRunner({
    journal,
    data,
    key: KEY,
    job: new EfJob(defaultFiles(data.columns)),
    readers: [slot],
    session: s,
    maxCards: 1,
    stopWhenDone: false,
    signal: AbortSignal.timeout(10_000),
  }).run();
  await journal.closeSession(s, 'done');
  return slot.all[0]!.toImage();
}

const adm = (img: CardImage) => img.pins.find((p) => p.name === 'ADM1')!.retries;

describe('wrong ADM', () => {
  it('blank card: two wrong presentations at most, then refused at one try left; rows stay free', async () => {
    const data = loadData(encryptData(generateCsv({ count: 2, adm1: '88888888' }), KEY).text, { key: KEY });
    const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-adm-')), 'j.sqlite'));
    await journal.ensureRows(
      data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
      'b',
    );
    let img = cardImage(undefined, { adm: '11111111' });
    expect(adm(img)).toBe(3);
    img = await attempt(journal, data, img);
    expect(adm(img)).toBe(2);
    img = await attempt(journal, data, img);
    expect(adm(img)).toBe(1);
    // the third time the counter says 1: nothing is presented, the card is not blocked
    img = await attempt(journal, data, img);
    expect(adm(img)).toBe(1);
    img = await attempt(journal, data, img);
    expect(adm(img)).toBe(1);
    const rows = await journal.rows();
    expect(rows.map((r) => r.state)).toEqual(['free', 'free']);
    const refused = (await journal.events()).filter((e) => e.event === 'adm-refused').map((e) => e.detail);
    expect(refused).toHaveLength(4);
    expect(refused[0]).toMatch(/wrong ADM1, 2 tries left; not retried/);
    expect(refused[2]).toMatch(/ADM1 has 1 try left: refusing to verify/);
    // nothing of the card was written
    expect(img.mf.children!.find((c) => c.fid === '2FE2')!.content).toBe('FF'.repeat(10));
    // no secret in the journal
    const all = JSON.stringify(await journal.events());
    expect(all).not.toContain('88888888');
    expect(all).not.toContain('11111111');
    await journal.close();
  });

  it('pre-numbered card: the row fails once and is not retried when the card comes back', async () => {
    const data = loadData(encryptData(generateCsv({ count: 1 }), KEY).text, { key: KEY });
    const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-adm-')), 'j.sqlite'));
    await journal.ensureRows(
      data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
      'b',
    );
    let img = cardImage(data.rows[0]!.iccid, { adm: '11111111' });
    img = await attempt(journal, data, img);
    expect(adm(img)).toBe(2);
    img = await attempt(journal, data, img);
    expect(adm(img)).toBe(2);
    const [row] = await journal.rows();
    expect(row!.state).toBe('failed');
    expect(row!.reason).toMatch(/wrong ADM1/);
    expect((await journal.events()).some((e) => e.event === 'skipped-failed')).toBe(true);
    await journal.close();
  });
});
