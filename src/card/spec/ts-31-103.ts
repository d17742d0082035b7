/**
 * 3GPP TS 31.103: ADF.ISIM (4.2), each EF declared once with its codec. EF.AD, EF.ARR and EF.SMSP
 * share the USIM's / UICC's codings (4.2.5, 4.2.6, 4.2.15 refer to them).
 */
import { defineCodec } from '../codecs/define.js';
import { fail, isEmpty, struct, type Block } from '../codecs/fields.js';
import { IST_SERVICES } from '../codecs/service-names.js';
import type { Json } from '../codecs/types.js';
import { type DfDecl, df, efs, TS31103 } from './model.js';
import { EF_ARR } from './ts-102-221.js';
import { EF_AD, EF_SMSP, serviceTable } from './ts-31-102.js';
import { hexNum, toHex } from '../../util/hex.js';

const ff = (n: number): Uint8Array => new Uint8Array(n).fill(0xff);

// ---- 4.2.7 EF.IST -----------------------------------------------------------------------------

export const EF_IST = defineCodec({
  name: 'EF.IST',
  spec: '3GPP TS 31.103 4.2.7',
  block: serviceTable(IST_SERVICES),
  vectors: [
    { hex: '03', value: { available: [1, 2], names: ['1: P-CSCF address', '2: Generic Bootstrapping Architecture (GBA)'] }, source: 'TS 31.103 4.2.7: b1, b2' },
  ],
});

// ---- TS 31.103 4.2.2-4.2.4: EF.IMPI, EF.DOMAIN, EF.IMPU: TLV '80' with a UTF-8 URI/NAI -------

function tlv80Text(): Block {
  return {
    decode(b, ctx) {
      if (isEmpty(b)) return null;
      if (b[0] !== 0x80) fail(ctx, `tag ${hexNum(b[0]!)} where 80 belongs`);
      let len = b[1] ?? 0;
      let o = 2;
      if (len === 0x81) {
        len = b[2] ?? 0;
        o = 3;
      } else if (len > 0x80) fail(ctx, `length form ${hexNum(len)} not supported`);
      if (o + len > b.length) fail(ctx, `value of ${len} bytes runs past the end (${b.length - o} left)`);
      const t = b.subarray(o, o + len);
      const s = new TextDecoder('utf-8', { fatal: false }).decode(t);
      return s;
    },
    encode(v, n, ctx) {
      if (v === null) return ff(n);
      if (typeof v !== 'string') fail(ctx, 'text expected');
      const t = Buffer.from(v, 'utf8');
      const head = t.length < 0x80 ? [0x80, t.length] : [0x80, 0x81, t.length];
      if (t.length > 255 || head.length + t.length > n) fail(ctx, `${t.length} bytes of text do not fit in ${n} bytes`);
      const out = ff(n);
      out.set([...head, ...t]);
      return out;
    },
  };
}

const imsVector = (text: string, source: string): { hex: string; value: Json; source: string } => ({
  hex: '80' + hexNum(Buffer.from(text).length) + toHex(Buffer.from(text)),
  value: { value: text },
  source,
});
export const EF_IMPI = defineCodec({
  name: 'EF.IMPI',
  spec: '3GPP TS 31.103 4.2.2',
  block: struct([['value', tlv80Text()]]),
  vectors: [imsVector('001010000000001@ims.mnc001.mcc001.3gppnetwork.org', 'TS 31.103 4.2.2 NAI in TLV 80 (TS 23.003 13.3 form)')],
});
export const EF_DOMAIN = defineCodec({
  name: 'EF.DOMAIN',
  spec: '3GPP TS 31.103 4.2.3',
  block: struct([['value', tlv80Text()]]),
  vectors: [imsVector('ims.mnc001.mcc001.3gppnetwork.org', 'TS 31.103 4.2.3 domain in TLV 80 (TS 23.003 13.2 form)')],
});
export const EF_IMPU = defineCodec({
  name: 'EF.IMPU',
  spec: '3GPP TS 31.103 4.2.4',
  unit: 'record',
  block: tlv80Text(),
  vectors: [
    {
      ...imsVector('sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org', 'TS 31.103 4.2.4 SIP URI in TLV 80'),
      value: 'sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org',
    },
  ],
});

// ---- the files -------------------------------------------------------------------------------

/** 4.2: ADF.ISIM (FID 7FFF: the current ADF; AID prefix of Annex A) */
export const ISIM: DfDecl = df(
  'ADF',
  0x7fff,
  'ADF.ISIM',
  'ISIM application',
  `${TS31103} 4.2`,
  efs(TS31103, [
    [0x6f02, 'EF.IMPI', 't', 0x02, 'IMS private user identity', '4.2.2', { codec: EF_IMPI, access: 'PIN/ADM' }],
    [0x6f03, 'EF.DOMAIN', 't', 0x05, 'home network domain name', '4.2.3', { codec: EF_DOMAIN, access: 'PIN/ADM' }],
    [0x6f04, 'EF.IMPU', 'l', 0x04, 'IMS public user identity', '4.2.4', { codec: EF_IMPU, access: 'PIN/ADM' }],
    [0x6fad, 'EF.AD', 't', 0x03, 'administrative data', '4.2.5', { codec: EF_AD, size: [3], access: 'ALW/ADM' }],
    [0x6f06, 'EF.ARR', 'l', 0x06, 'access rule reference', '4.2.6', { codec: EF_ARR, access: 'ALW/ADM' }],
    [0x6f07, 'EF.IST', 't', 0x07, 'ISIM service table', '4.2.7', { codec: EF_IST, size: [1], access: 'PIN/ADM' }],
    [0x6f09, 'EF.P-CSCF', 'l', undefined, 'P-CSCF address', '4.2.8'],
    [0x6fd5, 'EF.GBABP', 't', undefined, 'GBA bootstrapping parameters', '4.2.9'],
    [0x6fd7, 'EF.GBANL', 'l', undefined, 'GBA NAF list', '4.2.10'],
    [0x6fdd, 'EF.NAFKCA', 'l', undefined, 'NAF key centre address', '4.2.11'],
    [0x6f3c, 'EF.SMS', 'l', undefined, 'short messages', '4.2.12'],
    [0x6f43, 'EF.SMSS', 't', undefined, 'SMS status', '4.2.13'],
    [0x6f47, 'EF.SMSR', 'l', undefined, 'short message status reports', '4.2.14'],
    [0x6f42, 'EF.SMSP', 'l', undefined, 'short message service parameters', '4.2.15', { codec: EF_SMSP }],
    [0x6fe7, 'EF.UICCIARI', 'l', undefined, 'UICC IARI', '4.2.16'],
  ]),
  'A0000000871004',
);
