/**
 * Remote APDU scripts of ETSI TS 102 226 (Remote File Management / Remote Application Management):
 * - compact format (5.1.1): the C-APDUs one after another in the T=0 form CLA INS P1 P2 P3 [data],
 *   P3 being Lc, or Le for commands that only return data; the PoR carries (5.1.2) the number of
 *   commands executed, the last status word and the last response data;
 * - expanded format (5.2): Command Scripting template AA (definite length) or AE (indefinite)
 *   holding C-APDU TLVs 22, answered with Response Scripting template AB (80 number of commands
 *   executed, 23 R-APDU TLVs) or AF (indefinite).
 */
import type { CommandApdu } from '../../apdu/command.js';
import { decodeCommand, encodeCommand } from '../../apdu/command.js';
import { decodeBerOne, encodeBerLength } from '../../codec/tlv/ber.js';
import { concatBytes, hexNum } from '../../util/hex.js';
import { OtaError } from './errors.js';

/** INS values whose P3 is Le in the T=0 form (outgoing data, no command data). */
const OUTGOING_INS = new Set([0xb0, 0xb1, 0xb2, 0xb3, 0xc0, 0xca, 0xcb, 0xf2, 0x84, 0x12]);

export function encodeCompactScript(cmds: CommandApdu[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of cmds) {
    const n = c.data?.length ?? 0;
    if (n > 255) throw new OtaError('format', 'compact format carries short APDUs only');
    let p3 = n;
    if (n === 0 && c.le !== undefined) p3 = c.le === 256 ? 0 : c.le;
    parts.push(Uint8Array.of(c.cla, c.ins, c.p1, c.p2, p3), c.data ?? new Uint8Array(0));
  }
  return concatBytes(...parts);
}

export function decodeCompactScript(b: Uint8Array): CommandApdu[] {
  const out: CommandApdu[] = [];
  let i = 0;
  while (i < b.length) {
    if (i + 5 > b.length) throw new OtaError('format', `compact script: truncated C-APDU header at offset ${i}`);
    const [cla, ins, p1, p2, p3] = [b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!];
    i += 5;
    if (OUTGOING_INS.has(ins)) {
      out.push({ cla, ins, p1, p2, le: p3 === 0 ? 256 : p3 });
      continue;
    }
    if (i + p3 > b.length) throw new OtaError('format', `compact script: C-APDU data runs past the end (offset ${i - 5})`);
    const c: CommandApdu = { cla, ins, p1, p2 };
    if (p3 > 0) c.data = b.slice(i, i + p3);
    i += p3;
    out.push(c);
  }
  return out;
}

export interface ScriptResult {
  /** number of commands executed */
  executed: number;
  /** status word of each executed command (compact format: the last one only) */
  responses: { data: Uint8Array; sw: number }[];
}

export function encodeCompactResult(r: ScriptResult): Uint8Array {
  const last = r.responses[r.responses.length - 1] ?? { data: new Uint8Array(0), sw: 0x9000 };
  return concatBytes(Uint8Array.of(r.executed, last.sw >> 8, last.sw & 0xff), last.data);
}

export function decodeCompactResult(b: Uint8Array): ScriptResult {
  if (b.length < 3) throw new OtaError('format', `compact PoR data of ${b.length} bytes (at least 3)`);
  return { executed: b[0]!, responses: [{ sw: (b[1]! << 8) | b[2]!, data: b.slice(3) }] };
}

function tlv(tag: number, v: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), encodeBerLength(v.length), v);
}

export function encodeExpandedScript(cmds: CommandApdu[], opts: { indefinite?: boolean } = {}): Uint8Array {
  const body = concatBytes(...cmds.map((c) => tlv(0x22, encodeCommand(c))));
  if (opts.indefinite) return concatBytes(Uint8Array.of(0xae, 0x80), body, Uint8Array.of(0, 0));
  return tlv(0xaa, body);
}

/** Reads the TLVs of a definite (AA/AB) or indefinite (AE/AF) scripting template. */
function templateItems(b: Uint8Array, definite: number, indefinite: number): { tag: number; value: Uint8Array }[] {
  if (b.length < 2) throw new OtaError('format', 'scripting template too short');
  let body: Uint8Array;
  if (b[0] === indefinite && b[1] === 0x80) {
    if (b.length < 4 || b[b.length - 1] !== 0 || b[b.length - 2] !== 0) throw new OtaError('format', 'indefinite template without end-of-contents');
    body = b.subarray(2, b.length - 2);
  } else if (b[0] === definite) {
    try {
      const { tlv: t, length } = decodeBerOne(b, { recurse: false });
      if (length !== b.length) throw new OtaError('format', 'bytes after the scripting template');
      body = t.value;
    } catch (e) {
      if (e instanceof OtaError) throw e;
      throw new OtaError('format', `scripting template: ${(e as Error).message}`);
    }
  } else throw new OtaError('format', `not a scripting template (tag ${hexNum(b[0]!)})`);
  const items: { tag: number; value: Uint8Array }[] = [];
  let i = 0;
  while (i < body.length) {
    try {
      const { tlv: t, length } = decodeBerOne(body.subarray(i), { recurse: false, baseOffset: i });
      items.push({ tag: t.tag, value: t.value });
      i += length;
    } catch (e) {
      throw new OtaError('format', `scripting template item: ${(e as Error).message}`);
    }
  }
  return items;
}

export function decodeExpandedScript(b: Uint8Array): CommandApdu[] {
  const out: CommandApdu[] = [];
  for (const it of templateItems(b, 0xaa, 0xae)) {
    if (it.tag !== 0x22) continue; // immediate action (81), error action (82), script chaining (83)
    try {
      out.push(decodeCommand(it.value));
    } catch (e) {
      throw new OtaError('format', `C-APDU TLV: ${(e as Error).message}`);
    }
  }
  return out;
}

export function encodeExpandedResult(r: ScriptResult, opts: { indefinite?: boolean } = {}): Uint8Array {
  const rapdus = r.responses.map((x) => tlv(0x23, concatBytes(x.data, Uint8Array.of(x.sw >> 8, x.sw & 0xff))));
  if (opts.indefinite) return concatBytes(Uint8Array.of(0xaf, 0x80), ...rapdus, Uint8Array.of(0, 0));
  return tlv(0xab, concatBytes(Uint8Array.of(0x80, 0x01, r.executed), ...rapdus));
}

export function decodeExpandedResult(b: Uint8Array): ScriptResult {
  let executed: number | undefined;
  const responses: { data: Uint8Array; sw: number }[] = [];
  for (const it of templateItems(b, 0xab, 0xaf)) {
    if (it.tag === 0x80 && it.value.length === 1) executed = it.value[0]!;
    else if (it.tag === 0x23) {
      if (it.value.length < 2) throw new OtaError('format', 'R-APDU TLV without status word');
      const n = it.value.length;
      responses.push({ data: it.value.slice(0, n - 2), sw: (it.value[n - 2]! << 8) | it.value[n - 1]! });
    }
  }
  return { executed: executed ?? responses.length, responses };
}
