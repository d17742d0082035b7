/**
 * OMA DM bootstrap content (OMA-TS-DM_Bootstrap-V1_2, "OMA DM profile"): a SyncML DM 1.2 message
 * whose body Adds a DMAcc subtree (OMA-TS-DM_StdObj-V1_2 5.3, DMAcc MO 1.2): AppID (w7),
 * ServerID, Name, PrefConRef, AppAddr/<x>/{Addr, AddrType, Port/<x>/PortNbr}, AAuthPref,
 * AppAuth/<x>/{AAuthLevel (SRVCRED|CLCRED), AAuthType, AAuthName, AAuthSecret, AAuthData}.
 * Encoded as WBXML with the SyncML 1.2 code pages; Meta Format/Type in the MetInf namespace.
 */
import { el, isElement, type WbxmlElement, type WbxmlNode } from '../../codec/wbxml/tree.js';

export interface DmAppAuth {
  level: string;
  type: string;
  name?: string;
  secret?: string;
  /** AAuthData, base64 (b64 format) */
  data?: string;
}

export interface DmAccount {
  /** the interior node name under ./DMAcc */
  nodeName: string;
  serverId: string;
  name?: string;
  prefConRef?: string;
  addr: string;
  addrType?: string;
  port?: number;
  authPref?: string;
  appAuth: DmAppAuth[];
  /** OMA DM Bootstrap req. 6.1.4.1-3, written in the account's Ext node (see below) */
  indications?: DmIndications;
}

/**
 * Whether the device asks its user before applying the bootstrap (6.1.4.1) and connects to the
 * server right after it (6.1.4.3). DMAcc 1.2 (OMA-TS-DM_StdObj, DMAcc/<x>/Ext) leaves vendor
 * extensions to the Ext node; simdm writes them there as Ext/UserConfirmation and Ext/AutoConnect
 * (chr "true"/"false"), which the simdm agent honours.
 */
export interface DmIndications {
  userConfirmation: boolean;
  autoConnect: boolean;
}

export interface DmBootstrapMessage {
  /** SyncHdr Target LocURI: the device (e.g. IMEI:..., or the ICCID) */
  target: string;
  /** SyncHdr Source LocURI: the server */
  source: string;
  sessionId?: string;
  accounts: DmAccount[];
}

const META = 'syncml:metinf';

function meta(format: string, withType: boolean): WbxmlElement {
  const kids = [el('Format', { xmlns: META }, [format])];
  if (withType) kids.push(el('Type', { xmlns: META }, ['text/plain']));
  return el('Meta', {}, kids);
}

function item(uri: string, format: 'node' | 'chr' | 'int' | 'b64', data?: string): WbxmlElement {
  const kids: WbxmlElement[] = [el('Target', {}, [el('LocURI', {}, [uri])]), meta(format, format !== 'node')];
  if (data !== undefined) kids.push(el('Data', {}, [data]));
  return el('Item', {}, kids);
}

function authNode(level: string): string {
  return level === 'SRVCRED' ? 'srv' : level === 'CLCRED' ? 'cli' : level.toLowerCase();
}

