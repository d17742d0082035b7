/**
 * TUAK, the second example AKA algorithm set (3GPP TS 35.231), built on Keccak-f[1600].
 *
 * Every function fills one 1600-bit INOUT string (clause 6), applies Keccak-f[1600]
 * KeccakIterations times (default 1; TS 35.231 7.2 lets operators raise it) and reads fields back:
 *   INOUT[0..255]     = TOPc (TOP for the TOPc derivation)
 *   INOUT[256..263]   = INSTANCE  (function and length selection, see instance())
 *   INOUT[264..319]   = ALGONAME  "TUAK1.0"
 *   INOUT[320..447]   = RAND, INOUT[448..463] = AMF, INOUT[464..511] = SQN  (zero where unused)
 *   INOUT[512..767]   = K (a 128-bit K is followed by 128 zero bits)
 *   INOUT[768..1087]  = padding 0x1F ‖ 0…0 ‖ 0x80 (Keccak sponge padding, rate 1088)
 *   INOUT[1088..1599] = 0
 * Each field is written with its least significant bit first (INOUT[a..b] = X[|X|-1..0] in the
 * specification's notation), which on bytes means: reverse the byte order of the field.
 * Outputs: TOPc = OUT[0..255], MAC = OUT[0..|MAC|-1], RES = OUT[0..], CK = OUT[256..],
 * IK = OUT[512..], AK = OUT[768..815], each read back the same way (clauses 6.1-6.5).
 */
import { keccakF1600 } from './keccak.js';
import { AkaError, checkLength } from './errors.js';
import type { F2345 } from './milenage.js';

const ALGONAME = new TextEncoder().encode('TUAK1.0');

export interface TuakParams {
  /** MAC-A / MAC-S length in bytes: 8, 16 or 32 (TS 35.231 5.1) */
  macLength?: 8 | 16 | 32;
  /** RES length in bytes: 4, 8, 16 or 32 */
  resLength?: 4 | 8 | 16 | 32;
  /** CK and IK lengths in bytes: 16 or 32 */
  ckLength?: 16 | 32;
  ikLength?: 16 | 32;
  /** number of Keccak-f[1600] applications, 1 by default */
  keccakIterations?: number;
}

function pushReversed(buf: Uint8Array, at: number, field: Uint8Array): void {
  for (let i = 0; i < field.length; i++) buf[at + i] = field[field.length - 1 - i]!;
}

function popReversed(buf: Uint8Array, at: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = buf[at + len - 1 - i]!;
  return out;
}

/**
 * The INOUT fields that do not change between calls of one subscriber (TOPc, ALGONAME, K and the
 * sponge padding), laid out once; INSTANCE, RAND, AMF and SQN are added per call.
 */
function baseState(topc: Uint8Array, k: Uint8Array): Uint8Array {
  const s = new Uint8Array(200);
  pushReversed(s, 0, topc);
  pushReversed(s, 33, ALGONAME);
  pushReversed(s, 64, k);
  s[96] = 0x1f;
  s[135] = 0x80;
  return s;
}

/** Fills `s` from `base` and the per-call fields and runs the Keccak iterations, in place. */
function core(s: Uint8Array, base: Uint8Array, instance: number, iterations: number, rand?: Uint8Array, amf?: Uint8Array, sqn?: Uint8Array): Uint8Array {
  s.set(base);
  s[32] = instance;
  if (rand) pushReversed(s, 40, rand);
  if (amf) pushReversed(s, 56, amf);
  if (sqn) pushReversed(s, 58, sqn);
  for (let i = 0; i < iterations; i++) keccakF1600(s);
  return s;
}

function keyBit(k: Uint8Array): number {
  return k.length === 32 ? 0x01 : 0x00;
}

/** TOPc derived from TOP and K (TS 35.231 6.1). */
export function tuakTopc(k: Uint8Array, top: Uint8Array, keccakIterations = 1): Uint8Array {
  checkLength('K', k, 16, 32);
  checkLength('TOP', top, 32);
  const out = core(new Uint8Array(200), baseState(top, k), keyBit(k), keccakIterations);
  return popReversed(out, 0, 32);
}

