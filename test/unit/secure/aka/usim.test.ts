/** USIM-side AKA (TS 33.102 6.3.3) against network-side vectors built from published test data. */
import { describe, expect, it } from 'vitest';
import { Milenage } from '../../../../src/secure/aka/milenage.js';
import { Tuak } from '../../../../src/secure/aka/tuak.js';
import { generateVector, verifyAuts } from '../../../../src/secure/aka/auc.js';
import { SqnArray } from '../../../../src/secure/aka/sqn.js';
import { usimAuthenticate } from '../../../../src/secure/aka/usim.js';
import { fromHex } from '../../../../src/util/hex.js';
import { MILENAGE_SETS } from './milenage-vectors.js';

const h = (s: string) => fromHex(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('usimAuthenticate', () => {
  const t = MILENAGE_SETS[0]!;
  const alg = new Milenage(h(t.k), h(t.opc));

  it('answers the published RES/CK/IK and GSM Kc for TS 35.208 set 1', () => {
    const v = generateVector(alg, { rand: h(t.rand), sqn: h(t.sqn), amf: h(t.amf) });
    const r = usimAuthenticate(alg, new SqnArray({ delta: null }), v.rand, v.autn);
    expect(r.kind).toBe('success');
    if (r.kind !== 'success') return;
    expect(hex(r.res)).toBe(t.f2);
    expect(hex(r.ck)).toBe(t.f3);
    expect(hex(r.ik)).toBe(t.f4);
    expect(hex(r.kc)).toBe(t.kc);
  });

  it('MAC failure on any flipped AUTN bit in AMF or MAC', () => {
    const v = generateVector(alg, { sqn: 64, amf: h('8000') });
    for (const i of [6, 7, 8, 15]) {
      const autn = Uint8Array.from(v.autn);
      autn[i]! ^= 0x01;
      expect(usimAuthenticate(alg, new SqnArray(), v.rand, autn).kind).toBe('mac-failure');
    }
  });

  it('a replayed AUTN gives AUTS that the AuC verifies and that carries SQN_MS', () => {
    const sqns = new SqnArray();
    const v = generateVector(alg, { sqn: 32 * 3 + 1, amf: h('8000') });
    expect(usimAuthenticate(alg, sqns, v.rand, v.autn).kind).toBe('success');
    const again = usimAuthenticate(alg, sqns, v.rand, v.autn);
    expect(again.kind).toBe('sync-failure');
    if (again.kind !== 'sync-failure') return;
    expect(again.reason).toBe('not-fresh');
    expect(verifyAuts(alg, v.rand, again.auts).sqnMsValue).toBe(32 * 3 + 1);
  });

  it('works with TUAK (TS 35.233 set 1 keys)', () => {
    const tuak = new Tuak(h('abababababababababababababababab'), h('bd04d9530e87513c5d837ac2ad954623a8e2330c115305a73eb45d1f40cccbff'), { resLength: 4 });
    const v = generateVector(tuak, { rand: h('42424242424242424242424242424242'), sqn: h('111111111111'), amf: h('ffff') });
    const r = usimAuthenticate(tuak, new SqnArray({ delta: null }), v.rand, v.autn);
    expect(r.kind === 'success' && hex(r.res)).toBe('657acd64');
    expect(hex(v.autn)).toBe(Buffer.from(h('111111111111').map((b, i) => b ^ h('719f1e9b9054')[i]!)).toString('hex') + 'ffff' + 'f9a54e6aeaa8618d');
  });
});
