import { toHex } from './hex.js';
/** JSON.stringify replacer: bytes as uppercase hex, bigint as decimal string. */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v === 'bigint') return v.toString();
  return v;
}
