/**
 * Network side: vectors assembled from the published TS 35.208 f1..f5 values (AUTN = SQN ⊕ f5 ‖ AMF ‖ f1,
 * TS 33.102 6.3.2) and the AUTS check on a published AUTS (hostapd's test of TS 35.208 set 19:
 * AUTS 4f2039392ddd 4bb4316ed4a14688 verifies and carries SQN_MS = 1 since f5* = 4f2039392ddc).
 */
import { describe, expect, it } from 'vitest';
import { Milenage } from '../../../../src/secure/aka/milenage.js';
import { akaAlgorithm } from '../../../../src/secure/aka/algorithm.js';
import { buildAuts, generateVector, nextSqnAfterResync, vectorJson, verifyAuts } from '../../../../src/secure/aka/auc.js';
import { AkaError } from '../../../../src/secure/aka/errors.js';
import { fromHex } from '../../../../src/util/hex.js';
import { MILENAGE_SETS } from './milenage-vectors.js';

const h = (s: string) => fromHex(s);
const xorHex = (a: string, b: string) => Buffer.from(h(a).map((v, i) => v ^ h(b)[i]!)).toString('hex');

describe('authentication vectors', () => {
  for (const t of MILENAGE_SETS.slice(0, 6)) {
    it(`vector from TS 35.208 set ${t.set}`, () => {
      const alg = akaAlgorithm({ alg: 'milenage', k: h(t.k), op: h(t.op) });
      const v = vectorJson(generateVector(alg, { rand: h(t.rand), sqn: h(t.sqn), amf: h(t.amf) }));
      expect(v).toEqual({
        rand: t.rand,
        xres: t.f2,
        ck: t.f3,
        ik: t.f4,
        ak: t.f5,
        autn: xorHex(t.sqn, t.f5) + t.amf + t.f1,
        mac_a: t.f1,
        mac_s: t.f1star,
        ak_star: t.f5star,
        sqn: t.sqn,
        amf: t.amf,
      });
    });
  }
  it('random RAND when none is given, SQN as a number', () => {
    const t = MILENAGE_SETS[0]!;
    const alg = new Milenage(h(t.k), h(t.opc));
    const a = generateVector(alg, { sqn: 32, amf: h('8000') });
    const b = generateVector(alg, { sqn: 32, amf: h('8000') });
    expect(a.rand).not.toEqual(b.rand);
    expect(Buffer.from(a.sqn).toString('hex')).toBe('000000000020');
  });
  it('needs exactly one of OP/OPc', () => {
    expect(() => akaAlgorithm({ alg: 'milenage', k: new Uint8Array(16) })).toThrow(AkaError);
  });
});

describe('AUTS resynchronisation', () => {
  const t = MILENAGE_SETS[18]!; // TS 35.208 set 19
  const alg = new Milenage(h(t.k), h(t.opc));
  it('published AUTS for set 19 verifies, SQN_MS = 1', () => {
    const r = verifyAuts(alg, h(t.rand), h('4f2039392ddd4bb4316ed4a14688'));
    expect(r.sqnMsValue).toBe(1);
    expect(Buffer.from(r.sqnMs).toString('hex')).toBe('000000000001');
  });
  it('a flipped MAC-S bit is aka.mac-failure', () => {
    try {
      verifyAuts(alg, h(t.rand), h('4f2039392ddd4bb4316ed4a14689'));
      expect.unreachable();
    } catch (e) {
      expect((e as AkaError).code).toBe('aka.mac-failure');
    }
  });
  it('buildAuts reproduces the published AUTS', () => {
    expect(Buffer.from(buildAuts(alg, h(t.rand), 1)).toString('hex')).toBe('4f2039392ddd4bb4316ed4a14688');
  });
  it('next SQN after resync: SEQ_MS + 1 in the chosen IND slot', () => {
    expect(nextSqnAfterResync(1, 5, 0)).toBe(32);
    expect(nextSqnAfterResync(32 * 7 + 3, 5, 4)).toBe(32 * 8 + 4);
    expect(() => nextSqnAfterResync(0, 5, 32)).toThrow(AkaError);
  });
});
