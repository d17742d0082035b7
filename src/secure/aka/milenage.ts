/**
 * MILENAGE, the example AKA algorithm set f1, f1*, f2, f3, f4, f5, f5* (3GPP TS 35.206 clause 4),
 * on AES-128 (Rijndael with 128-bit block and key, TS 35.206 Annex / clause 4.1).
 *
 *   OPc   = OP ⊕ E_K(OP)                                      (4.1)
 *   TEMP  = E_K(RAND ⊕ OPc)
 *   OUT1  = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = SQN‖AMF‖SQN‖AMF
 *   OUTi  = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc             (i = 2..5)
 *   f1 = OUT1[0..63], f1* = OUT1[64..127], f5 = OUT2[0..47], f2 = OUT2[64..127],
 *   f3 = OUT3, f4 = OUT4, f5* = OUT5[0..47]
 * rot(x, r) is a cyclic left rotation by r bits; the constants c1..c5, r1..r5 are operator-
 * configurable (TS 35.206 4.1, defaults below).
 */
import { AesEncryptor, readWord } from '../primitives/aes-table.js';
import { checkLength } from './errors.js';
import { xorBytes } from './compare.js';

export interface MilenageConstants {
  /** 16-byte constants c1..c5 */
  c: [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  /** rotation amounts r1..r5 in bits, 0..127 */
  r: [number, number, number, number, number];
}

function constBlock(lastByte: number): Uint8Array {
  const b = new Uint8Array(16);
  b[15] = lastByte;
  return b;
}

/** TS 35.206 4.1: c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8; r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96. */
export const MILENAGE_DEFAULTS: MilenageConstants = {
  c: [constBlock(0), constBlock(1), constBlock(2), constBlock(4), constBlock(8)],
  r: [64, 0, 32, 64, 96],
};

/** Cyclic left rotation of a 128-bit block by r bits. */
export function rot128(x: Uint8Array, r: number): Uint8Array {
  const n = ((r % 128) + 128) % 128;
  const bytes = n >> 3;
  const bits = n & 7;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const a = x[(i + bytes) % 16]!;
    const b = x[(i + bytes + 1) % 16]!;
    out[i] = bits === 0 ? a : ((a << bits) | (b >> (8 - bits))) & 0xff;
  }
  return out;
}

/** Big-endian words of a 16-byte block into `out`. */
function wordsInto(b: Uint8Array, out: Int32Array): void {
  for (let i = 0; i < 4; i++) out[i] = readWord(b, 4 * i);
}

/** rot128 on words: `out` = `a` rotated left by `r` bits (0..127); `out` must not be `a`. */
function rotWordsInto(a: Int32Array, r: number, out: Int32Array): void {
  const ws = r >>> 5;
  const bs = r & 31;
  for (let i = 0; i < 4; i++) {
    const hi = a[(i + ws) & 3]!;
    out[i] = bs === 0 ? hi : (hi << bs) | (a[(i + ws + 1) & 3]! >>> (32 - bs));
  }
}

/** OPc = OP ⊕ E_K(OP) (TS 35.206 4.1). */
export function milenageOpc(k: Uint8Array, op: Uint8Array): Uint8Array {
  checkLength('K', k, 16);
  checkLength('OP', op, 16);
  return xorBytes(op, new AesEncryptor(k).encryptBlock(op));
}

export interface F2345 {
  res: Uint8Array; // f2, 8 bytes
  ck: Uint8Array; // f3, 16 bytes
  ik: Uint8Array; // f4, 16 bytes
  ak: Uint8Array; // f5, 6 bytes
}

export type MilenageAll = F2345 & { macA: Uint8Array; macS: Uint8Array; akStar: Uint8Array };

/**
 * One subscriber's MILENAGE instance: K's AES key schedule is expanded once and OPc, c1..c5 are
 * held as 32-bit words, so a vector costs its AES blocks and a few XORs, with no allocation but
 * its outputs.
 */
export class Milenage {
  readonly name = 'milenage' as const;
  private readonly aes: AesEncryptor;
  private readonly opc = new Int32Array(4);
  /** c1..c5, four words each */
  private readonly c = new Int32Array(20);
  private readonly r: readonly number[];
  private readonly temp = new Int32Array(4);
  private readonly a = new Int32Array(4);
  private readonly x = new Int32Array(4);
  private readonly o = new Int32Array(4);

  constructor(k: Uint8Array, opc: Uint8Array, consts: MilenageConstants = MILENAGE_DEFAULTS) {
    checkLength('K', k, 16);
    checkLength('OPc', opc, 16);
    for (const c of consts.c) checkLength('MILENAGE constant c', c, 16);
    this.aes = new AesEncryptor(k);
    wordsInto(opc, this.opc);
    consts.c.forEach((c, i) => wordsInto(c, this.c.subarray(4 * i, 4 * i + 4)));
    this.r = consts.r.map((r) => ((r % 128) + 128) % 128);
  }

  /** Builds from OP instead of OPc (OPc computed per TS 35.206 4.1). */
  static fromOp(k: Uint8Array, op: Uint8Array, consts?: MilenageConstants): Milenage {
    return new Milenage(k, milenageOpc(k, op), consts);
  }

