/**
 * The bootstrap profile as a perso step: card-profiles/lwm2m-iot.yaml compiled per row (ICCID
 * from the row, the PSK from the row's encrypted LWM2M_PSK column) and written by the bootstrap
 * writer before the ICCID commit; read back here with the bootstrap reader.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { readBootstrap } from '../../../src/bootstrap/reader.js';
import { defaultFiles } from '../../../src/perso/batch.js';
import { formatCsv } from '../../../src/perso/csv.js';
import { encryptData, loadData } from '../../../src/perso/data.js';
import { EfJob } from '../../../src/perso/job.js';
import { SqliteJournal } from '../../../src/perso/journal-sqlite.js';
import { TransportKey } from '../../../src/perso/keystore.js';
import { PersoRunner } from '../../../src/perso/runner.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { cardImage } from '../../fixtures/perso/images.js';
import { FakeSlot } from './slots.js';

const KEY = new TransportKey(Buffer.alloc(32, 4));
const PROFILE = fileURLToPath(new URL('../../../card-profiles/lwm2m-iot.yaml', import.meta.url));

describe('perso with a bootstrap profile', () => {
  it('writes the LwM2M bootstrap of each row, with the row ICCID as PSK identity', async () => {
    const csv = formatCsv([
      ['ICCID', 'IMSI', 'ADM1', 'PIN1', 'LWM2M_PSK'],
      ['8988211000000000011', '001010000000001', '88888888', '1234', '00112233445566778899AABBCCDDEEFF'],
      ['8988211000000000029', '001010000000002', '88888888', '1234', 'FFEEDDCCBBAA99887766554433221100'],
    ]);
    const enc = encryptData(csv, KEY);
    expect(enc.errors).toEqual([]);
    expect(enc.text).not.toContain('00112233445566778899AABBCCDDEEFF');
    const data = loadData(enc.text, { key: KEY });
    const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-prof-')), 'j.sqlite'));
    await journal.ensureRows(
      data.rows.map((r) => ({ rowNo: r.row, iccid: r.iccid, imsi: r.imsi })),
      'p',
    );
    const s = await journal.openSession('t');
    const slot = new FakeSlot('R1', [cardImage(), cardImage()]);
    const sum = await new PersoRunner({
      journal,
      data,
      key: KEY,
      job: new EfJob(defaultFiles(data.columns), { file: PROFILE }),
      readers: [slot],
      session: s,
    }).run();
    expect((await journal.events()).filter((e) => !e.ok).map((e) => e.detail)).toEqual([]);
    expect(sum.verified).toBe(2);
    const steps = (await journal.events()).filter((e) => e.event === 'step-done' && e.rowNo === data.rows[0]!.row).map((e) => e.detail);
    expect(steps).toEqual(['EF.IMSI', 'profile lwm2m-iot', 'EF.ICCID']);
    for (const [i, card] of slot.all.entries()) {
      const t = new InProcessTransport(new VirtualUicc(card.toImage()));
      await t.connect();
      const st = await readBootstrap(new CardLink(t), { details: true });
      const f = st.files.find((x) => x.oid === '2.23.43.9.1' || (x.label ?? '').includes('LwM2M'));
      expect(f, JSON.stringify(st.files.map((x) => x.label))).toBeDefined();
      const fields = f!.content!.fields;
      // Security /0/0/3 (PSK identity) = the row's ICCID in ASCII, /0/0/5 = the row's PSK
      expect(fields['/0/0/3']).toBe(Buffer.from(i === 0 ? '8988211000000000011' : '8988211000000000029', 'ascii').toString('hex'));
      expect(fields['/0/0/5']).toBe(i === 0 ? '00112233445566778899AABBCCDDEEFF' : 'FFEEDDCCBBAA99887766554433221100');
    }
    await journal.close();
  });
});
