/**
 * OMA DM 1.2 messages (SyncML DM representation, OMA-TS-DM_RepPro-V1_2 and OMA-TS-SyncML_RepPro
 * V1.2 DTD): a SyncHdr and a SyncBody of commands, in XML (`application/vnd.syncml.dm+xml`) or
 * WBXML (`application/vnd.syncml.dm+wbxml`, SyncML 1.2 code pages 0/1, public id 0x1201).
 *
 * One model, one table of element orders (DTD content models), both directions:
 *   encodeDmMessage(msg, 'xml' | 'wbxml') -> bytes;  decodeDmMessage(bytes, contentType) -> msg.
 * The decoder takes untrusted bytes from the network: it throws only DmError('dm.message') with the
 * element at fault, and bounds the number of commands, items and the length of every value.
 */
import { decodeWbxml } from '../codec/wbxml/decode.js';
import { encodeWbxml } from '../codec/wbxml/encode.js';
import { SYNCML12 } from '../codec/wbxml/codepages/syncml.js';
import { el, isElement, opaqueAsText, type WbxmlElement } from '../codec/wbxml/tree.js';
import { parseXml, serializeXml } from '../codec/wbxml/xml.js';
import { SimdmError } from '../errors.js';
import { DmError } from '../secure/dm/errors.js';

export type DmEncoding = 'xml' | 'wbxml';

/** OMA-TS-DM_RepPro 5 (MIME types of DM messages). */
export const DM_CONTENT_TYPE: Record<DmEncoding, string> = {
  xml: 'application/vnd.syncml.dm+xml',
  wbxml: 'application/vnd.syncml.dm+wbxml',
};

/** The largest DM message either side accepts (bytes). */
export const DM_MAX_MESSAGE = 65_536;
const MAX_COMMANDS = 256;
const MAX_ITEMS = 256;
const MAX_VALUE = 8192;

export interface DmMeta {
  format?: string;
  type?: string;
  nextNonce?: string;
  maxMsgSize?: number;
  /** Size of a large object, in its first chunk (RepPro 5.1.x Meta Size; DM_Protocol large objects) */
  size?: number;
  /** the largest object the sender accepts (SyncHdr Meta) */
  maxObjSize?: number;
}

export interface DmItem {
  target?: string;
  source?: string;
  meta?: DmMeta;
  data?: string;
  /** <MoreData/>: this item is a chunk of a large object, more follow (RepPro MoreData) */
  moreData?: boolean;
}

/** Cred (RepPro 5.1.5): Meta Type (syncml:auth-md5 / syncml:auth-basic), Format b64, Data. */
export interface DmCred {
  type: string;
  format?: string;
  data: string;
}

/** Chal (RepPro 5.1.3): the authentication the sender requires, with the nonce to use. */
export interface DmChal {
  type: string;
  format?: string;
  /** base64 */
  nextNonce?: string;
}

export interface DmHeader {
  sessionId: string;
  msgId: number;
  /** Target LocURI: the recipient (server URL, or the device id) */
  target: string;
  /** Source LocURI: the sender */
  source: string;
  /** Source LocName: the client's AAuthName (DM_Security 5.5: names the account for md5) */
  sourceName?: string;
  respUri?: string;
  cred?: DmCred;
  maxMsgSize?: number;
  maxObjSize?: number;
}

export type DmManagementVerb = 'Get' | 'Replace' | 'Add' | 'Delete' | 'Exec' | 'Copy';

