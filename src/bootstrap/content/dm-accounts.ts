/**
 * The DM accounts of a set of DM fields (./DMAcc/<x>/... as flattenDm gives them; OMA-TS-DM_StdObj
 * 5.3 DMAcc MO 1.2): server id, name, address, AppAuth credentials, and the Ext indications
 * (UserConfirmation, AutoConnect; see dm.ts). Shared by the device agent and the DM server.
 */
export interface Indications {
  /** OMA DM Bootstrap 6.1.4.1: the user confirms before the bootstrap is applied */
  userConfirmation: boolean;
  /** 6.1.4.3: the device connects to the DM server right after the bootstrap */
  autoConnect: boolean;
}

export interface AuthCredential {
  level: 'SRVCRED' | 'CLCRED' | string;
  type: string;
  name?: string;
  secret?: string;
  /** nonce, base64 (AAuthData) */
  data?: string;
}

export interface DmAccountView {
  nodeName: string;
  serverId: string;
  name?: string;
  addr?: string;
  port?: number;
  authPref?: string;
  auth: AuthCredential[];
  indications?: Partial<Indications>;
}

const ACC = /^\.\/DMAcc\/([^/]+)(?:\/(.*))?$/;

/** The DM accounts in a set of DM fields (./DMAcc/<x>/...). */
export function accountsOf(dm: Record<string, string>): DmAccountView[] {
  const names = new Set<string>();
  for (const k of Object.keys(dm)) {
    const m = ACC.exec(k);
    if (m) names.add(m[1]!);
  }
  const out: DmAccountView[] = [];
  for (const n of [...names].sort()) {
    const get = (rel: string): string | undefined => {
      const v = dm[`./DMAcc/${n}/${rel}`];
      return v === undefined || v === '(node)' ? undefined : v.replace(/ \((int|b64|bool)\)$/, '');
    };
    const serverId = get('ServerID');
    if (!serverId) continue;
    const auth: AuthCredential[] = [];
    const authNodes = new Set<string>();
    for (const k of Object.keys(dm)) {
      const m = new RegExp(`^\\./DMAcc/${escapeRe(n)}/AppAuth/([^/]+)/`).exec(k);
      if (m) authNodes.add(m[1]!);
    }
    for (const a of [...authNodes].sort()) {
      const p = `AppAuth/${a}/`;
      const level = get(p + 'AAuthLevel');
      const type = get(p + 'AAuthType');
      if (!level || !type) continue;
      const c: AuthCredential = { level, type };
      const name = get(p + 'AAuthName');
      const secret = get(p + 'AAuthSecret');
      const data = get(p + 'AAuthData');
      if (name !== undefined) c.name = name;
      if (secret !== undefined) c.secret = secret;
      if (data !== undefined) c.data = data;
      auth.push(c);
    }
    const acc: DmAccountView = { nodeName: n, serverId, auth };
    const name = get('Name');
    const addr = get('AppAddr/srv/Addr') ?? firstMatch(dm, n, /AppAddr\/[^/]+\/Addr$/);
    const port = get('AppAddr/srv/Port/p1/PortNbr');
    const pref = get('AAuthPref');
    if (name) acc.name = name;
    if (addr) acc.addr = addr;
    if (port && /^\d+$/.test(port)) acc.port = Number(port);
    if (pref) acc.authPref = pref;
    const ind: Partial<Indications> = {};
    const uc = get('Ext/UserConfirmation');
    const ac = get('Ext/AutoConnect');
    if (uc !== undefined) ind.userConfirmation = truthy(uc);
    if (ac !== undefined) ind.autoConnect = truthy(ac);
    if (Object.keys(ind).length) acc.indications = ind;
    out.push(acc);
  }
  return out;
}

