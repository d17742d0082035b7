/**
 * Wire format of the simdm bridge (docs/bridge-protocol.md). One WebSocket connection over TLS is
 * one session. Client requests carry a sequence number that starts at 1 and grows by exactly one
 * per request; the server answers with `re` = that number. APDUs travel in JSON (hex) or in
 * compact binary frames: `01 | seq (u32 BE) | C-APDU` and `81 | seq | R-APDU`.
 *
 * Both decoders take untrusted bytes and throw only BridgeError('bridge.frame').
 */
import { BridgeError } from './errors.js';
import { toHex } from '../util/hex.js';

export const PROTOCOL_VERSION = 1;
/** largest frame either side accepts: an extended APDU (65 535 + 9) plus framing, hex-doubled */
export const MAX_FRAME = 140_000;
export const BIN_APDU = 0x01;
export const BIN_RAPDU = 0x81;

export type ClientRequest =
  | { op: 'list'; seq: number }
  | { op: 'watch'; seq: number; reader: string }
  | { op: 'acquire'; seq: number; reader: string; waitMs: number }
  | { op: 'connect'; seq: number }
  | { op: 'apdu'; seq: number; apdu: Uint8Array; binary: boolean }
  | { op: 'reset'; seq: number }
  | { op: 'disconnect'; seq: number }
  | { op: 'begin'; seq: number }
  | { op: 'end'; seq: number }
  | { op: 'release'; seq: number };

export type ClientOp = ClientRequest['op'];

export interface ReaderInfo {
  name: string;
  present: boolean;
}

export type ServerFrame =
  | { kind: 'hello'; v: number; who: string; readOnly: boolean; idleMs: number }
  | { kind: 'event'; ev: 'inserted' | 'removed'; reader: string }
  | { kind: 'ok'; re: number; readers?: ReaderInfo[]; atr?: Uint8Array; present?: boolean }
  | { kind: 'rapdu'; re: number; rapdu: Uint8Array; binary: boolean }
  | { kind: 'error'; re: number; code: string; message: string };

const OPS: ReadonlySet<string> = new Set(['list', 'watch', 'acquire', 'connect', 'apdu', 'reset', 'disconnect', 'release', 'begin', 'end']);
const MAX_SEQ = 0xffffffff;
const MAX_WAIT_MS = 600_000;
const MAX_NAME = 256;

function bad(msg: string): BridgeError {
  return new BridgeError('bridge.frame', msg);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function seqOf(v: unknown, field = 'seq'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SEQ) throw bad(`${field} must be an integer 1..${MAX_SEQ}`);
  return v;
}

function nameOf(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_NAME) throw bad(`${field} must be a string of 1..${MAX_NAME} characters`);
  // control characters in a reader name would corrupt logs and audit lines
  if (/[\u0000-\u001f\u007f]/.test(v)) throw bad(`${field} contains control characters`);
  return v;
}

function hexOf(v: unknown, field: string, min: number): Uint8Array {
  if (typeof v !== 'string' || v.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(v)) throw bad(`${field} must be hex bytes`);
  if (v.length / 2 < min) throw bad(`${field} shorter than ${min} bytes`);
  return new Uint8Array(Buffer.from(v, 'hex'));
}

function parseJson(text: string): Record<string, unknown> {
  if (text.length > MAX_FRAME) throw bad(`frame longer than ${MAX_FRAME} characters`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('frame is not JSON');
  }
  if (!isRecord(v)) throw bad('frame is not a JSON object');
  return v;
}

function toText(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw bad('text frame is not UTF-8');
  }
}

/** Decodes a client frame (server side). */
export function decodeClientFrame(data: Uint8Array | string, binary: boolean): ClientRequest {
  if (binary) {
    if (typeof data === 'string') throw bad('binary frame expected');
    if (data.length > MAX_FRAME) throw bad(`frame longer than ${MAX_FRAME} bytes`);
    if (data.length < 5) throw bad('binary frame shorter than 5 bytes');
    if (data[0] !== BIN_APDU) throw bad(`unknown binary frame type ${data[0]}`);
    const seq = seqOf(readU32(data, 1));
    const apdu = data.slice(5);
    if (apdu.length < 4) throw bad('C-APDU shorter than 4 bytes');
    return { op: 'apdu', seq, apdu, binary: true };
  }
  const o = parseJson(typeof data === 'string' ? data : toText(data));
  const op = o.op;
  if (typeof op !== 'string' || !OPS.has(op)) throw bad('unknown op');
  const seq = seqOf(o.seq);
  switch (op as ClientOp) {
    case 'list':
    case 'connect':
    case 'reset':
    case 'disconnect':
    case 'release':
    case 'begin':
    case 'end':
      return { op: op as 'list', seq };
    case 'watch':
      return { op: 'watch', seq, reader: nameOf(o.reader, 'reader') };
    case 'acquire': {
      const w = o.waitMs ?? 0;
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > MAX_WAIT_MS) throw bad(`waitMs must be an integer 0..${MAX_WAIT_MS}`);
      return { op: 'acquire', seq, reader: nameOf(o.reader, 'reader'), waitMs: w };
    }
    case 'apdu':
      return { op: 'apdu', seq, apdu: hexOf(o.apdu, 'apdu', 4), binary: false };
  }
}