export type DmCommand =
  | { kind: 'Alert'; cmdId: number; data: string; items: DmItem[] }
  | { kind: DmManagementVerb; cmdId: number; items: DmItem[]; meta?: DmMeta }
  | {
      kind: 'Status';
      cmdId: number;
      msgRef: number;
      cmdRef: number;
      cmd: string;
      targetRef?: string;
      sourceRef?: string;
      chal?: DmChal;
      data: number;
      items?: DmItem[];
    }
  | { kind: 'Results'; cmdId: number; msgRef: number; cmdRef: number; items: DmItem[] }
  /** OMA-TS-DM_RepPro 6.6.3 Atomic (all or none) and 6.6.13 Sequence (in order): a group of commands */
  | { kind: 'Atomic'; cmdId: number; body: DmCommand[] }
  | { kind: 'Sequence'; cmdId: number; body: DmCommand[] }
  /** a command this implementation does not execute (Copy, Sync, Map, ...): answered 406 */
  | { kind: 'Unsupported'; cmdId: number; name: string };

export interface DmMessage {
  header: DmHeader;
  body: DmCommand[];
  final: boolean;
}

/** DM 1.2 status codes used here (OMA-TS-DM_RepPro 7, SyncML RepPro 10). */
export const STATUS = {
  ok: 200,
  authAccepted: 212,
  notExecuted: 215,
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  notAllowed: 405,
  optionalNotSupported: 406,
  credMissing: 407,
  alreadyExists: 418,
  permissionDenied: 425,
  commandFailed: 500,
  /** RepPro 7: a chunk of a large object accepted and buffered */
  chunkAccepted: 213,
  /** the object is larger than the recipient's MaxObjSize */
  tooLarge: 413,
  /** the large object's chunks do not add up to its Meta Size */
  sizeMismatch: 424,
  /** RepPro 7 (DM_RepPro 6.6.3): a command of a failed Atomic, rolled back */
  atomicRolledBack: 216,
  /** the Atomic failed (one of its commands failed; the others were rolled back) */
  atomicFailed: 507,
} as const;

/** Alert codes (OMA-TS-DM_Protocol 8.7 / RepPro 6.6.2). */
export const ALERT = { display: '1100', confirm: '1101', serverInitiated: '1200', clientInitiated: '1201', nextMessage: '1222', sessionAbort: '1223' } as const;

const META_NS = 'syncml:metinf';
const SYNCML_NS = 'SYNCML:SYNCML1.2';

/**
 * A Status with code `data` for each command of `msg` (not for its Status/Results): what a side
 * answers for commands it did not execute because the message was refused (SyncML RepPro 5.1.x
 * Status: one Status per command, after the SyncHdr's).
 */
export function statusesFor(msg: DmMessage, data: number): DmCommand[] {
  return msg.body.flatMap((c): DmCommand[] =>
    c.kind === 'Status' || c.kind === 'Results'
      ? []
      : [{ kind: 'Status', cmdId: 0, msgRef: msg.header.msgId, cmdRef: c.cmdId, cmd: c.kind === 'Unsupported' ? c.name : c.kind, data }],
  );
}

// ---- encode ------------------------------------------------------------------------------------

const t = (name: string, value: string | number): WbxmlElement => el(name, {}, [String(value)]);
const loc = (name: 'Target' | 'Source', uri: string, locName?: string): WbxmlElement =>
  el(name, {}, [t('LocURI', uri), ...(locName !== undefined ? [t('LocName', locName)] : [])]);
const metinf = (name: string, value: string | number): WbxmlElement => el(name, { xmlns: META_NS }, [String(value)]);

function metaEl(m: DmMeta): WbxmlElement {
  const kids: WbxmlElement[] = [];
  // MetInf content model order (OMA-TS-SyncML_MetaInfo 1.2 5: FieldLevel?, Format?, Type?, Mark?,
  // Size?, Anchor?, Version?, NextNonce?, MaxMsgSize?, MaxObjSize?, EMI*, Mem?)
  if (m.format !== undefined) kids.push(metinf('Format', m.format));
  if (m.type !== undefined) kids.push(metinf('Type', m.type));
  if (m.size !== undefined) kids.push(metinf('Size', m.size));
  if (m.nextNonce !== undefined) kids.push(metinf('NextNonce', m.nextNonce));
  if (m.maxMsgSize !== undefined) kids.push(metinf('MaxMsgSize', m.maxMsgSize));
  if (m.maxObjSize !== undefined) kids.push(metinf('MaxObjSize', m.maxObjSize));
  return el('Meta', {}, kids);
}

