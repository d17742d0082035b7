/**
 * Loading a card profile: YAML with `extends` (start from another profile: operator defaults)
 * and `includes` (add files and authorities from others), variables substituted, then validated
 * with zod. Every validation error names the file, line and field it comes from, even when the
 * field was inherited.
 *
 * Variables: `${ICCID}`, `${IMSI}` and any name given with --vars (per card); `${SECRET:NAME}`
 * from SIMDM_<NAME> / --keys (bootstrap secrets such as a DM client password). `$${` escapes.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { BootstrapError } from '../errors.js';
import { type Profile, ProfileSchema } from './schema.js';
import { checkInputSize, InputSizeError } from '../../util/input-file.js';

interface Source {
  file: string;
  doc: Document;
  lc: LineCounter;
}

type Path = (string | number)[];

interface Origin {
  src: Source;
  path: Path;
}

interface Raw {
  data: Record<string, unknown>;
  /** top-level key -> where it was set */
  keys: Map<string, Origin>;
  /** files[i] -> where that entry was written */
  files: Origin[];
  authorities: Map<string, Origin>;
  sources: string[];
}

export class ProfileError extends BootstrapError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string,
  ) {
    super('profile', message);
  }
}

function lineOf(o: Origin, rest: Path): number | undefined {
  let path = [...o.path, ...rest];
  while (path.length) {
    const n = o.src.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (n && n.range) return o.src.lc.linePos(n.range[0]).line;
    // a missing key: point at the map that should hold it
    path = path.slice(0, -1);
  }
  return 1;
}

function readSource(file: string): Source {
  let text: string;
  try {
    checkInputSize(file, 'profile');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputSizeError) throw e;
    throw new ProfileError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, file, undefined, '');
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line;
    throw new ProfileError(`${file}:${line}: YAML: ${e.message.split('\n')[0]}`, file, line, '');
  }
  if (!isMap(doc.contents)) throw new ProfileError(`${file}:1: a profile is a YAML mapping`, file, 1, '');
  return { file, doc, lc };
}

function loadRaw(file: string, seen: string[]): Raw {
  const abs = resolve(file);
  if (seen.includes(abs)) throw new ProfileError(`${file}: extends/includes loop (${[...seen, abs].join(' -> ')})`, file, 1, 'extends');
  const src = readSource(abs);
  let data: Record<string, unknown>;
  try {
    data = src.doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (e) {
    // the yaml library's guard against alias bombs ("billion laughs"): a ReferenceError otherwise
    throw new ProfileError(`${file}: YAML: ${(e as Error).message.split('\n')[0]}`, file, undefined, '');
  }
  const here = (path: Path): Origin => ({ src, path });
  let raw: Raw = { data: {}, keys: new Map(), files: [], authorities: new Map(), sources: [] };
  const dir = dirname(abs);
  if (typeof data.extends === 'string') raw = loadRaw(resolve(dir, data.extends), [...seen, abs]);
  const merged: Raw = {
    ...raw,
    data: { ...raw.data },
    keys: new Map(raw.keys),
    files: [...raw.files],
    authorities: new Map(raw.authorities),
    sources: [...raw.sources, abs],
  };
  const mergeFiles = (r: Raw | { data: Record<string, unknown>; files: Origin[] }, list: unknown[]) => {
    const cur = (merged.data.files as Record<string, unknown>[] | undefined) ?? [];
    list.forEach((f, i) => {
      const id = (f as { id?: unknown })?.id;
      const at = cur.findIndex((x) => x.id !== undefined && x.id === id);
      if (at >= 0) {
        cur[at] = f as Record<string, unknown>;
        merged.files[at] = r.files[i]!;
      } else {
        cur.push(f as Record<string, unknown>);
        merged.files.push(r.files[i]!);
      }
    });
    merged.data.files = cur;
  };
  const mergeAuthorities = (r: { authorities: Map<string, Origin> }, a: unknown) => {
    if (!a || typeof a !== 'object') return;
    merged.data.authorities = { ...((merged.data.authorities as object) ?? {}), ...(a as object) };
    for (const k of Object.keys(a)) merged.authorities.set(k, r.authorities.get(k) ?? here(['authorities', k]));
  };
  for (const inc of Array.isArray(data.includes) ? data.includes : []) {
    if (typeof inc !== 'string') continue;
    const r = loadRaw(resolve(dir, inc), [...seen, abs]);
    mergeAuthorities(r, r.data.authorities);
    mergeFiles(r, (r.data.files as unknown[]) ?? []);
    merged.sources.push(...r.sources);
  }
  for (const [k, v] of Object.entries(data)) {
    if (k === 'files' && Array.isArray(v)) {
      mergeFiles({ data, files: v.map((_, i) => here(['files', i])) }, v);
      merged.keys.set(k, here([k]));
    } else if (k === 'authorities') {
      mergeAuthorities({ authorities: new Map(Object.keys((v as object) ?? {}).map((a) => [a, here(['authorities', a])])) }, v);
      merged.keys.set(k, here([k]));
    } else if ((k === 'application' || k === 'indications') && v && typeof v === 'object' && !Array.isArray(v)) {
      merged.data[k] = { ...((merged.data[k] as object) ?? {}), ...v };
      merged.keys.set(k, here([k]));
    } else if (k !== 'extends' && k !== 'includes') {
      merged.data[k] = v;
      merged.keys.set(k, here([k]));
    } else merged.keys.set(k, here([k]));
  }
  return merged;
}

/** Where a field of the merged profile was written. */
function originOf(raw: Raw, path: Path): { origin: Origin; rest: Path } | undefined {
  const [top, second, ...rest] = path;
  if (top === 'files' && typeof second === 'number' && raw.files[second]) return { origin: raw.files[second]!, rest };
  if (top === 'authorities' && typeof second === 'string' && raw.authorities.get(second)) return { origin: raw.authorities.get(second)!, rest };
  const o = raw.keys.get(String(top));
  if (o) return { origin: o, rest: path.slice(1) };
  return undefined;
}

function fail(raw: Raw, root: string, path: Path, message: string): never {
  const where = originOf(raw, path);
  const file = where?.origin.src.file ?? root;
  const line = where ? lineOf(where.origin, where.rest) : 1;
  // the field as written in the user's own file (files[0] of an including profile, not the
  // index in the merged list)
  const own = where ? [...where.origin.path, ...where.rest] : path;
  const field =
    own
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '') || '(root)';
  throw new ProfileError(`${file}:${line}: ${field}: ${message}`, file, line, field);
}