function truthy(v: string): boolean {
  return /^(true|1|yes)$/i.test(v.trim());
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function firstMatch(dm: Record<string, string>, acc: string, re: RegExp): string | undefined {
  for (const [k, v] of Object.entries(dm)) if (k.startsWith(`./DMAcc/${acc}/`) && re.test(k) && v !== '(node)') return v;
  return undefined;
}

/**
 * A DM account provisioned in OMA CP form (APPLICATION with APPID w7, OMA-TS-DM_Bootstrap 5.3.2:
 * the w7 characteristic maps onto DMAcc) as DM fields: ServerID = PROVIDER-ID, Name = NAME,
 * AppAddr from ADDR / APPADDR (PORTNBR), AppAuth APPSRV -> SRVCRED and CLIENT -> CLCRED
 * (HTTP-DIGEST -> DIGEST, HTTP-BASIC -> BASIC), PrefConRef = the NAP the proxy or TO-NAPID names.
 * `fields` is a flattened provisioning document (flattenCp). Node names are the PROVIDER-ID with
 * characters outside [A-Za-z0-9_-] replaced by '_'.
 */
export function dmFieldsFromCp(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const apps = new Set<string>();
  for (const k of Object.keys(fields)) {
    const m = /^APPLICATION\[([^\]]+)\]\/APPID$/.exec(k);
    if (m && fields[k] === 'w7') apps.add(m[1]!);
  }
  for (const app of apps) {
    const p = `APPLICATION[${app}]/`;
    const get = (rel: string): string | undefined => fields[p + rel];
    const serverId = get('PROVIDER-ID');
    if (!serverId) continue;
    const node = serverId.replace(/[^A-Za-z0-9_-]/g, '_');
    const base = `./DMAcc/${node}`;
    out[base] = '(node)';
    out[`${base}/AppID`] = 'w7';
    out[`${base}/ServerID`] = serverId;
    const name = get('NAME');
    if (name) out[`${base}/Name`] = name;
    let addr = get('ADDR');
    let port: string | undefined;
    for (const [k, v] of Object.entries(fields)) {
      if (!k.startsWith(`${p}APPADDR[`)) continue;
      if (k.endsWith('/ADDR') && !addr) addr = v;
      if (k.endsWith('/PORTNBR') && !port) port = v;
    }
    if (addr) {
      out[`${base}/AppAddr`] = '(node)';
      out[`${base}/AppAddr/srv`] = '(node)';
      out[`${base}/AppAddr/srv/Addr`] = addr;
      out[`${base}/AppAddr/srv/AddrType`] = 'URI';
      if (port && /^\d+$/.test(port)) {
        out[`${base}/AppAddr/srv/Port`] = '(node)';
        out[`${base}/AppAddr/srv/Port/p1`] = '(node)';
        out[`${base}/AppAddr/srv/Port/p1/PortNbr`] = `${port} (int)`;
      }
    }
    const proxy = get('TO-PROXY');
    const nap =
      get('TO-NAPID') ??
      (proxy ? Object.entries(fields).find(([k]) => k.startsWith(`PXLOGICAL[${proxy}]/PXPHYSICAL[`) && k.endsWith('/TO-NAPID'))?.[1] : undefined);
    if (nap) out[`${base}/PrefConRef`] = nap;
    const levels = new Set<string>();
    for (const k of Object.keys(fields)) {
      const m = new RegExp(`^${p.replace(/[[\]]/g, '\\$&')}APPAUTH\\[([^\\]]+)\\]/`).exec(k);
      if (m) levels.add(m[1]!);
    }
    for (const lv of levels) {
      const a = (rel: string): string | undefined => fields[`${p}APPAUTH[${lv}]/${rel}`];
      const level = a('AAUTHLEVEL') ?? lv;
      const dmLevel = level === 'APPSRV' ? 'SRVCRED' : level === 'CLIENT' ? 'CLCRED' : undefined;
      if (!dmLevel) continue;
      const type = (a('AAUTHTYPE') ?? '').toUpperCase().replace(/^HTTP-/, '');
      const n = `${base}/AppAuth/${dmLevel === 'SRVCRED' ? 'srv' : 'cli'}`;
      out[`${base}/AppAuth`] = '(node)';
      out[n] = '(node)';
      out[`${n}/AAuthLevel`] = dmLevel;
      out[`${n}/AAuthType`] = type || 'DIGEST';
      const an = a('AAUTHNAME');
      const as = a('AAUTHSECRET');
      const ad = a('AAUTHDATA');
      if (an !== undefined) out[`${n}/AAuthName`] = an;
      if (as !== undefined) out[`${n}/AAuthSecret`] = as;
      if (ad !== undefined) out[`${n}/AAuthData`] = `${ad} (b64)`;
    }
  }
  return out;
}
