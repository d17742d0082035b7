import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultFiles } from '../../../src/perso/batch.js';
import { encryptData, loadData } from '../../../src/perso/data.js';
import { generateCsv } from '../../../src/perso/generate.js';
import { EfJob } from '../../../src/perso/job.js';
import { SqliteJournal } from '../../../src/perso/journal-sqlite.js';
import { TransportKey } from '../../../src/perso/keystore.js';
import { PersoRunner } from '../../../src/perso/runner.js';
import { cardImage, efContent, KEYS_EF_PATH } from '../../fixtures/perso/images.js';
import { FakeSlot } from './slots.js';

const SHA = (t: string): string => createHash('sha256').update(t).digest('hex').slice(0, 32).toUpperCase();
const KEY = new TransportKey(Buffer.alloc(32, 7));

function setup(count: number, csv = generateCsv({ count, seed: 't' })) {
  const data = loadData(encryptData(csv, KEY).text, { key: KEY });
  const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-')), 'j.sqlite'));
  const files = [...defaultFiles(data.columns), { name: 'EF.KEYS', path: KEYS_EF_PATH, encode: 'hex' as const, value: '${KI}${OPC}' }];
  return { data, journal, job: new EfJob(files) };
}

describe('PersoRunner (in-process cards)', () => {
  it('writes blank cards from the next free rows and verifies them', async () => {
    const { data, journal, job } = setup(6);
    await journal.ensureRows(
      data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
      'b',
    );
    const s = await journal.openSession('test');
    const slots = [new FakeSlot('R1', [cardImage(), cardImage(), cardImage()]), new FakeSlot('R2', [cardImage(), cardImage(), cardImage()])];
    const sum = await new PersoRunner({ journal, data, key: KEY, job, readers: slots, session: s }).run();
    expect(sum.verified).toBe(6);
    // issue #16: at most 20 APDUs per card (identify 2, ADM 2, PIN1 2, EF.IMSI 4 with the ADF,
    // EF.SPN 3, EF.KEYS 4 (its size comes from the FCP), EF.ICCID 3): no FCP the spec already fixes
    expect(sum.apdusVerified / sum.verified).toBeLessThanOrEqual(20);
    const rows = await journal.rows();
    expect(rows.every((r) => r.state === 'verified')).toBe(true);
    // every card carries exactly one row's values; written by hand-computed encodings
    const cards = slots.flatMap((x) => x.all).map((c) => c.toImage());
    const iccids = cards.map((c) => efContent(c, ['2FE2']));
    expect(new Set(iccids).size).toBe(6);
    // row 2 of the generated CSV: ICCID 898821100000000001 + Luhn, IMSI 001010000000001
    const first = cards.find((c) => efContent(c, ['7FF0', '6F07']) === '080910100000000010')!;
    expect(first).toBeDefined();
    // ICCID 8988211000000000011 (Luhn digit 1 checked by hand), TS 102 221 13.2 nibble-swapped
    expect(efContent(first, ['2FE2'])).toBe('988812010000000010F1');
    // K || OPc of serial 1 from the seed: sha256("t/1/k"), sha256("t/1/opc") first 16 bytes
    expect(efContent(first, ['7FF0', 'FF02'])).toBe(SHA('t/1/k') + SHA('t/1/opc'));
    await journal.close();
  });

  it('skips a verified card instead of writing it twice', async () => {
    const { data, journal, job } = setup(1);
    await journal.ensureRows(
      data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
      'b',
    );
    const s = await journal.openSession('test');
    const iccid = data.rows[0]!.iccid;
    const slot = new FakeSlot('R1', [cardImage(iccid)]);
    expect((await new PersoRunner({ journal, data, key: KEY, job, readers: [slot], session: s }).run()).verified).toBe(1);
    const again = new FakeSlot('R1', [slot.all[0]!.toImage()]);
    const card = again.current!;
    const before = JSON.stringify(card.toImage());
    const sum = await new PersoRunner({
      journal,
      data,
      key: KEY,
      job,
      readers: [again],
      session: s,
      stopWhenDone: false,
      maxCards: 1,
      signal: AbortSignal.timeout(10_000),
    }).run();
    expect(sum.verified).toBe(0);
    expect(sum.skipped).toBe(1);
    expect(JSON.stringify(card.toImage())).toBe(before);
    const ev = (await journal.events()).filter((e) => e.event === 'skipped-verified');
    expect(ev).toHaveLength(1);
    await journal.close();
  });
});