function itemEl(i: DmItem): WbxmlElement {
  const kids: WbxmlElement[] = [];
  if (i.target !== undefined) kids.push(loc('Target', i.target));
  if (i.source !== undefined) kids.push(loc('Source', i.source));
  if (i.meta) kids.push(metaEl(i.meta));
  if (i.data !== undefined) kids.push(t('Data', i.data));
  if (i.moreData) kids.push(el('MoreData'));
  return el('Item', {}, kids);
}

function commandEl(c: DmCommand): WbxmlElement {
  switch (c.kind) {
    case 'Alert':
      return el('Alert', {}, [t('CmdID', c.cmdId), t('Data', c.data), ...c.items.map(itemEl)]);
    case 'Status':
      return el('Status', {}, [
        t('CmdID', c.cmdId),
        t('MsgRef', c.msgRef),
        t('CmdRef', c.cmdRef),
        t('Cmd', c.cmd),
        ...(c.targetRef !== undefined ? [t('TargetRef', c.targetRef)] : []),
        ...(c.sourceRef !== undefined ? [t('SourceRef', c.sourceRef)] : []),
        ...(c.chal
          ? [
              el('Chal', {}, [
                metaEl({ type: c.chal.type, format: c.chal.format ?? 'b64', ...(c.chal.nextNonce !== undefined ? { nextNonce: c.chal.nextNonce } : {}) }),
              ]),
            ]
          : []),
        t('Data', c.data),
        ...(c.items ?? []).map(itemEl),
      ]);
    case 'Results':
      return el('Results', {}, [t('CmdID', c.cmdId), t('MsgRef', c.msgRef), t('CmdRef', c.cmdRef), ...c.items.map(itemEl)]);
    case 'Atomic':
    case 'Sequence':
      return el(c.kind, {}, [t('CmdID', c.cmdId), ...c.body.map(commandEl)]);
    case 'Unsupported':
      return el(c.name, {}, [t('CmdID', c.cmdId)]);
    default:
      return el(c.kind, {}, [t('CmdID', c.cmdId), ...(c.meta ? [metaEl(c.meta)] : []), ...c.items.map(itemEl)]);
  }
}

export function dmMessageTree(m: DmMessage): WbxmlElement {
  const h = m.header;
  const hdr: WbxmlElement[] = [
    t('VerDTD', '1.2'),
    t('VerProto', 'DM/1.2'),
    t('SessionID', h.sessionId),
    t('MsgID', h.msgId),
    loc('Target', h.target),
    loc('Source', h.source, h.sourceName),
  ];
  if (h.respUri !== undefined) hdr.push(t('RespURI', h.respUri));
  if (h.cred) hdr.push(el('Cred', {}, [metaEl({ format: h.cred.format ?? 'b64', type: h.cred.type }), t('Data', h.cred.data)]));
  if (h.maxMsgSize !== undefined || h.maxObjSize !== undefined)
    hdr.push(
      metaEl({ ...(h.maxMsgSize !== undefined ? { maxMsgSize: h.maxMsgSize } : {}), ...(h.maxObjSize !== undefined ? { maxObjSize: h.maxObjSize } : {}) }),
    );
  const body = m.body.map(commandEl);
  if (m.final) body.push(el('Final'));
  return el('SyncML', { xmlns: SYNCML_NS }, [el('SyncHdr', {}, hdr), el('SyncBody', {}, body)]);
}

export function encodeDmMessage(m: DmMessage, enc: DmEncoding): Uint8Array {
  const root = dmMessageTree(m);
  if (enc === 'wbxml') return encodeWbxml(root, { language: SYNCML12 });
  return new TextEncoder().encode(serializeXml(root, { language: SYNCML12, indent: 0 }));
}

