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
import { createCipheriv, type Cipher } from 'node:crypto';
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

class Aes128 {
  private readonly c: Cipher;
  constructor(key: Uint8Array) {
    this.c = createCipheriv('aes-128-ecb', key, null);
    this.c.setAutoPadding(false);
  }
  enc(block: Uint8Array): Uint8Array {
    return new Uint8Array(this.c.update(block));
  }
}

/** OPc = OP ⊕ E_K(OP) (TS 35.206 4.1). */
export function milenageOpc(k: Uint8Array, op: Uint8Array): Uint8Array {
  checkLength('K', k, 16);
  checkLength('OP', op, 16);
  return xorBytes(op, new Aes128(k).enc(op));
}

export interface F2345 {
  res: Uint8Array; // f2, 8 bytes
  ck: Uint8Array; // f3, 16 bytes
  ik: Uint8Array; // f4, 16 bytes
  ak: Uint8Array; // f5, 6 bytes
}

/**
 * One subscriber's MILENAGE instance: K and OPc fixed, so the AES key schedule is set up once.
 */
export class Milenage {
  readonly name = 'milenage' as const;
  private readonly aes: Aes128;
  private readonly opc: Uint8Array;
  private readonly consts: MilenageConstants;

  constructor(k: Uint8Array, opc: Uint8Array, consts: MilenageConstants = MILENAGE_DEFAULTS) {
    checkLength('K', k, 16);
    checkLength('OPc', opc, 16);
    for (const c of consts.c) checkLength('MILENAGE constant c', c, 16);
    this.aes = new Aes128(k);
    this.opc = Uint8Array.from(opc);
    this.consts = consts;
  }

  /** Builds from OP instead of OPc (OPc computed per TS 35.206 4.1). */
  static fromOp(k: Uint8Array, op: Uint8Array, consts?: MilenageConstants): Milenage {
    return new Milenage(k, milenageOpc(k, op), consts);
  }

  private temp(rand: Uint8Array): Uint8Array {
    checkLength('RAND', rand, 16);
    return this.aes.enc(xorBytes(rand, this.opc));
  }

  private out1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array, temp?: Uint8Array): Uint8Array {
    checkLength('SQN', sqn, 6);
    checkLength('AMF', amf, 2);
    temp ??= this.temp(rand);
    const in1 = new Uint8Array(16);
    in1.set(sqn, 0);
    in1.set(amf, 6);
    in1.set(sqn, 8);
    in1.set(amf, 14);
    const x = xorBytes(xorBytes(temp, rot128(xorBytes(in1, this.opc), this.consts.r[0])), this.consts.c[0]);
    return xorBytes(this.aes.enc(x), this.opc);
  }

  private outN(temp: Uint8Array, i: 1 | 2 | 3 | 4): Uint8Array {
    const x = xorBytes(rot128(xorBytes(temp, this.opc), this.consts.r[i]), this.consts.c[i]);
    return xorBytes(this.aes.enc(x), this.opc);
  }

  /** f1: network authentication MAC-A (8 bytes). */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
    return this.out1(rand, sqn, amf).slice(0, 8);
  }

  /** f1*: resynchronisation MAC-S (8 bytes). */
  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
    return this.out1(rand, sqn, amf).slice(8, 16);
  }

  /** f2 (RES), f3 (CK), f4 (IK), f5 (AK) from one TEMP. */
  f2345(rand: Uint8Array): F2345 {
    const temp = this.temp(rand);
    const out2 = this.outN(temp, 1);
    return {
      res: out2.slice(8, 16),
      ak: out2.slice(0, 6),
      ck: this.outN(temp, 2),
      ik: this.outN(temp, 3),
    };
  }

  /** All outputs for one vector with TEMP computed once (6 AES operations instead of 10). */
  all(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F2345 & { macA: Uint8Array; macS: Uint8Array; akStar: Uint8Array } {
    const temp = this.temp(rand);
    const out1 = this.out1(rand, sqn, amf, temp);
    const out2 = this.outN(temp, 1);
    return {
      macA: out1.slice(0, 8),
      macS: out1.slice(8, 16),
      res: out2.slice(8, 16),
      ak: out2.slice(0, 6),
      ck: this.outN(temp, 2),
      ik: this.outN(temp, 3),
      akStar: this.outN(temp, 4).slice(0, 6),
    };
  }

  /** f5*: the resynchronisation anonymity key AK* (6 bytes). */
  f5star(rand: Uint8Array): Uint8Array {
    return this.outN(this.temp(rand), 4).slice(0, 6);
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
