/**
 * Nonces for OMA DM md5/HMAC authentication (OMA-TS-DM_Security V1.2 5.5.2: each party sends the
 * other a NextNonce; a credential is built over the current nonce, which is then replaced).
 * The store keeps, per principal (client or server id), the current nonce and the recent used ones:
 * - authenticate(): the credential must verify over the current nonce; on success the nonce is
 *   retired and a fresh one issued (rotation) and returned as NextNonce;
 * - a credential that verifies over a retired nonce is a replay: DmError `dm.nonce-replay`;
 * - a nonce older than `ttlMs` is refused with `dm.nonce-expired`.
 * ReplayGuard is the device-side counterpart for package #0: a digest seen once is refused after.
 */
import { randomBytes } from 'node:crypto';
import { DmError } from './errors.js';

export interface NonceStoreOptions {
  /** nonce length in bytes (default 16) */
  length?: number;
  /** lifetime of an issued nonce (default: unlimited) */
  ttlMs?: number;
  /** retired nonces remembered per principal for replay detection (default 32) */
  history?: number;
  now?: () => number;
}

interface Entry {
  current: Uint8Array;
  issuedAt: number;
  retired: Uint8Array[];
}

export interface NonceStoreState {
  [principal: string]: { current: string; issuedAt: number; retired: string[] };
}

export class NonceStore {
  private readonly entries = new Map<string, Entry>();
  private readonly length: number;
  private readonly history: number;
  private readonly now: () => number;

  constructor(private readonly opts: NonceStoreOptions = {}) {
    this.length = opts.length ?? 16;
    this.history = opts.history ?? 32;
    this.now = opts.now ?? Date.now;
    if (this.length < 8) throw new DmError('dm.param', 'nonces shorter than 8 bytes are refused');
  }

  /** Issues a fresh nonce for `principal`, retiring the previous one. */
  issue(principal: string): Uint8Array {
    const e = this.entries.get(principal);
    const fresh = new Uint8Array(randomBytes(this.length));
    if (e) {
      e.retired.unshift(e.current);
      e.retired.length = Math.min(e.retired.length, this.history);
      e.current = fresh;
      e.issuedAt = this.now();
    } else {
      this.entries.set(principal, { current: fresh, issuedAt: this.now(), retired: [] });
    }
    return fresh;
  }

  current(principal: string): Uint8Array | undefined {
    return this.entries.get(principal)?.current;
  }

  /**
   * Checks a credential with `verify(nonce)` against the current nonce of `principal`. On success
   * returns the next nonce (already rotated). Throws `dm.nonce-unknown` if none was issued,
   * `dm.nonce-expired`, `dm.nonce-replay` (verifies over a retired nonce) or `dm.auth-failure`.
   */
  authenticate(principal: string, verify: (nonce: Uint8Array) => boolean): Uint8Array {
    const e = this.entries.get(principal);
    if (!e) throw new DmError('dm.nonce-unknown', 'no nonce was issued to this principal');
    if (this.opts.ttlMs !== undefined && this.now() - e.issuedAt > this.opts.ttlMs) {
      this.issue(principal);
      throw new DmError('dm.nonce-expired', 'the nonce has expired; a new one was issued');
    }
    if (verify(e.current)) return this.issue(principal);
    if (e.retired.some((n) => verify(n))) throw new DmError('dm.nonce-replay', 'credential built over an already used nonce (replay)');
    throw new DmError('dm.auth-failure', 'credential does not verify');
  }

  toJSON(): NonceStoreState {
    const out: NonceStoreState = {};
    for (const [p, e] of this.entries) {
      out[p] = { current: Buffer.from(e.current).toString('base64'), issuedAt: e.issuedAt, retired: e.retired.map((r) => Buffer.from(r).toString('base64')) };
    }
    return out;
  }

  static fromJSON(state: NonceStoreState, opts: NonceStoreOptions = {}): NonceStore {
    const s = new NonceStore(opts);
    for (const [p, e] of Object.entries(state)) {
      s.entries.set(p, {
        current: new Uint8Array(Buffer.from(e.current, 'base64')),
        issuedAt: e.issuedAt,
        retired: e.retired.map((r) => new Uint8Array(Buffer.from(r, 'base64'))),
      });
    }
    return s;
  }
}

