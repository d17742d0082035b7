/**
 * The USIM's sequence number check of 3GPP TS 33.102 Annex C (profile with an IND array):
 * SQN = SEQ ‖ IND, IND the `indBits` least significant bits (C.1.2, typically 5: a = 32 slots).
 * - C.2.1: if a limit Δ is set, SQN is accepted only if SEQ − SEQ_MS ≤ Δ (no arbitrary jumps);
 * - C.2.2: the USIM keeps SEQ_MS(i) for i = 0..a−1; SQN is fresh iff SEQ > SEQ_MS(IND), and
 *   then SEQ_MS(IND) := SEQ;
 * - C.2.2: if a limit L is set, SQN is accepted only if SEQ_MS − SEQ < L;
 * where SEQ_MS / SQN_MS is the highest previously accepted sequence number anywhere in the array.
 * A rejection makes the USIM send AUTS built on SQN_MS.
 */
import { AkaError } from './errors.js';

export interface SqnPolicy {
  /** IND length in bits (0..10); 5 per TS 33.102 C.3.2's example */
  indBits: number;
  /** Δ of C.2.1 in SEQ steps; null to disable. Default 2^28. */
  delta: number | null;
  /** L of C.2.2 in SEQ steps; null to disable (default). */
  limitL: number | null;
}

export const DEFAULT_SQN_POLICY: SqnPolicy = { indBits: 5, delta: 2 ** 28, limitL: null };

export interface SqnArrayState {
  policy: SqnPolicy;
  /** SEQ_MS(i) for each IND slot */
  seqMs: number[];
  /** highest accepted SQN (SEQ ‖ IND), SQN_MS */
  sqnMs: number;
}

export type SqnVerdict = { ok: true } | { ok: false; reason: 'not-fresh' | 'delta' | 'limit' };

export const SQN_MAX = 2 ** 48 - 1;

export class SqnArray {
  readonly policy: SqnPolicy;
  private readonly seqMs: number[];
  private highest: number;

  constructor(policy: Partial<SqnPolicy> = {}, state?: { seqMs: number[]; sqnMs: number }) {
    this.policy = { ...DEFAULT_SQN_POLICY, ...policy };
    const { indBits } = this.policy;
    if (!Number.isInteger(indBits) || indBits < 0 || indBits > 10) throw new AkaError('aka.param', 'IND length must be 0..10 bits');
    const a = 2 ** indBits;
    if (state) {
      if (state.seqMs.length !== a) throw new AkaError('aka.param', `SEQ_MS array must have ${a} entries`);
      this.seqMs = [...state.seqMs];
      this.highest = state.sqnMs;
    } else {
      this.seqMs = new Array<number>(a).fill(0);
      this.highest = 0;
    }
  }

  /** SQN_MS: the highest accepted SQN (C.2.2), sent back in AUTS. */
  get sqnMs(): number {
    return this.highest;
  }

  split(sqn: number): { seq: number; ind: number } {
    const a = 2 ** this.policy.indBits;
    return { seq: Math.floor(sqn / a), ind: sqn % a };
  }

  check(sqn: number): SqnVerdict {
    if (!Number.isInteger(sqn) || sqn < 0 || sqn > SQN_MAX) throw new AkaError('aka.sqn-range', 'SQN must be a 48-bit value');
    const { seq, ind } = this.split(sqn);
    const seqMsHighest = this.split(this.highest).seq;
    if (this.policy.delta !== null && seq - seqMsHighest > this.policy.delta) return { ok: false, reason: 'delta' };
    if (this.policy.limitL !== null && seqMsHighest - seq >= this.policy.limitL) return { ok: false, reason: 'limit' };
    if (seq <= this.seqMs[ind]!) return { ok: false, reason: 'not-fresh' };
    return { ok: true };
  }

  /** Records an accepted SQN (call only after check() said ok). */
  accept(sqn: number): void {
    const { seq, ind } = this.split(sqn);
    this.seqMs[ind] = seq;
    if (sqn > this.highest) this.highest = sqn;
  }

  /** check() then accept() if fresh. */
  verify(sqn: number): SqnVerdict {
    const v = this.check(sqn);
    if (v.ok) this.accept(sqn);
    return v;
  }

  toJSON(): SqnArrayState {
    return { policy: { ...this.policy }, seqMs: [...this.seqMs], sqnMs: this.highest };
  }

  static fromJSON(s: SqnArrayState): SqnArray {
    return new SqnArray(s.policy, { seqMs: s.seqMs, sqnMs: s.sqnMs });
  }
}

/**
 * The HE/AuC counter of TS 33.102 C.3 (profile with IND): SQN_HE = SEQ_HE ‖ IND. Each new vector
 * takes SEQ_HE + 1 and an IND slot (round-robin unless given); after a resynchronisation (6.3.5)
 * SEQ_HE is set to SEQ_MS so the next vector is fresh for the USIM.
 */
export class SqnGenerator {
  private seq: number;
  private nextInd = 0;
  constructor(
    readonly indBits = 5,
    startSeq = 0,
  ) {
    if (!Number.isInteger(indBits) || indBits < 0 || indBits > 10) throw new AkaError('aka.param', 'IND length must be 0..10 bits');
    this.seq = startSeq;
  }

  get seqHe(): number {
    return this.seq;
  }

  next(ind?: number): number {
    const a = 2 ** this.indBits;
    const i = ind ?? this.nextInd;
    if (!Number.isInteger(i) || i < 0 || i >= a) throw new AkaError('aka.param', `IND must be 0..${a - 1}`);
    this.nextInd = (i + 1) % a;
    const sqn = (this.seq + 1) * a + i;
    if (sqn > SQN_MAX) throw new AkaError('aka.sqn-range', 'SQN space exhausted');
    this.seq += 1;
    return sqn;
  }

  /** After AUTS: continue above SQN_MS. */
  resync(sqnMs: number): void {
    const seqMs = Math.floor(sqnMs / 2 ** this.indBits);
    this.seq = Math.max(this.seq, seqMs);
  }
}
