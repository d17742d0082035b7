/**
 * 3GPP TS 31.102: ADF.USIM (4.2) with DF.GSM-ACCESS, DF.PHONEBOOK and DF.5GS (4.4), and DF.TELECOM
 * (4.4) at the MF, each EF declared once with its codec (codings shared with TS 51.011 10.3/10.5
 * where the clause says so). Access hints: the READ/UPDATE rows of each clause's table.
 */
import { defineCodec } from '../codecs/define.js';
import { EF_ARR } from './ts-102-221.js';
import { type DfDecl, df, efs, TS31102 } from './model.js';
import {
  ascii,
  bcd,
  bitList,
  bits,
  type Block,
  enumOf,
  fail,
  gsmText,
  hex,
  isEmpty,
  isObj,
  list,
  mapped,
  optional,
  plmn,
  struct,
  uint,
} from '../codecs/fields.js';
import { EST_SERVICES, UST_SERVICES } from '../codecs/service-names.js';
import { hexNum } from '../../util/hex.js';

const ff = (n: number): Uint8Array => new Uint8Array(n).fill(0xff);

// ---- 4.2.2 EF.IMSI ---------------------------------------------------------------------------

/** Byte 1: number of bytes used; byte 2 low nibble: parity (9 = odd digit count, 1 = even); then BCD (TS 24.008 10.5.1.4). */
function imsi(): Block {
  return {
    size: 9,
    decode(b, ctx) {
      if (isEmpty(b)) return null;
      const len = b[0]!;
      if (len < 1 || len > 8) fail(ctx, `IMSI length byte ${len} (1..8 expected)`);
      const digits: number[] = [b[1]! >> 4];
      for (let i = 2; i <= len; i++) digits.push(b[i]! & 15, b[i]! >> 4);
      while (digits.length && digits[digits.length - 1] === 15) digits.pop();
      const bad = digits.findIndex((d) => d > 9);
      if (bad >= 0) fail({ ...ctx, offset: ctx.offset + 1 + Math.floor((bad + 1) / 2) }, `nibble ${hexNum(digits[bad]!, 1)} is not a BCD digit`);
      return digits.join('');
    },
    encode(v, _n, ctx) {
      if (v === null) return ff(9);
      if (typeof v !== 'string' || !/^\d{6,15}$/.test(v)) fail(ctx, '6 to 15 digits expected');
      const d = [...v].map(Number);
      const odd = d.length % 2 === 1;
      const nibs = [odd ? 9 : 1, ...d];
      if (!odd) nibs.push(15);
      const out = ff(9);
      out[0] = nibs.length / 2;
      for (let i = 0; i < nibs.length; i += 2) out[1 + i / 2] = (nibs[i + 1]! << 4) | nibs[i]!;
      return out;
    },
  };
}

export const EF_IMSI = defineCodec({
  name: 'EF.IMSI',
  spec: '3GPP TS 31.102 4.2.2 (TS 24.008 10.5.1.4)',
  block: struct([['imsi', imsi()]]),
  vectors: [
    { hex: '082982608200002080', value: { imsi: '228062800000208' }, source: 'pySim ts_51_011 EF_IMSI test vector (real card)' },
    { hex: '082926101160845740', value: { imsi: '262011106487504' }, source: 'pySim ts_51_011 EF_IMSI test vector (real card)' },
  ],
});

/** The IMSI digits of EF.IMSI's content, null when the file is blank; CodecError (naming EF.IMSI) when it is not an IMSI. */
export function imsiOf(content: Uint8Array): string | null {
  const v = EF_IMSI.decode(content);
  return isObj(v) && typeof v['imsi'] === 'string' ? v['imsi'] : null;
}

/** EF.IMSI content (9 bytes) of `digits`. */
export function imsiContent(digits: string): Uint8Array {
  return EF_IMSI.encode({ imsi: digits }, 9);
}

// ---- 4.2.3 / 4.2.4 EF.Keys, EF.KeysPS -----------------------------------------------------

const keysBlock = struct([
  ['ksi', uint(1)],
  ['ck', hex(16)],
  ['ik', hex(16)],
]);
const NO_KEYS = '07' + 'FF'.repeat(32);
export const EF_KEYS = defineCodec({
  name: 'EF.Keys',
  spec: '3GPP TS 31.102 4.2.3',
  block: keysBlock,
  vectors: [{ hex: NO_KEYS, value: { ksi: 7, ck: 'FF'.repeat(16), ik: 'FF'.repeat(16) }, source: "TS 31.102 4.2.3: KSI '07' = no key available" }],
});
export const EF_KEYSPS = defineCodec({
  name: 'EF.KeysPS',
  spec: '3GPP TS 31.102 4.2.4',
  block: keysBlock,
  vectors: [{ hex: NO_KEYS, value: { ksi: 7, ck: 'FF'.repeat(16), ik: 'FF'.repeat(16) }, source: "TS 31.102 4.2.4: KSIPS '07' = no key available" }],
});

// ---- 4.2.5 / 4.2.53 / 4.2.54 PLMN selectors with access technology ------------------------

