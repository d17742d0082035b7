/**
 * The device side of DM management commands (OMA-TS-DM_Protocol 6.6, OMA-TS-DM_TND): Get,
 * Replace, Add, Delete and Exec on the agent's tree (tree.ts `dm`: URI -> value, `(node)` for an
 * interior node, ` (int)` / ` (b64)` / ` (bool)` after a value of that format).
 *
 * Access rules (OMA-TS-DM_StdObj 5.3 DMAcc, 5.4 DevInfo):
 *  - AAuthSecret is never returned (Get 405: its access types are Add and Replace only);
 *  - ./DevInfo is read-only for the server (Replace/Add/Delete 405);
 *  - ./DMAcc/<x> nodes are the card's when the account came from the card (`owners.dmacc`): a
 *    change there is recorded in `cardChanges` and written back to the card after the session.
 *  - Exec: no executable node is exposed (406 optional feature not supported).
 *  - ACLs (acl.ts, OMA-TS-DM_TND 7.7.1) for the session's ServerID on top of these rules: a
 *    command the node's ACL does not grant is answered 425; `URI?prop=ACL` gets and replaces a
 *    node's ACL.
 *
 * Groups (executeBody): Atomic (OMA-TS-DM_RepPro V1.2 6.6.3) runs all its commands or none: at the
 * first failure the tree is restored as it was before the Atomic, the Atomic is answered 507, its
 * commands that had succeeded 216 (rolled back), the failing one its own code, the rest 215 (not
 * executed), and no Results of it go out; an Atomic nested in an Atomic is refused 500 (which
 * fails the outer one). Sequence (6.6.13) runs its commands in their order, each answered on its
 * own, the Sequence 200. Every command gets one Status, the group's before its commands'.
 */
import { ALERT, type DmCommand, type DmItem, type DmMessage, STATUS } from '../dm/message.js';
import { type AclCommand, dropAcls, parentOf, parseAcl, permits } from './acl.js';
import type { DeviceTree } from './tree.js';

export interface ExecResult {
  status: number;
  results?: DmItem[];
}

export interface TreeSession {
  tree: DeviceTree;
  /** the ServerID of the session: the ACLs (acl.ts) are checked for it; absent: not checked */
  serverId?: string;
  /** accounts (node names) whose card-resident data the server changed */
  cardChanges: Set<string>;
  /** every URI the server changed */
  changed: string[];
  /** a large object being received in chunks (one at a time) */
  chunk?: { kind: 'Replace' | 'Add'; target: string; size: number; data: string; meta?: DmItem['meta'] };
}

/** The largest object the agent takes (SyncHdr Meta MaxObjSize of its package 1). */
export const MAX_OBJECT = 262_144;

/**
 * A Replace/Add item that is a chunk of a large object, or its last chunk (OMA-TS-DM_Protocol
 * V1.2 large object handling; RepPro MoreData, Meta Size): the first chunk names the object's
 * Size (413 beyond MAX_OBJECT, 400 without it); each chunk with <MoreData/> is answered 213 and
 * buffered; the last one (no MoreData, same target) completes the object, which runs as one
 * command if its size matches (else 424). A chunk for another target drops the object buffered.
 */
function chunked(s: TreeSession, c: { kind: 'Replace' | 'Add'; cmdId: number }, item: DmItem): ExecResult | undefined {
  const target = item.target ?? '';
  const cur = s.chunk?.target === target && s.chunk.kind === c.kind ? s.chunk : undefined;
  if (!item.moreData && !cur) return undefined; // an ordinary item
  const data = item.data ?? '';
  if (!cur) {
    delete s.chunk;
    const size = item.meta?.size;
    if (size === undefined) return { status: STATUS.badRequest };
    if (size > MAX_OBJECT) return { status: STATUS.tooLarge };
    s.chunk = { kind: c.kind, target, size, data, ...(item.meta ? { meta: item.meta } : {}) };
  } else cur.data += data;
  const obj = s.chunk!;
  if (Buffer.byteLength(obj.data, 'utf8') > obj.size) {
    delete s.chunk;
    return { status: STATUS.sizeMismatch };
  }
  if (item.moreData) return { status: STATUS.chunkAccepted };
  delete s.chunk;
  if (Buffer.byteLength(obj.data, 'utf8') !== obj.size) return { status: STATUS.sizeMismatch };
  const meta = obj.meta && Object.fromEntries(Object.entries(obj.meta).filter(([k]) => k !== 'size'));
  return executeCommand(s, { kind: c.kind, cmdId: c.cmdId, items: [{ target, ...(meta && Object.keys(meta).length ? { meta } : {}), data: obj.data }] });
}

