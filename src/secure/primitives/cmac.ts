/**
 * AES-CMAC (RFC 4493 / NIST SP 800-38B) for AES-128/192/256. Node's crypto has no CMAC, so the
 * subkey generation (RFC 4493 2.3) and MAC generation (2.4) are built here, on the table AES of
 * aes-table.ts: a CBC-MAC is one dependent block after another, where a Node cipher call per
 * block costs more than the block.
 */
import { AesEncryptor, readWord, writeWord } from './aes-table.js';

const RB = 0x87; // R_128 of SP 800-38B 5.3

/** Shift a 16-byte block left by one bit; XOR Rb into the last byte if the top bit was set. */
function dbl(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= RB;
  return out;
}

function subkeys(aes: AesEncryptor): { k1: Uint8Array; k2: Uint8Array } {
  const k1 = dbl(aes.encryptBlock(new Uint8Array(16)));
  return { k1, k2: dbl(k1) };
}

/** RFC 4493 2.3: K1 = dbl(E(K, 0^128)), K2 = dbl(K1). */
export function cmacSubkeys(key: Uint8Array): { k1: Uint8Array; k2: Uint8Array } {
  return subkeys(new AesEncryptor(key));
}

/**
 * AES-CMAC of `msg` under `key` (16/24/32 bytes), the full 16-byte tag (RFC 4493 2.4).
 * Truncate the result for shorter MACs (SCP03 S8 and OTA take the leftmost bytes).
 */
export function aesCmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  return new AesCmacKey(key).mac(msg);
}

/**
 * AES-CMAC with the key schedule and subkeys computed once: for sessions that MAC many messages
 * under one key (SCP03 C-MAC/R-MAC). `mac()` is the same function as aesCmac().
 */
export class AesCmacKey {
  private readonly aes: AesEncryptor;
  /** K1 and K2 as words */
  private readonly k = new Int32Array(8);
  private readonly w = new Int32Array(4);

  constructor(key: Uint8Array) {
    this.aes = new AesEncryptor(key);
    const { k1, k2 } = subkeys(this.aes);
    for (let i = 0; i < 4; i++) {
      this.k[i] = readWord(k1, 4 * i);
      this.k[4 + i] = readWord(k2, 4 * i);
    }
  }

  mac(msg: Uint8Array): Uint8Array {
    const n = msg.length === 0 ? 1 : Math.ceil(msg.length / 16);
    const w = this.w;
    w.fill(0);
    for (let o = 0; o < (n - 1) * 16; o += 16) {
      this.aes.encryptWords(w[0]! ^ readWord(msg, o), w[1]! ^ readWord(msg, o + 4), w[2]! ^ readWord(msg, o + 8), w[3]! ^ readWord(msg, o + 12), w);
    }
    // M_last (2.4 step 4): the final block XOR K1 when complete, else padded 10^i XOR K2
    const last = new Uint8Array(16);
    const tail = msg.subarray((n - 1) * 16);
    last.set(tail);
    const complete = msg.length > 0 && msg.length % 16 === 0;
    if (!complete) last[tail.length] = 0x80;
    const k = complete ? 0 : 4;
    const { k: sub } = this;
    this.aes.encryptWords(
      w[0]! ^ readWord(last, 0) ^ sub[k]!,
      w[1]! ^ readWord(last, 4) ^ sub[k + 1]!,
      w[2]! ^ readWord(last, 8) ^ sub[k + 2]!,
      w[3]! ^ readWord(last, 12) ^ sub[k + 3]!,
      w,
    );
    for (let i = 0; i < 4; i++) writeWord(last, 4 * i, w[i]!);
    return last;
  }
}