/** Access technology identifier, TS 31.102 4.2.5 tables 4.2.5.1 / 4.2.5.2. */
const ACT_SIMPLE: [string, number][] = [
  ['UTRAN', 0x8000],
  ['NG-RAN', 0x0800],
  ['GSM COMPACT', 0x0040],
  ['cdma2000 HRPD', 0x0020],
  ['cdma2000 1xRTT', 0x0010],
];
function act(): Block {
  return mapped(
    uint(2),
    (n) => {
      const x = n as number;
      const out: string[] = ACT_SIMPLE.filter(([, bit]) => x & bit).map(([name]) => name);
      let used = ACT_SIMPLE.reduce((a, [, bit]) => a | bit, 0);
      const e = x & 0x7000;
      if (e === 0x4000 || e === 0x7000) out.push('E-UTRAN WB-S1', 'E-UTRAN NB-S1');
      else if (e === 0x6000) out.push('E-UTRAN WB-S1');
      else if (e === 0x5000) out.push('E-UTRAN NB-S1');
      if (e & 0x4000) used |= 0x7000;
      const g = x & 0x008c;
      if (g === 0x0080 || g === 0x008c) out.push('GSM', 'EC-GSM-IoT');
      else if (g === 0x0084) out.push('GSM');
      else if (g === 0x0088) out.push('EC-GSM-IoT');
      if (g & 0x0080) used |= 0x008c;
      // qualifier bits without their technology bit, and RFU bits, are kept as they are
      const rfu = x & ~used & 0xffff;
      if (rfu) out.push(`rfu:${hexNum(rfu, 4)}`);
      return out;
    },
    (v, ctx) => {
      if (!Array.isArray(v)) fail(ctx, "list of access technologies expected, e.g. ['UTRAN', 'E-UTRAN WB-S1', 'E-UTRAN NB-S1', 'GSM']");
      let x = 0;
      const has = (s: string): boolean => v.includes(s);
      for (const t of v) {
        if (typeof t !== 'string') fail(ctx, 'access technology names expected');
        const simple = ACT_SIMPLE.find(([n]) => n === t);
        if (simple) x |= simple[1];
        else if (t.startsWith('rfu:')) x |= parseInt(t.slice(4), 16);
        else if (!['E-UTRAN WB-S1', 'E-UTRAN NB-S1', 'GSM', 'EC-GSM-IoT'].includes(t)) fail(ctx, `unknown access technology '${t}'`);
      }
      const wb = has('E-UTRAN WB-S1');
      const nb = has('E-UTRAN NB-S1');
      x |= wb && nb ? 0x4000 : wb ? 0x6000 : nb ? 0x5000 : 0;
      const gsm = has('GSM');
      const ec = has('EC-GSM-IoT');
      x |= gsm && ec ? 0x0080 : gsm ? 0x0084 : ec ? 0x0088 : 0;
      return x;
    },
  );
}

const plmnWithAct = list(
  struct([
    ['plmn', plmn()],
    ['act', act()],
  ]),
  { empty: Uint8Array.of(0xff, 0xff, 0xff, 0x00, 0x00) },
);
const xplmnVectors = [
  {
    hex: '00F110C080' + 'FF'.repeat(35),
    value: { entries: [{ plmn: { mcc: '001', mnc: '01' }, act: ['UTRAN', 'E-UTRAN WB-S1', 'E-UTRAN NB-S1', 'GSM', 'EC-GSM-IoT'] }] },
    source: 'TS 31.102 4.2.5: PLMN 001/01 (TS 24.008 10.5.1.3 coding), AcT C080 = UTRAN, E-UTRAN (b7 alone: both modes), GSM (b8 alone: GSM and EC-GSM-IoT)',
  },
  {
    hex: '22F86080003304200800' + '62F2100000' + 'FFFFFF0000',
    value: {
      entries: [
        { plmn: { mcc: '228', mnc: '06' }, act: ['UTRAN'] },
        { plmn: { mcc: '334', mnc: '020' }, act: ['NG-RAN'] },
        { plmn: { mcc: '262', mnc: '01' }, act: [] },
        null,
      ],
    },
    source: "PLMN codings of pySim EF_PLMNsel/EF_LOCI vectors ('22F860' 228/06, '330420' 334/020, '62F210' 262/01); AcT bits from TS 31.102 table 4.2.5.1",
  },
];
export const EF_PLMNWACT = defineCodec({ name: 'EF.PLMNwAcT', spec: '3GPP TS 31.102 4.2.5', block: struct([['entries', plmnWithAct]]), vectors: xplmnVectors });
export const EF_OPLMNWACT = defineCodec({
  name: 'EF.OPLMNwAcT',
  spec: '3GPP TS 31.102 4.2.53',
  block: struct([['entries', plmnWithAct]]),
  vectors: xplmnVectors,
});
export const EF_HPLMNWACT = defineCodec({
  name: 'EF.HPLMNwAcT',
  spec: '3GPP TS 31.102 4.2.54',
  block: struct([['entries', plmnWithAct]]),
  vectors: xplmnVectors,
});

// ---- 4.2.6 EF.HPPLMN ------------------------------------------------------------------------

export const EF_HPPLMN = defineCodec({
  name: 'EF.HPPLMN',
  spec: '3GPP TS 31.102 4.2.6',
  // the search period in steps of n minutes (n per TS 22.011 / 23.122), 0 = no search
  block: struct([['searchPeriod', uint(1)]]),
  vectors: [{ hex: '05', value: { searchPeriod: 5 }, source: 'pySim ts_31_102 EF_HPPLMN test vector' }],
});

// ---- 4.2.8 EF.UST, 4.2.47 EF.EST, TS 31.103 4.2.7 EF.IST: service tables ---------------------

/** Service n is bit (n-1) mod 8 (b1 first) of byte (n-1) div 8. Decodes the services present and their names. */
export function serviceTable(names: readonly string[]): Block {
  const bl = bitList((i, j) => i * 8 + j + 1);
  return {
    decode(b, ctx) {
      const available = bl.decode(b, ctx) as number[];
      return { available, names: available.map((n) => `${n}: ${names[n - 1] ?? 'RFU'}`) };
    },
    encode(v, n, ctx) {
      if (!isObj(v) || !Array.isArray(v.available)) fail(ctx, '{ available: [service numbers] } expected');
      for (const k of Object.keys(v)) if (k !== 'available' && k !== 'names') fail({ ...ctx, path: k }, 'unknown field (known: available; names is ignored)');
      return bl.encode(v.available, n, { ...ctx, path: 'available' });
    },
  };
}

