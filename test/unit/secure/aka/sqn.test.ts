/** TS 33.102 Annex C freshness rules on the SEQ/IND array, the Δ limit and the L limit. */
import { describe, expect, it } from 'vitest';
import { SqnArray, SqnGenerator } from '../../../../src/secure/aka/sqn.js';

const sqn = (seq: number, ind: number) => seq * 32 + ind;

describe('SQN array (TS 33.102 C.2)', () => {
  it('accepts SEQ > SEQ_MS(IND) and rejects a replay in the same slot', () => {
    const a = new SqnArray();
    expect(a.verify(sqn(1, 0))).toEqual({ ok: true });
    expect(a.verify(sqn(1, 0))).toEqual({ ok: false, reason: 'not-fresh' });
    expect(a.sqnMs).toBe(sqn(1, 0));
  });
  it('accepts an older SEQ in another IND slot (out-of-order vectors from different VLRs)', () => {
    const a = new SqnArray();
    expect(a.verify(sqn(5, 1)).ok).toBe(true);
    expect(a.verify(sqn(3, 2)).ok).toBe(true);
    expect(a.verify(sqn(3, 1))).toEqual({ ok: false, reason: 'not-fresh' });
    expect(a.sqnMs).toBe(sqn(5, 1));
  });
  it('Δ: refuses jumps larger than delta (C.2.1)', () => {
    const a = new SqnArray({ delta: 100 });
    expect(a.verify(sqn(100, 0)).ok).toBe(true);
    expect(a.verify(sqn(201, 1))).toEqual({ ok: false, reason: 'delta' });
    expect(a.verify(sqn(200, 1)).ok).toBe(true);
  });
  it('L: refuses SEQ too far below SEQ_MS (C.2.2)', () => {
    const a = new SqnArray({ limitL: 10 });
    expect(a.verify(sqn(50, 0)).ok).toBe(true);
    expect(a.verify(sqn(40, 1))).toEqual({ ok: false, reason: 'limit' });
    expect(a.verify(sqn(41, 1)).ok).toBe(true);
  });
  it('no L by default: an old SEQ in an unused slot is accepted', () => {
    const a = new SqnArray();
    a.verify(sqn(1000, 0));
    expect(a.verify(sqn(1, 7)).ok).toBe(true);
  });
  it('round-trips through JSON (card image)', () => {
    const a = new SqnArray({ indBits: 3 });
    a.verify(9);
    const b = SqnArray.fromJSON(JSON.parse(JSON.stringify(a)));
    expect(b.verify(9).ok).toBe(false);
    expect(b.sqnMs).toBe(9);
    expect(b.policy.indBits).toBe(3);
  });
  it('rejects SQN beyond 48 bits', () => {
    expect(() => new SqnArray().check(2 ** 48)).toThrow(/48-bit/);
  });
});

describe('SqnGenerator (TS 33.102 C.3)', () => {
  it('increments SEQ_HE and rotates IND; every SQN it makes is fresh for the USIM array', () => {
    const g = new SqnGenerator();
    const usim = new SqnArray();
    const made = Array.from({ length: 40 }, () => g.next());
    expect(made.slice(0, 3)).toEqual([1 * 32 + 0, 2 * 32 + 1, 3 * 32 + 2]);
    for (const s of made) expect(usim.verify(s).ok).toBe(true);
  });
  it('resync moves SEQ_HE to SEQ_MS so the next SQN is accepted', () => {
    const usim = new SqnArray();
    usim.verify(500 * 32 + 3);
    const g = new SqnGenerator();
    g.resync(usim.sqnMs);
    const s = g.next(3);
    expect(usim.verify(s).ok).toBe(true);
    expect(g.seqHe).toBe(501);
  });
});
