/** JSON.stringify replacer: bytes as uppercase hex, bigint as decimal string. */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex').toUpperCase();
  if (typeof v === 'bigint') return v.toString();
  return v;
}
