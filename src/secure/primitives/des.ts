/**
 * DES and Triple-DES (FIPS 46-3 / SP 800-67) ECB and CBC on Node's OpenSSL. OpenSSL 3 moved single
 * DES to the legacy provider, so a single-DES key K runs as 3DES with K1=K2=K3 (EDE with equal keys
 * is plain DES). Keys: 8 bytes = single DES, 16 = two-key 3DES (K1,K2,K1), 24 = three-key 3DES.
 * No padding is applied: data must be a multiple of 8 bytes (use padding.ts first).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CryptoError } from './errors.js';

export const DES_BLOCK = 8;

function expand(key: Uint8Array): Uint8Array {
  if (key.length === 8) {
    const k = new Uint8Array(24);
    k.set(key, 0);
    k.set(key, 8);
    k.set(key, 16);
    return k;
  }
  if (key.length === 16 || key.length === 24) return key;
  throw new CryptoError('key-length', `DES/3DES key must be 8, 16 or 24 bytes, got ${key.length}`);
}

function algo(key: Uint8Array, cbc: boolean): string {
  return key.length === 16 ? (cbc ? 'des-ede-cbc' : 'des-ede') : cbc ? 'des-ede3-cbc' : 'des-ede3';
}

function checkBlocks(data: Uint8Array): void {
  if (data.length % DES_BLOCK !== 0) {
    throw new CryptoError('block-length', `DES data must be a multiple of 8 bytes, got ${data.length}`);
  }
}

function checkIv(iv: Uint8Array): void {
  if (iv.length !== DES_BLOCK) throw new CryptoError('iv-length', `DES IV must be 8 bytes, got ${iv.length}`);
}

function run(enc: boolean, key: Uint8Array, data: Uint8Array, iv: Uint8Array | null): Uint8Array {
  checkBlocks(data);
  if (iv) checkIv(iv);
  const k = expand(key);
  const a = algo(k, iv !== null);
  const c = enc ? createCipheriv(a, k, iv) : createDecipheriv(a, k, iv);
  c.setAutoPadding(false);
  const out = c.update(data);
  c.final();
  return new Uint8Array(out);
}

const ZERO_IV = new Uint8Array(8);

export function desEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(true, key, data, null);
}
export function desEcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(false, key, data, null);
}
/** CBC with `iv` (default all zero). */
export function desCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(true, key, data, iv);
}
export function desCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(false, key, data, iv);
}
