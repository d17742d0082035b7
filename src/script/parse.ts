/**
 * APDU scripts (docs/apdu-scripts.md). The base syntax is pcsc-tools' scriptor's: one C-APDU per
 * line in hex (spaces allowed), `reset`, `#` comments, so a script without variables runs under
 * scriptor as it is. simdm's additions all live in comments scriptor ignores:
 *
 *   #> SW=9000|61xx DATA=98 44 ?? ...   expectation for the APDU above (masks: x/X/? per nibble)
 *   #@ block NAME   /   #@ end          named blocks (run a subset with --block)
 *   #@ gp scp=03 level=cmac / #@ end    the APDUs between go through a GP secure channel
 *   #@ ota spi=.. kic=.. kid=.. tar=..  the APDUs between travel as one OTA secured packet (RFM)
 *   ${NAME}                             variables in APDU lines (ADMn/PINn/PUKn as PIN blocks,
 *                                       ${hex:NAME}, ${ascii:NAME}, ${ICCID} from the card)
 *
 * scriptor ends a script at any line containing "exit", even a comment: simdm does the same
 * for a line that is only `exit`, and the compiler never writes that word.
 */
import { SimdmError } from '../errors.js';

export class ScriptError extends SimdmError {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super('script', message);
  }
}

export type VarKind = 'pin' | 'adm' | 'puk' | 'hex' | 'ascii' | 'card';

export interface VarRef {
  name: string;
  kind: VarKind;
}

/** A piece of an APDU line: literal hex or a variable. */
export type Part = { hex: string } | { var: VarRef };

export interface Mask {
  /** nibble values (0..15) or -1 for any */
  nibbles: number[];
  text: string;
}

export interface Expect {
  sw: Mask[];
  data?: Mask;
}

/**
 * A secured section (`#@ gp ...` / `#@ ota ...` up to `#@ end`): its APDUs go through a
 * GlobalPlatform secure channel, or travel together as one OTA secured packet (RFM script).
 * Option values are literal or `${NAME}` from --vars (never secrets: keys come from SIMDM_*).
 */
export type Section = { kind: 'gp'; line: number; options: Record<string, string> } | { kind: 'ota'; line: number; options: Record<string, string> };

export type Step =
  | { kind: 'apdu'; line: number; parts: Part[]; text: string; block?: string; section?: Section; expect?: Expect }
  | { kind: 'reset'; line: number; block?: string };

export interface Script {
  steps: Step[];
  blocks: string[];
}

const SECTION_OPTIONS: Record<Section['kind'], readonly string[]> = {
  gp: ['scp', 'level', 'kvn', 'aid'],
  ota: ['spi', 'kic', 'kid', 'tar', 'cntr', 'format'],
};

function parseSection(kind: Section['kind'], words: string[], n: number): Section {
  const options: Record<string, string> = {};
  for (const w of words) {
    const m = /^([a-z]+)=(\S+)$/.exec(w);
    if (!m || !SECTION_OPTIONS[kind].includes(m[1]!))
      throw new ScriptError(`line ${n}: '#@ ${kind}' option '${w}' (known: ${SECTION_OPTIONS[kind].map((o) => `${o}=`).join(', ')})`, n);
    options[m[1]!] = m[2]!;
  }
  if (kind === 'ota') for (const need of ['spi', 'kic', 'kid']) if (!options[need]) throw new ScriptError(`line ${n}: '#@ ota' needs ${need}=`, n);
  return { kind, line: n, options };
}

