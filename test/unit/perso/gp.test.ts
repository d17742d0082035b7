/**
 * The ISD step: the row's OTA keys (KIC1/KID1/KIK1) put into the card's Issuer Security Domain
 * as key set KVN 1 over the secure channel the ISD offers (SCP03 with the GP test keys of the
 * virtual card), checked by the card's key check values; a redo replaces the set.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFiles } from '../../../src/perso/batch.js';
import { formatCsv } from '../../../src/perso/csv.js';
import { encryptData, loadData } from '../../../src/perso/data.js';
import { EfJob } from '../../../src/perso/job.js';
import { SqliteJournal } from '../../../src/perso/journal-sqlite.js';
import { TransportKey } from '../../../src/perso/keystore.js';
import { PersoRunner } from '../../../src/perso/runner.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { cardImage } from '../../fixtures/perso/images.js';
import { FakeSlot } from './slots.js';

const KEY = new TransportKey(Buffer.alloc(32, 6));
const KIC = '00112233445566778899AABBCCDDEEFF';
const KID = '0F0E0D0C0B0A09080706050403020100';
const KIK = 'A0A1A2A3A4A5A6A7A8A9AAABACADAEAF';
// KVN 30: the ISD's SCP03 set; with 0 the card picks its first set, which after a PUT KEY may be the new one
const GP = {
  isdKeys: 'ISD',
  kvn: 0x30,
  diversification: 'none' as const,
  level: 3,
  putKey: { kvn: 1, type: 'aes' as const, columns: ['KIC1', 'KID1', 'KIK1'] as [string, string, string] },
};

describe('perso: ISD PUT KEY over SCP', () => {
  it('puts the row key set as KVN 1 and replaces it on a redo', async () => {
    const csv = formatCsv([
      ['ICCID', 'IMSI', 'ADM1', 'PIN1', 'KIC1', 'KID1', 'KIK1'],
      ['8988211000000000011', '001010000000001', '88888888', '1234', KIC, KID, KIK],
    ]);
    const data = loadData(encryptData(csv, KEY).text, { key: KEY });
    const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-gp-')), 'j.sqlite'));
    await journal.ensureRows(
      data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
      'gp',
    );
    // the virtual ISD holds the GP test key 40..4F (as development cards ship)
    const secrets = new SecretStore({ SIMDM_ISD_KEY: '404142434445464748494A4B4C4D4E4F' });
    const job = new EfJob(defaultFiles(data.columns), undefined, false, { spec: GP, secrets });
    const s = await journal.openSession('t');
    const slot = new FakeSlot('R1', [cardImage()]);
    const sum = await new PersoRunner({ journal, data, key: KEY, job, readers: [slot], session: s }).run();
    expect(sum.verified).toBe(1);
    const img = slot.all[0]!.toImage();
    const sets = (img.applets!.isd as { keySets: { kvn: number; enc: string; mac: string; dek: string }[] }).keySets;
    expect(sets.find((k) => k.kvn === 1)).toMatchObject({ enc: KIC, mac: KID, dek: KIK });
    // the ISD keys themselves are untouched
    expect(sets.find((k) => k.kvn === 0x30)).toMatchObject({ enc: '404142434445464748494A4B4C4D4E4F' });
    // a second card with KVN 1 already present (a redo): replaced, not added twice
    await journal.operatorRelease(data.rows[0]!.row, s, 'test').catch(() => false);
    const j2 = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-gp-')), 'j.sqlite'));
    await j2.ensureRows(
      data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
      'gp',
    );
    const s2 = await j2.openSession('t');
    const again = new FakeSlot('R1', [{ ...img, mf: cardImage().mf }]);
    const sum2 = await new PersoRunner({ journal: j2, data, key: KEY, job, readers: [again], session: s2 }).run();
    expect((await j2.events()).filter((e) => !e.ok).map((e) => e.detail)).toEqual([]);
    expect(sum2.verified).toBe(1);
    const sets2 = (again.all[0]!.toImage().applets!.isd as { keySets: { kvn: number }[] }).keySets;
    expect(sets2.filter((k) => k.kvn === 1)).toHaveLength(1);
    const steps = (await j2.events()).filter((e) => e.event === 'step-done').map((e) => e.detail);
    expect(steps).toEqual(['EF.IMSI', 'ISD PUT KEY KVN 1', 'EF.ICCID']);
    await journal.close();
    await j2.close();
  });
});