const FORMAT_SUFFIX = / \((int|b64|bool|float|date|time)\)$/;
const ACC = /^\.\/DMAcc\/([^/]+)/;

function split(v: string): { data: string; format: string } {
  if (v === '(node)') return { data: '', format: 'node' };
  const m = FORMAT_SUFFIX.exec(v);
  return m ? { data: v.slice(0, m.index), format: m[1]! } : { data: v, format: 'chr' };
}

function join(data: string, format: string | undefined): string {
  const f = format ?? 'chr';
  if (f === 'node') return '(node)';
  return f === 'chr' ? data : `${data} (${f})`;
}

function normalise(uri: string): string | undefined {
  let u = uri.trim();
  if (u === '.' || u === './') return '.';
  if (!u.startsWith('./')) u = `./${u}`;
  u = u.replace(/\/+$/, '');
  // OMA-TS-DM_TND 6: URI segments are non-empty, no "." or ".." beyond the root
  if (
    u
      .split('/')
      .slice(1)
      .some((s) => s === '' || s === '.' || s === '..')
  )
    return undefined;
  return u;
}

function exists(tree: DeviceTree, uri: string): boolean {
  if (uri === '.') return true;
  if (tree.dm[uri] !== undefined) return true;
  const p = `${uri}/`;
  return Object.keys(tree.dm).some((k) => k.startsWith(p));
}

function children(tree: DeviceTree, uri: string): string[] {
  const p = uri === '.' ? './' : `${uri}/`;
  const out = new Set<string>();
  for (const k of Object.keys(tree.dm)) if (k.startsWith(p)) out.add(k.slice(p.length).split('/')[0]!);
  return [...out].sort();
}

const readOnly = (uri: string): boolean => uri === './DevInfo' || uri.startsWith('./DevInfo/') || uri === '.' || uri === './DMAcc';
const secret = (uri: string): boolean => /\/(AAuthSecret|Secret)$/.test(uri);

function touch(s: TreeSession, uri: string): void {
  s.changed.push(uri);
  const m = ACC.exec(uri);
  if (m && s.tree.owners.dmacc[m[1]!]) s.cardChanges.add(m[1]!);
}

/** OMA-TS-DM_TND 7.7.1 / 8 (property addressing `URI?prop=ACL`): Get and Replace of a node's ACL. */
function aclProperty(s: TreeSession, kind: DmCommand['kind'], uri: string, item: DmItem): ExecResult {
  const tree = s.tree;
  if (!exists(tree, uri)) return { status: STATUS.notFound };
  const may = (u: string, cmd: AclCommand): boolean => s.serverId === undefined || permits(tree, u, cmd, s.serverId);
  if (kind === 'Get') {
    if (!may(uri, 'Get')) return { status: STATUS.permissionDenied };
    return { status: STATUS.ok, results: [{ source: `${uri}?prop=ACL`, meta: { format: 'chr' }, data: tree.acl?.[uri] ?? '' }] };
  }
  if (kind !== 'Replace') return { status: STATUS.notAllowed };
  // TND 7.7.1.3: Replace on the parent; for an interior node also Replace on the node itself
  const interior = uri === '.' || tree.dm[uri] === undefined || tree.dm[uri] === '(node)';
  if (!((uri !== '.' && may(parentOf(uri), 'Replace')) || (interior && may(uri, 'Replace')))) return { status: STATUS.permissionDenied };
  const value = (item.data ?? '').trim();
  if (!parseAcl(value) || (uri === '.' && value === '')) return { status: STATUS.badRequest };
  const acl = (tree.acl ??= {});
  if (value === '') delete acl[uri];
  else acl[uri] = value;
  s.changed.push(`${uri}?prop=ACL`); // tree state only: nothing to write back to the card
  return { status: STATUS.ok };
}

/** The nearest existing node at or above `uri` (Add creates the missing interior nodes). */
function nearestExisting(tree: DeviceTree, uri: string): string {
  let u = parentOf(uri);
  while (u !== '.' && !exists(tree, u)) u = parentOf(u);
  return u;
}

/** The ACL command a management command needs, and on which node (TND 7.7.1). */
function aclNeed(tree: DeviceTree, kind: DmCommand['kind'], uri: string): [AclCommand, string] | undefined {
  switch (kind) {
    case 'Add':
      return ['Add', nearestExisting(tree, uri)];
    case 'Get':
    case 'Replace':
    case 'Delete':
    case 'Exec':
      return [kind, uri];
    default:
      return undefined;
  }
}