export const EF_UST = defineCodec({
  name: 'EF.UST',
  spec: '3GPP TS 31.102 4.2.8',
  block: serviceTable(UST_SERVICES),
  vectors: [
    {
      hex: '9E6B1D9C23000000',
      value: {
        available: [2, 3, 4, 5, 8, 9, 10, 12, 14, 15, 17, 19, 20, 21, 27, 28, 29, 32, 33, 34, 38],
        names: [
          '2: Fixed Dialling Numbers (FDN)',
          '3: Extension 2',
          '4: Service Dialling Numbers (SDN)',
          '5: Extension 3',
          '8: Outgoing Call Information (OCI and OCT)',
          '9: Incoming Call Information (ICI and ICT)',
          '10: Short Message Storage (SMS)',
          '12: Short Message Service Parameters (SMSP)',
          '14: Capability Configuration Parameters 2 (CCP2)',
          '15: Cell Broadcast Message Identifier',
          '17: Group Identifier Level 1',
          '19: Service Provider Name',
          '20: User controlled PLMN selector with Access Technology',
          '21: MSISDN',
          '27: GSM Access',
          '28: Data download via SMS-PP',
          '29: Data download via SMS-CB',
          '32: RUN AT COMMAND command',
          '33: shall be set to 1',
          '34: Enabled Services Table',
          '38: GSM security context',
        ],
      },
      source: 'TS 31.102 4.2.8 bit layout, decoded by hand (9E = b2 b3 b4 b5 b8 -> services 2,3,4,5,8; ...)',
    },
  ],
});

export const EF_EST = defineCodec({
  name: 'EF.EST',
  spec: '3GPP TS 31.102 4.2.47',
  block: serviceTable(EST_SERVICES),
  vectors: [
    {
      hex: '05',
      value: { available: [1, 3], names: ['1: Fixed Dialling Numbers (FDN)', '3: APN Control List (ACL)'] },
      source: 'TS 31.102 4.2.47: b1 FDN, b3 ACL enabled',
    },
    { hex: '00', value: { available: [], names: [] }, source: 'TS 31.102 4.2.47: nothing enabled' },
  ],
});

// ---- 4.2.12 EF.SPN ----------------------------------------------------------------------------

export const EF_SPN = defineCodec({
  name: 'EF.SPN',
  spec: '3GPP TS 31.102 4.2.12',
  block: struct([
    // b1: display of the registered PLMN name required in the HPLMN (or a PLMN in EF.SPDI);
    // b2: display of the SPN not required elsewhere
    ['...', bits(1, { showPlmnNameAtHome: [0, 1], hideSpnWhenRoaming: [1, 1] })],
    ['name', gsmText(16)],
  ]),
  vectors: [
    {
      hex: '0147534D2D52204348FFFFFFFFFFFFFFFF',
      value: { showPlmnNameAtHome: true, hideSpnWhenRoaming: false, name: 'GSM-R CH' },
      source: 'pySim ts_51_011 EF_SPN test vector (real card)',
    },
  ],
});

// ---- 4.2.15 EF.ACC ----------------------------------------------------------------------------

export const EF_ACC = defineCodec({
  name: 'EF.ACC',
  spec: '3GPP TS 31.102 4.2.15',
  // byte 1 b8 = class 15 ... byte 2 b1 = class 0
  block: struct([['classes', bitList((i, j) => (1 - i) * 8 + j, 2)]]),
  vectors: [
    { hex: '802B', value: { classes: [0, 1, 3, 5, 15] }, source: 'pySim ts_51_011 EF_ACC test vector' },
    { hex: '0100', value: { classes: [8] }, source: 'pySim ts_51_011 EF_ACC test vector' },
  ],
});

// ---- 4.2.16 EF.FPLMN --------------------------------------------------------------------------

export const EF_FPLMN = defineCodec({
  name: 'EF.FPLMN',
  spec: '3GPP TS 31.102 4.2.16',
  block: struct([['plmns', list(plmn())]]),
  vectors: [
    {
      hex: '22F86033042062F210FFFFFF',
      value: {
        plmns: [
          { mcc: '228', mnc: '06' },
          { mcc: '334', mnc: '020' },
          { mcc: '262', mnc: '01' },
        ],
      },
      source: 'PLMN codings of pySim EF_PLMNsel/EF_LOCI vectors',
    },
  ],
});

// ---- 4.2.17 EF.LOCI, 4.2.23 EF.PSLOCI ----------------------------------------------------------

const LU_STATUS = { 0: 'updated', 1: 'not updated', 2: 'PLMN not allowed', 3: 'location area not allowed', 7: 'reserved' };
export const EF_LOCI = defineCodec({
  name: 'EF.LOCI',
  spec: '3GPP TS 31.102 4.2.17',
  block: struct([
    ['tmsi', hex(4)],
    [
      'lai',
      struct([
        ['plmn', plmn()],
        ['lac', hex(2)],
      ]),
    ],
    ['rfu', uint(1)],
    ['updateStatus', enumOf(1, LU_STATUS)],
  ]),
  vectors: [
    {
      hex: '47D1264A62F21037211E00',
      value: { tmsi: '47D1264A', lai: { plmn: { mcc: '262', mnc: '01' }, lac: '3721' }, rfu: 30, updateStatus: 'updated' },
      source: 'pySim ts_31_102 EF_LOCI test vector (real card)',
    },
    {
      hex: 'FFFFFFFF62F2200000FF01',
      value: { tmsi: 'FFFFFFFF', lai: { plmn: { mcc: '262', mnc: '02' }, lac: '0000' }, rfu: 255, updateStatus: 'not updated' },
      source: 'pySim ts_31_102 EF_LOCI test vector (real card)',
    },
  ],
});

