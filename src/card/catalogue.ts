/**
 * The catalogue of standard files: names, FIDs, SFIs, structures and codecs, so users type
 * 'MF/ADF.USIM/EF.IMSI' rather than hex. Sources: ETSI TS 102 221 section 13 (MF level files),
 * 3GPP TS 31.102 section 4.2/4.4 (ADF.USIM and its DFs), 3GPP TS 31.103 section 4.2 (ADF.ISIM),
 * 3GPP TS 51.011 section 10 (DF.GSM, DF.TELECOM). The tree is also what `ls -R` probes on a card
 * it does not know.
 */
import { codecFor } from './codecs/index.js';
import type { EfCodec } from './codecs/types.js';

export type FileKind = 'MF' | 'DF' | 'ADF' | 'EF';
export type EfStructure = 'transparent' | 'linear-fixed' | 'cyclic' | 'ber-tlv';

export interface CatalogueEntry {
  name: string;
  fid: number;
  kind: FileKind;
  structure?: EfStructure;
  sfi?: number;
  /** ADFs: the AID prefix (RID + application code, TS 101 220 / TS 31.102 Annex) */
  aid?: string;
  desc: string;
  spec: string;
  codec?: EfCodec;
  children: CatalogueEntry[];
  parent?: CatalogueEntry;
}

type Row = [fid: number, name: string, structure: 't' | 'l' | 'c' | 'b', sfi: number | undefined, desc: string, clause: string];

const STRUCT: Record<Row[2], EfStructure> = { t: 'transparent', l: 'linear-fixed', c: 'cyclic', b: 'ber-tlv' };

function efs(spec: string, rows: Row[]): CatalogueEntry[] {
  return rows.map(([fid, name, s, sfi, desc, clause]) => {
    const e: CatalogueEntry = { name, fid, kind: 'EF', structure: STRUCT[s], desc, spec: `${spec} ${clause}`, children: [] };
    if (sfi !== undefined) e.sfi = sfi;
    const c = codecFor(name);
    // a codec applies where the structure agrees (DF.GSM's EF.ECC is transparent, ADF.USIM's is a record EF)
    if (c && (c.unit === 'record') === (s === 'l' || s === 'c')) e.codec = c;
    return e;
  });
}

function df(kind: 'DF' | 'ADF', fid: number, name: string, desc: string, spec: string, children: CatalogueEntry[], aid?: string): CatalogueEntry {
  return { name, fid, kind, desc, spec, children, ...(aid ? { aid } : {}) };
}

const TS102 = 'ETSI TS 102 221';
const TS31102 = '3GPP TS 31.102';
const TS31103 = '3GPP TS 31.103';
const TS51011 = '3GPP TS 51.011';

function telecom(): CatalogueEntry {
  return df('DF', 0x7f10, 'DF.TELECOM', 'telecom', `${TS31102} 4.4`, [
    ...efs(TS31102, [
      [0x6f06, 'EF.ARR', 'l', undefined, 'access rule reference', '4.4.2.x'],
      [0x6f3a, 'EF.ADN', 'l', undefined, 'abbreviated dialling numbers', '4.4.2.3 / TS 51.011 10.5.1'],
      [0x6f3b, 'EF.FDN', 'l', undefined, 'fixed dialling numbers', 'TS 51.011 10.5.2'],
      [0x6f3c, 'EF.SMS', 'l', undefined, 'short messages', 'TS 51.011 10.5.3'],
      [0x6f40, 'EF.MSISDN', 'l', undefined, 'MSISDN', 'TS 51.011 10.5.5'],
      [0x6f42, 'EF.SMSP', 'l', undefined, 'SMS parameters', 'TS 51.011 10.5.6'],
      [0x6f43, 'EF.SMSS', 't', undefined, 'SMS status', 'TS 51.011 10.5.7'],
      [0x6f44, 'EF.LND', 'c', undefined, 'last number dialled', 'TS 51.011 10.5.8'],
      [0x6f49, 'EF.SDN', 'l', undefined, 'service dialling numbers', 'TS 51.011 10.5.9'],
      [0x6f4a, 'EF.EXT1', 'l', undefined, 'extension 1', 'TS 51.011 10.5.10'],
    ]),
    df('DF', 0x5f50, 'DF.GRAPHICS', 'graphics', `${TS31102} 4.6.1`, efs(TS31102, [[0x4f20, 'EF.IMG', 'l', undefined, 'image', '4.6.1.1']])),
    df('DF', 0x5f3a, 'DF.PHONEBOOK', 'phone book', `${TS31102} 4.4.2`, efs(TS31102, [[0x4f30, 'EF.PBR', 'l', undefined, 'phone book reference', '4.4.2.1']])),
  ]);
}

