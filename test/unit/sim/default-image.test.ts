/**
 * The default card image against the spec tables: SFIs of TS 102 221 13 (MF) and TS 31.102 4.2 /
 * Annex H.1 (ADF.USIM), cross-checked with osmocom pySim's file definitions (ts_102_221.py,
 * ts_31_102.py, ts_51_011.py: `sfid=`), and the EF.MSISDN record per TS 31.102 4.2.26.
 */
import { describe, expect, it } from 'vitest';
import { decodeBer, findBer } from '../../../src/codec/tlv/ber.js';
import { defaultImage, pinHex, USIM_AID } from '../../../src/sim/default-image.js';
import type { FileImage } from '../../../src/sim/image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { fromHex, toHex } from '../../../src/util/hex.js';

/** FID -> SFI from the spec tables (null: the spec gives the EF no SFI, so the FCP carries 88 00) */
const SPEC_SFI: Record<string, Record<string, number | null>> = {
  MF: { '2FE2': 0x02, '2F00': 0x1e, '2F05': 0x05, '2F06': 0x06 },
  'ADF.USIM': {
    '6F07': 0x07,
    '6FAD': 0x03,
    '6F46': null,
    '6F38': 0x04,
    '6F56': 0x05,
    '6F78': 0x06,
    '6F7E': 0x0b,
    '6F73': 0x0c,
    '6F31': 0x12,
    '6F60': 0x0a,
    '6F61': 0x11,
    '6F7B': 0x0d,
    '6F08': 0x08,
    '6F09': 0x09,
    '6F42': null,
    '6FB7': 0x01,
    '6F05': 0x02,
    '6F40': null,
    '6F06': 0x17,
  },
};

function raw(card: VirtualUicc, hex: string): { data: string; sw: string } {
  const r = card.process(fromHex(hex));
  return { data: toHex(r.subarray(0, r.length - 2)), sw: toHex(r.subarray(r.length - 2)) };
}

/** SELECT by FID with FCP, fetched through GET RESPONSE; returns tag 88's value or undefined if absent */
function sfiTag(card: VirtualUicc, fid: string): string | undefined {
  const s = raw(card, `00A4000402${fid}`);
  expect(s.sw.slice(0, 2), fid).toBe('61');
  const g = raw(card, `00C00000${s.sw.slice(2)}`);
  const t = findBer(decodeBer(fromHex(g.data))[0]!.children, 0x88);
  return t ? toHex(t.value) : undefined;
}

describe('default image SFIs (TS 102 221 13, TS 31.102 4.2)', () => {
  const img = defaultImage();
  const usim = img.mf.children!.find((c) => c.type === 'ADF')!;
  const efs = (df: FileImage) => df.children!.filter((c) => c.type === 'EF');

  it('every EF has the SFI of its spec table, or an explicit "none"', () => {
    for (const [df, files] of [
      ['MF', efs(img.mf)],
      ['ADF.USIM', efs(usim)],
    ] as const) {
      for (const f of files) {
        expect(SPEC_SFI[df]!, `${df}/${f.name}`).toHaveProperty(f.fid);
        expect(f.sfi, `${df}/${f.name}`).toBe(SPEC_SFI[df]![f.fid]);
      }
    }
  });

  it('the FCP carries 88 00 for files without an SFI and 88 <sfi << 3> for the others', () => {
    const card = new VirtualUicc(defaultImage());
    raw(card, `00A4040C10${USIM_AID}`);
    expect(sfiTag(card, '6F46')).toBe(''); // EF.SPN
    expect(sfiTag(card, '6F42')).toBe(''); // EF.SMSP
    expect(sfiTag(card, '6F40')).toBe(''); // EF.MSISDN
    expect(sfiTag(card, '6F78')).toBe('30'); // EF.ACC, SFI 06 (b8-b4)
  });

  it('READ BINARY with SFI 06 in ADF.USIM reaches EF.ACC: 6982 before PIN1, its content after', () => {
    const card = new VirtualUicc(defaultImage());
    raw(card, `00A4040C10${USIM_AID}`);
    expect(raw(card, '00B0860002').sw).toBe('6982');
    expect(raw(card, `0020000108${pinHex('1234')}`).sw).toBe('9000');
    expect(raw(card, '00B0860002')).toEqual({ data: '0001', sw: '9000' });
    // SFI 02 is EF.LI (not EF.SMSP, FID 6F42)
    expect(raw(card, '00B082000A')).toEqual({ data: '656EFFFFFFFFFFFFFFFF', sw: '9000' });
  });
});

describe('default EF.MSISDN (TS 31.102 4.2.26, X = 0)', () => {
  it('its length byte covers TON/NPI and exactly the BCD bytes that carry digits', () => {
    const msisdn = defaultImage()
      .mf.children!.find((c) => c.type === 'ADF')!
      .children!.find((c) => c.fid === '6F40')!;
    const r = fromHex(msisdn.records![0]!);
    expect(r.length).toBe(14);
    const len = r[0]!;
    expect(len).toBeGreaterThanOrEqual(2);
    expect(len).toBeLessThanOrEqual(11);
    expect(r[1]).toBe(0x91); // international, ISDN/telephony
    const bcd = r.subarray(2, 1 + len);
    const digits = [...bcd].flatMap((b) => [b & 0x0f, b >> 4]).filter((d, i, all) => !(d === 0xf && i === all.length - 1));
    expect(digits.every((d) => d <= 9)).toBe(true);
    expect(digits.join('')).toBe('447900000001');
    // everything after the number (rest of the 10-byte dialling number field, CCP2 and EXT5 ids) is FF
    expect([...r.subarray(1 + len)].every((b) => b === 0xff)).toBe(true);
  });
});