export const EF_PSLOCI = defineCodec({
  name: 'EF.PSLOCI',
  spec: '3GPP TS 31.102 4.2.23',
  block: struct([
    ['ptmsi', hex(4)],
    ['ptmsiSignature', hex(3)],
    [
      'rai',
      struct([
        ['plmn', plmn()],
        ['lac', hex(2)],
        ['rac', hex(1)],
      ]),
    ],
    ['updateStatus', enumOf(1, { 0: 'updated', 1: 'not updated', 2: 'PLMN not allowed', 3: 'routing area not allowed', 7: 'reserved' })],
  ]),
  vectors: [
    {
      hex: 'FFFFFFFFFFFFFF62F2200000FF01',
      value: { ptmsi: 'FFFFFFFF', ptmsiSignature: 'FFFFFF', rai: { plmn: { mcc: '262', mnc: '02' }, lac: '0000', rac: 'FF' }, updateStatus: 'not updated' },
      source: "TS 31.102 4.2.23 layout; RAI from the pySim EF_LOCI vector's LAI 62F2200000",
    },
  ],
});

// ---- 4.2.18 EF.AD -------------------------------------------------------------------------------

export const EF_AD = defineCodec({
  name: 'EF.AD',
  spec: '3GPP TS 31.102 4.2.18',
  block: struct([
    [
      'operationMode',
      enumOf(1, {
        0x00: 'normal',
        0x80: 'type approval',
        0x01: 'normal and specific facilities',
        0x81: 'type approval and specific facilities',
        0x02: 'maintenance (off line)',
        0x04: 'cell test',
      }),
    ],
    ['additionalInfo', bits(2, { cipheringIndicator: [0, 1], csgDisplayControl: [1, 1], prose: [2, 1], extendedDrx: [3, 1] })],
    ['mncLength', uint(1)],
    ['extensions', hex()],
  ]),
  vectors: [
    {
      hex: '00000002',
      value: {
        operationMode: 'normal',
        additionalInfo: { cipheringIndicator: false, csgDisplayControl: false, prose: false, extendedDrx: false },
        mncLength: 2,
        extensions: '',
      },
      source: 'pySim ts_31_102 EF_AD test vector',
    },
    {
      hex: '01000102',
      value: {
        operationMode: 'normal and specific facilities',
        additionalInfo: { cipheringIndicator: true, csgDisplayControl: false, prose: false, extendedDrx: false },
        mncLength: 2,
        extensions: '',
      },
      source: 'pySim ts_31_102 EF_AD test vector',
    },
  ],
});

// ---- dialling numbers (TS 31.102 4.4.2.3 / TS 51.011 10.5.1): length, TON/NPI, 10 BCD bytes ------

/**
 * 12 bytes: BCD length (TON/NPI byte + digit bytes, or 'digits' for a TP address), TON/NPI, up to
 * 20 digits F padded. All FF = unused (null).
 */
function address(lengthIs: 'bytes' | 'digits'): Block {
  const digits = bcd(10, { extended: true });
  return {
    size: 12,
    decode(b, ctx) {
      if (isEmpty(b)) return null;
      const len = b[0]!;
      const used = lengthIs === 'bytes' ? len - 1 : Math.ceil(len / 2);
      if (len === 0xff || used < 0 || used > 10) fail(ctx, `address length byte ${len} out of range`);
      const num = digits.decode(b.subarray(2, 2 + used), { ...ctx, offset: ctx.offset + 2 }) as string;
      return { tonNpi: hexNum(b[1]!), number: num };
    },
    encode(v, _n, ctx) {
      if (v === null || v === undefined) return ff(12);
      if (!isObj(v) || typeof v.number !== 'string') fail(ctx, "{ tonNpi: '91', number: '447785016005' } or null expected");
      const ton = v.tonNpi ?? '81';
      if (typeof ton !== 'string' || !/^[0-9A-Fa-f]{2}$/.test(ton)) fail({ ...ctx, path: `${ctx.path}.tonNpi` }, 'one byte in hex expected');
      const body = digits.encode(v.number, 10, { ...ctx, path: `${ctx.path}.number` });
      const n = [...v.number].length;
      const out = new Uint8Array(12);
      out[0] = lengthIs === 'bytes' ? 1 + Math.ceil(n / 2) : n;
      out[1] = parseInt(ton, 16);
      out.set(body, 2);
      return out;
    },
  };
}

export const EF_MSISDN = defineCodec({
  name: 'EF.MSISDN',
  spec: '3GPP TS 31.102 4.2.26 (coding of TS 31.102 4.4.2.3 / TS 51.011 10.5.1)',
  unit: 'record',
  block: optional(
    struct([
      ['alphaId', gsmText()],
      ['number', address('bytes')],
      ['ccpId', uint(1)],
      ['extensionRecord', uint(1)],
    ]),
  ),
  vectors: [
    {
      hex: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF04B12143F5FFFFFFFFFFFFFFFFFF',
      value: { alphaId: '', number: { tonNpi: 'B1', number: '12345' }, ccpId: 255, extensionRecord: 255 },
      source: 'pySim ts_51_011 EF_MSISDN test vector',
    },
    {
      hex: '456967656E65205275666E756D6D6572FFFFFFFF0891947172199181F3FFFFFFFFFF',
      value: { alphaId: 'Eigene Rufnummer', number: { tonNpi: '91', number: '4917279119183' }, ccpId: 255, extensionRecord: 255 },
      source: 'pySim ts_51_011 EF_MSISDN test vector (real card)',
    },
  ],
});