  /** TEMP = E_K(RAND ⊕ OPc) into this.temp. */
  private computeTemp(rand: Uint8Array): void {
    checkLength('RAND', rand, 16);
    const opc = this.opc;
    this.aes.encryptWords(readWord(rand, 0) ^ opc[0]!, readWord(rand, 4) ^ opc[1]!, readWord(rand, 8) ^ opc[2]!, readWord(rand, 12) ^ opc[3]!, this.temp);
  }

  /** OUT = E_K(x ⊕ c_i) ⊕ OPc into this.o (i = 0..4 for c1..c5). */
  private finish(i: number): void {
    const { x, c, o, opc } = this;
    const ci = 4 * i;
    this.aes.encryptWords(x[0]! ^ c[ci]!, x[1]! ^ c[ci + 1]!, x[2]! ^ c[ci + 2]!, x[3]! ^ c[ci + 3]!, o);
    for (let j = 0; j < 4; j++) o[j] = o[j]! ^ opc[j]!;
  }

  /**
   * Bytes `from`..`from+len-1` of the last OUT as a new array. Outputs are separate small arrays:
   * V8 keeps typed arrays of up to 64 bytes on its heap, while a larger buffer, or a view that
   * needs one, costs an order of magnitude more than the AES.
   */
  private take(from: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const o = this.o;
    for (let k = 0; k < len; k++) {
      const n = from + k;
      out[k] = o[n >> 2]! >>> (24 - 8 * (n & 3));
    }
    return out;
  }

  /** OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = SQN‖AMF‖SQN‖AMF; TEMP computed first. */
  private out1(sqn: Uint8Array, amf: Uint8Array): void {
    checkLength('SQN', sqn, 6);
    checkLength('AMF', amf, 2);
    const { a, x, opc, temp } = this;
    const w0 = readWord(sqn, 0);
    const w1 = (sqn[4]! << 24) | (sqn[5]! << 16) | (amf[0]! << 8) | amf[1]!;
    a[0] = w0 ^ opc[0]!;
    a[1] = w1 ^ opc[1]!;
    a[2] = w0 ^ opc[2]!;
    a[3] = w1 ^ opc[3]!;
    rotWordsInto(a, this.r[0]!, x);
    for (let j = 0; j < 4; j++) x[j] = x[j]! ^ temp[j]!;
    this.finish(0);
  }

  /** OUTi = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc for i = 2..5 (index 1..4); TEMP computed first. */
  private out(i: 1 | 2 | 3 | 4): void {
    const { a, x, opc, temp } = this;
    for (let j = 0; j < 4; j++) a[j] = temp[j]! ^ opc[j]!;
    rotWordsInto(a, this.r[i]!, x);
    this.finish(i);
  }

  /** f1: network authentication MAC-A (8 bytes). */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
    this.computeTemp(rand);
    this.out1(sqn, amf);
    return this.take(0, 8);
  }

  /** f1*: resynchronisation MAC-S (8 bytes). */
  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
    this.computeTemp(rand);
    this.out1(sqn, amf);
    return this.take(8, 8);
  }

  /** f2 (RES), f3 (CK), f4 (IK), f5 (AK) from one TEMP. */
  f2345(rand: Uint8Array): F2345 {
    this.computeTemp(rand);
    return this.outputs2345();
  }

  /** OUT2 (f5 AK, f2 RES), OUT3 (f3 CK), OUT4 (f4 IK) from the TEMP computed last. */
  private outputs2345(): F2345 {
    this.out(1);
    const ak = this.take(0, 6);
    const res = this.take(8, 8);
    this.out(2);
    const ck = this.take(0, 16);
    this.out(3);
    return { res, ck, ik: this.take(0, 16), ak };
  }

  /** Every output of one vector from one TEMP: six AES blocks (OUT1..OUT5) instead of ten. */
  all(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): MilenageAll {
    this.computeTemp(rand);
    this.out1(sqn, amf);
    const macA = this.take(0, 8);
    const macS = this.take(8, 8);
    const f2345 = this.outputs2345();
    this.out(4);
    return { macA, macS, ...f2345, akStar: this.take(0, 6) };
  }

  /** f5*: the resynchronisation anonymity key AK* (6 bytes). */
  f5star(rand: Uint8Array): Uint8Array {
    this.computeTemp(rand);
    this.out(4);
    return this.take(0, 6);
  }
}

/**
 * GSM conversion functions for 2G compatibility (TS 33.102 6.8.1.2, TS 55.205 "GSM-MILENAGE"):
 * c2: SRES = XRES[0..31] ⊕ XRES[32..63] (for an 8-byte XRES), c3: Kc = CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2.
 */
export function gsmSres(xres: Uint8Array): Uint8Array {
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) out[i] = xres[i]! ^ (xres[i + 4] ?? 0) ^ (xres[i + 8] ?? 0) ^ (xres[i + 12] ?? 0);
  return out;
}

export function gsmKc(ck: Uint8Array, ik: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = ck[i]! ^ ck[i + 8]! ^ ik[i]! ^ ik[i + 8]!;
  return out;
}
