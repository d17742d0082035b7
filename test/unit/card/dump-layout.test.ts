/**
 * The known-layout dump (src/card/dump-layout.ts): the same dump as the probing walk in the fewest
 * APDUs, and a stale layout noticed file by file (then that file is read the probing way).
 */
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { dumpCard, type Dump } from '../../../src/card/dump.js';
import { CardFs } from '../../../src/card/fs.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import type { CardImage, FileImage } from '../../../src/sim/image.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';

/** A virtual UICC (T=0 as the default image's ATR says, else T=1) with PIN1 verified unless `pin1` is false. */
async function card(image: CardImage = defaultImage(), pin1 = true, t0 = true) {
  const transport = new InProcessTransport(new VirtualUicc(image, { t0 }));
  await transport.connect();
  const apdus: string[] = [];
  const link = new CardLink(transport, { trace: (e) => (e.dir === 'C' ? apdus.push(e.text.replace(/\s+/g, '')) : undefined) });
  if (pin1) await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'));
  apdus.length = 0;
  return { link, fs: new CardFs(link), apdus };
}

/** The dump's files as the CLI writes them (byte for byte; `created` is the only other field that differs). */
const text = (d: Dump) => JSON.stringify({ atr: d.atr, files: d.files }, null, 2);

async function walkDump(image?: CardImage, pin1 = true): Promise<Dump> {
  const { fs } = await card(image, pin1);
  return (await dumpCard(fs)).dump;
}

const usim = (img: CardImage): FileImage[] => img.mf.children!.find((c) => c.type === 'ADF')!.children!;
const ef = (img: CardImage, fid: string): FileImage => [...img.mf.children!, ...usim(img)].find((c) => c.fid === fid)!;
/** The transparent EF `fid` cut to `size` bytes. */
const shorten = (img: CardImage, fid: string, size: number): void => {
  const f = ef(img, fid);
  f.size = size;
  f.content = f.content!.slice(0, 2 * size);
};