// ---- 4.2.27 EF.SMSP (TS 51.011 10.5.6) ----------------------------------------------------------

export const EF_SMSP = defineCodec({
  name: 'EF.SMSP',
  spec: '3GPP TS 31.102 4.2.27 (TS 51.011 10.5.6)',
  unit: 'record',
  block: optional(
    struct([
      ['alphaId', gsmText()],
      // parameter indicators: a bit set to 0 means the parameter is present
      [
        'present',
        bits(
          1,
          { destinationAddress: [0, 1], serviceCentreAddress: [1, 1], protocolId: [2, 1], dataCodingScheme: [3, 1], validityPeriod: [4, 1] },
          { invert: true },
        ),
      ],
      ['destinationAddress', address('digits')],
      ['serviceCentreAddress', address('bytes')],
      ['protocolId', uint(1)],
      ['dataCodingScheme', uint(1)],
      // relative validity period, TS 23.040 9.2.3.12.1
      ['validityPeriod', uint(1)],
    ]),
  ),
  vectors: [
    {
      hex: '454E6574776F726B73FFFFFFFFFFFFFFF1' + 'FF'.repeat(24) + '0000A7',
      value: {
        alphaId: 'ENetworks',
        present: { destinationAddress: false, serviceCentreAddress: true, protocolId: true, dataCodingScheme: true, validityPeriod: false },
        destinationAddress: null,
        serviceCentreAddress: null,
        protocolId: 0,
        dataCodingScheme: 0,
        validityPeriod: 167,
      },
      source: 'pySim ts_51_011 EF_SMSP test vector (real card); indicator bits read per TS 51.011 10.5.6 (b5 = 1: no validity period)',
    },
  ],
});

// ---- 4.2.21 EF.ECC ------------------------------------------------------------------------------

const ECC_CATEGORIES = ['police', 'ambulance', 'fire brigade', 'marine guard', 'mountain rescue', 'manually initiated eCall', 'automatically initiated eCall'];
function categories(): Block {
  const bl = bitList((_i, j) => j, 1);
  return mapped(
    bl,
    (v) => (v as number[]).map((j) => ECC_CATEGORIES[j] ?? `bit ${j + 1}`),
    (v, ctx) => {
      if (!Array.isArray(v)) fail(ctx, `list of categories expected (${ECC_CATEGORIES.join(', ')})`);
      return v.map((x) => {
        const i =
          typeof x === 'string' ? (ECC_CATEGORIES.indexOf(x) >= 0 ? ECC_CATEGORIES.indexOf(x) : /^bit [1-8]$/.test(x) ? Number(x.slice(4)) - 1 : -1) : -1;
        if (i < 0) fail(ctx, `unknown category ${JSON.stringify(x)} (${ECC_CATEGORIES.join(', ')})`);
        return i;
      });
    },
  );
}

export const EF_ECC = defineCodec({
  name: 'EF.ECC',
  spec: '3GPP TS 31.102 4.2.21',
  unit: 'record',
  block: optional(
    struct([
      ['code', bcd(3)],
      ['alphaId', gsmText()],
      ['categories', categories()],
    ]),
  ),
  vectors: [
    { hex: '19F1FF01', value: { code: '911', alphaId: '', categories: ['police'] }, source: 'pySim ts_31_102 EF_ECC test vector' },
    { hex: '19F3FF02', value: { code: '913', alphaId: '', categories: ['ambulance'] }, source: 'pySim ts_31_102 EF_ECC test vector' },
    { hex: 'FFFFFFFF', value: null, source: 'TS 31.102 4.2.21: unused record' },
  ],
});

// ---- 4.2.1 EF.LI --------------------------------------------------------------------------------

export const EF_LI = defineCodec({
  name: 'EF.LI',
  spec: '3GPP TS 31.102 4.2.1 (coding of EF.PL, TS 102 221 13.3)',
  block: struct([['languages', list(ascii(2))]]),
  vectors: [{ hex: '656E6465FFFF', value: { languages: ['en', 'de'] }, source: "pySim EF_PL entry vectors '656e' en, '6465' de" }],
});

// ---- 4.2.51 EF.START-HFN, 4.2.52 EF.THRESHOLD, 4.2.7 EF.ACMmax, 4.2.84 EF.EHPLMN ---------------

export const EF_START_HFN = defineCodec({
  name: 'EF.START-HFN',
  spec: '3GPP TS 31.102 4.2.51',
  block: struct([
    ['startCs', uint(3)],
    ['startPs', uint(3)],
  ]),
  vectors: [{ hex: 'F00000F00000', value: { startCs: 15728640, startPs: 15728640 }, source: 'pySim ts_31_102 EF_START_HFN test vector' }],
});

export const EF_THRESHOLD = defineCodec({
  name: 'EF.THRESHOLD',
  spec: '3GPP TS 31.102 4.2.52',
  block: struct([['maxStart', uint(3)]]),
  vectors: [{ hex: 'F01000', value: { maxStart: 15732736 }, source: 'pySim ts_31_102 EF_THRESHOLD test vector' }],
});

export const EF_ACMMAX = defineCodec({
  name: 'EF.ACMmax',
  spec: '3GPP TS 31.102 4.2.7',
  block: struct([['acmMax', uint(3)]]),
  vectors: [{ hex: '000000', value: { acmMax: 0 }, source: 'pySim ts_51_011 EF_ACMmax test vector' }],
});

