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

/**
 * One AES key held open for many single-block operations: an ECB cipher that is updated block by
 * block and never finalised, so no cipher context is created per message. CBC is done here by
 * chaining blocks, for the hot paths of secure channels (SCP03 wrap, CMAC).
 */
export class AesBlockCipher {
  private readonly enc;
  private readonly dec;
  constructor(key: Uint8Array) {
    const a = algo(key, 'ecb');
    this.enc = createCipheriv(a, key, null).setAutoPadding(false);
    this.dec = createDecipheriv(a, key, null).setAutoPadding(false);
  }

  encryptBlock(b: Uint8Array): Uint8Array {
    return new Uint8Array(this.enc.update(b));
  }

  /** CBC encryption of whole blocks with `iv` (default zero). */
  cbcEncrypt(data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
    if (data.length % AES_BLOCK !== 0) throw new CryptoError('block-length', `AES data must be a multiple of 16 bytes, got ${data.length}`);
    const out = new Uint8Array(data.length);
    const x = new Uint8Array(16);
    let prev = iv;
    for (let o = 0; o < data.length; o += 16) {
      for (let i = 0; i < 16; i++) x[i] = data[o + i]! ^ prev[i]!;
      const c = this.enc.update(x);
      out.set(c, o);
      prev = out.subarray(o, o + 16);
    }
    return out;
  }

  /** CBC decryption of whole blocks with `iv` (default zero). */
  cbcDecrypt(data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
    if (data.length % AES_BLOCK !== 0) throw new CryptoError('block-length', `AES data must be a multiple of 16 bytes, got ${data.length}`);
    const out = new Uint8Array(data.length);
    let prev = iv;
    for (let o = 0; o < data.length; o += 16) {
      const blk = data.subarray(o, o + 16);
      const p = this.dec.update(blk);
      for (let i = 0; i < 16; i++) out[o + i] = p[i]! ^ prev[i]!;
      prev = blk;
    }
    return out;
  }
}
