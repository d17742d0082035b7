/**
 * OMA Client Provisioning content (OMA-WAP-TS-ProvCont-V1_1; WAP-183-ProvCont): the typed model
 * a profile fills in, and its wap-provisioningdoc tree (PROV 1.0, encoded as WBXML with the
 * PROV code pages, public id 0x0B):
 *
 *   BOOTSTRAP (NAME, PROVURL, PROXY-ID), NAPDEF (NAPID, BEARER, NAME, NAP-ADDRESS, NAP-ADDRTYPE,
 *   NAPAUTHINFO{AUTHTYPE, AUTHNAME, AUTHSECRET}, VALIDITY{COUNTRY, NETWORK}), PXLOGICAL (PROXY-ID,
 *   NAME, STARTPAGE, PXAUTHINFO, PORT{PORTNBR, SERVICE}, PXPHYSICAL{PHYSICAL-PROXY-ID, PXADDR,
 *   PXADDRTYPE, TO-NAPID}), APPLICATION (APPID, PROVIDER-ID, NAME, TO-PROXY, TO-NAPID, ADDR,
 *   APPADDR{ADDR, ADDRTYPE, PORT{PORTNBR}}, APPAUTH{AAUTHLEVEL, AAUTHTYPE, AAUTHNAME, AAUTHSECRET,
 *   AAUTHDATA}). For OMA DM (APPID w7, OMA-TS-DM_Bootstrap Appendix: PROVIDER-ID is the DM
 *   ServerID, AAUTHLEVEL APPSRV = server credentials, CLIENT = client credentials).
 */
import { el, type WbxmlElement } from '../../codec/wbxml/tree.js';

export interface CpAuth {
  level?: string;
  type?: string;
  name?: string;
  secret?: string;
  data?: string;
}

export interface CpNapdef {
  napid: string;
  name?: string;
  bearer?: string;
  apn: string;
  addrType?: string;
  linger?: number;
  auth?: { type: string; name?: string; secret?: string };
  validity?: { country: string; network?: string }[];
}

export interface CpPxPhysical {
  id: string;
  addr: string;
  addrType?: string;
  toNapid: string[];
}

export interface CpPxLogical {
  proxyId: string;
  name?: string;
  startpage?: string;
  auth?: { type: string; id?: string; pw?: string };
  ports?: { portnbr: number; service?: string }[];
  physical: CpPxPhysical[];
}

export interface CpApplication {
  appid: string;
  providerId?: string;
  name?: string;
  toProxy?: string[];
  toNapid?: string[];
  addr?: string;
  appaddr?: { addr: string; addrType?: string; ports?: number[] }[];
  appauth?: CpAuth[];
}

export interface CpDocument {
  bootstrap?: { name?: string; provurl?: string; proxyId?: string };
  napdef?: CpNapdef[];
  pxlogical?: CpPxLogical[];
  applications?: CpApplication[];
}

type Parm = [string, string | number | undefined];

function parms(list: Parm[]): WbxmlElement[] {
  return list.filter(([, v]) => v !== undefined && v !== '').map(([n, v]) => el('parm', { name: n, value: String(v) }));
}

const ch = (type: string, children: WbxmlElement[]): WbxmlElement => el('characteristic', { type }, children);

/** One characteristic of parms per item (none for none). */
const each = <T>(type: string, items: readonly T[] | undefined, parmsOf: (x: T) => Parm[]): WbxmlElement[] =>
  (items ?? []).map((x) => ch(type, parms(parmsOf(x))));