export const EF_EHPLMN = defineCodec({
  name: 'EF.EHPLMN',
  spec: '3GPP TS 31.102 4.2.84',
  block: struct([['plmns', list(plmn())]]),
  vectors: [
    {
      hex: '62F21062F220FFFFFF',
      value: {
        plmns: [
          { mcc: '262', mnc: '01' },
          { mcc: '262', mnc: '02' },
        ],
      },
      source: 'PLMN codings of the pySim EF_LOCI vectors',
    },
  ],
});

// ---- the files -------------------------------------------------------------------------------

/** 4.4.3 DF.GSM-ACCESS */
const GSM_ACCESS = df(
  'DF',
  0x5f3b,
  'DF.GSM-ACCESS',
  'GSM access',
  `${TS31102} 4.4.3`,
  efs(TS31102, [
    [0x4f20, 'EF.Kc', 't', 0x01, 'GSM ciphering key Kc', '4.4.3.1'],
    [0x4f52, 'EF.KcGPRS', 't', 0x02, 'GPRS ciphering key KcGPRS', '4.4.3.2'],
    [0x4f63, 'EF.CPBCCH', 't', undefined, 'CPBCCH information', '4.4.3.3'],
    [0x4f64, 'EF.InvScan', 't', undefined, 'investigation scan', '4.4.3.4'],
  ]),
);

/** 4.4.11 DF.5GS */
const FIVEGS = df(
  'DF',
  0x5fc0,
  'DF.5GS',
  '5GS',
  `${TS31102} 4.4.11`,
  efs(TS31102, [
    [0x4f01, 'EF.5GS3GPPLOCI', 't', 0x01, '5GS 3GPP location information', '4.4.11.2'],
    [0x4f02, 'EF.5GSN3GPPLOCI', 't', 0x02, '5GS non-3GPP location information', '4.4.11.3'],
    [0x4f03, 'EF.5GS3GPPNSC', 'l', 0x03, '5GS 3GPP NAS security context', '4.4.11.4'],
    [0x4f04, 'EF.5GSN3GPPNSC', 'l', 0x04, '5GS non-3GPP NAS security context', '4.4.11.5'],
    [0x4f05, 'EF.5GAUTHKEYS', 't', 0x05, '5G authentication keys', '4.4.11.6'],
    [0x4f06, 'EF.UAC_AIC', 't', 0x06, 'UAC access identities configuration', '4.4.11.7'],
    [0x4f07, 'EF.SUCI_Calc_Info', 't', 0x07, 'SUCI calculation information', '4.4.11.8'],
    [0x4f08, 'EF.OPL5G', 'l', 0x08, '5GS operator PLMN list', '4.4.11.9'],
    [0x4f09, 'EF.SUPI_NAI', 't', 0x09, 'SUPI as network specific identifier', '4.4.11.10'],
    [0x4f0a, 'EF.Routing_Indicator', 't', 0x0a, 'routing indicator', '4.4.11.11'],
  ]),
);

/** 4.4.2 DF.PHONEBOOK (under ADF.USIM and under DF.TELECOM) */
const phonebook = () =>
  df('DF', 0x5f3a, 'DF.PHONEBOOK', 'phone book', `${TS31102} 4.4.2`, efs(TS31102, [[0x4f30, 'EF.PBR', 'l', undefined, 'phone book reference', '4.4.2.1']]));

