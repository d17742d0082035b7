/**
 * AES encryption (FIPS 197) for many single blocks under one key: the key schedule (5.2) is
 * expanded once per key and the rounds (5.1) run on 32-bit words through the four combined
 * SubBytes/ShiftRows/MixColumns tables ("T-tables", FIPS 197 rationale, Daemen-Rijmen 5.2.1),
 * with no allocation per block. This is what MILENAGE needs (six or seven dependent blocks per
 * vector, where a Node cipher context costs more per call than the AES itself) and what CBC
 * chaining and CMAC need (one block at a time).
 *
 * Timing: table lookups are indexed by key-dependent bytes, as in libosmocore's and hostapd's
 * rijndael.c. Bulk encryption without per-block chaining stays on OpenSSL (aes.ts).
 *
 * Words are big-endian: word i of a block is bytes 4i..4i+3, most significant first.
 */
import { CryptoError } from './errors.js';

const SBOX = new Int32Array(256);
const TE0 = new Int32Array(256);
const TE1 = new Int32Array(256);
const TE2 = new Int32Array(256);
const TE3 = new Int32Array(256);

/** FIPS 197 5.1.1: S-box = affine map of the multiplicative inverse in GF(2^8). */
(function buildTables(): void {
  const rotl8 = (x: number, s: number): number => ((x << s) | (x >>> (8 - s))) & 0xff;
  let p = 1;
  let q = 1;
  do {
    // p := p * 3, q := q / 3 (3 generates GF(2^8)*), so q = p^-1
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    SBOX[p] = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x]!;
    const s2 = ((s << 1) ^ (s & 0x80 ? 0x1b : 0)) & 0xff;
    // MixColumns column (2s, s, s, 3s) (5.1.3)
    const t = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
    TE0[x] = t;
    TE1[x] = (t >>> 8) | (t << 24);
    TE2[x] = (t >>> 16) | (t << 16);
    TE3[x] = (t >>> 24) | (t << 8);
  }
})();

function subWord(w: number): number {
  return (SBOX[w >>> 24]! << 24) | (SBOX[(w >>> 16) & 0xff]! << 16) | (SBOX[(w >>> 8) & 0xff]! << 8) | SBOX[w & 0xff]!;
}

/** Reads big-endian word `i` of `b` starting at `off`. */
export function readWord(b: Uint8Array, off: number): number {
  return (b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!;
}

/** Writes `w` big-endian at `off`. */
export function writeWord(b: Uint8Array, off: number, w: number): void {
  b[off] = w >>> 24;
  b[off + 1] = w >>> 16;
  b[off + 2] = w >>> 8;
  b[off + 3] = w;
}

/** One AES key (16, 24 or 32 bytes) with its expanded schedule, encrypting block by block. */
export class AesEncryptor {
  private readonly rk: Int32Array;
  private readonly rounds: number;
  private readonly w = new Int32Array(4);

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new CryptoError('key-length', `AES key must be 16, 24 or 32 bytes, got ${key.length}`);
    }
    const nk = key.length / 4;
    this.rounds = nk + 6;
    const rk = new Int32Array(4 * (this.rounds + 1));
    for (let i = 0; i < nk; i++) rk[i] = readWord(key, 4 * i);
    // FIPS 197 5.2 KeyExpansion; Rcon[i] = x^(i-1) in GF(2^8), in the word's top byte
    let rcon = 1;
    for (let i = nk; i < rk.length; i++) {
      let t = rk[i - 1]!;
      if (i % nk === 0) {
        t = subWord((t << 8) | (t >>> 24)) ^ (rcon << 24);
        rcon = ((rcon << 1) ^ (rcon & 0x80 ? 0x1b : 0)) & 0xff;
      } else if (nk > 6 && i % nk === 4) {
        t = subWord(t);
      }
      rk[i] = rk[i - nk]! ^ t;
    }
    this.rk = rk;
  }

  /** Encrypts the block (w0, w1, w2, w3) and writes its four words to `out[at..at+3]`. */
  encryptWords(w0: number, w1: number, w2: number, w3: number, out: Int32Array, at = 0): void {
    const rk = this.rk;
    let s0 = w0 ^ rk[0]!;
    let s1 = w1 ^ rk[1]!;
    let s2 = w2 ^ rk[2]!;
    let s3 = w3 ^ rk[3]!;
    let k = 4;
    for (let r = 1; r < this.rounds; r++, k += 4) {
      const t0 = TE0[s0 >>> 24]! ^ TE1[(s1 >>> 16) & 0xff]! ^ TE2[(s2 >>> 8) & 0xff]! ^ TE3[s3 & 0xff]! ^ rk[k]!;
      const t1 = TE0[s1 >>> 24]! ^ TE1[(s2 >>> 16) & 0xff]! ^ TE2[(s3 >>> 8) & 0xff]! ^ TE3[s0 & 0xff]! ^ rk[k + 1]!;
      const t2 = TE0[s2 >>> 24]! ^ TE1[(s3 >>> 16) & 0xff]! ^ TE2[(s0 >>> 8) & 0xff]! ^ TE3[s1 & 0xff]! ^ rk[k + 2]!;
      s3 = TE0[s3 >>> 24]! ^ TE1[(s0 >>> 16) & 0xff]! ^ TE2[(s1 >>> 8) & 0xff]! ^ TE3[s2 & 0xff]! ^ rk[k + 3]!;
      s0 = t0;
      s1 = t1;
      s2 = t2;
    }
    // final round: SubBytes, ShiftRows, AddRoundKey (no MixColumns)
    out[at] = ((SBOX[s0 >>> 24]! << 24) | (SBOX[(s1 >>> 16) & 0xff]! << 16) | (SBOX[(s2 >>> 8) & 0xff]! << 8) | SBOX[s3 & 0xff]!) ^ rk[k]!;
    out[at + 1] = ((SBOX[s1 >>> 24]! << 24) | (SBOX[(s2 >>> 16) & 0xff]! << 16) | (SBOX[(s3 >>> 8) & 0xff]! << 8) | SBOX[s0 & 0xff]!) ^ rk[k + 1]!;
    out[at + 2] = ((SBOX[s2 >>> 24]! << 24) | (SBOX[(s3 >>> 16) & 0xff]! << 16) | (SBOX[(s0 >>> 8) & 0xff]! << 8) | SBOX[s1 & 0xff]!) ^ rk[k + 2]!;
    out[at + 3] = ((SBOX[s3 >>> 24]! << 24) | (SBOX[(s0 >>> 16) & 0xff]! << 16) | (SBOX[(s1 >>> 8) & 0xff]! << 8) | SBOX[s2 & 0xff]!) ^ rk[k + 3]!;
  }

  /** Encrypts the 16 bytes of `src` at `srcOff` into `dst` at `dstOff` (the two may overlap). */
  encryptBlockInto(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
    const w = this.w;
    this.encryptWords(readWord(src, srcOff), readWord(src, srcOff + 4), readWord(src, srcOff + 8), readWord(src, srcOff + 12), w);
    writeWord(dst, dstOff, w[0]!);
    writeWord(dst, dstOff + 4, w[1]!);
    writeWord(dst, dstOff + 8, w[2]!);
    writeWord(dst, dstOff + 12, w[3]!);
  }

  /** E_K(block) as a new 16-byte array. */
  encryptBlock(block: Uint8Array): Uint8Array {
    if (block.length !== 16) throw new CryptoError('block-length', `AES block must be 16 bytes, got ${block.length}`);
    const out = new Uint8Array(16);
    this.encryptBlockInto(block, 0, out, 0);
    return out;
  }
}
