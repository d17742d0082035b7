/**
 * The USIM AUTHENTICATE command (3GPP TS 31.102 7.1.2, INS 88, CLA 00) on the wire:
 * - P2 = 81, 3G/EPS security context: data = L ‖ RAND ‖ L ‖ AUTN; the answer is
 *   'DB' ‖ L ‖ RES ‖ L ‖ CK ‖ L ‖ IK [‖ L ‖ Kc] (successful), 'DC' ‖ L ‖ AUTS (synchronisation
 *   failure), or no data with SW 9862 (MAC failure: "authentication error, incorrect MAC").
 * - P2 = 80, GSM security context: data = L ‖ RAND; the answer is L ‖ SRES ‖ L ‖ Kc.
 * The parsers accept exactly these shapes and throw AkaError `aka.format` on anything else.
 */
import { AkaError } from './errors.js';
import { concatBytes, hexNum } from '../../util/hex.js';

export const INS_AUTHENTICATE = 0x88;
export const P2_GSM_CONTEXT = 0x80;
export const P2_3G_CONTEXT = 0x81;
export const SW_AUTH_MAC_FAILURE = 0x9862;
export const TAG_AUTH_SUCCESS = 0xdb;
export const TAG_SYNC_FAILURE = 0xdc;

export type Authenticate3gAnswer =
  { kind: 'success'; res: Uint8Array; ck: Uint8Array; ik: Uint8Array; kc?: Uint8Array } | { kind: 'sync-failure'; auts: Uint8Array };

export function authenticate3gData(rand: Uint8Array, autn: Uint8Array): Uint8Array {
  if (rand.length !== 16) throw new AkaError('aka.format', `RAND must be 16 bytes, got ${rand.length}`);
  if (autn.length < 16 || autn.length > 40) throw new AkaError('aka.format', `AUTN must be 16..40 bytes, got ${autn.length}`);
  return concatBytes(Uint8Array.of(16), rand, Uint8Array.of(autn.length), autn);
}

/** Splits a command data field L ‖ RAND ‖ L ‖ AUTN (card side). */
export function parseAuthenticate3gData(data: Uint8Array): { rand: Uint8Array; autn: Uint8Array } {
  const r = new Reader(data, 'AUTHENTICATE data');
  const rand = r.lv();
  const autn = r.lv();
  r.end();
  if (rand.length !== 16) throw new AkaError('aka.format', `AUTHENTICATE data: RAND of ${rand.length} bytes (16)`);
  if (autn.length < 16) throw new AkaError('aka.format', `AUTHENTICATE data: AUTN of ${autn.length} bytes (at least 16)`);
  return { rand, autn };
}

export function encodeAuthenticate3gAnswer(a: Authenticate3gAnswer): Uint8Array {
  const lv = (b: Uint8Array) => concatBytes(Uint8Array.of(b.length), b);
  if (a.kind === 'sync-failure') return concatBytes(Uint8Array.of(TAG_SYNC_FAILURE), lv(a.auts));
  return concatBytes(Uint8Array.of(TAG_AUTH_SUCCESS), lv(a.res), lv(a.ck), lv(a.ik), ...(a.kc ? [lv(a.kc)] : []));
}

/** Parses the answer data of a successful (9000) 3G-context AUTHENTICATE (device side). */
export function parseAuthenticate3gAnswer(data: Uint8Array): Authenticate3gAnswer {
  const r = new Reader(data, 'AUTHENTICATE answer');
  const tag = r.byte();
  if (tag === TAG_SYNC_FAILURE) {
    const auts = r.lv();
    r.end();
    if (auts.length !== 14) throw new AkaError('aka.format', `AUTHENTICATE answer: AUTS of ${auts.length} bytes (14)`);
    return { kind: 'sync-failure', auts };
  }
  if (tag !== TAG_AUTH_SUCCESS) throw new AkaError('aka.format', `AUTHENTICATE answer: tag ${hexNum(tag)} (DB or DC expected)`);
  const res = r.lv();
  const ck = r.lv();
  const ik = r.lv();
  const kc = r.remaining() ? r.lv() : undefined;
  r.end();
  if (res.length < 4 || res.length > 16) throw new AkaError('aka.format', `AUTHENTICATE answer: RES of ${res.length} bytes (4..16)`);
  if (ck.length !== 16 || ik.length !== 16) throw new AkaError('aka.format', 'AUTHENTICATE answer: CK and IK must be 16 bytes');
  if (kc && kc.length !== 8) throw new AkaError('aka.format', `AUTHENTICATE answer: Kc of ${kc.length} bytes (8)`);
  return { kind: 'success', res, ck, ik, ...(kc ? { kc } : {}) };
}

/** Parses the GSM-context answer L ‖ SRES ‖ L ‖ Kc. */
export function parseAuthenticateGsmAnswer(data: Uint8Array): { sres: Uint8Array; kc: Uint8Array } {
  const r = new Reader(data, 'AUTHENTICATE (GSM) answer');
  const sres = r.lv();
  const kc = r.lv();
  r.end();
  if (sres.length !== 4 || kc.length !== 8) throw new AkaError('aka.format', 'AUTHENTICATE (GSM) answer: SRES 4 and Kc 8 bytes expected');
  return { sres, kc };
}

class Reader {
  private off = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {}
  remaining(): number {
    return this.b.length - this.off;
  }
  byte(): number {
    if (this.off >= this.b.length) throw new AkaError('aka.format', `${this.what}: truncated at byte ${this.off}`);
    return this.b[this.off++]!;
  }
  lv(): Uint8Array {
    const at = this.off;
    const n = this.byte();
    if (this.off + n > this.b.length) throw new AkaError('aka.format', `${this.what}: length ${n} at byte ${at} runs past the end (${this.b.length} bytes)`);
    const v = this.b.slice(this.off, this.off + n);
    this.off += n;
    return v;
  }
  end(): void {
    if (this.off !== this.b.length) throw new AkaError('aka.format', `${this.what}: ${this.b.length - this.off} unexpected trailing bytes`);
  }
}