/** 4.2: ADF.USIM. FID 7FFF stands for "the current ADF" (TS 102 221 8.3); the AID prefix is Annex A's. */
export const USIM: DfDecl = df(
  'ADF',
  0x7fff,
  'ADF.USIM',
  'USIM application',
  `${TS31102} 4.2`,
  [
    ...efs(TS31102, [
      [0x6f05, 'EF.LI', 't', 0x02, 'language indication', '4.2.1', { codec: EF_LI, size: [2], access: 'ALW/PIN' }],
      [0x6f07, 'EF.IMSI', 't', 0x07, 'IMSI', '4.2.2', { codec: EF_IMSI, size: 9, access: 'PIN/ADM' }],
      [0x6f08, 'EF.Keys', 't', 0x08, 'ciphering and integrity keys', '4.2.3', { codec: EF_KEYS, size: 33, access: 'PIN/PIN' }],
      [0x6f09, 'EF.KeysPS', 't', 0x09, 'ciphering and integrity keys for the PS domain', '4.2.4', { codec: EF_KEYSPS, size: 33, access: 'PIN/PIN' }],
      [
        0x6f60,
        'EF.PLMNwAcT',
        't',
        0x0a,
        'user controlled PLMN selector with access technology',
        '4.2.5',
        { codec: EF_PLMNWACT, size: [40], access: 'PIN/PIN' },
      ],
      [0x6f31, 'EF.HPPLMN', 't', 0x12, 'higher priority PLMN search period', '4.2.6', { codec: EF_HPPLMN, size: 1, access: 'PIN/ADM' }],
      [0x6f37, 'EF.ACMmax', 't', undefined, 'ACM maximum value', '4.2.7', { codec: EF_ACMMAX, size: 3, access: 'PIN/PIN2' }],
      [0x6f38, 'EF.UST', 't', 0x04, 'USIM service table', '4.2.8', { codec: EF_UST, size: [1], access: 'PIN/ADM' }],
      [0x6f39, 'EF.ACM', 'c', undefined, 'accumulated call meter', '4.2.9'],
      [0x6f3e, 'EF.GID1', 't', undefined, 'group identifier level 1', '4.2.10'],
      [0x6f3f, 'EF.GID2', 't', undefined, 'group identifier level 2', '4.2.11'],
      [0x6f46, 'EF.SPN', 't', undefined, 'service provider name', '4.2.12', { codec: EF_SPN, size: 17, access: 'ALW/ADM' }],
      [0x6f41, 'EF.PUCT', 't', undefined, 'price per unit and currency table', '4.2.13'],
      [0x6f45, 'EF.CBMI', 't', undefined, 'cell broadcast message identifier selection', '4.2.14'],
      [0x6f78, 'EF.ACC', 't', 0x06, 'access control class', '4.2.15', { codec: EF_ACC, size: 2, access: 'PIN/ADM' }],
      [0x6f7b, 'EF.FPLMN', 't', 0x0d, 'forbidden PLMNs', '4.2.16', { codec: EF_FPLMN, size: [12], access: 'PIN/PIN' }],
      [0x6f7e, 'EF.LOCI', 't', 0x0b, 'location information', '4.2.17', { codec: EF_LOCI, size: 11, access: 'PIN/PIN' }],
      [0x6fad, 'EF.AD', 't', 0x03, 'administrative data', '4.2.18', { codec: EF_AD, size: [4], access: 'ALW/ADM' }],
      [0x6f48, 'EF.CBMID', 't', 0x0e, 'cell broadcast message identifier for data download', '4.2.20'],
      [0x6fb7, 'EF.ECC', 'l', 0x01, 'emergency call codes', '4.2.21', { codec: EF_ECC, size: [4], access: 'ALW/ADM' }],
      [0x6f50, 'EF.CBMIR', 't', undefined, 'cell broadcast message identifier range selection', '4.2.22'],
      [0x6f73, 'EF.PSLOCI', 't', 0x0c, 'packet switched location information', '4.2.23', { codec: EF_PSLOCI, size: 14, access: 'PIN/PIN' }],
      [0x6f3b, 'EF.FDN', 'l', undefined, 'fixed dialling numbers', '4.2.24'],
      [0x6f3c, 'EF.SMS', 'l', undefined, 'short messages', '4.2.25'],
      [0x6f40, 'EF.MSISDN', 'l', undefined, 'MSISDN', '4.2.26', { codec: EF_MSISDN, size: [14], access: 'PIN/PIN' }],
      [0x6f42, 'EF.SMSP', 'l', undefined, 'short message service parameters', '4.2.27', { codec: EF_SMSP, size: [28], access: 'PIN/PIN' }],
      [0x6f43, 'EF.SMSS', 't', undefined, 'SMS status', '4.2.28'],
      [0x6f49, 'EF.SDN', 'l', undefined, 'service dialling numbers', '4.2.29'],
      [0x6f4b, 'EF.EXT2', 'l', undefined, 'extension 2', '4.2.30'],
      [0x6f4c, 'EF.EXT3', 'l', undefined, 'extension 3', '4.2.31'],
      [0x6f47, 'EF.SMSR', 'l', undefined, 'short message status reports', '4.2.32'],
      [0x6f80, 'EF.ICI', 'c', 0x14, 'incoming call information', '4.2.33'],
      [0x6f81, 'EF.OCI', 'c', 0x15, 'outgoing call information', '4.2.34'],
      [0x6f82, 'EF.ICT', 'c', undefined, 'incoming call timer', '4.2.35'],
      [0x6f83, 'EF.OCT', 'c', undefined, 'outgoing call timer', '4.2.36'],
      [0x6f4e, 'EF.EXT5', 'l', undefined, 'extension 5', '4.2.37'],
      [0x6f4f, 'EF.CCP2', 'l', 0x16, 'capability configuration parameters 2', '4.2.38'],
      [0x6fb5, 'EF.eMLPP', 't', undefined, 'enhanced multi level precedence and pre-emption', '4.2.39'],
      [0x6fb6, 'EF.AaeM', 't', undefined, 'automatic answer for eMLPP service', '4.2.40'],
      [0x6f4d, 'EF.BDN', 'l', undefined, 'barred dialling numbers', '4.2.44'],
      [0x6f55, 'EF.EXT4', 'l', undefined, 'extension 4', '4.2.45'],
      [0x6f58, 'EF.CMI', 'l', undefined, 'comparison method information', '4.2.46'],
      [0x6f56, 'EF.EST', 't', 0x05, 'enabled services table', '4.2.47', { codec: EF_EST, size: [1], access: 'PIN/PIN2' }],
      [0x6f57, 'EF.ACL', 't', undefined, 'access point name control list', '4.2.48'],
      [0x6f2c, 'EF.DCK', 't', undefined, 'depersonalisation control keys', '4.2.49'],
      [0x6f32, 'EF.CNL', 't', undefined, 'co-operative network list', '4.2.50'],
      [0x6f5b, 'EF.START-HFN', 't', 0x0f, 'initialisation values for hyperframe number', '4.2.51', { codec: EF_START_HFN, size: 6, access: 'PIN/PIN' }],
      [0x6f5c, 'EF.THRESHOLD', 't', 0x10, 'maximum value of START', '4.2.52', { codec: EF_THRESHOLD, size: 3, access: 'PIN/ADM' }],
      [
        0x6f61,
        'EF.OPLMNwAcT',
        't',
        0x11,
        'operator controlled PLMN selector with access technology',
        '4.2.53',
        { codec: EF_OPLMNWACT, size: [40], access: 'PIN/ADM' },
      ],
      [0x6f62, 'EF.HPLMNwAcT', 't', 0x13, 'HPLMN selector with access technology', '4.2.54', { codec: EF_HPLMNWACT, size: [5], access: 'PIN/ADM' }],
      [0x6fc4, 'EF.NETPAR', 't', undefined, 'network parameters', '4.2.56'],
      [0x6fc5, 'EF.PNN', 'l', 0x19, 'PLMN network name', '4.2.58'],
      [0x6fc6, 'EF.OPL', 'l', 0x1a, 'operator PLMN list', '4.2.59'],
      [0x6fc7, 'EF.MBDN', 'l', undefined, 'mailbox dialling numbers', '4.2.60'],
      [0x6fc9, 'EF.MBI', 'l', undefined, 'mailbox identifier', '4.2.62'],
      [0x6fca, 'EF.MWIS', 'l', undefined, 'message waiting indication status', '4.2.63'],
      [0x6fcb, 'EF.CFIS', 'l', undefined, 'call forwarding indication status', '4.2.64'],
      [0x6fcd, 'EF.SPDI', 't', 0x1b, 'service provider display information', '4.2.66'],
      [0x6fce, 'EF.MMSN', 'l', undefined, 'MMS notification', '4.2.67'],
      [0x6fd0, 'EF.MMSICP', 't', undefined, 'MMS issuer connectivity parameters', '4.2.69'],
      [0x6fd1, 'EF.MMSUP', 'l', undefined, 'MMS user preferences', '4.2.70'],
      [0x6fd2, 'EF.MMSUCP', 't', undefined, 'MMS user connectivity parameters', '4.2.71'],
      [0x6fd3, 'EF.NIA', 'l', undefined, "network's indication of alerting", '4.2.72'],
      [0x6fd6, 'EF.GBABP', 't', undefined, 'GBA bootstrapping parameters', '4.2.79'],
      [0x6fd7, 'EF.MSK', 'l', undefined, 'MBMS service keys list', '4.2.80'],
      [0x6fd8, 'EF.MUK', 'l', undefined, 'MBMS user key', '4.2.81'],
      [0x6fda, 'EF.GBANL', 'l', undefined, 'GBA NAF list', '4.2.83'],
      [0x6fd9, 'EF.EHPLMN', 't', 0x1d, 'equivalent HPLMN', '4.2.84', { codec: EF_EHPLMN, size: [3], access: 'PIN/ADM' }],
      [0x6fdb, 'EF.EHPLMNPI', 't', undefined, 'equivalent HPLMN presentation indication', '4.2.85'],
      [0x6fdc, 'EF.LRPLMNSI', 't', undefined, 'last RPLMN selection indication', '4.2.86'],
      [0x6fdd, 'EF.NAFKCA', 'l', undefined, 'NAF key centre address', '4.2.87'],
      [0x6fde, 'EF.SPNI', 't', undefined, 'service provider name icon', '4.2.88'],
      [0x6fdf, 'EF.PNNI', 'l', undefined, 'PLMN network name icon', '4.2.89'],
      [0x6fe2, 'EF.NCP-IP', 'l', undefined, 'network connectivity parameters for USIM IP connections', '4.2.90'],
      [0x6fe3, 'EF.EPSLOCI', 't', 0x1e, 'EPS location information', '4.2.91'],
      [0x6fe4, 'EF.EPSNSC', 'l', 0x18, 'EPS NAS security context', '4.2.92'],
      [0x6fe6, 'EF.UFC', 't', undefined, 'USAT facility control', '4.2.93'],
      [0x6fe7, 'EF.UICCIARI', 'l', undefined, 'UICC IARI', '4.2.94'],
      [0x6fe8, 'EF.NASCONFIG', 't', undefined, 'non access stratum configuration', '4.2.95'],
      [0x6fec, 'EF.PWS', 't', undefined, 'public warning system', '4.2.96'],
      [0x6f06, 'EF.ARR', 'l', 0x17, 'access rule reference', '4.2.57', { codec: EF_ARR, access: 'ALW/ADM' }],
    ]),
    GSM_ACCESS,
    phonebook(),
    FIVEGS,
  ],
  'A0000000871002',
);