describe('known-layout dump', () => {
  it('the default card in 51 APDUs (the minimum), the same bytes as the probing dump', async () => {
    const layout = await walkDump();
    const { link, fs, apdus } = await card();
    const n0 = link.apduCount;
    const { dump, stats } = await dumpCard(fs, { layout: layout.files });
    // SELECT MF + SELECT ADF.USIM (P2=0C) + SELECT of EF.SPN, EF.MSISDN, EF.SMSP (no SFI, TS 31.102
    // 4.2.12/26/27) + 17 READ BINARY (one per transparent EF, all under 256 bytes) + 29 READ RECORD
    // (EF.DIR 4, EF.ARR 8, EF.ECC 5, EF.MSISDN 2, EF.SMSP 2, USIM EF.ARR 8)
    expect(link.apduCount - n0).toBe(51);
    expect(text(dump)).toBe(text(layout));
    expect(stats).toEqual({ files: 25, efs: 23, bytes: 919, unreadable: 0, stale: 0 });
    // no FCP asked, hence no GET RESPONSE; no 6Cxx re-issue
    expect(apdus.filter((a) => a.startsWith('00A4')).every((a) => a.slice(6, 8) === '0C')).toBe(true);
    expect(apdus.filter((a) => a.startsWith('00C0'))).toEqual([]);
    expect(apdus.filter((a) => a.startsWith('00A4'))).toEqual([
      '00A4000C023F00',
      '00A4040C10A0000000871002FF33FF018900000100',
      '00A4000C026F46',
      '00A4000C026F40',
      '00A4000C026F42',
    ]);
    // EF.IMSI by its SFI 07 with Le = its 9 bytes, EF.ECC's records by SFI 01 with Le = 4
    expect(apdus).toContain('00B0870009');
    expect(apdus).toContain('00B2010C04');
  });

  it('the probing dump by paths (SELECT with FCP each) gives the same bytes in 96 APDUs', async () => {
    const layout = await walkDump();
    const { link, fs } = await card();
    const n0 = link.apduCount;
    const { dump } = await dumpCard(fs, { paths: layout.files.map((f) => f.path) });
    expect(link.apduCount - n0).toBe(96);
    expect(text(dump)).toBe(text(layout));
  });

  it('files this session cannot read: the same dump as the walk, read errors included', async () => {
    const layout = await walkDump();
    const { fs } = await card(defaultImage(), false);
    const { dump, stats } = await dumpCard(fs, { layout: layout.files });
    expect(text(dump)).toBe(text(await walkDump(defaultImage(), false)));
    // the 14 EFs that need PIN1 answered 6982 and were read again the probing way for the reason
    expect(stats.unreadable).toBe(14);
    expect(stats.stale).toBe(14);
  });

  const staleCases: [string, (img: CardImage) => void, number][] = [
    ['an EF missing (6A82)', (img) => usim(img).splice(usim(img).indexOf(ef(img, '6F46')), 1), 1],
    ['a transparent EF shorter (6Cxx, then a short read)', (img) => shorten(img, '6F60', 30), 1],
    ['an EF without SFI shorter', (img) => shorten(img, '6F46', 16), 1],
    [
      'fewer records (6A83)',
      (img) => {
        const f = ef(img, '6F40');
        f.recordCount = 1;
        f.records = f.records!.slice(0, 1);
      },
      1,
    ],
    [
      'records of another length',
      (img) => {
        const f = ef(img, '6FB7');
        f.recordLength = 5;
        f.records = f.records!.map((r) => r + 'FF');
      },
      1,
    ],
    ['an EF deactivated (6283)', (img) => void (ef(img, '6F05').lcs = 'deactivated'), 1],
    [
      'a record EF where the layout has a transparent one (6981)',
      (img) => {
        const f = ef(img, '6FAD');
        Object.assign(f, { structure: 'linear-fixed', recordLength: 4, recordCount: 1, records: [f.content], content: undefined, size: undefined });
      },
      1,
    ],
    [
      'the application under another AID (6A82 on its SELECT: it and its 19 EFs)',
      (img) => {
        const adf = img.mf.children!.find((c) => c.type === 'ADF')!;
        adf.aid = adf.aid!.slice(0, -2) + '02';
        const dir = ef(img, '2F00');
        dir.records![0] = dir.records![0]!.replace(/FF33FF018900000100/, 'FF33FF018900000102');
      },
      20,
    ],
  ];
  for (const [what, change, stale] of staleCases) {
    it(`a stale layout is noticed and that file probed: ${what}`, async () => {
      const layout = await walkDump();
      const img = defaultImage();
      change(img);
      const truth = await walkDump(structuredClone(img));
      const { fs } = await card(img);
      const { dump, stats } = await dumpCard(fs, { layout: layout.files });
      expect(text(dump)).toBe(text(truth));
      expect(text(dump)).not.toBe(text(layout));
      expect(stats.stale).toBe(stale);
    });
  }

  it('under T=1 a shorter file answers 6282 with what it has: noticed too', async () => {
    const layout = await walkDump();
    const img = defaultImage();
    shorten(img, '6F60', 30);
    const truth = (await dumpCard((await card(structuredClone(img), true, false)).fs)).dump;
    const { fs, apdus } = await card(img, true, false);
    const { dump, stats } = await dumpCard(fs, { layout: layout.files });
    expect(apdus).toContain('00B08A0028');
    expect(text(dump)).toBe(text(truth));
    expect(stats.stale).toBe(1);
  });

  it('a layout with broken fields reads those files the probing way, never from the broken values', async () => {
    const layout = await walkDump();
    const files = structuredClone(layout.files);
    const spn = files.find((f) => f.path.endsWith('EF.SPN'))!;
    spn.size = -3;
    const adf = files.find((f) => f.type === 'ADF')!;
    adf.aid = 'zz';
    const { fs } = await card();
    const { dump, stats } = await dumpCard(fs, { layout: files });
    expect(text(dump)).toBe(text(layout));
    expect(stats.stale).toBe(20);
  });
});
