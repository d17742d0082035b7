import { describe, expect, it } from 'vitest';
import { SwError } from '../../../src/apdu/sw.js';
import { CardFsError, FileNotFoundError } from '../../../src/card/errors.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { fromHex, toHex } from '../../../src/util/hex.js';
import { virtualCard } from './helpers.js';

describe('CardFs select', () => {
  it('selects by names, FIDs, paths, AIDs and parent', async () => {
    const { fs } = await virtualCard();
    const mf = await fs.select('MF');
    expect(mf).toMatchObject({ path: 'MF', type: 'MF', fid: 0x3f00 });
    const imsi = await fs.select('MF/ADF.USIM/EF.IMSI');
    expect(imsi).toMatchObject({ path: 'MF/ADF.USIM/EF.IMSI', name: 'EF.IMSI', type: 'EF', structure: 'transparent', size: 9, sfi: 7, fid: 0x6f07 });
    expect(imsi.access).toMatchObject({ read: 'PIN1', update: 'ADM1' });
    expect((await fs.select('3F00/7FFF/6F46')).path).toBe('MF/ADF.USIM/EF.SPN');
    expect((await fs.select('EF.DIR')).path).toBe('MF/EF.DIR');
    expect((await fs.select('2FE2')).path).toBe('MF/EF.ICCID');
    const adf = await fs.select('AID:A0000000871002');
    expect(adf.type).toBe('ADF');
    expect(toHex(adf.aid!)).toBe('A0000000871002FF33FF018900000100');
    expect(adf.path).toBe('MF/ADF.USIM');
    expect((await fs.select('EF.AD')).path).toBe('MF/ADF.USIM/EF.AD');
    expect((await fs.select('..')).path).toBe('MF');
    await fs.select('ADF.USIM');
    expect((await fs.select('2F00')).path).toBe('MF/EF.DIR');
    await fs.select('ADF.USIM');
    expect((await fs.select('6F07')).path).toBe('MF/ADF.USIM/EF.IMSI');
    const dir = await fs.select('MF/EF.DIR');
    expect(dir).toMatchObject({ structure: 'linear-fixed', recordLength: 38, recordCount: 4, sfi: 30 });
  });

  it('unknown names suggest close ones', async () => {
    const { fs } = await virtualCard();
    const e = await fs.select('MF/ADF.USIM/EF.IMS').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FileNotFoundError);
    expect((e as FileNotFoundError).suggestions).toContain('MF/ADF.USIM/EF.IMSI');
    expect((e as Error).message).toMatch(/did you mean .*EF\.IMSI/);
    const g = await fs.select('MF/7F20').catch((x: unknown) => x);
    expect(g).toBeInstanceOf(FileNotFoundError);
  });

  it('uses one SELECT per file inside a DF', async () => {
    const { fs, link } = await virtualCard();
    await fs.select('ADF.USIM');
    const n = link.apduCount;
    await fs.select('EF.SPN');
    await fs.select('EF.AD');
    // SELECT + GET RESPONSE each (T=0 virtual card)
    expect(link.apduCount - n).toBe(4);
  });
});

describe('CardFs read/update', () => {
  it('reads transparent EFs whole and in parts', async () => {
    const { fs } = await virtualCard();
    expect(toHex(await fs.readBinary('MF/EF.ICCID'))).toBe('984401000000000010F5');
    expect(toHex(await fs.readBinary(undefined, 2, 3))).toBe('010000');
  });

  it('reads records; out of range is a clear error', async () => {
    const { fs } = await virtualCard();
    const recs = await fs.readRecords('MF/EF.DIR');
    expect(recs).toHaveLength(4);
    expect(toHex(recs[0]!).startsWith('61184F10A0000000871002')).toBe(true);
    await expect(fs.readRecord('MF/EF.DIR', 5)).rejects.toThrow(/record 5 out of range \(the file has 4 records/);
    await expect(fs.readRecord('MF/EF.DIR', 0)).rejects.toBeInstanceOf(CardFsError);
  });

  it('PIN-protected EF without the PIN says which key to verify', async () => {
    const { fs } = await virtualCard();
    const e = await fs.readBinary('ADF.USIM/EF.IMSI').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SwError);
    expect((e as Error).message).toMatch(/security status not satisfied \(6982\): verify PIN1 first/);
  });

  it('updates after ADM verification; too long content is refused before any APDU', async () => {
    const { fs, link, card } = await virtualCard();
    await expect(fs.updateBinary('ADF.USIM/EF.SPN', fromHex('01414243'))).rejects.toThrow(/verify ADM1 first/);
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    await fs.updateBinary('ADF.USIM/EF.SPN', fromHex('01414243'));
    expect(toHex(await fs.readBinary('ADF.USIM/EF.SPN', 0, 4))).toBe('01414243');
    const before = toHex(card.fileAt('3F00/7FF0/6F46')!.content!);
    await expect(fs.updateBinary('ADF.USIM/EF.SPN', new Uint8Array(18))).rejects.toThrow(/18 bytes at offset 0 do not fit in the file of 17 bytes/);
    expect(toHex(card.fileAt('3F00/7FF0/6F46')!.content!)).toBe(before);
  });

  it('updates a record and reads it back', async () => {
    const { fs, link } = await virtualCard();
    await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'));
    const rec = fromHex('0791447758100650FFFFFFFFFFFF');
    await fs.updateRecord('ADF.USIM/EF.MSISDN', 2, rec);
    expect(toHex(await fs.readRecord(undefined, 2))).toBe(toHex(rec));
    await expect(fs.updateRecord(undefined, 2, rec.subarray(1))).rejects.toThrow(/13 bytes given, records are 14 bytes/);
  });

  it('never writes into a file another party selected on the same link', async () => {
    const { fs, link, card } = await virtualCard();
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    await fs.select('ADF.USIM/EF.SPN');
    // someone else selects EF.AD on the link behind CardFs's back
    await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('6FAD') });
    await fs.updateBinary(undefined, fromHex('02'));
    expect(toHex(card.fileAt('3F00/7FF0/6F46')!.content!.subarray(0, 1))).toBe('02');
    expect(toHex(card.fileAt('3F00/7FF0/6FAD')!.content!)).toBe('00000002');
  });
});