function gsm(): CatalogueEntry {
  return df('DF', 0x7f20, 'DF.GSM', 'GSM', `${TS51011} 10.3`, efs(TS51011, [
    [0x6f05, 'EF.LP', 't', undefined, 'language preference', '10.3.1'],
    [0x6f07, 'EF.IMSI', 't', undefined, 'IMSI', '10.3.2'],
    [0x6f20, 'EF.Kc', 't', undefined, 'ciphering key Kc', '10.3.3'],
    [0x6f30, 'EF.PLMNsel', 't', undefined, 'PLMN selector', '10.3.4'],
    [0x6f31, 'EF.HPPLMN', 't', undefined, 'HPLMN search period', '10.3.5'],
    [0x6f38, 'EF.SST', 't', undefined, 'SIM service table', '10.3.7'],
    [0x6f46, 'EF.SPN', 't', undefined, 'service provider name', '10.3.11'],
    [0x6f74, 'EF.BCCH', 't', undefined, 'broadcast control channels', '10.3.12'],
    [0x6f78, 'EF.ACC', 't', undefined, 'access control class', '10.3.15'],
    [0x6f7b, 'EF.FPLMN', 't', undefined, 'forbidden PLMNs', '10.3.16'],
    [0x6f7e, 'EF.LOCI', 't', undefined, 'location information', '10.3.17'],
    [0x6fad, 'EF.AD', 't', undefined, 'administrative data', '10.3.18'],
    [0x6fae, 'EF.Phase', 't', undefined, 'phase identification', '10.3.19'],
    [0x6fb7, 'EF.ECC', 't', undefined, 'emergency call codes', '10.3.27'],
  ]));
}

