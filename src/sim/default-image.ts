/**
 * The default virtual UICC: MF with EF.ICCID, EF.DIR, EF.PL, EF.ARR, and ADF.USIM with the EFs of
 * 3GPP TS 31.102 section 4.2 that simdm reads and writes. Values are plausible test-network values
 * (MCC 001 / MNC 01 is the ITU test network). PIN1 1234, PUK1 12345678, PIN2 5678, ADM1 88888888
 * (ASCII, FF-padded to 8 bytes as cards expect).
 */
import { efOf, type EfDecl } from '../card/spec/model.js';
import { CARD_MODEL } from '../card/spec/index.js';
import { USIM } from '../card/spec/ts-31-102.js';
import { hexNum, toHex } from '../util/hex.js';
import { defaultOtaState } from './applets/ota.js';
import type { CardImage, FileImage } from './image.js';

export const USIM_AID = 'A0000000871002FF33FF018900000100';
/** ASCII digits, FF-padded to 8 bytes (TS 102 221 9.5.1 PIN format) */
export function pinHex(ascii: string): string {
  return toHex(Buffer.from(ascii, 'ascii')).padEnd(16, 'F');
}

const ff = (n: number): string => 'FF'.repeat(n);
const pad = (hex: string, n: number): string => (hex + ff(n)).slice(0, 2 * n);

/**
 * FID, name, structure and SFI come from the card model (src/card/spec/); the image adds the
 * content, the size and the access rules. A file whose spec gives no SFI gets `sfi: null`, written
 * as FCP tag 88 with no value (TS 102 221 11.1.1.4.8): a file without tag 88 would answer to the
 * low five bits of its FID, e.g. EF.SPN 6F46 to SFI 06, which TS 31.102 gives EF.ACC.
 */
function ef(d: EfDecl, content: string, size: number, access: FileImage['access']): FileImage {
  if (d.structure !== 'transparent') throw new Error(`${d.name} is not a transparent EF`);
  return { fid: hexNum(d.fid, 4), name: d.name, type: 'EF', structure: 'transparent', size, content: pad(content, size), access, sfi: d.sfi ?? null };
}

function rec(d: EfDecl, recordLength: number, records: string[], recordCount: number, access: FileImage['access']): FileImage {
  if (d.structure !== 'linear-fixed' && d.structure !== 'cyclic') throw new Error(`${d.name} is not a record EF`);
  const structure = d.structure;
  const all = Array.from({ length: recordCount }, (_, i) => pad(records[i] ?? '', recordLength));
  return {
    fid: hexNum(d.fid, 4),
    name: d.name,
    type: 'EF',
    structure,
    recordLength,
    recordCount,
    records: all,
    access,
    sfi: d.sfi ?? null,
  };
}

const MF = (name: string): EfDecl => efOf(CARD_MODEL, name);
const USIM_EF = (name: string): EfDecl => efOf(USIM, name);

const ALW_ADM = { read: 'ALW', update: 'ADM1' } as const;
const PIN_ADM = { read: 'PIN1', update: 'ADM1' } as const;
const PIN_PIN = { read: 'PIN1', update: 'PIN1' } as const;

