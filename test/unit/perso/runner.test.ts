import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultFiles } from '../../../src/perso/batch.js';
import { encryptData, loadData } from '../../../src/perso/data.js';
import { openDataFile } from '../../../src/perso/data-file.js';
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

  // The row of a card pulled mid-write is continued on that same card when it comes back, with
  // the data file loaded or streamed (a streamed file has no rows in memory: the held-card check
  // once looked only there, so a card pulled in its ICCID commit was never finished). One row,
  // one card, pulled once at every APDU index of its write and put back.
  for (const streamed of [false, true]) {
    it(`a card pulled at any APDU and put back ends with its row verified (${streamed ? 'streamed' : 'loaded'} data)`, async () => {
      const csv = generateCsv({ count: 1, seed: 'p' });
      for (let at = 0; at < 21; at++) {
        const { data: loaded, journal, job } = setup(1, csv);
        const dir = mkdtempSync(join(tmpdir(), 'perso-data-'));
        writeFileSync(join(dir, 'cards.csv'), encryptData(csv, KEY).text);
        const data = streamed ? openDataFile(join(dir, 'cards.csv'), { key: KEY }) : loaded;
        await journal.ensureRows(
          loaded.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
          'b',
        );
        const s = await journal.openSession('test');
        const queue = [cardImage()];
        const slot = new FakeSlot('R1', queue);
        slot.pullAfter = at;
        const sum = await new PersoRunner({
          journal,
          data,
          key: KEY,
          job,
          readers: [slot],
          session: s,
          holdWaitMs: 2000,
          signal: AbortSignal.timeout(10_000),
          // the operator puts the pulled card back (its state as the pull left it)
          onEvent: (e) => void (e.type === 'pulled' && queue.push(slot.current!.toImage())),
        }).run();
        const rows = await journal.rows();
        const cards = slot.all.map((c) => efContent(c.toImage(), ['2FE2']));
        const where = `pulled after ${at} APDUs`;
        expect(
          rows.map((r) => r.state),
          where,
        ).toEqual(['verified']);
        expect(sum.verified, where).toBe(1);
        // ICCID 8988211000000000011 nibble-swapped (TS 102 221 13.2) on the last card through the slot
        expect(cards.at(-1), where).toBe('988812010000000010F1');
        if ('close' in data) data.close();
        await journal.close();
      }
    }, 60_000);
  }
});