/** Remembers values (e.g. package #0 digests) and refuses a second sighting with `dm.nonce-replay`. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly capacity = 1024,
    private readonly ttlMs = 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  check(value: Uint8Array): void {
    const key = Buffer.from(value).toString('base64');
    const t = this.now();
    for (const [k, at] of this.seen) {
      if (t - at > this.ttlMs) this.seen.delete(k);
      else break;
    }
    if (this.seen.has(key)) throw new DmError('dm.nonce-replay', 'this value was already used (replay)');
    this.seen.set(key, t);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
  }
}

/**
 * Per-account nonces of a DM server that cannot be locked out (OMA-TS-DM_Security V1.2 5.5.2):
 *  - `current`: the nonce in force, as the device has it (its AAuthData), replaced only when a
 *    session authenticates;
 *  - `challenges`: nonces sent with refusals (Chal). Anyone may provoke one, so they are added
 *    beside `current`, never instead of it; at most `maxChallenges`, the oldest superseded;
 *  - `used`: nonces a successful authentication consumed. A credential over one is a replay
 *    (`dm.nonce-replay`); a credential over a superseded, never-used challenge is `dm.nonce-stale`.
 */
export class ChallengeNonces {
  private readonly entries = new Map<string, { current: Uint8Array; challenges: Uint8Array[]; superseded: Uint8Array[]; used: Uint8Array[] }>();
  constructor(private readonly opts: { length?: number; maxChallenges?: number; history?: number } = {}) {}

  private fresh(): Uint8Array {
    return new Uint8Array(randomBytes(this.opts.length ?? 16));
  }

  /** Declares the nonce the device holds now (from the bootstrap). */
  seed(principal: string, current: Uint8Array): void {
    this.entries.set(principal, { current, challenges: [], superseded: [], used: [] });
  }

  private entry(principal: string) {
    let e = this.entries.get(principal);
    if (!e) {
      e = { current: this.fresh(), challenges: [], superseded: [], used: [] };
      this.entries.set(principal, e);
    }
    return e;
  }

  /** A fresh nonce for a Chal; the nonces in force stay valid. */
  challenge(principal: string): Uint8Array {
    const e = this.entry(principal);
    const n = this.fresh();
    e.challenges.push(n);
    while (e.challenges.length > (this.opts.maxChallenges ?? 4)) e.superseded.unshift(e.challenges.shift()!);
    e.superseded.length = Math.min(e.superseded.length, this.opts.history ?? 32);
    return n;
  }

  /**
   * Checks `verify` over the nonces in force. On success every one of them is used up and the next
   * nonce (the NextNonce to send) is returned. Throws `dm.nonce-replay`, `dm.nonce-stale` or
   * `dm.auth-failure`; none of them changes the nonces in force.
   */
  authenticate(principal: string, verify: (nonce: Uint8Array) => boolean): Uint8Array {
    const e = this.entry(principal);
    const live = [e.current, ...e.challenges];
    if (live.some((n) => verify(n))) {
      e.used.unshift(...live);
      e.used.length = Math.min(e.used.length, this.opts.history ?? 32);
      e.challenges = [];
      e.superseded = [];
      e.current = this.fresh();
      return e.current;
    }
    if (e.used.some((n) => verify(n))) throw new DmError('dm.nonce-replay', 'credential built over an already used nonce (replay)');
    if (e.superseded.some((n) => verify(n))) throw new DmError('dm.nonce-stale', 'credential built over a superseded challenge');
    throw new DmError('dm.auth-failure', 'credential does not verify');
  }

  /**
   * Whether `verify` holds over any nonce this principal has had (in force, used or superseded),
   * changing nothing: identifies which account a credential without a user name was built for.
   */
  knows(principal: string, verify: (nonce: Uint8Array) => boolean): boolean {
    const e = this.entries.get(principal);
    return e !== undefined && [e.current, ...e.challenges, ...e.used, ...e.superseded].some((n) => verify(n));
  }

  /** The nonce in force (what an authenticated session last gave the device). */
  current(principal: string): Uint8Array {
    return this.entry(principal).current;
  }
}