/** Encodes a client request (client side). */
export function encodeClientRequest(r: ClientRequest): string | Uint8Array {
  switch (r.op) {
    case 'apdu':
      if (r.binary) return binaryFrame(BIN_APDU, r.seq, r.apdu);
      return JSON.stringify({ op: 'apdu', seq: r.seq, apdu: toHex(r.apdu) });
    case 'watch':
      return JSON.stringify({ op: r.op, seq: r.seq, reader: r.reader });
    case 'acquire':
      return JSON.stringify({ op: r.op, seq: r.seq, reader: r.reader, waitMs: r.waitMs });
    default:
      return JSON.stringify({ op: r.op, seq: r.seq });
  }
}

/** Encodes a server frame (server side). */
export function encodeServerFrame(f: ServerFrame): string | Uint8Array {
  switch (f.kind) {
    case 'hello':
      return JSON.stringify({ ev: 'hello', v: f.v, who: f.who, readOnly: f.readOnly, idleMs: f.idleMs });
    case 'event':
      return JSON.stringify({ ev: f.ev, reader: f.reader });
    case 'ok': {
      const o: Record<string, unknown> = { re: f.re, ok: true };
      if (f.readers) o.readers = f.readers;
      if (f.atr) o.atr = toHex(f.atr);
      if (f.present !== undefined) o.present = f.present;
      return JSON.stringify(o);
    }
    case 'rapdu':
      if (f.binary) return binaryFrame(BIN_RAPDU, f.re, f.rapdu);
      return JSON.stringify({ re: f.re, ok: true, rapdu: toHex(f.rapdu) });
    case 'error':
      return JSON.stringify({ re: f.re, ok: false, code: f.code, message: f.message });
  }
}

/** Decodes a server frame (client side). `re` 0 is used for errors not tied to a request. */
export function decodeServerFrame(data: Uint8Array | string, binary: boolean): ServerFrame {
  if (binary) {
    if (typeof data === 'string') throw bad('binary frame expected');
    if (data.length > MAX_FRAME) throw bad(`frame longer than ${MAX_FRAME} bytes`);
    if (data.length < 7) throw bad('binary frame shorter than 7 bytes');
    if (data[0] !== BIN_RAPDU) throw bad(`unknown binary frame type ${data[0]}`);
    return { kind: 'rapdu', re: seqOf(readU32(data, 1), 're'), rapdu: data.slice(5), binary: true };
  }
  const o = parseJson(typeof data === 'string' ? data : toText(data));
  if (o.ev !== undefined) {
    if (o.ev === 'hello') {
      if (typeof o.v !== 'number' || !Number.isInteger(o.v)) throw bad('hello: v must be an integer');
      if (typeof o.readOnly !== 'boolean') throw bad('hello: readOnly must be a boolean');
      const idle = o.idleMs;
      if (typeof idle !== 'number' || !Number.isInteger(idle) || idle < 0) throw bad('hello: idleMs must be an integer >= 0');
      return { kind: 'hello', v: o.v, who: nameOf(o.who, 'who'), readOnly: o.readOnly, idleMs: idle };
    }
    if (o.ev === 'inserted' || o.ev === 'removed') return { kind: 'event', ev: o.ev, reader: nameOf(o.reader, 'reader') };
    throw bad('unknown event');
  }
  const re = o.re === 0 ? 0 : seqOf(o.re, 're');
  if (o.ok === false) {
    if (typeof o.code !== 'string' || !/^[a-z][a-z0-9.-]{0,63}$/.test(o.code)) throw bad('error: code must be a short lower-case identifier');
    if (typeof o.message !== 'string' || o.message.length > 1024) throw bad('error: message must be a string of at most 1024 characters');
    return { kind: 'error', re, code: o.code, message: o.message };
  }
  if (o.ok !== true) throw bad('ok must be true or false');
  if (o.rapdu !== undefined) return { kind: 'rapdu', re, rapdu: hexOf(o.rapdu, 'rapdu', 2), binary: false };
  const f: ServerFrame & { kind: 'ok' } = { kind: 'ok', re };
  if (o.atr !== undefined) f.atr = hexOf(o.atr, 'atr', 0);
  if (o.present !== undefined) {
    if (typeof o.present !== 'boolean') throw bad('present must be a boolean');
    f.present = o.present;
  }
  if (o.readers !== undefined) {
    if (!Array.isArray(o.readers) || o.readers.length > 1024) throw bad('readers must be an array of at most 1024 entries');
    f.readers = o.readers.map((r, i) => {
      if (!isRecord(r) || typeof r.present !== 'boolean') throw bad(`readers[${i}] must be { name, present }`);
      return { name: nameOf(r.name, `readers[${i}].name`), present: r.present };
    });
  }
  return f;
}

function readU32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) >>> 0) + (b[off + 1]! << 16) + (b[off + 2]! << 8) + b[off + 3]!;
}

/** A binary frame: type byte, 4-byte sequence number (big-endian), the APDU bytes. */
function binaryFrame(type: number, seq: number, apdu: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + apdu.length);
  out[0] = type;
  writeU32(out, 1, seq);
  out.set(apdu, 5);
  return out;
}

function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