// ---- decode ------------------------------------------------------------------------------------

const bad = (msg: string): DmError => new DmError('dm.message', msg);

function kids(e: WbxmlElement): WbxmlElement[] {
  return e.children.filter(isElement);
}
function one(e: WbxmlElement, name: string, where: string): WbxmlElement | undefined {
  const m = kids(e).filter((c) => c.name === name);
  if (m.length > 1) throw bad(`${where}: more than one <${name}>`);
  return m[0];
}
function textOf(e: WbxmlElement, where: string): string {
  let s = '';
  for (const c of e.children) {
    if (isElement(c)) throw bad(`${where}: element <${c.name}> where text is expected`);
    if (c.kind === 'text') s += c.text;
    else {
      const txt = opaqueAsText(c.data);
      s += txt ?? Buffer.from(c.data).toString('base64');
    }
    if (s.length > MAX_VALUE) throw bad(`${where}: value longer than ${MAX_VALUE} characters`);
  }
  return s.trim();
}
function str(e: WbxmlElement, name: string, where: string): string | undefined {
  const c = one(e, name, where);
  return c ? textOf(c, `${where}/${name}`) : undefined;
}
function need(e: WbxmlElement, name: string, where: string): string {
  const v = str(e, name, where);
  if (v === undefined) throw bad(`${where}: <${name}> missing`);
  return v;
}
function int(e: WbxmlElement, name: string, where: string, required = true): number {
  const v = required ? need(e, name, where) : (str(e, name, where) ?? '0');
  if (!/^\d{1,9}$/.test(v)) throw bad(`${where}/${name}: not a number`);
  return Number(v);
}
function locUri(e: WbxmlElement | undefined, where: string): string | undefined {
  return e ? need(e, 'LocURI', where) : undefined;
}

function metaOf(e: WbxmlElement | undefined, where: string): DmMeta | undefined {
  if (!e) return undefined;
  const m: DmMeta = {};
  const w = `${where}/Meta`;
  const format = str(e, 'Format', w);
  const type = str(e, 'Type', w);
  const nn = str(e, 'NextNonce', w);
  if (format !== undefined) m.format = format;
  if (type !== undefined) m.type = type;
  if (nn !== undefined) m.nextNonce = nn;
  for (const [name, key] of [
    ['MaxMsgSize', 'maxMsgSize'],
    ['MaxObjSize', 'maxObjSize'],
    ['Size', 'size'],
  ] as const) {
    const v = str(e, name, w);
    if (v === undefined) continue;
    if (!/^\d{1,9}$/.test(v)) throw bad(`${w}/${name}: not a number`);
    m[key] = Number(v);
  }
  return m;
}

function itemsOf(e: WbxmlElement, where: string): DmItem[] {
  const out: DmItem[] = [];
  for (const c of kids(e)) {
    if (c.name !== 'Item') continue;
    if (out.length >= MAX_ITEMS) throw bad(`${where}: more than ${MAX_ITEMS} items`);
    const w = `${where}/Item[${out.length + 1}]`;
    const i: DmItem = {};
    const target = locUri(one(c, 'Target', w), `${w}/Target`);
    const source = locUri(one(c, 'Source', w), `${w}/Source`);
    const meta = metaOf(one(c, 'Meta', w), w);
    const data = str(c, 'Data', w);
    if (target !== undefined) i.target = target;
    if (source !== undefined) i.source = source;
    if (meta) i.meta = meta;
    if (data !== undefined) i.data = data;
    if (one(c, 'MoreData', w)) i.moreData = true;
    out.push(i);
  }
  return out;
}

const VERBS = new Set(['Get', 'Replace', 'Add', 'Delete', 'Exec', 'Copy']);
/** Atomic/Sequence nesting accepted (RepPro allows Atomic in Sequence and the reverse) */
const MAX_DEPTH = 4;