export class Tuak {
  readonly name = 'tuak' as const;
  private readonly k: Uint8Array;
  /** INOUT with this subscriber's fixed fields, and the working state (200 bytes each, reused) */
  private readonly base: Uint8Array;
  private readonly s = new Uint8Array(200);
  readonly macLength: 8 | 16 | 32;
  readonly resLength: 4 | 8 | 16 | 32;
  readonly ckLength: 16 | 32;
  readonly ikLength: 16 | 32;
  readonly iterations: number;

  constructor(k: Uint8Array, topc: Uint8Array, p: TuakParams = {}) {
    checkLength('K', k, 16, 32);
    checkLength('TOPc', topc, 32);
    this.k = Uint8Array.from(k);
    this.base = baseState(topc, k);
    this.macLength = p.macLength ?? 8;
    this.resLength = p.resLength ?? 8;
    this.ckLength = p.ckLength ?? 16;
    this.ikLength = p.ikLength ?? 16;
    this.iterations = p.keccakIterations ?? 1;
    if (![8, 16, 32].includes(this.macLength)) throw new AkaError('aka.param', 'TUAK MAC length must be 8, 16 or 32 bytes');
    if (![4, 8, 16, 32].includes(this.resLength)) throw new AkaError('aka.param', 'TUAK RES length must be 4, 8, 16 or 32 bytes');
    if (![16, 32].includes(this.ckLength) || ![16, 32].includes(this.ikLength)) {
      throw new AkaError('aka.param', 'TUAK CK/IK length must be 16 or 32 bytes');
    }
    if (!Number.isInteger(this.iterations) || this.iterations < 1) throw new AkaError('aka.param', 'TUAK Keccak iterations must be >= 1');
  }

  static fromTop(k: Uint8Array, top: Uint8Array, p: TuakParams = {}): Tuak {
    return new Tuak(k, tuakTopc(k, top, p.keccakIterations ?? 1), p);
  }

  /** INSTANCE for f1/f1* (6.2, 6.3): bit 7 = f1*, bits 5..3 = MAC length, bit 0 = 256-bit K. */
  private macInstance(star: boolean): number {
    const len = { 8: 0x08, 16: 0x10, 32: 0x20 }[this.macLength];
    return (star ? 0x80 : 0x00) | len | keyBit(this.k);
  }

  private mac(star: boolean, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
    checkLength('RAND', rand, 16);
    checkLength('SQN', sqn, 6);
    checkLength('AMF', amf, 2);
    const out = core(this.s, this.base, this.macInstance(star), this.iterations, rand, amf, sqn);
    return popReversed(out, 0, this.macLength);
  }

  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
    return this.mac(false, rand, sqn, amf);
  }

  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array {
    return this.mac(true, rand, sqn, amf);
  }

  /** f2..f5 (6.4): INSTANCE = 0x40 | RES length (bits 5..3) | CK 256 (bit 2) | IK 256 (bit 1) | K 256 (bit 0). */
  f2345(rand: Uint8Array): F2345 {
    checkLength('RAND', rand, 16);
    const res = { 4: 0x00, 8: 0x08, 16: 0x10, 32: 0x20 }[this.resLength];
    const inst = 0x40 | res | (this.ckLength === 32 ? 0x04 : 0) | (this.ikLength === 32 ? 0x02 : 0) | keyBit(this.k);
    const out = core(this.s, this.base, inst, this.iterations, rand);
    return {
      res: popReversed(out, 0, this.resLength),
      ck: popReversed(out, 32, this.ckLength),
      ik: popReversed(out, 64, this.ikLength),
      ak: popReversed(out, 96, 6),
    };
  }

  /** Every output of one vector (four Keccak runs: f1, f1*, f2..f5, f5* differ in INSTANCE). */
  all(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F2345 & { macA: Uint8Array; macS: Uint8Array; akStar: Uint8Array } {
    const { res, ck, ik, ak } = this.f2345(rand);
    const macA = this.f1(rand, sqn, amf);
    const macS = this.f1star(rand, sqn, amf);
    return { res, ck, ik, ak, macA, macS, akStar: this.f5star(rand) };
  }

  /** f5* (6.5): INSTANCE = 0xC0 | K 256 (bit 0). */
  f5star(rand: Uint8Array): Uint8Array {
    checkLength('RAND', rand, 16);
    const out = core(this.s, this.base, 0xc0 | keyBit(this.k), this.iterations, rand);
    return popReversed(out, 96, 6);
  }
}
