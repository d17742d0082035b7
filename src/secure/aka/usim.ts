/**
 * The USIM's side of AKA (3GPP TS 33.102 6.3.3), pure: given RAND and AUTN it
 * 1. computes AK = f5(RAND) and SQN = (SQN ⊕ AK) ⊕ AK,
 * 2. computes XMAC = f1(SQN, RAND, AMF) and compares it with MAC (constant time) — a mismatch is
 *    "MAC failure",
 * 3. checks SQN freshness (Annex C, SqnArray) — a stale or out-of-range SQN yields AUTS built on
 *    SQN_MS ("synchronisation failure"),
 * 4. otherwise accepts SQN and returns RES = f2, CK = f3, IK = f4 (and Kc = c3(CK, IK) for GSM
 *    access, TS 33.102 6.8.1.2).
 */
import type { AkaAlgorithm } from './algorithm.js';
import { buildAuts } from './auc.js';
import { ctEqual, xorBytes } from './compare.js';
import { AkaError, checkLength } from './errors.js';
import { gsmKc } from './milenage.js';
import type { SqnArray } from './sqn.js';
import { readUint } from '../../util/hex.js';

export type UsimAuthResult =
  | { kind: 'success'; res: Uint8Array; ck: Uint8Array; ik: Uint8Array; kc: Uint8Array; sqn: number }
  | { kind: 'sync-failure'; auts: Uint8Array; reason: 'not-fresh' | 'delta' | 'limit' }
  | { kind: 'mac-failure' };

export function usimAuthenticate(alg: AkaAlgorithm, sqns: SqnArray, rand: Uint8Array, autn: Uint8Array): UsimAuthResult {
  checkLength('RAND', rand, 16);
  if (autn.length < 16) throw new AkaError('aka.format', `AUTN must be at least 16 bytes, got ${autn.length}`);
  const { res, ck, ik, ak } = alg.f2345(rand);
  const sqn = xorBytes(autn.subarray(0, 6), ak);
  const amf = autn.subarray(6, 8);
  const mac = autn.subarray(8);
  const xmac = alg.f1(rand, sqn, amf);
  if (!ctEqual(xmac, mac)) return { kind: 'mac-failure' };
  const sqnValue = readUint(sqn, 0, 6);
  const verdict = sqns.verify(sqnValue);
  if (!verdict.ok) return { kind: 'sync-failure', auts: buildAuts(alg, rand, sqns.sqnMs), reason: verdict.reason };
  return { kind: 'success', res, ck, ik, kc: gsmKc(ck, ik), sqn: sqnValue };
}
