/**
 * Access rules from security attributes (TS 102 221 11.1.1.4.7): expanded format (AB) and EF.ARR
 * records (pySim's real-card ARR vectors), compact format (8C), referenced format (8B) resolved
 * through EF.ARR on the virtual card; cyclic EFs (11.1.5/11.1.6).
 */
import { describe, expect, it } from 'vitest';
import { accessFromCompact, accessFromExpanded, hintFor } from '../../../src/card/access.js';
import { fileInfo } from '../../../src/card/fs.js';
import { encodeBer } from '../../../src/codec/tlv/ber.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { fromHex, toHex } from '../../../src/util/hex.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { virtualCard } from './helpers.js';

describe('access rules', () => {
  it('decodes EF.ARR records in the expanded format', () => {
    expect(accessFromExpanded(fromHex('800101A40683010A950108800106900080016097008401D4A40683010A950108'), false)).toEqual({
      read: 'ADM1',
      update: 'ALW',
      write: 'ALW',
      terminate: 'NEV',
      delete: 'NEV',
    });
    expect(accessFromExpanded(fromHex('80010190008001029700800118A40683010A9501088401D4A40683010A950108'), false)).toEqual({
      read: 'ALW',
      update: 'NEV',
      deactivate: 'ADM1',
      activate: 'ADM1',
    });
  });

  it('OR and AND templates, compact format', () => {
    const or = encodeBer(0xa0, [
      {
        tag: 0xa4,
        value: [
          { tag: 0x83, value: Uint8Array.of(0x01) },
          { tag: 0x95, value: Uint8Array.of(0x08) },
        ],
      },
      {
        tag: 0xa4,
        value: [
          { tag: 0x83, value: Uint8Array.of(0x0a) },
          { tag: 0x95, value: Uint8Array.of(0x08) },
        ],
      },
    ]);
    const rec = Uint8Array.from([0x80, 0x01, 0x01, ...or]);
    expect(accessFromExpanded(rec, false)).toEqual({ read: 'PIN1|ADM1' });
    expect(hintFor('PIN1|ADM1')).toMatch(/verify PIN1 or ADM1 first/);
    // compact: AM 03 (read, update), SC bytes for b2 (update) then b1 (read): 0A -> key, 00 -> always
    expect(accessFromCompact(0x03, [0xff, 0x00], false)).toEqual({ update: 'NEV', read: 'ALW' });
  });

  it('referenced format (8B) is resolved through EF.ARR of the DF', async () => {
    const { fs } = await virtualCard();
    // an FCP as a card with referenced security attributes answers: 8B 06F06 record 1 of the ADF's EF.ARR
    const fcp = encodeBer(0x62, [
      { tag: 0x82, value: Uint8Array.of(0x41, 0x21) },
      { tag: 0x83, value: Uint8Array.of(0x6f, 0x07) },
      { tag: 0x8b, value: Uint8Array.of(0x6f, 0x06, 0x01) },
      { tag: 0x80, value: Uint8Array.of(0x00, 0x09) },
    ]);
    const f = fileInfo('MF/ADF.USIM/EF.IMSI', { fid: 0x6f07 }, fcp);
    expect(f.access).toBeUndefined();
    expect(f.arrRef).toEqual({ fid: 0x6f06, record: 1 });
    // the default image's ADF EF.ARR record 1: read PIN1, update ADM1 ... (8001019000 = read ALW)
    expect(await fs.accessOf(f)).toEqual({ read: 'ALW', update: 'PIN1' });
  });
});

describe('cyclic EFs', () => {
  it('reads all records (1 = newest) and writes the newest with UPDATE RECORD PREVIOUS', async () => {
    const img = defaultImage();
    img.mf.children![4]!.children!.push({
      fid: '6F80',
      name: 'EF.ICI',
      type: 'EF',
      structure: 'cyclic',
      recordLength: 3,
      recordCount: 3,
      records: ['010101', '020202', '030303'],
      access: { read: 'PIN1', update: 'PIN1' },
    });
    const { fs, link } = await virtualCard(img);
    await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'));
    expect((await fs.readRecords('ADF.USIM/EF.ICI')).map((r) => toHex(r))).toEqual(['010101', '020202', '030303']);
    await fs.updateRecord(undefined, 1, fromHex('040404'));
    expect((await fs.readRecords()).map((r) => toHex(r))).toEqual(['040404', '010101', '020202']);
    await expect(fs.updateRecord(undefined, 2, fromHex('050505'))).rejects.toThrow(/cyclic: only record 1/);
  });
});
