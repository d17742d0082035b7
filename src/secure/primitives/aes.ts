/**
 * AES (FIPS 197) ECB and CBC without padding, for 16/24/32-byte keys, on Node's OpenSSL.
 * Data must be a multiple of 16 bytes (pad first with padding.ts).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { AesEncryptor, readWord, writeWord } from './aes-table.js';
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
/**
 * Up to this many bytes a one-shot CBC encryption runs on the table AES (key schedule plus about
 * 5 ns a byte) rather than on a new OpenSSL context (about 6 µs to set up, then faster per byte):
 * APDU- and SMS-sized messages, measured by bench/crypto.ts.
 */
const TABLE_CBC_MAX = 1024;

export function aesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  if (data.length > TABLE_CBC_MAX) return run(true, key, data, iv);
  algo(key, 'cbc');
  return cbcEncryptWith(new AesEncryptor(key), data, iv, new Int32Array(4));
}
export function aesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
  return run(false, key, data, iv);
}

/** CBC encryption (SP 800-38A 6.2) on the table AES, `w` a 4-word scratch. */
function cbcEncryptWith(enc: AesEncryptor, data: Uint8Array, iv: Uint8Array, w: Int32Array): Uint8Array {
  if (data.length % AES_BLOCK !== 0) throw new CryptoError('block-length', `AES data must be a multiple of 16 bytes, got ${data.length}`);
  if (iv.length !== AES_BLOCK) throw new CryptoError('iv-length', `AES IV must be 16 bytes, got ${iv.length}`);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < 4; i++) w[i] = readWord(iv, 4 * i);
  for (let o = 0; o < data.length; o += 16) {
    enc.encryptWords(w[0]! ^ readWord(data, o), w[1]! ^ readWord(data, o + 4), w[2]! ^ readWord(data, o + 8), w[3]! ^ readWord(data, o + 12), w);
    for (let i = 0; i < 4; i++) writeWord(out, o + 4 * i, w[i]!);
  }
  return out;
}

/**
 * One AES key held for many messages: encryption block by block on the table AES (aes-table.ts,
 * key schedule expanded once, no Node call per block), decryption through one OpenSSL ECB
 * context that is never finalised (all blocks of a message in one call, then the CBC XOR).
 * For the hot paths of secure channels (SCP03 wrap and unwrap).
 */
export class AesBlockCipher {
  private readonly enc: AesEncryptor;
  private readonly dec;
  private readonly w = new Int32Array(4);
  constructor(key: Uint8Array) {
    const a = algo(key, 'ecb');
    this.enc = new AesEncryptor(key);
    this.dec = createDecipheriv(a, key, null).setAutoPadding(false);
  }

  encryptBlock(b: Uint8Array): Uint8Array {
    return this.enc.encryptBlock(b);
  }

  /** CBC encryption of whole blocks with `iv` (default zero). */
  cbcEncrypt(data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
    return cbcEncryptWith(this.enc, data, iv, this.w);
  }

  /** CBC decryption of whole blocks with `iv` (default zero). */
  cbcDecrypt(data: Uint8Array, iv: Uint8Array = ZERO_IV): Uint8Array {
    if (data.length % AES_BLOCK !== 0) throw new CryptoError('block-length', `AES data must be a multiple of 16 bytes, got ${data.length}`);
    if (iv.length !== AES_BLOCK) throw new CryptoError('iv-length', `AES IV must be 16 bytes, got ${iv.length}`);
    const out = new Uint8Array(this.dec.update(data));
    for (let i = 0; i < out.length; i++) out[i]! ^= i < 16 ? iv[i]! : data[i - 16]!;
    return out;
  }
}