/** Counts the commands of a message, nested ones included, against MAX_COMMANDS. */
interface Budget {
  commands: number;
}

function bodyOf(e: WbxmlElement, where: string, budget: Budget, depth: number): DmCommand[] {
  const cmds: DmCommand[] = [];
  for (const c of kids(e)) {
    if (c.name === 'Final' || c.name === 'CmdID' || c.name === 'NoResp' || c.name === 'Meta') continue;
    if (++budget.commands > MAX_COMMANDS) throw bad(`${where}: more than ${MAX_COMMANDS} commands`);
    cmds.push(commandOf(c, cmds.length + 1, where, budget, depth));
  }
  return cmds;
}

function commandOf(c: WbxmlElement, i: number, parent: string, budget: Budget, depth: number): DmCommand {
  const w = `${parent}/${c.name}[${i}]`;
  const cmdId = int(c, 'CmdID', w);
  switch (c.name) {
    case 'Atomic':
    case 'Sequence': {
      if (depth >= MAX_DEPTH) throw bad(`${w}: Atomic/Sequence nested deeper than ${MAX_DEPTH}`);
      return { kind: c.name === 'Atomic' ? 'Atomic' : 'Sequence', cmdId, body: bodyOf(c, w, budget, depth + 1) };
    }
    case 'Alert':
      return { kind: 'Alert', cmdId, data: need(c, 'Data', w), items: itemsOf(c, w) };
    case 'Status': {
      const chalEl = one(c, 'Chal', w);
      const s: Extract<DmCommand, { kind: 'Status' }> = {
        kind: 'Status',
        cmdId,
        msgRef: int(c, 'MsgRef', w, false),
        cmdRef: int(c, 'CmdRef', w),
        cmd: need(c, 'Cmd', w),
        data: 0,
      };
      const code = need(c, 'Data', w);
      // SyncML RepPro 10: three-digit codes. libdmclient answers a SyncHdr that carried no server
      // credential with <Data>0</Data> (its "not yet authenticated"): read it, it is no code we accept.
      if (!/^\d{1,3}$/.test(code)) throw bad(`${w}/Data: not a status code`);
      s.data = Number(code);
      const tr = str(c, 'TargetRef', w);
      const sr = str(c, 'SourceRef', w);
      if (tr !== undefined) s.targetRef = tr;
      if (sr !== undefined) s.sourceRef = sr;
      if (chalEl) {
        const m = metaOf(one(chalEl, 'Meta', `${w}/Chal`), `${w}/Chal`) ?? {};
        if (!m.type) throw bad(`${w}/Chal: <Type> missing`);
        s.chal = { type: m.type, ...(m.format !== undefined ? { format: m.format } : {}), ...(m.nextNonce !== undefined ? { nextNonce: m.nextNonce } : {}) };
      }
      const items = itemsOf(c, w);
      if (items.length) s.items = items;
      return s;
    }
    case 'Results':
      return { kind: 'Results', cmdId, msgRef: int(c, 'MsgRef', w, false), cmdRef: int(c, 'CmdRef', w), items: itemsOf(c, w) };
    default: {
      if (!VERBS.has(c.name)) return { kind: 'Unsupported', cmdId, name: c.name.slice(0, 32) };
      const meta = metaOf(one(c, 'Meta', w), w);
      return { kind: c.name as DmManagementVerb, cmdId, items: itemsOf(c, w), ...(meta ? { meta } : {}) };
    }
  }
}

