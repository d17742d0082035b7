/**
 * Optional AKA/GBA authentication for the demo DMS (3GPP TS 33.220), BSF and NAF in one process:
 *  - Ub: POST /gba/bootstrap {impi} -> {rand, autn} from the subscriber's K/OPc (MILENAGE; the AuC
 *    part of src/secure/aka); POST /gba/bootstrap {impi, rand, res} -> {btid} when RES = XRES
 *    (constant time); Ks = CK || IK, B-TID = base64(RAND)@bsfDomain (4.5.2);
 *  - Ua: the NAF key Ks_NAF = KDF(Ks, "gba-me", RAND, IMPI, NAF_Id) (Annex B), NAF_Id = the NAF
 *    FQDN || Ua protocol id (01 00 00 00 03: HTTP digest over TLS, Annex H). The DM request then
 *    carries `authorization: gba-mac btid="<B-TID>", mac="<b64 HMAC-SHA256(Ks_NAF, body)>"` and the
 *    server proves itself with HMAC-SHA256(Ks_NAF, "server:" || challenge). A MAC seen before is
 *    refused as a replay. (The MAC framing is simdm's; TS 24.109 uses HTTP digest with B-TID as
 *    user name and Ks_NAF as password.)
 */
import { generateVector } from '../secure/aka/auc.js';
import { ctEqual } from '../secure/aka/compare.js';
import { Milenage } from '../secure/aka/milenage.js';
import { bTid, ks, ksExtNaf, nafId } from '../secure/gba/gba.js';
import { GBA_UA } from '../secure/gba/ua.js';
import { ReplayGuard } from '../secure/dm/nonce-store.js';
import { DmsError } from './errors.js';

export interface GbaSubscriber {
  impi: string;
  /** hex */
  k: string;
  /** hex */
  opc: string;
  /** first SQN to use (default 32: IND 0 of SEQ 1) */
  sqn?: number;
}

export interface GbaConfig {
  bsfDomain: string;
  nafFqdn: string;
  subscribers: GbaSubscriber[];
  /** lifetime of a bootstrap (default 1 h) */
  lifetimeMs?: number;
}

interface Pending {
  impi: string;
  xres: Uint8Array;
  ck: Uint8Array;
  ik: Uint8Array;
  at: number;
}

interface Session {
  impi: string;
  rand: Uint8Array;
  ksNaf: Uint8Array;
  at: number;
}

export { GBA_UA, gbaMac, impiFromImsi } from '../secure/gba/ua.js';

export class GbaBsf {
  private readonly sqn = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  private readonly sessions = new Map<string, Session>();
  readonly replay = new ReplayGuard();

  constructor(readonly cfg: GbaConfig) {}

  private sub(impi: string): GbaSubscriber {
    const s = this.cfg.subscribers.find((x) => x.impi === impi);
    if (!s) throw new DmsError('dms.request', 'unknown IMPI');
    return s;
  }

  challenge(impi: string): { rand: string; autn: string } {
    const s = this.sub(impi);
    const sqn = this.sqn.get(impi) ?? s.sqn ?? 32;
    this.sqn.set(impi, sqn + 32);
    const v = generateVector(new Milenage(Buffer.from(s.k, 'hex'), Buffer.from(s.opc, 'hex')), { sqn, amf: Uint8Array.of(0x80, 0x00) });
    const key = Buffer.from(v.rand).toString('base64');
    this.pending.set(key, { impi, xres: v.xres, ck: v.ck, ik: v.ik, at: Date.now() });
    if (this.pending.size > 1000) this.pending.delete(this.pending.keys().next().value!);
    return { rand: key, autn: Buffer.from(v.autn).toString('base64') };
  }

  /** Checks RES; returns the B-TID or undefined. */
  answer(impi: string, rand: string, res: Uint8Array): string | undefined {
    const p = this.pending.get(rand);
    if (!p || p.impi !== impi) return undefined;
    this.pending.delete(rand); // one answer per challenge
    if (!ctEqual(p.xres, res)) return undefined;
    const r = new Uint8Array(Buffer.from(rand, 'base64'));
    const btid = bTid(r, this.cfg.bsfDomain);
    const ksNaf = ksExtNaf(ks(p.ck, p.ik), r, impi, nafId(this.cfg.nafFqdn, GBA_UA));
    this.sessions.set(btid, { impi, rand: r, ksNaf, at: Date.now() });
    return btid;
  }

  ksNaf(btid: string): Uint8Array | undefined {
    const s = this.sessions.get(btid);
    if (!s || Date.now() - s.at > (this.cfg.lifetimeMs ?? 3_600_000)) return undefined;
    return s.ksNaf;
  }
}

/** `gba-mac btid="...", mac="..."` */
export function parseGbaAuthorization(h: string): { btid: string; mac: string } | undefined {
  const m = /^gba-mac btid="([A-Za-z0-9+/=]{24}@[A-Za-z0-9.-]{1,253})", mac="([A-Za-z0-9+/]{43}=)"$/.exec(h.trim());
  return m ? { btid: m[1]!, mac: m[2]! } : undefined;
}
