/**
 * AES (FIPS 197) ECB and CBC without padding, for 16/24/32-byte keys, on Node's OpenSSL.
 * Data must be a multiple of 16 bytes (pad first with padding.ts).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CryptoError } from './errors.js';

export const AES_BLOCK = 16;

function algo(key: Uint8Array, mode: 'ecb' | 'cbc'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new CryptoError('key-length', `AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
  return `aes-${key.length * 8}-${mode}`;
}

function run(enc: boolean, key: Uint8Array, data: Uint8Array, iv: Uint8Array | null): Uint8Array {
  const a = algo(key, iv ? 'cbc' : 'ecb');
  if (data.length % AES_BLOCK !== 0) {
    throw new CryptoError('block-length', `AES data must be a multiple of 16 bytes, got ${data.length}`);
  }
  if (iv && iv.length !== AES_BLOCK) throw new CryptoError('iv-length', `AES IV must be 16 bytes, got ${iv.length}`);
  const c = enc ? createCipheriv(a, key, iv) : createDecipheriv(a, key, iv);
  c.setAutoPadding(false);
  const out = c.update(data);
  c.final();
  return new Uint8Array(out);
}

const ZERO_IV = new Uint8Array(16);

export function aesEcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(true, key, data, null);
}
export function aesEcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return run(false, key, data, null);
}
export function aesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(true, key, data, iv);
}
export function aesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(false, key, data, iv);
}