/** Executes one item of a management command; the Status code and, for Get, the Results item. */
function one(s: TreeSession, kind: DmCommand['kind'], item: DmItem): ExecResult {
  const raw = item.target;
  if (raw === undefined) return { status: STATUS.badRequest };
  const q = raw.indexOf('?');
  const uri = normalise(q < 0 ? raw : raw.slice(0, q));
  if (!uri) return { status: STATUS.badRequest };
  if (q >= 0) {
    // TND 8: ?prop=<name>; of the properties simdm keeps only the ACL
    const prop = /^prop=([A-Za-z]+)$/.exec(raw.slice(q + 1));
    if (!prop) return { status: STATUS.badRequest };
    return prop[1] === 'ACL' ? aclProperty(s, kind, uri, item) : { status: STATUS.optionalNotSupported };
  }
  const tree = s.tree;
  const need = s.serverId === undefined ? undefined : aclNeed(tree, kind, uri);
  if (need && exists(tree, need[1]) && !permits(tree, need[1], need[0], s.serverId!)) return { status: STATUS.permissionDenied };
  switch (kind) {
    case 'Get': {
      if (!exists(tree, uri)) return { status: STATUS.notFound };
      if (secret(uri)) return { status: STATUS.notAllowed };
      const v = tree.dm[uri];
      if (v === undefined || v === '(node)')
        return { status: STATUS.ok, results: [{ source: uri, meta: { format: 'node' }, data: children(tree, uri).join('/') }] };
      const { data, format } = split(v);
      return { status: STATUS.ok, results: [{ source: uri, meta: { format, type: 'text/plain' }, data }] };
    }
    case 'Replace': {
      if (readOnly(uri)) return { status: STATUS.notAllowed };
      const v = tree.dm[uri];
      if (v === undefined) return { status: STATUS.notFound };
      if (v === '(node)') return { status: STATUS.notAllowed };
      const format = item.meta?.format ?? split(v).format;
      if (format === 'node') return { status: STATUS.notAllowed };
      tree.dm[uri] = join(item.data ?? '', format);
      touch(s, uri);
      return { status: STATUS.ok };
    }
    case 'Add': {
      if (readOnly(uri) || uri.startsWith('./DevInfo')) return { status: STATUS.notAllowed };
      if (exists(tree, uri)) return { status: STATUS.alreadyExists };
      // intermediate interior nodes are created with the leaf (DM_Protocol 6.6.1)
      const segs = uri.split('/');
      for (let i = 2; i < segs.length; i++) {
        const p = segs.slice(0, i).join('/');
        if (tree.dm[p] === undefined) tree.dm[p] = '(node)';
        else if (tree.dm[p] !== '(node)') return { status: STATUS.commandFailed };
      }
      tree.dm[uri] = join(item.data ?? '', item.meta?.format);
      touch(s, uri);
      return { status: STATUS.ok };
    }
    case 'Delete': {
      if (readOnly(uri)) return { status: STATUS.notAllowed };
      if (!exists(tree, uri)) return { status: STATUS.notFound };
      for (const k of Object.keys(tree.dm)) if (k === uri || k.startsWith(`${uri}/`)) delete tree.dm[k];
      dropAcls(tree, uri);
      touch(s, uri);
      return { status: STATUS.ok };
    }
    case 'Exec':
      return { status: exists(tree, uri) ? STATUS.optionalNotSupported : STATUS.notFound };
    default:
      return { status: STATUS.optionalNotSupported };
  }
}

/** Executes a command: one Status for the command (the first failing item's code), Results for Get. */
export function executeCommand(s: TreeSession, c: Extract<DmCommand, { kind: 'Get' | 'Replace' | 'Add' | 'Delete' | 'Exec' | 'Copy' }>): ExecResult {
  if (c.kind === 'Copy') return { status: STATUS.optionalNotSupported };
  if (c.items.length === 0) return { status: STATUS.badRequest };
  let status: number = STATUS.ok;
  const results: DmItem[] = [];
  for (const it of c.items) {
    const r = one(s, c.kind, it);
    if (r.status !== STATUS.ok && status === STATUS.ok) status = r.status;
    if (r.results) results.push(...r.results);
  }
  return { status, ...(c.kind === 'Get' && results.length ? { results } : {}) };
}

type StatusCmd = Extract<DmCommand, { kind: 'Status' }>;
type Answer = StatusCmd | Extract<DmCommand, { kind: 'Results' }>;

const ok2xx = (code: number): boolean => code >= 200 && code < 300;
const cmdName = (c: DmCommand): string => (c.kind === 'Unsupported' ? c.name : c.kind);

/** The device's answers to a server message: Status (and Results) for each of its commands. */
export function executeBody(s: TreeSession, msg: DmMessage): { answers: Answer[]; commands: number } {
  const answers: Answer[] = [];
  let commands = 0;
  for (const c of msg.body) {
    if (c.kind === 'Status' || c.kind === 'Results') continue;
    commands++;
    answers.push(...run(s, c, msg.header.msgId, false));
  }
  return { answers, commands };
}