export type VarResolver = (name: string) => string | undefined;

const VAR = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_][A-Za-z0-9_]*))?\}/g;

/** Names of the variables a value tree uses: { vars, secrets }. */
export function variablesOf(v: unknown): { vars: Set<string>; secrets: Set<string> } {
  const out = { vars: new Set<string>(), secrets: new Set<string>() };
  const walk = (x: unknown): void => {
    if (typeof x === 'string') {
      for (const m of x.matchAll(VAR)) {
        if (m[1]) continue;
        if (m[2] === 'SECRET' && m[3]) out.secrets.add(m[3]);
        else if (!m[3]) out.vars.add(m[2]!);
      }
    } else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(v);
  return out;
}

function substitute(raw: Raw, root: string, vars: VarResolver, secrets: VarResolver): void {
  const walk = (x: unknown, path: Path): unknown => {
    if (typeof x === 'string') {
      return x.replace(VAR, (all, esc: string, name: string, sub: string | undefined) => {
        if (esc) return all.slice(1);
        if (name === 'SECRET' && sub) {
          const v = secrets(sub);
          if (v === undefined) fail(raw, root, path, `secret ${sub} is not set: export SIMDM_${sub}=... or put ${sub}=... in the --keys file`);
          return v;
        }
        if (sub) fail(raw, root, path, `unknown variable form \${${name}:${sub}}`);
        const v = vars(name);
        if (v === undefined) fail(raw, root, path, `variable \${${name}} has no value (give it with --vars FILE; ICCID/IMSI come from the card on write)`);
        return v;
      });
    }
    if (Array.isArray(x)) return x.map((e, i) => walk(e, [...path, i]));
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, walk(e, [...path, k])]));
    return x;
  };
  raw.data = walk(raw.data, []) as Record<string, unknown>;
}

export interface LoadedProfile {
  profile: Profile;
  /** absolute paths of every file that went into it */
  sources: string[];
  /** directory of the root profile (relative paths inside it resolve here) */
  dir: string;
  /** secret names used (values never kept here) */
  secretNames: string[];
  /** per-card variables used */
  varNames: string[];
}

export interface LoadOptions {
  vars?: VarResolver;
  secrets?: VarResolver;
  /** validation only: variables and secrets get placeholder values */
  placeholders?: boolean;
}

