/**
 * The network side of UMTS/EPS AKA (3GPP TS 33.102 6.3.2, 6.3.5):
 * - an authentication vector from K, OP/OPc (inside the algorithm), SQN, AMF and a fresh RAND:
 *   MAC-A = f1, XRES = f2, CK = f3, IK = f4, AK = f5, AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A;
 * - resynchronisation (6.3.5): AUTS = SQN_MS ⊕ AK* ‖ MAC-S with AK* = f5*(RAND) and
 *   MAC-S = f1*(SQN_MS, RAND, AMF*) where AMF* is the dummy all-zero AMF (6.3.3); the AuC checks
 *   MAC-S and recovers SQN_MS.
 */
import { randomFillSync } from 'node:crypto';
import type { AkaAlgorithm } from './algorithm.js';
import { ctEqual, xorBytes } from './compare.js';
import { AkaError, checkLength } from './errors.js';
import { readUint, toHex, uintBytes } from '../../util/hex.js';

export interface AuthVector {
  rand: Uint8Array;
  xres: Uint8Array;
  ck: Uint8Array;
  ik: Uint8Array;
  ak: Uint8Array;
  autn: Uint8Array;
  macA: Uint8Array;
  /** f1* over the same SQN, RAND, AMF (for test and inspection) */
  macS: Uint8Array;
  /** f5*(RAND) */
  akStar: Uint8Array;
  sqn: Uint8Array;
  amf: Uint8Array;
}

export const AMF_RESYNC = new Uint8Array(2);

export function sqnBytes(sqn: number | Uint8Array): Uint8Array {
  if (sqn instanceof Uint8Array) {
    checkLength('SQN', sqn, 6);
    return sqn;
  }
  if (!Number.isInteger(sqn) || sqn < 0 || sqn > 2 ** 48 - 1) throw new AkaError('aka.sqn-range', 'SQN must be a 48-bit value');
  return uintBytes(sqn, 6);
}

export function sqnNumber(sqn: Uint8Array): number {
  checkLength('SQN', sqn, 6);
  return readUint(sqn, 0, 6);
}

/** RANDs are drawn from a pooled CSPRNG buffer (one randomFillSync per 256 vectors). */
const RAND_POOL = new Uint8Array(4096);
let randPoolAt = RAND_POOL.length;

function freshRand(): Uint8Array {
  if (randPoolAt === RAND_POOL.length) {
    randomFillSync(RAND_POOL);
    randPoolAt = 0;
  }
  const rand = RAND_POOL.slice(randPoolAt, randPoolAt + 16);
  RAND_POOL.fill(0, randPoolAt, randPoolAt + 16);
  randPoolAt += 16;
  return rand;
}

export function generateVector(alg: AkaAlgorithm, p: { sqn: number | Uint8Array; amf: Uint8Array; rand?: Uint8Array }): AuthVector {
  const rand = p.rand ?? freshRand();
  checkLength('RAND', rand, 16);
  checkLength('AMF', p.amf, 2);
  const sqn = sqnBytes(p.sqn);
  const o = alg.all(rand, sqn, p.amf);
  const { ak, macA } = o;
  // AUTN = SQN ⊕ AK ‖ AMF ‖ MAC-A (TS 33.102 6.3.2)
  const autn = new Uint8Array(8 + macA.length);
  for (let i = 0; i < 6; i++) autn[i] = sqn[i]! ^ ak[i]!;
  autn[6] = p.amf[0]!;
  autn[7] = p.amf[1]!;
  autn.set(macA, 8);
  return {
    rand,
    xres: o.res,
    ck: o.ck,
    ik: o.ik,
    ak,
    autn,
    macA,
    macS: o.macS,
    akStar: o.akStar,
    sqn,
    amf: Uint8Array.of(p.amf[0]!, p.amf[1]!),
  };
}

/** The `aka vector` JSON: lowercase hex under fixed keys. */
export function vectorJson(v: AuthVector): Record<string, string> {
  const x = (b: Uint8Array) => toHex(b).toLowerCase();
  return {
    rand: x(v.rand),
    xres: x(v.xres),
    ck: x(v.ck),
    ik: x(v.ik),
    ak: x(v.ak),
    autn: x(v.autn),
    mac_a: x(v.macA),
    mac_s: x(v.macS),
    ak_star: x(v.akStar),
    sqn: x(v.sqn),
    amf: x(v.amf),
  };
}

/** AUTS = (SQN_MS ⊕ AK*) ‖ MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF = 0000) (TS 33.102 6.3.3). */
export function buildAuts(alg: AkaAlgorithm, rand: Uint8Array, sqnMs: number | Uint8Array): Uint8Array {
  const sqn = sqnBytes(sqnMs);
  const macS = alg.f1star(rand, sqn, AMF_RESYNC);
  const out = new Uint8Array(6 + macS.length);
  out.set(xorBytes(sqn, alg.f5star(rand)), 0);
  out.set(macS, 6);
  return out;
}

/**
 * Verifies AUTS for RAND (TS 33.102 6.3.5) and returns SQN_MS. Throws AkaError
 * `aka.mac-failure` when MAC-S does not verify (compared in constant time).
 */
export function verifyAuts(alg: AkaAlgorithm, rand: Uint8Array, auts: Uint8Array): { sqnMs: Uint8Array; sqnMsValue: number } {
  checkLength('RAND', rand, 16);
  if (auts.length < 14) throw new AkaError('aka.format', `AUTS must be 6 + MAC-S bytes (14 for a 64-bit MAC), got ${auts.length}`);
  const sqnMs = xorBytes(auts.subarray(0, 6), alg.f5star(rand));
  const xmacS = alg.f1star(rand, sqnMs, AMF_RESYNC);
  if (!ctEqual(xmacS, auts.subarray(6))) throw new AkaError('aka.mac-failure', 'AUTS: MAC-S does not verify');
  return { sqnMs, sqnMsValue: readUint(sqnMs, 0, 6) };
}

/**
 * The SQN the HE uses after a resynchronisation (TS 33.102 C.3.4 style): SEQ_HE = SEQ_MS + 1 with
 * the IND slot chosen by the HE.
 */
export function nextSqnAfterResync(sqnMs: number, indBits = 5, ind = 0): number {
  const a = 2 ** indBits;
  if (!Number.isInteger(ind) || ind < 0 || ind >= a) throw new AkaError('aka.param', `IND must be 0..${a - 1}`);
  const seq = Math.floor(sqnMs / a) + 1;
  const next = seq * a + ind;
  if (next > 2 ** 48 - 1) throw new AkaError('aka.sqn-range', 'SQN space exhausted');
  return next;
}