/** Runs one command (a group recursively); its Status first. `inAtomic`: inside an Atomic. */
function run(s: TreeSession, c: DmCommand, msgRef: number, inAtomic: boolean): Answer[] {
  const status = (data: number, extra: Partial<StatusCmd> = {}): StatusCmd => ({
    kind: 'Status',
    cmdId: 0,
    msgRef,
    cmdRef: c.cmdId,
    cmd: cmdName(c),
    ...extra,
    data,
  });
  switch (c.kind) {
    case 'Status':
    case 'Results':
      return [];
    case 'Alert':
      // 1100 display and 1222 next message need no user; other alerts are not offered here
      return [status(c.data === ALERT.display || c.data === ALERT.nextMessage ? STATUS.ok : STATUS.optionalNotSupported)];
    case 'Unsupported':
      return [status(STATUS.optionalNotSupported)];
    case 'Sequence':
      return [status(STATUS.ok), ...c.body.flatMap((x) => run(s, x, msgRef, inAtomic))];
    case 'Atomic':
      return inAtomic ? [status(STATUS.commandFailed), ...c.body.flatMap((x) => notExecuted(x, msgRef))] : atomic(s, c, msgRef, status);
    default: {
      const k = c.kind;
      const r =
        ((k === 'Replace' || k === 'Add') && c.items.length === 1 ? chunked(s, { kind: k, cmdId: c.cmdId }, c.items[0]!) : undefined) ?? executeCommand(s, c);
      const targetRef = c.items.length === 1 ? c.items[0]!.target : undefined;
      return [
        status(r.status, targetRef !== undefined ? { targetRef } : {}),
        ...(r.results ? [{ kind: 'Results' as const, cmdId: 0, msgRef, cmdRef: c.cmdId, items: r.results }] : []),
      ];
    }
  }
}

/** 215 for a command (and the commands of a group) that was not executed. */
function notExecuted(c: DmCommand, msgRef: number): StatusCmd[] {
  if (c.kind === 'Status' || c.kind === 'Results') return [];
  const own: StatusCmd = { kind: 'Status', cmdId: 0, msgRef, cmdRef: c.cmdId, cmd: cmdName(c), data: STATUS.notExecuted };
  return c.kind === 'Atomic' || c.kind === 'Sequence' ? [own, ...c.body.flatMap((x) => notExecuted(x, msgRef))] : [own];
}

function atomic(s: TreeSession, c: Extract<DmCommand, { kind: 'Atomic' }>, msgRef: number, status: (d: number) => StatusCmd): Answer[] {
  const before = { dm: { ...s.tree.dm }, acl: s.tree.acl && { ...s.tree.acl }, changed: s.changed.length, cards: new Set(s.cardChanges) };
  const done: Answer[][] = [];
  let failedAt = -1;
  for (let i = 0; i < c.body.length; i++) {
    const a = run(s, c.body[i]!, msgRef, true);
    done.push(a);
    const own = a.find((x): x is StatusCmd => x.kind === 'Status');
    if (own && !ok2xx(own.data)) {
      failedAt = i;
      break;
    }
  }
  if (failedAt < 0) return [status(STATUS.ok), ...done.flat()];
  // roll back: the tree, what the session reports as changed, the card write-back set
  s.tree.dm = before.dm;
  if (before.acl) s.tree.acl = before.acl;
  else delete s.tree.acl;
  s.changed.length = before.changed;
  s.cardChanges.clear();
  for (const x of before.cards) s.cardChanges.add(x);
  const out: Answer[] = [status(STATUS.atomicFailed)];
  done.forEach((answers, i) => {
    for (const a of answers) {
      if (a.kind === 'Results') continue; // nothing of a failed Atomic is reported as done
      out.push(i === failedAt || !ok2xx(a.data) ? a : { ...a, data: STATUS.atomicRolledBack });
    }
  });
  for (const x of c.body.slice(failedAt + 1)) out.push(...notExecuted(x, msgRef));
  return out;
}

/** ./DevInfo leaves the client sends in its package 1 Replace (DM_Protocol 8.3, DM_StdObj 5.4). */
export function devInfoItems(tree: DeviceTree): DmItem[] {
  return ['DevId', 'Man', 'Mod', 'DmV', 'Lang']
    .map((n) => `./DevInfo/${n}`)
    .filter((u) => tree.dm[u] !== undefined)
    .map((u) => ({ source: u, meta: { format: 'chr' }, data: split(tree.dm[u]!).data }));
}