function usim(): CatalogueEntry {
  const gsmAccess = df('DF', 0x5f3b, 'DF.GSM-ACCESS', 'GSM access', `${TS31102} 4.4.3`, efs(TS31102, [
    [0x4f20, 'EF.Kc', 't', 0x01, 'GSM ciphering key Kc', '4.4.3.1'],
    [0x4f52, 'EF.KcGPRS', 't', 0x02, 'GPRS ciphering key KcGPRS', '4.4.3.2'],
    [0x4f63, 'EF.CPBCCH', 't', undefined, 'CPBCCH information', '4.4.3.3'],
    [0x4f64, 'EF.InvScan', 't', undefined, 'investigation scan', '4.4.3.4'],
  ]));
  const fivegs = df('DF', 0x5fc0, 'DF.5GS', '5GS', `${TS31102} 4.4.11`, efs(TS31102, [
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
  ]));
  return df('ADF', 0x7fff, 'ADF.USIM', 'USIM application', `${TS31102} 4.2`, [
    ...efs(TS31102, [
      [0x6f05, 'EF.LI', 't', 0x02, 'language indication', '4.2.1'],
      [0x6f07, 'EF.IMSI', 't', 0x07, 'IMSI', '4.2.2'],
      [0x6f08, 'EF.Keys', 't', 0x08, 'ciphering and integrity keys', '4.2.3'],
      [0x6f09, 'EF.KeysPS', 't', 0x09, 'ciphering and integrity keys for the PS domain', '4.2.4'],
      [0x6f60, 'EF.PLMNwAcT', 't', 0x0a, 'user controlled PLMN selector with access technology', '4.2.5'],
      [0x6f31, 'EF.HPPLMN', 't', 0x12, 'higher priority PLMN search period', '4.2.6'],
      [0x6f37, 'EF.ACMmax', 't', undefined, 'ACM maximum value', '4.2.7'],
      [0x6f38, 'EF.UST', 't', 0x04, 'USIM service table', '4.2.8'],
      [0x6f39, 'EF.ACM', 'c', undefined, 'accumulated call meter', '4.2.9'],
      [0x6f3e, 'EF.GID1', 't', undefined, 'group identifier level 1', '4.2.10'],
      [0x6f3f, 'EF.GID2', 't', undefined, 'group identifier level 2', '4.2.11'],
      [0x6f46, 'EF.SPN', 't', undefined, 'service provider name', '4.2.12'],
      [0x6f41, 'EF.PUCT', 't', undefined, 'price per unit and currency table', '4.2.13'],
      [0x6f45, 'EF.CBMI', 't', undefined, 'cell broadcast message identifier selection', '4.2.14'],
      [0x6f78, 'EF.ACC', 't', 0x06, 'access control class', '4.2.15'],
      [0x6f7b, 'EF.FPLMN', 't', 0x0d, 'forbidden PLMNs', '4.2.16'],
      [0x6f7e, 'EF.LOCI', 't', 0x0b, 'location information', '4.2.17'],
      [0x6fad, 'EF.AD', 't', 0x03, 'administrative data', '4.2.18'],
      [0x6f48, 'EF.CBMID', 't', 0x0e, 'cell broadcast message identifier for data download', '4.2.20'],
      [0x6fb7, 'EF.ECC', 'l', 0x01, 'emergency call codes', '4.2.21'],
      [0x6f50, 'EF.CBMIR', 't', undefined, 'cell broadcast message identifier range selection', '4.2.22'],
      [0x6f73, 'EF.PSLOCI', 't', 0x0c, 'packet switched location information', '4.2.23'],
      [0x6f3b, 'EF.FDN', 'l', undefined, 'fixed dialling numbers', '4.2.24'],
      [0x6f3c, 'EF.SMS', 'l', undefined, 'short messages', '4.2.25'],
      [0x6f40, 'EF.MSISDN', 'l', undefined, 'MSISDN', '4.2.26'],
      [0x6f42, 'EF.SMSP', 'l', undefined, 'short message service parameters', '4.2.27'],
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
      [0x6f56, 'EF.EST', 't', 0x05, 'enabled services table', '4.2.47'],
      [0x6f57, 'EF.ACL', 't', undefined, 'access point name control list', '4.2.48'],
      [0x6f2c, 'EF.DCK', 't', undefined, 'depersonalisation control keys', '4.2.49'],
      [0x6f32, 'EF.CNL', 't', undefined, 'co-operative network list', '4.2.50'],
      [0x6f5b, 'EF.START-HFN', 't', 0x0f, 'initialisation values for hyperframe number', '4.2.51'],
      [0x6f5c, 'EF.THRESHOLD', 't', 0x10, 'maximum value of START', '4.2.52'],
      [0x6f61, 'EF.OPLMNwAcT', 't', 0x11, 'operator controlled PLMN selector with access technology', '4.2.53'],
      [0x6f62, 'EF.HPLMNwAcT', 't', 0x13, 'HPLMN selector with access technology', '4.2.54'],
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
      [0x6fd3, 'EF.NIA', 'l', undefined, 'network\'s indication of alerting', '4.2.72'],
      [0x6fd6, 'EF.GBABP', 't', undefined, 'GBA bootstrapping parameters', '4.2.79'],
      [0x6fd7, 'EF.MSK', 'l', undefined, 'MBMS service keys list', '4.2.80'],
      [0x6fd8, 'EF.MUK', 'l', undefined, 'MBMS user key', '4.2.81'],
      [0x6fda, 'EF.GBANL', 'l', undefined, 'GBA NAF list', '4.2.83'],
      [0x6fd9, 'EF.EHPLMN', 't', 0x1d, 'equivalent HPLMN', '4.2.84'],
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
      [0x6f06, 'EF.ARR', 'l', 0x17, 'access rule reference', '4.2.57'],
    ]),
    gsmAccess,
    df('DF', 0x5f3a, 'DF.PHONEBOOK', 'phone book', `${TS31102} 4.4.2`, efs(TS31102, [[0x4f30, 'EF.PBR', 'l', undefined, 'phone book reference', '4.4.2.1']])),
    fivegs,
  ], 'A0000000871002');
}

function isim(): CatalogueEntry {
  return df('ADF', 0x7fff, 'ADF.ISIM', 'ISIM application', `${TS31103} 4.2`, efs(TS31103, [
    [0x6f02, 'EF.IMPI', 't', 0x02, 'IMS private user identity', '4.2.2'],
    [0x6f03, 'EF.DOMAIN', 't', 0x05, 'home network domain name', '4.2.3'],
    [0x6f04, 'EF.IMPU', 'l', 0x04, 'IMS public user identity', '4.2.4'],
    [0x6fad, 'EF.AD', 't', 0x03, 'administrative data', '4.2.5'],
    [0x6f06, 'EF.ARR', 'l', 0x06, 'access rule reference', '4.2.6'],
    [0x6f07, 'EF.IST', 't', 0x07, 'ISIM service table', '4.2.7'],
    [0x6f09, 'EF.P-CSCF', 'l', undefined, 'P-CSCF address', '4.2.8'],
    [0x6fd5, 'EF.GBABP', 't', undefined, 'GBA bootstrapping parameters', '4.2.9'],
    [0x6fd7, 'EF.GBANL', 'l', undefined, 'GBA NAF list', '4.2.10'],
    [0x6fdd, 'EF.NAFKCA', 'l', undefined, 'NAF key centre address', '4.2.11'],
    [0x6f3c, 'EF.SMS', 'l', undefined, 'short messages', '4.2.12'],
    [0x6f43, 'EF.SMSS', 't', undefined, 'SMS status', '4.2.13'],
    [0x6f47, 'EF.SMSR', 'l', undefined, 'short message status reports', '4.2.14'],
    [0x6f42, 'EF.SMSP', 'l', undefined, 'short message service parameters', '4.2.15'],
    [0x6fe7, 'EF.UICCIARI', 'l', undefined, 'UICC IARI', '4.2.16'],
  ]), 'A0000000871004');
}

