/**
 * PUT KEY (GP Card Specification v2.2 11.8): replaces or adds a key set.
 * - P1: key version number being replaced (00 = add a new key set); P2: identifier of the first
 *   key, b8 set when several keys follow (11.8.2.1/11.8.2.2).
 * - Data: new KVN || key data fields (11.8.2.3 Table 11-70): key type (80 = DES/3DES, 88 = AES) ||
 *   length || key component block || KCV length || KCV.
 *   DES keys (SCP02): the 16-byte key encrypted 3DES-ECB under the session DEK.
 *   AES keys (SCP03, Amendment D 7.2): length-prefixed block: clear key length || AES-CBC(DEK, key
 *   padded with zeros to 16), so the length byte removes the padding on the card.
 * - Response data: KVN || the KCVs of the keys, in order (11.8.3).
 */
import type { CommandApdu } from '../../apdu/command.js';
import { encodeBerLength } from '../../codec/tlv/ber.js';
import { concatBytes, hexNum } from '../../util/hex.js';
import { constantTimeEqual } from '../primitives/ct.js';
import { kcvAes, kcvDes } from '../primitives/kcv.js';
import { ScpError } from './errors.js';

export type GpKeyType = 'des' | 'aes';
export const KEY_TYPE_DES = 0x80;
export const KEY_TYPE_AES = 0x88;

export interface PutKeyComponent {
  type: GpKeyType;
  key: Uint8Array;
}

export interface PutKeyRequest {
  /** KVN being replaced; 0 adds a new key set */
  replaceKvn: number;
  newKvn: number;
  /** identifier of the first key (usually 1: ENC, then MAC = 2, DEK = 3) */
  firstKeyId?: number;
  keys: PutKeyComponent[];
}

export function keyCheckValue(type: GpKeyType, key: Uint8Array): Uint8Array {
  return type === 'aes' ? kcvAes(key) : kcvDes(key);
}

/**
 * Builds PUT KEY; `encrypt` is the open session's key encryption (session DEK for SCP02, static
 * DEK for SCP03). Returns the command and the response the card must answer (KVN || KCVs).
 */
export function buildPutKey(req: PutKeyRequest, encrypt: (clear: Uint8Array) => Uint8Array): { cmd: CommandApdu; expect: Uint8Array } {
  if (req.keys.length === 0) throw new ScpError('format', 'PUT KEY needs at least one key');
  if (req.newKvn < 1 || req.newKvn > 0x7f) throw new ScpError('key', `key version ${req.newKvn} out of range 1..127`);
  const fields: Uint8Array[] = [Uint8Array.of(req.newKvn)];
  const kcvs: Uint8Array[] = [Uint8Array.of(req.newKvn)];
  for (const k of req.keys) {
    const kcv = keyCheckValue(k.type, k.key);
    let block: Uint8Array;
    if (k.type === 'des') {
      if (k.key.length !== 16 && k.key.length !== 24) throw new ScpError('key', 'DES key must be 16 or 24 bytes');
      block = encrypt(k.key);
    } else {
      if (k.key.length !== 16 && k.key.length !== 24 && k.key.length !== 32) throw new ScpError('key', 'AES key must be 16, 24 or 32 bytes');
      const padded = new Uint8Array(Math.ceil(k.key.length / 16) * 16);
      padded.set(k.key);
      block = concatBytes(Uint8Array.of(k.key.length), encrypt(padded));
    }
    fields.push(Uint8Array.of(k.type === 'aes' ? KEY_TYPE_AES : KEY_TYPE_DES), encodeBerLength(block.length), block, Uint8Array.of(kcv.length), kcv);
    kcvs.push(kcv);
  }
  const data = concatBytes(...fields);
  const first = req.firstKeyId ?? 1;
  return {
    cmd: { cla: 0x80, ins: 0xd8, p1: req.replaceKvn & 0x7f, p2: (first & 0x7f) | (req.keys.length > 1 ? 0x80 : 0), data, le: 256, secret: true },
    expect: concatBytes(...kcvs),
  };
}

export interface ParsedPutKey {
  replaceKvn: number;
  newKvn: number;
  firstKeyId: number;
  keys: { type: GpKeyType; key: Uint8Array; kcv: Uint8Array }[];
}

/** Card side: decodes and decrypts PUT KEY data, checking each KCV. Throws ScpError on bad data. */
export function parsePutKey(cmd: CommandApdu, decrypt: (enc: Uint8Array) => Uint8Array): ParsedPutKey {
  const d = cmd.data ?? new Uint8Array(0);
  if (d.length < 1) throw new ScpError('format', 'PUT KEY without data');
  const out: ParsedPutKey = { replaceKvn: cmd.p1 & 0x7f, newKvn: d[0]!, firstKeyId: cmd.p2 & 0x7f, keys: [] };
  let i = 1;
  while (i < d.length) {
    const t = d[i++]!;
    if (t !== KEY_TYPE_DES && t !== KEY_TYPE_AES) throw new ScpError('format', `unsupported key type ${hexNum(t)}`);
    if (i >= d.length) throw new ScpError('format', 'PUT KEY key data truncated');
    let len = d[i++]!;
    if (len === 0x81) {
      if (i >= d.length) throw new ScpError('format', 'PUT KEY key data truncated');
      len = d[i++]!;
    } else if (len > 0x80) throw new ScpError('format', 'PUT KEY length form not supported');
    if (i + len + 1 > d.length) throw new ScpError('format', 'PUT KEY key data truncated');
    const block = d.subarray(i, i + len);
    i += len;
    const kl = d[i++]!;
    if (i + kl > d.length) throw new ScpError('format', 'PUT KEY KCV truncated');
    const kcv = d.slice(i, i + kl);
    i += kl;
    let key: Uint8Array;
    const type: GpKeyType = t === KEY_TYPE_AES ? 'aes' : 'des';
    if (type === 'aes') {
      if (block.length < 17 || (block.length - 1) % 16 !== 0) throw new ScpError('format', 'AES key block has a bad length');
      const clearLen = block[0]!;
      if (clearLen !== 16 && clearLen !== 24 && clearLen !== 32) throw new ScpError('format', 'AES key length must be 16, 24 or 32');
      const dec = decrypt(block.subarray(1));
      if (clearLen > dec.length) throw new ScpError('format', 'AES key block shorter than the key');
      key = dec.slice(0, clearLen);
    } else {
      if (block.length !== 16 && block.length !== 24) throw new ScpError('format', 'DES key block has a bad length');
      key = decrypt(block);
    }
    if (kl > 0 && !constantTimeEqual(keyCheckValue(type, key).subarray(0, kl), kcv)) {
      throw new ScpError('key', 'key check value does not match the decrypted key');
    }
    out.keys.push({ type, key, kcv: keyCheckValue(type, key) });
  }
  if (out.keys.length === 0) throw new ScpError('format', 'PUT KEY without keys');
  return out;
}
