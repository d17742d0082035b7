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