function mf(): CatalogueEntry {
  const m: CatalogueEntry = {
    name: 'MF',
    fid: 0x3f00,
    kind: 'MF',
    desc: 'master file',
    spec: `${TS102} 8.1`,
    children: [
      ...efs(TS102, [
        [0x2fe2, 'EF.ICCID', 't', 0x02, 'ICC identification', '13.2'],
        [0x2f00, 'EF.DIR', 'l', 0x1e, 'application directory', '13.1'],
        [0x2f05, 'EF.PL', 't', 0x05, 'preferred languages', '13.3'],
        [0x2f06, 'EF.ARR', 'l', 0x06, 'access rule reference', '13.4'],
        [0x2f08, 'EF.UMPC', 't', 0x08, 'UICC maximum power consumption', '13.6'],
      ]),
      // applications first: a bare name like 'EF.IMSI' means the USIM's before DF.GSM's
      usim(),
      isim(),
      telecom(),
      gsm(),
    ],
  };
  const link = (e: CatalogueEntry): void => {
    for (const c of e.children) {
      c.parent = e;
      link(c);
    }
  };
  link(m);
  return m;
}

export class Catalogue {
  readonly root: CatalogueEntry;
  constructor(root: CatalogueEntry = mf()) {
    this.root = root;
  }

  /** A child of `parent` by name (case-insensitive, 'EF.' prefix optional) or FID. */
  child(parent: CatalogueEntry, key: string | number): CatalogueEntry | undefined {
    if (typeof key === 'number') return parent.children.find((c) => c.fid === key && c.kind !== 'ADF');
    const k = norm(key);
    return parent.children.find((c) => norm(c.name) === k || norm(c.name.replace(/^(EF|DF|ADF)\./, '')) === k);
  }

  /** The ADF entry whose AID prefix the card's AID starts with. */
  adfByAid(aid: string): CatalogueEntry | undefined {
    const a = aid.toUpperCase();
    return this.root.children.find((c) => c.kind === 'ADF' && c.aid && a.startsWith(c.aid));
  }

  /** Every entry, depth first. */
  *all(from: CatalogueEntry = this.root): Generator<CatalogueEntry> {
    yield from;
    for (const c of from.children) yield* this.all(c);
  }

  /** Every entry called `name` anywhere, shallowest first. */
  byName(name: string): CatalogueEntry[] {
    const k = norm(name);
    const hits = [...this.all()].filter((e) => norm(e.name) === k || norm(e.name.replace(/^(EF|DF|ADF)\./, '')) === k);
    return hits.sort((a, b) => depth(a) - depth(b));
  }

  /** 'MF/ADF.USIM/EF.IMSI' */
  pathOf(e: CatalogueEntry): string {
    const parts: string[] = [];
    for (let x: CatalogueEntry | undefined = e; x; x = x.parent) parts.unshift(x.name);
    return parts.join('/');
  }

  /** Up to `max` names close to `name` (edit distance), for "did you mean". */
  suggest(name: string, max = 3, within?: CatalogueEntry): string[] {
    const k = norm(name);
    const pool = within ? within.children : [...this.all()];
    const scored = pool
      .map((e) => {
        const n = norm(e.name);
        const bare = norm(e.name.replace(/^(EF|DF|ADF)\./, ''));
        const d = Math.min(distance(k, n), distance(k, bare), n.includes(k) || (k.length >= 3 && bare.startsWith(k)) ? 1 : 99);
        return { e, d };
      })
      .filter((x) => x.d <= Math.max(2, Math.floor(k.length / 3)));
    scored.sort((a, b) => a.d - b.d || depth(a.e) - depth(b.e));
    const out: string[] = [];
    for (const { e } of scored) {
      const p = this.pathOf(e);
      if (!out.includes(p)) out.push(p);
      if (out.length >= max) break;
    }
    return out;
  }
}

function depth(e: CatalogueEntry): number {
  let n = 0;
  for (let x = e.parent; x; x = x.parent) n++;
  return n;
}

function norm(s: string): string {
  return s.toUpperCase().replace(/[_\s-]/g, '');
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

let defaultCatalogue: Catalogue | undefined;
/** The standard catalogue (built once). */
export function standardCatalogue(): Catalogue {
  return (defaultCatalogue ??= new Catalogue());
}
