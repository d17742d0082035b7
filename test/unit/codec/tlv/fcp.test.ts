import { describe, expect, it } from 'vitest';
import { codecError } from '../../../helpers/errors.js';
import { SimdmError } from '../../../../src/errors.js';
import { decodeFcp, effectiveSfi, encodeFcp, encodeFcpCanonical, fcpEquals, lifeCycleState, type Fcp } from '../../../../src/codec/tlv/fcp.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

// Real FCPs of a sysmoISIM card, with pySim's decoding of each
// (pySim tests/unittests/test_decode_select_resp.py; numbers only)
const MF = '622C8202782183023F00A50C80017183040003A7388701018A01058B032F0601C60C90016083010183010A83010B';
const ADF_USIM = '623D8202782183027FD0840CA0000000871002FF49FF0589A50C80017183040003A7388701018A01058B032F0601C60F90017083010183018183010A83010B';
const EF_IMSI = '62178202412183026F078A01058B036F060A80020009880138';
const EF_ECC = '621A82054221000E0283026FB78A01058B036F06088002001C880108';

describe('FCP template (TS 102 221 11.1.1.3 / 11.1.1.4)', () => {
  it('decodes the MF', () => {
    const f = decodeFcp(fromHex(MF));
    expect(f.fileDescriptor).toMatchObject({ shareable: true, fileType: 'DF', dataCoding: 0x21 });
    expect(f.fileDescriptor.recordLength).toBeUndefined();
    expect(f.fileId).toBe('3F00');
    expect(f.proprietary).toEqual({ uiccCharacteristics: 0x71, availableMemory: 239416, supportedSystemCommands: 1 });
    expect(f.lifeCycle).toEqual({ value: 5, state: 'operational activated' });
    expect(f.securityReferenced).toEqual({ arrFid: '2F06', record: 1 });
    expect(f.pinStatus!.psDo).toBe('60');
    expect(f.pinStatus!.keys.map((k) => k.keyReference)).toEqual([1, 10, 11]);
    expect(f.pinStatus!.keys.map((k) => k.enabled)).toEqual([false, true, true]);
    expect(f._order).toBeUndefined();
    expect(toHex(encodeFcp(f))).toBe(MF);
  });

  it('decodes ADF.USIM with its AID', () => {
    const f = decodeFcp(fromHex(ADF_USIM));
    expect(f.fileId).toBe('7FD0');
    expect(f.dfName).toBe('A0000000871002FF49FF0589');
    expect(f.pinStatus!.psDo).toBe('70');
    expect(f.pinStatus!.keys.map((k) => k.keyReference)).toEqual([1, 0x81, 10, 11]);
    expect(toHex(encodeFcp(f))).toBe(ADF_USIM);
  });

  it('decodes EF.IMSI (transparent, SFI 07)', () => {
    const f = decodeFcp(fromHex(EF_IMSI));
    expect(f.fileDescriptor).toMatchObject({ shareable: true, fileType: 'workingEF', structure: 'transparent' });
    expect(f.fileId).toBe('6F07');
    expect(f.securityReferenced).toEqual({ arrFid: '6F06', record: 10 });
    expect(f.fileSize).toBe(9);
    expect(f.sfi).toBe(7);
    expect(effectiveSfi(f)).toBe(7);
    expect(toHex(encodeFcp(f))).toBe(EF_IMSI);
  });

  it('decodes EF.ECC (linear fixed, 2 records of 14 bytes)', () => {
    const f = decodeFcp(fromHex(EF_ECC));
    expect(f.fileDescriptor).toMatchObject({ shareable: true, fileType: 'workingEF', structure: 'linearFixed', recordLength: 14, numberOfRecords: 2 });
    expect(f.fileId).toBe('6FB7');
    expect(f.securityReferenced).toEqual({ arrFid: '6F06', record: 8 });
    expect(f.fileSize).toBe(28);
    expect(f.sfi).toBe(1);
    expect(toHex(encodeFcp(f))).toBe(EF_ECC);
  });

  it('decodes compact security attributes and proprietary sub-tags it does not know (softsim test data)', () => {
    // MF with 8C compact security attributes and 8D in A5 (onomondo softsim tests)
    const mf = '622D8202782183023F00A509800171830400018D088A01058C04261A0000C60F90017083010183018183010A83010B';
    const f = decodeFcp(fromHex(mf));
    expect(f.proprietary).toMatchObject({ uiccCharacteristics: 0x71, availableMemory: 0x018d08 });
    expect(f.securityCompact).toEqual({ accessMode: 0x26, conditions: [0x1a, 0x00, 0x00] });
    expect(toHex(encodeFcp(f))).toBe(mf);
    // EF.ICCID with proprietary tags D0/D2 inside A5, kept as unknown
    const iccid = '621F8202412183022FE2A506D00120D201058A01058B032F06028002000A880110';
    const g = decodeFcp(fromHex(iccid));
    expect(g.proprietary!._unknown!.map((u) => [u.tag, toHex(u.value)])).toEqual([
      [0xd0, '20'],
      [0xd2, '05'],
    ]);
    expect(g.sfi).toBe(2);
    expect(toHex(encodeFcp(g))).toBe(iccid);
    // EF.DIR (head as in the softsim sample: 8 records of 43 bytes; tail completed by hand: SFI 1E)
    const dirHex = '622282054221002B0883022F00A506D00120D2010B8A01058B032F0603800201588801F0';
    const dir = decodeFcp(fromHex(dirHex));
    expect(dir.fileDescriptor).toMatchObject({ structure: 'linearFixed', recordLength: 43, numberOfRecords: 8 });
    expect(dir.fileSize).toBe(344);
    expect(dir.sfi).toBe(0x1e);
    expect(toHex(encodeFcp(dir))).toBe(dirHex);
  });

  it('decodes an FCP with 8B SEID pairs, 81 total size, C6 (a public virtual SIM)', () => {
    const hex = '62338202782183023F00A50C80016187010183040007DBF08A01058B062F0601020002C60C90016083010183010A83010D8102FFFF';
    const f = decodeFcp(fromHex(hex));
    expect(f.securityReferenced).toEqual({
      arrFid: '2F06',
      seRecords: [
        { seid: 1, record: 2 },
        { seid: 0, record: 2 },
      ],
    });
    expect(f.totalFileSize).toBe(0xffff);
    expect(toHex(encodeFcp(f))).toBe(hex);
  });

  it('codes an empty 88 as "no SFI" and an absent 88 as the default SFI', () => {
    const noSfi = decodeFcp(fromHex('620E82024121830260038002000A8800'));
    expect(noSfi.sfi).toBeNull();
    expect(effectiveSfi(noSfi)).toBeUndefined();
    expect(toHex(encodeFcp(noSfi))).toBe('620E82024121830260038002000A8800');
    const dflt = decodeFcp(fromHex('620C82024121830260238002000A'));
    expect(dflt.sfi).toBeUndefined();
    expect(effectiveSfi(dflt)).toBe(0x03); // 6023 & 1F
  });

  it('decodes the life cycle states of ISO 7816-4 table 13', () => {
    expect([0x00, 0x01, 0x03, 0x05, 0x07, 0x04, 0x06, 0x0c, 0x0f, 0x02, 0x20].map(lifeCycleState)).toEqual([
      'no information',
      'creation',
      'initialisation',
      'operational activated',
      'operational activated',
      'operational deactivated',
      'operational deactivated',
      'termination',
      'termination',
      'RFU',
      'proprietary',
    ]);
  });

  it('decodes expanded security attributes (AB) and BER-TLV / cyclic descriptors', () => {
    // AB: AM DO 80 01 01 (READ) with SC DO 90 00 (always); AM DO 80 01 02 with A4 CRT naming key 01
    const hex = '6221' + '82027921' + '83026F00' + '8A0105' + 'AB10' + '800101' + '9000' + '800102' + 'A406830101950108' + '80020100';
    const f = decodeFcp(fromHex(hex));
    expect(toHex(encodeFcp(f))).toBe(hex);
    expect(f.fileDescriptor).toMatchObject({ fileType: 'workingEF', structure: 'berTlv' });
    expect(f.securityExpanded).toEqual([
      { tag: '80', value: '01' },
      { tag: '90', value: '' },
      { tag: '80', value: '02' },
      {
        tag: 'A4',
        value: '830101950108',
        children: [
          { tag: '83', value: '01' },
          { tag: '95', value: '08' },
        ],
      },
    ]);
    const cyc = decodeFcp(fromHex('620782054621000A05'));
    expect(cyc.fileDescriptor).toMatchObject({ shareable: true, structure: 'cyclic', recordLength: 10, numberOfRecords: 5 });
  });

  it('writes an FCP from hand-made values and compares canonically', () => {
    const fcp: Fcp = {
      fileDescriptor: { shareable: true, fileType: 'workingEF', structure: 'transparent', dataCoding: 0x21 },
      fileId: '6F07',
      lifeCycle: { state: 'operational activated' },
      securityReferenced: { arrFid: '6F06', record: 10 },
      fileSize: 9,
      sfi: 7,
    };
    expect(toHex(encodeFcp(fcp))).toBe(EF_IMSI);
    // same content, another element order: kept as read, canonical form equal
    const shuffled = '6217' + '83026F07' + '82024121' + '8A0105' + '8B036F060A' + '80020009' + '880138';
    const s = decodeFcp(fromHex(shuffled));
    expect(s._order).toBeDefined();
    expect(toHex(encodeFcp(s))).toBe(shuffled);
    expect(toHex(encodeFcpCanonical(s))).toBe(EF_IMSI);
    expect(fcpEquals(s, decodeFcp(fromHex(EF_IMSI)))).toBe(true);
    expect(fcpEquals(s, decodeFcp(fromHex(EF_ECC)))).toBe(false);
    // inconsistent derived fields are refused
    expect(() => encodeFcp({ ...fcp, lifeCycle: { value: 4, state: 'operational activated' } })).toThrow(SimdmError);
    expect(() => encodeFcp({ ...fcp, fileDescriptor: { ...fcp.fileDescriptor, descriptorByte: 0x42 } })).toThrow(/disagrees/);
  });

  it('rejects malformed FCPs with offset and tag', () => {
    let e = codecError(() => decodeFcp(fromHex('6F03820141')));
    expect(e.tag).toBe('6F');
    e = codecError(() => decodeFcp(fromHex('620483023F00')));
    expect(e.message).toMatch(/mandatory fileDescriptor/);
    expect(e.tag).toBe('62');
    e = codecError(() => decodeFcp(fromHex('6205820341210A')));
    expect(e.message).toMatch(/file descriptor of 3 bytes/);
    expect(e.offset).toBe(4);
    expect(e.tag).toBe('82');
    e = codecError(() => decodeFcp(fromHex('6207820241218801 39'.replace(/ /g, ''))));
    expect(e.message).toMatch(/SFI/);
    e = codecError(() => decodeFcp(fromHex('6208820241218202 4121'.replace(/ /g, ''))));
    expect(e.message).toMatch(/twice/);
    e = codecError(() => decodeFcp(fromHex('620B82027821C605830101 9000'.replace(/ /g, ''))));
    expect(e.message).toMatch(/PS_DO/);
    e = codecError(() => decodeFcp(fromHex('6206820278218A00')));
    expect(e.message).toMatch(/life cycle/);
    expect(e.offset).toBe(8);
  });
});