export function defaultImage(): CardImage {
  // EF.DIR record (TS 102 221 13.1): 61 application template { 4F AID, 50 label }
  const dirUsim = `6118` + `4F10${USIM_AID}` + `5004${toHex(Buffer.from('USIM'))}`;
  return {
    version: 1,
    description: 'simdm default virtual UICC (test network 001/01)',
    // TS=3B, T0=9F (TA1, TD1, 15 historical bytes), TA1=96, TD1=80 (T=0, TD2 follows),
    // TD2=1F (T=15, TA3 follows), TA3=C7, historical bytes, TCK (ISO 7816-3 8.2)
    atr: '3B9F96801FC78031E073FE211B633A204E8300900093',
    pins: [
      {
        name: 'PIN1',
        ref: 0x01,
        value: pinHex('1234'),
        retries: 3,
        maxRetries: 3,
        enabled: true,
        puk: { value: pinHex('12345678'), retries: 10, maxRetries: 10 },
      },
      {
        name: 'PIN2',
        ref: 0x81,
        value: pinHex('5678'),
        retries: 3,
        maxRetries: 3,
        enabled: true,
        puk: { value: pinHex('87654321'), retries: 10, maxRetries: 10 },
      },
      { name: 'ADM1', ref: 0x0a, value: pinHex('88888888'), retries: 3, maxRetries: 3, enabled: true },
    ],
    freeSpace: 32768,
    // OTA/RFM: the documented public test key sets (docs/ota.md), so packets work out of the box
    applets: { ota: defaultOtaState() },
    mf: {
      fid: '3F00',
      name: 'MF',
      type: 'MF',
      access: { create: 'ADM1', delete: 'ADM1', activate: 'ADM1', deactivate: 'ADM1' },
      children: [
        // SFIs of the MF's EFs: TS 102 221 13.1-13.4 (EF.DIR 1E, EF.ICCID 02, EF.PL 05, EF.ARR 06)
        // EF.ICCID (TS 102 221 13.2): ICCID 8944100000000000015, BCD nibble-swapped, F-padded
        ef(MF('EF.ICCID'), '984401000000000010F5', 10, { read: 'ALW', update: 'ADM1' }),
        rec(MF('EF.DIR'), 38, [dirUsim], 4, ALW_ADM),
        ef(MF('EF.PL'), '656E', 10, { read: 'ALW', update: 'PIN1' }),
        rec(MF('EF.ARR'), 24, ['8001019000800102A406830101950108', '8001039000', '800101A40683010A950108800102A406830101950108'], 8, ALW_ADM),
        {
          fid: '7FF0',
          name: 'ADF.USIM',
          type: 'ADF',
          aid: USIM_AID,
          access: { create: 'ADM1', delete: 'ADM1', activate: 'ADM1', deactivate: 'ADM1' },
          // SFIs per TS 31.102 4.2 (listed in Annex H.1); the spec gives none to EF.SPN (4.2.12),
          // EF.MSISDN (4.2.26) and EF.SMSP (4.2.27): those carry 88 00
          children: [
            ef(USIM_EF('EF.IMSI'), '080910101032547698', 9, PIN_ADM),
            ef(USIM_EF('EF.AD'), '00000002', 4, ALW_ADM),
            ef(USIM_EF('EF.SPN'), '01' + toHex(Buffer.from('simdm')), 17, ALW_ADM),
            ef(USIM_EF('EF.UST'), '9E6B1D9C23000000', 8, PIN_ADM),
            ef(USIM_EF('EF.EST'), '00', 1, { read: 'PIN1', update: 'PIN2' }),
            ef(USIM_EF('EF.ACC'), '0001', 2, PIN_ADM),
            ef(USIM_EF('EF.LOCI'), 'FFFFFFFF00F110FFFEFF01', 11, PIN_PIN),
            ef(USIM_EF('EF.PSLOCI'), 'FFFFFFFFFFFFFF00F110FFFEFF01', 14, PIN_PIN),
            ef(USIM_EF('EF.HPPLMN'), '05', 1, PIN_ADM),
            ef(USIM_EF('EF.PLMNwAcT'), '00F110C080', 40, PIN_PIN),
            ef(USIM_EF('EF.OPLMNwAcT'), '00F110C080', 40, PIN_ADM),
            ef(USIM_EF('EF.FPLMN'), '', 12, PIN_PIN),
            ef(USIM_EF('EF.Keys'), '07', 33, PIN_PIN),
            ef(USIM_EF('EF.KeysPS'), '07', 33, PIN_PIN),
            // EF.SMSP (TS 31.102 4.2.27): 12-byte alpha, indicators E1 (SC address, PID, DCS, VP present), SC +447785016005
            rec(USIM_EF('EF.SMSP'), 40, [ff(12) + 'E1' + ff(12) + '0791447758100650FFFFFFFF' + '000000'], 2, PIN_PIN),
            rec(USIM_EF('EF.ECC'), 4, ['11F2FF00', '19F1FF00'], 5, ALW_ADM),
            ef(USIM_EF('EF.LI'), '656E', 10, { read: 'ALW', update: 'PIN1' }),
            // EF.MSISDN (TS 31.102 4.2.26, X = 0): length 07 (TON/NPI + 6 BCD bytes), TON/NPI 91,
            // +447900000001 nibble-swapped, capability/configuration 2 id FF, extension 5 id FF
            rec(USIM_EF('EF.MSISDN'), 14, ['0791449700000010FFFFFFFFFFFF'], 2, { read: 'PIN1', update: 'PIN1' }),
            rec(USIM_EF('EF.ARR'), 24, ['8001019000800102A406830101950108'], 8, ALW_ADM),
          ],
        },
      ],
    },
  };
}