export function dmToTree(msg: DmBootstrapMessage): WbxmlElement {
  const items: WbxmlElement[] = [];
  for (const a of msg.accounts) {
    const base = `./DMAcc/${a.nodeName}`;
    items.push(item(base, 'node'), item(`${base}/AppID`, 'chr', 'w7'), item(`${base}/ServerID`, 'chr', a.serverId));
    if (a.name) items.push(item(`${base}/Name`, 'chr', a.name));
    if (a.prefConRef) items.push(item(`${base}/PrefConRef`, 'chr', a.prefConRef));
    items.push(
      item(`${base}/AppAddr`, 'node'),
      item(`${base}/AppAddr/srv`, 'node'),
      item(`${base}/AppAddr/srv/Addr`, 'chr', a.addr),
      item(`${base}/AppAddr/srv/AddrType`, 'chr', a.addrType ?? 'URI'),
    );
    if (a.port !== undefined) {
      items.push(
        item(`${base}/AppAddr/srv/Port`, 'node'),
        item(`${base}/AppAddr/srv/Port/p1`, 'node'),
        item(`${base}/AppAddr/srv/Port/p1/PortNbr`, 'int', String(a.port)),
      );
    }
    if (a.authPref) items.push(item(`${base}/AAuthPref`, 'chr', a.authPref));
    if (a.appAuth.length) items.push(item(`${base}/AppAuth`, 'node'));
    for (const au of a.appAuth) {
      const n = `${base}/AppAuth/${authNode(au.level)}`;
      items.push(item(n, 'node'), item(`${n}/AAuthLevel`, 'chr', au.level), item(`${n}/AAuthType`, 'chr', au.type));
      if (au.name !== undefined) items.push(item(`${n}/AAuthName`, 'chr', au.name));
      if (au.secret !== undefined) items.push(item(`${n}/AAuthSecret`, 'chr', au.secret));
      if (au.data !== undefined) items.push(item(`${n}/AAuthData`, 'b64', au.data));
    }
    if (a.indications) {
      const x = `${base}/Ext`;
      items.push(
        item(x, 'node'),
        item(`${x}/UserConfirmation`, 'chr', String(a.indications.userConfirmation)),
        item(`${x}/AutoConnect`, 'chr', String(a.indications.autoConnect)),
      );
    }
  }
  return el('SyncML', { xmlns: 'SYNCML:SYNCML1.2' }, [
    el('SyncHdr', {}, [
      el('VerDTD', {}, ['1.2']),
      el('VerProto', {}, ['DM/1.2']),
      el('SessionID', {}, [msg.sessionId ?? '1']),
      el('MsgID', {}, ['1']),
      el('Target', {}, [el('LocURI', {}, [msg.target])]),
      el('Source', {}, [el('LocURI', {}, [msg.source])]),
    ]),
    el('SyncBody', {}, [el('Add', {}, [el('CmdID', {}, ['1']), ...items]), el('Final')]),
  ]);
}

function textOf(e: WbxmlElement | undefined): string {
  if (!e) return '';
  let s = '';
  for (const c of e.children) {
    if (isElement(c)) s += textOf(c);
    else if (c.kind === 'text') s += c.text;
    else s += new TextDecoder().decode(c.data);
  }
  return s.trim();
}

const child = (e: WbxmlElement | undefined, name: string): WbxmlElement | undefined =>
  e?.children.find((c): c is WbxmlElement => isElement(c as WbxmlNode) && (c as WbxmlElement).name === name);

/**
 * Field-level view of a DM bootstrap message: `hdr/Target`, `hdr/Source`, and one key per Add
 * item LocURI -> its data (`(node)` for interior nodes), with the Meta Format when not chr.
 */
export function flattenDm(root: WbxmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  const hdr = child(root, 'SyncHdr');
  out['hdr/VerProto'] = textOf(child(hdr, 'VerProto'));
  out['hdr/Target'] = textOf(child(child(hdr, 'Target'), 'LocURI'));
  out['hdr/Source'] = textOf(child(child(hdr, 'Source'), 'LocURI'));
  const body = child(root, 'SyncBody');
  for (const cmd of body?.children ?? []) {
    if (!isElement(cmd) || (cmd.name !== 'Add' && cmd.name !== 'Replace')) continue;
    for (const it of cmd.children) {
      if (!isElement(it) || it.name !== 'Item') continue;
      const uri = textOf(child(child(it, 'Target'), 'LocURI'));
      const fmt = textOf(child(child(it, 'Meta'), 'Format')) || 'chr';
      out[uri] = fmt === 'node' ? '(node)' : fmt === 'chr' ? textOf(child(it, 'Data')) : `${textOf(child(it, 'Data'))} (${fmt})`;
    }
  }
  return out;
}