export function cpToTree(doc: CpDocument): WbxmlElement {
  const out: WbxmlElement[] = [
    ...each('BOOTSTRAP', doc.bootstrap && [doc.bootstrap], (b) => [
      ['NAME', b.name],
      ['PROXY-ID', b.proxyId],
      ['PROVURL', b.provurl],
    ]),
  ];
  for (const n of doc.napdef ?? []) {
    out.push(
      ch('NAPDEF', [
        ...parms([
          ['NAPID', n.napid],
          ['BEARER', n.bearer],
          ['NAME', n.name],
          ['NAP-ADDRESS', n.apn],
          ['NAP-ADDRTYPE', n.addrType ?? 'APN'],
          ['LINGER', n.linger],
        ]),
        ...each('NAPAUTHINFO', n.auth && [n.auth], (a) => [
          ['AUTHTYPE', a.type],
          ['AUTHNAME', a.name],
          ['AUTHSECRET', a.secret],
        ]),
        ...each('VALIDITY', n.validity, (v) => [
          ['COUNTRY', v.country],
          ['NETWORK', v.network],
        ]),
      ]),
    );
  }
  for (const p of doc.pxlogical ?? []) {
    out.push(
      ch('PXLOGICAL', [
        ...parms([
          ['PROXY-ID', p.proxyId],
          ['NAME', p.name],
          ['STARTPAGE', p.startpage],
        ]),
        ...each('PXAUTHINFO', p.auth && [p.auth], (a) => [
          ['PXAUTH-TYPE', a.type],
          ['PXAUTH-ID', a.id],
          ['PXAUTH-PW', a.pw],
        ]),
        ...each('PORT', p.ports, (port) => [
          ['PORTNBR', port.portnbr],
          ['SERVICE', port.service],
        ]),
        ...each('PXPHYSICAL', p.physical, (ph) => [
          ['PHYSICAL-PROXY-ID', ph.id],
          ['PXADDR', ph.addr],
          ['PXADDRTYPE', ph.addrType ?? 'IPV4'],
          ...ph.toNapid.map((t): Parm => ['TO-NAPID', t]),
        ]),
      ]),
    );
  }
  for (const a of doc.applications ?? []) {
    out.push(
      ch('APPLICATION', [
        ...parms([
          ['APPID', a.appid],
          ['PROVIDER-ID', a.providerId],
          ['NAME', a.name],
          ...(a.toProxy ?? []).map((t): Parm => ['TO-PROXY', t]),
          ...(a.toNapid ?? []).map((t): Parm => ['TO-NAPID', t]),
          ['ADDR', a.addr],
        ]),
        ...(a.appaddr ?? []).map((ad) =>
          ch('APPADDR', [
            ...parms([
              ['ADDR', ad.addr],
              ['ADDRTYPE', ad.addrType],
            ]),
            ...each('PORT', ad.ports, (p) => [['PORTNBR', p]]),
          ]),
        ),
        ...each('APPAUTH', a.appauth, (au) => [
          ['AAUTHLEVEL', au.level],
          ['AAUTHTYPE', au.type],
          ['AAUTHNAME', au.name],
          ['AAUTHSECRET', au.secret],
          ['AAUTHDATA', au.data],
        ]),
      ]),
    );
  }
  return el('wap-provisioningdoc', { version: '1.0' }, out);
}

/** The parm that names a characteristic among its siblings, for stable field paths. */
const KEY_PARM: Record<string, string> = {
  NAPDEF: 'NAPID',
  PXLOGICAL: 'PROXY-ID',
  PXPHYSICAL: 'PHYSICAL-PROXY-ID',
  APPLICATION: 'APPID',
  APPAUTH: 'AAUTHLEVEL',
  PORT: 'PORTNBR',
  APPADDR: 'ADDR',
  VALIDITY: 'COUNTRY',
};

/**
 * Field-level view of a provisioning document: `NAPDEF[NAP_DM]/NAP-ADDRESS` -> value. Keys do
 * not depend on element order, so two documents with the same settings flatten equal.
 */
export function flattenCp(root: WbxmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (e: WbxmlElement, prefix: string): void => {
    const counts = new Map<string, number>();
    for (const c of e.children) {
      if (c.kind !== undefined && c.kind !== 'element') continue;
      const k = c as WbxmlElement;
      if (k.name === 'parm') {
        const name = k.attrs.name ?? '?';
        const n = counts.get(`p:${name}`) ?? 0;
        counts.set(`p:${name}`, n + 1);
        out[`${prefix}${name}${n ? `#${n + 1}` : ''}`] = k.attrs.value ?? '';
      } else if (k.name === 'characteristic') {
        const type = k.attrs.type ?? '?';
        const keyParm = KEY_PARM[type];
        const keyEl = keyParm ? k.children.find((x) => (x as WbxmlElement).name === 'parm' && (x as WbxmlElement).attrs.name === keyParm) : undefined;
        let id = keyEl ? ((keyEl as WbxmlElement).attrs.value ?? '') : '';
        if (!id) {
          const n = counts.get(`c:${type}`) ?? 0;
          counts.set(`c:${type}`, n + 1);
          id = String(n + 1);
        }
        walk(k, `${prefix}${type}[${id}]/`);
      }
    }
  };
  walk(root, '');
  return out;
}