/** The message in an element tree (from XML or WBXML). */
export function dmMessageOf(root: WbxmlElement): DmMessage {
  if (root.name !== 'SyncML') throw bad(`document element <${root.name}>, expected <SyncML>`);
  const hdr = one(root, 'SyncHdr', 'SyncML');
  const body = one(root, 'SyncBody', 'SyncML');
  if (!hdr || !body) throw bad('SyncML: <SyncHdr> and <SyncBody> are required');
  const w = 'SyncHdr';
  const verDtd = need(hdr, 'VerDTD', w);
  const verProto = need(hdr, 'VerProto', w);
  if (verDtd !== '1.2' || verProto !== 'DM/1.2')
    throw new DmError('dm.unsupported', `SyncHdr: version ${verDtd.slice(0, 8)} / ${verProto.slice(0, 12)} (OMA DM 1.2 only)`);
  const target = one(hdr, 'Target', w);
  const source = one(hdr, 'Source', w);
  if (!target || !source) throw bad('SyncHdr: <Target> and <Source> are required');
  const header: DmHeader = {
    sessionId: need(hdr, 'SessionID', w),
    msgId: int(hdr, 'MsgID', w),
    target: need(target, 'LocURI', `${w}/Target`),
    source: need(source, 'LocURI', `${w}/Source`),
  };
  const sourceName = str(source, 'LocName', `${w}/Source`);
  if (sourceName !== undefined) header.sourceName = sourceName;
  const resp = str(hdr, 'RespURI', w);
  if (resp !== undefined) header.respUri = resp;
  const credEl = one(hdr, 'Cred', w);
  if (credEl) {
    const m = metaOf(one(credEl, 'Meta', `${w}/Cred`), `${w}/Cred`) ?? {};
    header.cred = { type: m.type ?? 'syncml:auth-basic', ...(m.format !== undefined ? { format: m.format } : {}), data: need(credEl, 'Data', `${w}/Cred`) };
  }
  const hm = metaOf(one(hdr, 'Meta', w), w);
  if (hm?.maxMsgSize !== undefined) header.maxMsgSize = hm.maxMsgSize;
  if (hm?.maxObjSize !== undefined) header.maxObjSize = hm.maxObjSize;
  const final = kids(body).some((c) => c.name === 'Final');
  return { header, body: bodyOf(body, 'SyncBody', { commands: 0 }, 0), final };
}

/**
 * The text of an XML message. XML 1.0 (2.8) puts the declaration first, but libdmclient (SyncML
 * RTK) sends every message after the first with a line feed before `<?xml`: whitespace before the
 * declaration is dropped rather than refused.
 */
function xmlText(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const lead = /^[ \t\r\n]+(?=<\?xml[ \t\r\n])/.exec(text);
  return lead ? text.slice(lead[0].length) : text;
}

/** Bytes -> message; the content type (or the first byte) tells XML from WBXML. */
export function decodeDmMessage(bytes: Uint8Array, contentType?: string): DmMessage {
  if (bytes.length > DM_MAX_MESSAGE) throw bad(`message of ${bytes.length} bytes (at most ${DM_MAX_MESSAGE})`);
  const wbxml = contentType ? /wbxml/i.test(contentType) : bytes[0] !== 0x3c && bytes[0] !== 0xef && bytes[0] !== 0x20 && bytes[0] !== 0x0a;
  let root: WbxmlElement;
  try {
    root = wbxml ? decodeWbxml(bytes, { language: SYNCML12 }).root : parseXml(xmlText(bytes)).root;
  } catch (e) {
    if (e instanceof SimdmError) throw bad(`${wbxml ? 'WBXML' : 'XML'}: ${e.message.slice(0, 200)}`);
    if (e instanceof TypeError) throw bad('XML: not UTF-8');
    throw e;
  }
  return dmMessageOf(root);
}

/** The encoding a content type names (undefined: not a DM message type). */
export function encodingOf(contentType: string | undefined): DmEncoding | undefined {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  // the SyncML (DS) types too: libdmclient's own test client posts application/vnd.syncml+xml
  if (ct === DM_CONTENT_TYPE.wbxml || ct === 'application/vnd.syncml+wbxml') return 'wbxml';
  if (ct === DM_CONTENT_TYPE.xml || ct === 'application/vnd.syncml+xml') return 'xml';
  return undefined;
}
