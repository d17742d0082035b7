/**
 * The AKA algorithm interface (TS 33.102 6.3.2: f1, f1*, f2, f3, f4, f5, f5*) and how one is
 * built from a subscriber's keys: MILENAGE (TS 35.206) from K + OP or OPc, TUAK (TS 35.231) from
 * K + TOP or TOPc.
 */
import { Milenage, type F2345, type MilenageConstants } from './milenage.js';
import { Tuak, type TuakParams } from './tuak.js';
import { AkaError } from './errors.js';

export type { F2345 } from './milenage.js';

export interface AkaAlgorithm {
  readonly name: 'milenage' | 'tuak';
  /** MAC-A = f1(K, SQN, RAND, AMF) */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array;
  /** MAC-S = f1*(K, SQN, RAND, AMF) */
  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Uint8Array;
  /** RES (f2), CK (f3), IK (f4), AK (f5) */
  f2345(rand: Uint8Array): F2345;
  /** AK for resynchronisation, f5* */
  f5star(rand: Uint8Array): Uint8Array;
  /** every output of one vector at once, sharing what the algorithm can (MILENAGE's TEMP) */
  all(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): F2345 & { macA: Uint8Array; macS: Uint8Array; akStar: Uint8Array };
}

export type AlgorithmName = 'milenage' | 'tuak';

export interface SubscriberKeys {
  alg: AlgorithmName;
  k: Uint8Array;
  /** MILENAGE OP or OPc, TUAK TOP or TOPc: exactly one of the two */
  op?: Uint8Array;
  opc?: Uint8Array;
  milenage?: MilenageConstants;
  tuak?: TuakParams;
}

export function akaAlgorithm(keys: SubscriberKeys): AkaAlgorithm {
  if ((keys.op === undefined) === (keys.opc === undefined)) {
    throw new AkaError('aka.param', `${keys.alg === 'tuak' ? 'TOP or TOPc' : 'OP or OPc'}: give exactly one`);
  }
  if (keys.alg === 'milenage') {
    return keys.opc ? new Milenage(keys.k, keys.opc, keys.milenage) : Milenage.fromOp(keys.k, keys.op!, keys.milenage);
  }
  if (keys.alg === 'tuak') {
    return keys.opc ? new Tuak(keys.k, keys.opc, keys.tuak) : Tuak.fromTop(keys.k, keys.op!, keys.tuak);
  }
  throw new AkaError('aka.param', `unknown algorithm ${String(keys.alg)} (milenage or tuak)`);
}