const VAR = /\$\{(?:(hex|ascii):)?([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function varKind(name: string, explicit?: string): VarKind {
  if (explicit === 'hex') return 'hex';
  if (explicit === 'ascii') return 'ascii';
  if (/^ADM(10|[1-9])$/.test(name)) return 'adm';
  if (/^(PIN[1-8]|UPIN)$/.test(name)) return 'pin';
  if (/^PUK[1-8]?$/.test(name)) return 'puk';
  if (name === 'ICCID' || name === 'IMSI') return 'card';
  return 'ascii';
}

export function parseMask(text: string, line: number, what: string): Mask {
  const t = text.replace(/\s+/g, '');
  if (!/^[0-9A-Fa-fxX?]*$/.test(t) || t.length % 2) throw new ScriptError(`line ${line}: ${what} '${text}' is not hex bytes with x/? wildcards`, line);
  return { text: t.toUpperCase(), nibbles: [...t].map((c) => (/[xX?]/.test(c) ? -1 : parseInt(c, 16))) };
}

export function maskMatches(m: Mask, bytes: Uint8Array): boolean {
  if (m.nibbles.length !== bytes.length * 2) return false;
  for (let i = 0; i < bytes.length; i++) {
    const hi = m.nibbles[2 * i]!;
    const lo = m.nibbles[2 * i + 1]!;
    if (hi >= 0 && hi !== bytes[i]! >> 4) return false;
    if (lo >= 0 && lo !== (bytes[i]! & 0x0f)) return false;
  }
  return true;
}

function parseExpect(text: string, line: number): Expect {
  const e: Expect = { sw: [] };
  for (const tok of text.trim().split(/\s+(?=[A-Za-z]+=)/)) {
    const m = /^(SW|DATA)=(.*)$/i.exec(tok.trim());
    if (!m) throw new ScriptError(`line ${line}: expected SW=... or DATA=..., got '${tok.trim()}'`, line);
    if (m[1]!.toUpperCase() === 'SW') {
      e.sw = m[2]!.split('|').map((s) => {
        const mk = parseMask(s, line, 'SW');
        if (mk.nibbles.length !== 4) throw new ScriptError(`line ${line}: SW '${s}' must be 4 hex digits (x for any)`, line);
        return mk;
      });
    } else e.data = parseMask(m[2]!, line, 'DATA');
  }
  return e;
}

function parseApdu(text: string, line: number): Part[] {
  const parts: Part[] = [];
  let last = 0;
  const push = (h: string) => {
    const t = h.replace(/\s+/g, '');
    if (!t) return;
    if (!/^[0-9A-Fa-f]*$/.test(t)) {
      const bad = /[^0-9A-Fa-f]/.exec(t)![0];
      throw new ScriptError(`line ${line}: '${bad}' is not a hex digit (APDU lines are hex; use \${NAME} for variables)`, line);
    }
    parts.push({ hex: t.toUpperCase() });
  };
  for (const m of text.matchAll(VAR)) {
    push(text.slice(last, m.index));
    parts.push({ var: { name: m[2]!, kind: varKind(m[2]!, m[1]) } });
    last = m.index! + m[0].length;
  }
  push(text.slice(last));
  if (text.slice(last).includes('${') || /\$\{(?![A-Za-z_])/.test(text))
    throw new ScriptError(`line ${line}: malformed variable (write \${NAME}, \${hex:NAME} or \${ascii:NAME})`, line);
  const hexLen = parts.reduce((n, p) => n + ('hex' in p ? p.hex.length : 0), 0);
  if (hexLen % 2) throw new ScriptError(`line ${line}: odd number of hex digits`, line);
  const head = parts[0];
  if (!head || !('hex' in head) || head.hex.length < 8) throw new ScriptError(`line ${line}: an APDU starts with CLA INS P1 P2 (4 bytes of hex)`, line);
  return parts;
}

export function parseScript(text: string): Script {
  const steps: Step[] = [];
  const blocks: string[] = [];
  let block: string | undefined;
  let section: Section | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!;
    const t = raw.trim();
    if (!t) continue;
    if (t.startsWith('#>')) {
      const prev = steps[steps.length - 1];
      if (!prev || prev.kind !== 'apdu') throw new ScriptError(`line ${n}: '#>' expectation with no APDU before it`, n);
      if (prev.expect) throw new ScriptError(`line ${n}: second expectation for the APDU of line ${prev.line}`, n);
      prev.expect = parseExpect(t.slice(2), n);
      continue;
    }
    if (t.startsWith('#@')) {
      const d = t.slice(2).trim().split(/\s+/);
      if (d[0] === 'block' && d[1] && /^[A-Za-z0-9_-]+$/.test(d[1]) && d.length === 2) {
        if (blocks.includes(d[1])) throw new ScriptError(`line ${n}: block '${d[1]}' defined twice`, n);
        if (section) throw new ScriptError(`line ${n}: a block cannot start inside '#@ ${section.kind}' (line ${section.line})`, n);
        block = d[1];
        blocks.push(block);
      } else if ((d[0] === 'gp' || d[0] === 'ota') && !section) {
        section = parseSection(d[0], d.slice(1), n);
      } else if (d[0] === 'end' && d.length === 1) {
        if (section) section = undefined;
        else if (block) block = undefined;
        else throw new ScriptError(`line ${n}: '#@ end' outside a block`, n);
      } else throw new ScriptError(`line ${n}: unknown directive '${t}' (#@ block NAME, #@ gp ..., #@ ota ..., #@ end)`, n);
      continue;
    }
    if (t.startsWith('#')) continue;
    if (t === 'exit') break;
    if (t.toLowerCase() === 'reset') {
      if (section) throw new ScriptError(`line ${n}: reset inside '#@ ${section.kind}' (line ${section.line})`, n);
      steps.push({ kind: 'reset', line: n, ...(block ? { block } : {}) });
      continue;
    }
    const code = t.replace(/\s+#.*$/, '');
    steps.push({ kind: 'apdu', line: n, parts: parseApdu(code, n), text: code, ...(block ? { block } : {}), ...(section ? { section } : {}) });
  }
  if (section) throw new ScriptError(`line ${section.line}: '#@ ${section.kind}' without '#@ end'`, section.line);
  return { steps, blocks };
}
