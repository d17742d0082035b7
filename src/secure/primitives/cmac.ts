/**
 * AES-CMAC (RFC 4493 / NIST SP 800-38B) for AES-128/192/256 on Node's AES-ECB. Node's crypto has
 * no CMAC, so the subkey generation (RFC 4493 2.3) and MAC generation (2.4) are built here.
 */
import { createCipheriv } from 'node:crypto';
import { AesBlockCipher } from './aes.js';
import { CryptoError } from './errors.js';

const RB = 0x87; // R_128 of SP 800-38B 5.3
const ZERO_IV = new Uint8Array(16);

function aesAlgo(key: Uint8Array): string {
  switch (key.length) {
    case 16:
      return 'aes-128-ecb';
    case 24:
      return 'aes-192-ecb';
    case 32:
      return 'aes-256-ecb';
    default:
      throw new CryptoError('key-length', `AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
}

/** Shift a 16-byte block left by one bit; XOR Rb into the last byte if the top bit was set. */
function dbl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= RB;
  return out;
}

/** RFC 4493 2.3: K1 = dbl(E(K, 0^128)), K2 = dbl(K1). */
export function cmacSubkeys(key: Uint8Array): { k1: Uint8Array; k2: Uint8Array } {
  const c = createCipheriv(aesAlgo(key), key, null).setAutoPadding(false);
  const l = new Uint8Array(c.update(new Uint8Array(16)));
  const k1 = dbl(l);
  return { k1, k2: dbl(k1) };
}

/**
 * AES-CMAC of `msg` under `key` (16/24/32 bytes), the full 16-byte tag (RFC 4493 2.4).
 * Truncate the result for shorter MACs (SCP03 S8 and OTA take the leftmost bytes).
 */
export function aesCmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const { k1, k2 } = cmacSubkeys(key);
  return cmacWith(key, aesAlgo(key).replace('ecb', 'cbc'), k1, k2, msg);
}

/**
 * AES-CMAC with the subkeys computed once: for sessions that MAC many messages under one key
 * (SCP03 C-MAC/R-MAC). The key is copied; `mac()` is the same function as aesCmac().
 */
export class AesCmacKey {
  private readonly cipher: AesBlockCipher;
  private readonly k1: Uint8Array;
  private readonly k2: Uint8Array;
  constructor(key: Uint8Array) {
    aesAlgo(key);
    this.cipher = new AesBlockCipher(key);
    const { k1, k2 } = cmacSubkeys(key);
    this.k1 = k1;
    this.k2 = k2;
  }
  mac(msg: Uint8Array): Uint8Array {
    const n = msg.length === 0 ? 1 : Math.ceil(msg.length / 16);
    const x = new Uint8Array(16);
    let state: Uint8Array = new Uint8Array(16);
    for (let b = 0; b < n - 1; b++) {
      for (let i = 0; i < 16; i++) x[i] = state[i]! ^ msg[b * 16 + i]!;
      state = this.cipher.encryptBlock(x);
    }
    const last = lastBlock(msg, n, this.k1, this.k2);
    for (let i = 0; i < 16; i++) x[i] = state[i]! ^ last[i]!;
    return this.cipher.encryptBlock(x);
  }
}

/** M_last of RFC 4493 2.4 step 4: the final block XOR K1 (complete) or padded XOR K2. */
function lastBlock(msg: Uint8Array, n: number, k1: Uint8Array, k2: Uint8Array): Uint8Array {
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const last = new Uint8Array(16);
  const tail = msg.subarray((n - 1) * 16);
  last.set(tail);
  if (complete) {
    for (let i = 0; i < 16; i++) last[i]! ^= k1[i]!;
  } else {
    last[tail.length] = 0x80; // padding 10^i
    for (let i = 0; i < 16; i++) last[i]! ^= k2[i]!;
  }
  return last;
}

function cmacWith(key: Uint8Array, cbcAlgo: string, k1: Uint8Array, k2: Uint8Array, msg: Uint8Array): Uint8Array {
  const n = msg.length === 0 ? 1 : Math.ceil(msg.length / 16);
  const last = lastBlock(msg, n, k1, k2);
  // CBC-MAC with a zero IV over M_1..M_{n-1} || M_last: one CBC pass, keep the final block.
  const cbc = createCipheriv(cbcAlgo, key, ZERO_IV).setAutoPadding(false);
  if (n > 1) cbc.update(msg.subarray(0, (n - 1) * 16));
  const fin = cbc.update(last);
  return new Uint8Array(fin.subarray(fin.length - 16));
}