const PLACEHOLDER: Record<string, string> = { ICCID: '8944100000000000015', IMSI: '001010123456789' };

export function loadProfile(file: string, opts: LoadOptions = {}): LoadedProfile {
  const raw = loadRaw(file, []);
  const used = variablesOf(raw.data);
  const vars: VarResolver = opts.placeholders ? (n) => opts.vars?.(n) ?? PLACEHOLDER[n] ?? `VAR_${n}` : (opts.vars ?? (() => undefined));
  const secrets: VarResolver = opts.placeholders ? () => '00000000' : (opts.secrets ?? (() => undefined));
  substitute(raw, file, vars, secrets);
  const r = ProfileSchema.safeParse(raw.data);
  if (!r.success) {
    const i = r.error.issues[0]!;
    // a misspelt key: point at that key's line, not at the object holding it
    const typo = i.code === 'unrecognized_keys' ? [i.keys[0]!] : [];
    fail(raw, file, [...(i.path as Path), ...typo], i.message);
  }
  const p = r.data;
  // cross-field checks
  const authNames = Object.keys(p.authorities);
  if (!authNames.length) fail(raw, file, ['authorities'], 'at least one authority (e.g. operator: ADM1)');
  if (p.owner && !p.authorities[p.owner]) fail(raw, file, ['owner'], `unknown authority '${p.owner}' (have ${authNames.join(', ')})`);
  const ids = new Set<string>();
  const labels = new Set<string>();
  p.files.forEach((f, i) => {
    if (ids.has(f.id)) fail(raw, file, ['files', i, 'id'], `file id '${f.id}' used twice`);
    ids.add(f.id);
    const auth = f.authority ?? p.owner ?? authNames[0]!;
    if (!p.authorities[auth]) fail(raw, file, ['files', i, 'authority'], `unknown authority '${auth}' (have ${authNames.join(', ')})`);
    const want = f.kind === 'lwm2m' ? 'lwm2m' : f.kind === 'dm' ? 'dm' : 'cp';
    for (const k of ['lwm2m', 'dm', 'cp'] as const) {
      if (k !== want && f[k] !== undefined) fail(raw, file, ['files', i, k], `a ${f.kind} file takes '${want}:' content, not '${k}:'`);
    }
    if (f[want] === undefined) fail(raw, file, ['files', i], `a ${f.kind} file needs '${want}:' content`);
    const label = `${f.authority ?? ''}/${f.label ?? f.id}`;
    if (labels.has(label)) fail(raw, file, ['files', i, 'label'], `label '${f.label ?? f.id}' used twice for one authority`);
    labels.add(label);
    if (f.kind === 'lwm2m') {
      f.lwm2m!.servers.forEach((s, j) => {
        if (s.identity !== undefined && s.identityHex !== undefined)
          fail(raw, file, ['files', i, 'lwm2m', 'servers', j, 'identityHex'], 'give identity or identityHex, not both');
        if (s.secretKey !== undefined && !/^([0-9A-Fa-f]{2})*$/.test(s.secretKey))
          fail(raw, file, ['files', i, 'lwm2m', 'servers', j, 'secretKey'], 'hex bytes');
        if (s.securityMode === 'psk' && (s.secretKey === undefined || (s.identity === undefined && s.identityHex === undefined))) {
          fail(raw, file, ['files', i, 'lwm2m', 'servers', j], 'PSK mode needs identity (or identityHex) and secretKey');
        }
        if (!s.bootstrap && s.shortServerId === undefined)
          fail(raw, file, ['files', i, 'lwm2m', 'servers', j, 'shortServerId'], 'a LwM2M server (not bootstrap) needs shortServerId');
        if (s.apn !== undefined && !(f.lwm2m!.apn && s.apn < f.lwm2m!.apn.length))
          fail(raw, file, ['files', i, 'lwm2m', 'servers', j, 'apn'], `no APN profile ${s.apn}`);
      });
    }
  });
  for (const [name, a] of Object.entries(p.authorities)) {
    const dup = Object.entries(p.authorities).find(([n, b]) => n !== name && b.key === a.key);
    if (dup)
      fail(raw, file, ['authorities', name], `authorities '${name}' and '${dup[0]}' use the same key ${a.key}: segregation needs one ADM key per authority`);
  }
  return { profile: p, sources: raw.sources, dir: dirname(resolve(file)), secretNames: [...used.secrets], varNames: [...used.vars] };
}