/** 4.4: DF.TELECOM at the MF (its EFs' codings are TS 51.011 10.5's) */
export const TELECOM: DfDecl = df('DF', 0x7f10, 'DF.TELECOM', 'telecom', `${TS31102} 4.4`, [
  ...efs(TS31102, [
    [0x6f06, 'EF.ARR', 'l', undefined, 'access rule reference', '4.4.2.x', { codec: EF_ARR }],
    [0x6f3a, 'EF.ADN', 'l', undefined, 'abbreviated dialling numbers', '4.4.2.3 / TS 51.011 10.5.1'],
    [0x6f3b, 'EF.FDN', 'l', undefined, 'fixed dialling numbers', 'TS 51.011 10.5.2'],
    [0x6f3c, 'EF.SMS', 'l', undefined, 'short messages', 'TS 51.011 10.5.3'],
    [0x6f40, 'EF.MSISDN', 'l', undefined, 'MSISDN', 'TS 51.011 10.5.5', { codec: EF_MSISDN }],
    [0x6f42, 'EF.SMSP', 'l', undefined, 'SMS parameters', 'TS 51.011 10.5.6', { codec: EF_SMSP }],
    [0x6f43, 'EF.SMSS', 't', undefined, 'SMS status', 'TS 51.011 10.5.7'],
    [0x6f44, 'EF.LND', 'c', undefined, 'last number dialled', 'TS 51.011 10.5.8'],
    [0x6f49, 'EF.SDN', 'l', undefined, 'service dialling numbers', 'TS 51.011 10.5.9'],
    [0x6f4a, 'EF.EXT1', 'l', undefined, 'extension 1', 'TS 51.011 10.5.10'],
  ]),
  df('DF', 0x5f50, 'DF.GRAPHICS', 'graphics', `${TS31102} 4.6.1`, efs(TS31102, [[0x4f20, 'EF.IMG', 'l', undefined, 'image', '4.6.1.1']])),
  phonebook(),
]);
