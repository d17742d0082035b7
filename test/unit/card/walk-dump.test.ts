import { describe, expect, it } from 'vitest';
import { applyRestore, dumpCard, planRestore } from '../../../src/card/dump.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { listDf, walk } from '../../../src/card/walk.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { virtualCard } from './helpers.js';
import { CardFs } from '../../../src/card/fs.js';

const EXPECTED = [
  'MF',
  'MF/ADF.USIM',
  'MF/ADF.USIM/EF.LI',
  'MF/ADF.USIM/EF.IMSI',
  'MF/ADF.USIM/EF.Keys',
  'MF/ADF.USIM/EF.KeysPS',
  'MF/ADF.USIM/EF.PLMNwAcT',
  'MF/ADF.USIM/EF.HPPLMN',
  'MF/ADF.USIM/EF.UST',
  'MF/ADF.USIM/EF.SPN',
  'MF/ADF.USIM/EF.ACC',
  'MF/ADF.USIM/EF.FPLMN',
  'MF/ADF.USIM/EF.LOCI',
  'MF/ADF.USIM/EF.AD',
  'MF/ADF.USIM/EF.ECC',
  'MF/ADF.USIM/EF.PSLOCI',
  'MF/ADF.USIM/EF.MSISDN',
  'MF/ADF.USIM/EF.SMSP',
  'MF/ADF.USIM/EF.EST',
  'MF/ADF.USIM/EF.OPLMNwAcT',
  'MF/ADF.USIM/EF.ARR',
  'MF/EF.ICCID',
  'MF/EF.DIR',
  'MF/EF.PL',
  'MF/EF.ARR',
];

describe('walk', () => {
  it('finds every file of the default image without knowing it', async () => {
    const { fs } = await virtualCard();
    const files = await walk(fs);
    expect(files.map((f) => f.path).sort()).toEqual([...EXPECTED].sort());
  });
  it('lists the applications first but probes them last: the walk enters the first without a second SELECT', async () => {
    const { fs, link } = await virtualCard();
    const mf = await fs.select('MF');
    expect((await listDf(fs, mf, 'catalogue')).map((f) => f.path)).toEqual(['MF/ADF.USIM', 'MF/EF.ICCID', 'MF/EF.DIR', 'MF/EF.PL', 'MF/EF.ARR']);
    const n0 = link.apduCount;
    await fs.select('MF/ADF.USIM');
    expect(link.apduCount).toBe(n0);
    // the whole dump (PIN1 verified; T=0: a GET RESPONSE per FCP): 164 APDUs, 168 before the
    // reordering (EF.DIR and the ADF each selected twice)
    await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'));
    const n1 = link.apduCount;
    await dumpCard(new CardFs(link));
    expect(link.apduCount - n1).toBe(164);
  });
  it('deep probing finds files the catalogue does not know', async () => {
    const img = defaultImage();
    img.mf.children!.push({ fid: '2F10', type: 'EF', structure: 'transparent', size: 4, content: '01020304', access: { read: 'ALW', update: 'ADM1' } });
    const { fs } = await virtualCard(img);
    const cat = await walk(fs);
    expect(cat.map((f) => f.path)).not.toContain('MF/2F10');
    const deep = await walk(fs, 'MF', { probe: 'deep', recursive: false });
    expect(deep.map((f) => f.path)).toContain('MF/2F10');
  });
});

describe('dump and restore', () => {
  it('dumps raw + decoded; unreadable files say why', async () => {
    const { fs } = await virtualCard();
    const { dump, stats } = await dumpCard(fs);
    const imsi = dump.files.find((f) => f.path === 'MF/ADF.USIM/EF.IMSI')!;
    expect(imsi.readError).toMatch(/verify PIN1 first/);
    const spn = dump.files.find((f) => f.path === 'MF/ADF.USIM/EF.SPN')!;
    expect(spn.decoded).toEqual({ showPlmnNameAtHome: true, hideSpnWhenRoaming: false, name: 'simdm' });
    expect(stats.efs).toBe(EXPECTED.length - 2);
  });

  it('restores only what differs and refuses without the key', async () => {
    const { fs, link, card } = await virtualCard();
    await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'));
    const { dump } = await dumpCard(fs);
    // change SPN and IMSI on the card
    card.fileAt('3F00/7FF0/6F46')!.content!.set([0x00, 0x41]);
    card.fileAt('3F00/7FF0/6F07')!.content!.set([0x08, 0x29]);
    const plan = await planRestore(fs, dump);
    const refused = plan.filter((p) => p.action === 'refuse');
    expect(refused.map((p) => p.path).sort()).toEqual(['MF/ADF.USIM/EF.IMSI', 'MF/ADF.USIM/EF.SPN']);
    expect(refused[0]!.reason).toMatch(/needs ADM1/);
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    const plan2 = await planRestore(fs, dump);
    expect(
      plan2
        .filter((p) => p.action === 'write')
        .map((p) => p.path)
        .sort(),
    ).toEqual(['MF/ADF.USIM/EF.IMSI', 'MF/ADF.USIM/EF.SPN']);
    expect(await applyRestore(fs, dump, plan2)).toBe(2);
    const again = await dumpCard(fs);
    const strip = (d: typeof dump) => d.files.map(({ path, content, records }) => ({ path, content, records }));
    expect(strip(again.dump)).toEqual(strip(dump));
  });
});
