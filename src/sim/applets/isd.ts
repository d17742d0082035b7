/**
 * The GlobalPlatform Issuer Security Domain of the virtual UICC (GP Card Specification v2.3.1).
 *
 * Selection (11.9): by its AID (default A0 00 00 01 51 00 00 00, GP CS F.2), by the Open Platform
 * card manager AID A0 00 00 00 03 00 00 00, by a partial DF name of either, and by a SELECT with
 * no data (11.9, SELECT: with no data "the ISD is selected"). The answer names the AID selected: FCI 6F (P2 = 00,
 * 11.9.3, Table 11-74 in v2.3.1) or FCP 62 (P2 = 04, ISO/IEC 7816-4 7.4.3), nothing for P2 = 0C.
 *
 * Secure channel: INITIALIZE UPDATE / EXTERNAL AUTHENTICATE for SCP02 (Appendix E) and SCP03
 * (Amendment D), then unwrapping of the session's commands (C-MAC, C-DECRYPTION) and protection of
 * the answers (R-MAC, R-ENCRYPTION for SCP03). A new SELECT or a failed check ends the session.
 *
 * What the ISD answers before authentication (docs/gp.md has the table):
 * - GET DATA (11.3, "may be issued outside or within a Secure Channel Session") of the card's
 *   public objects: 42 IIN, 45 CIN (H.1 / 7.4.1.2), 66 Card Data (H.2), 67 Card Capability
 *   Information (H.4), C1 sequence counter of the default KVN (11.3.3.1), C2 confirmation counter
 *   (11.3.3.1), CF key diversification data, D3 current security level, E0 key information template
 *   (11.3.3.1 / 11.1.8), 5F50 Security Domain Manager URL (7.4.2.4, when set).
 * - Objects that describe the card's content are only given inside an authenticated session, as
 *   GET STATUS is: 2F00 list of applications (11.3.3.1.3) and FF21 extended card resources
 *   (11.3.3.1.2, ETSI TS 102 226 8.2.1.7).
 * - GET STATUS (11.4) and PUT KEY (11.8) need an authenticated session (the ISD's Card Content
 *   Management, chapter 10): 6982 otherwise.
 *
 * State in the card image, under `applets.isd`:
 *   { "keySets": [ { "kvn": 48, "scp": 3, "i": 112, "enc": hex, "mac": hex, "dek": hex }, ... ],
 *     "sequenceCounters": { "<kvn>": n }, "aid"?: hex, "kdd"?: hex(10), "iin"?: hex, "cin"?: hex,
 *     "sdManagerUrl"?: string, "loadFiles"?: [ { "aid": hex, "modules": [hex] } ] }
 * With no state the card holds the well-known GP test key 40..4F as an SCP03 set (KVN 30, i=70,
 * S8), an SCP03 S16 set (KVN 32, i=71) and an SCP02 set (KVN 20, i=55), as development cards ship.
 * INITIALIZE UPDATE with KVN 0 takes the first key set that can answer the challenge given (an
 * 8-byte challenge: S8 or SCP02; 16 bytes: S16).
 */
import { z } from 'zod';
import type { CommandApdu } from '../../apdu/command.js';
import { SimdmError } from '../../errors.js';
import { encodeCardData, encodeKeyInformation, ISD_AIDS, type GpKeyInfo, type ScpOption } from '../../secure/gp/commands.js';
import { KEY_TYPE_AES, KEY_TYPE_DES, parsePutKey } from '../../secure/gp/putkey.js';
import { encodeLegacyEntry, encodeStatusEntry, type GpRegistryEntry, parseStatusCommand } from '../../secure/gp/registry.js';
import { Scp02CardSession } from '../../secure/gp/scp02.js';
import { Scp03CardSession, Scp03Option } from '../../secure/gp/scp03.js';
import { bytesEqual, concatBytes, fromHex, toHex, uintBytes } from '../../util/hex.js';
import { iccidOf } from '../../card/spec/ts-102-221.js';
import type { Applet, AppletFactory, AppletResponse, CommandContext, SelectForm } from '../applet.js';
import type { SimFile } from '../fs.js';
import type { VirtualUicc } from '../uicc.js';

export const ISD_APPLET = 'isd';

const hex = z.string().regex(/^([0-9A-Fa-f]{2})+$/);
const KeySet = z
  .object({
    kvn: z.number().int().min(1).max(127),
    scp: z.union([z.literal(2), z.literal(3)]),
    /** SCP "i" parameter (SCP03 Amd D Table 5-1: 01 S16, 10 pseudo-random challenge, 20 R-MAC, 40 R-ENC; SCP02 E.1.1) */
    i: z.number().int().min(0).max(255).optional(),
    enc: hex,
    mac: hex,
    dek: hex,
  })
  .strict();
const IsdState = z
  .object({
    keySets: z.array(KeySet),
    sequenceCounters: z.record(z.string(), z.number().int().min(0)).optional(),
    aid: hex.optional(),
    kdd: z
      .string()
      .regex(/^[0-9A-Fa-f]{20}$/)
      .optional(),
    iin: hex.optional(),
    cin: hex.optional(),
    sdManagerUrl: z.string().max(120).optional(),
    loadFiles: z.array(z.object({ aid: hex, modules: z.array(hex) }).strict()).optional(),
  })
  .strict();
export type IsdState = z.infer<typeof IsdState>;
export type IsdKeySet = z.infer<typeof KeySet>;

const GP_TEST_KEY = '404142434445464748494A4B4C4D4E4F';
export function defaultIsdState(): IsdState {
  return {
    keySets: [
      { kvn: 0x30, scp: 3, i: 0x70, enc: GP_TEST_KEY, mac: GP_TEST_KEY, dek: GP_TEST_KEY },
      { kvn: 0x20, scp: 2, i: 0x55, enc: GP_TEST_KEY, mac: GP_TEST_KEY, dek: GP_TEST_KEY },
      { kvn: 0x32, scp: 3, i: 0x71, enc: GP_TEST_KEY, mac: GP_TEST_KEY, dek: GP_TEST_KEY },
    ],
    // the GP Security Domain package and module, as GP cards list them (GET STATUS P1 = 20 / 10)
    loadFiles: [{ aid: 'A0000001515350', modules: ['A000000151535041'] }],
  };
}

/** Replaces the ISD state of a card (tests, provisioning of virtual cards). */
export function provisionIsd(card: VirtualUicc, st: IsdState): void {
  const parsed = IsdState.parse(st);
  const target = card.stateOf<Record<string, unknown>>(ISD_APPLET, () => ({}));
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, parsed);
  card.markChanged();
}

/** CAT commands go to the card's toolkit whatever application is selected (TS 102 221 10.1.2). */
const CAT_INS = new Set([0x10, 0xc2, 0x12, 0x14]);

type CardSession = Scp02CardSession | Scp03CardSession;

const SW = { OK: 0x9000, SEC: 0x6982, COND: 0x6985, DATA: 0x6a80, NOTFOUND: 0x6a88, P1P2: 0x6a86, INS: 0x6d00, LEN: 0x6700 } as const;
/** GET DATA objects answered only inside an authenticated session (they describe card content) */
const AUTH_ONLY_DATA = new Set([0x2f00, 0xff21]);
/** Privileges of the ISD (GP CS 11.1.2 Table 11-7): Security Domain, DAP, Delegated Management, Card Lock/Terminate, Card Reset, CVM, Mandated DAP; Trusted Path, Authorized Management, Token Verification, Global Delete/Lock/Registry, Final Application; Receipt Generation */
const ISD_PRIVILEGES = Uint8Array.of(0x9e, 0xfe, 0x80);

class IsdApplet implements Applet {
  readonly name = ISD_APPLET;
  readonly implicitSelection = true;
  /** secure channel session per logical channel */
  private readonly sessions = new Map<number, { s: CardSession; kvn: number }>();
  /** the AID each channel selected the ISD by */
  private readonly selectedAs = new Map<number, Uint8Array>();

  constructor(private readonly card: VirtualUicc) {}

  get aids(): Uint8Array[] {
    const own = this.ownAid();
    return [own, ...ISD_AIDS.filter((a) => !bytesEqual(a, own))];
  }

  private ownAid(): Uint8Array {
    const a = this.state().aid;
    return a ? fromHex(a) : ISD_AIDS[0]!;
  }

  private state(): IsdState {
    // a read (SELECT, GET DATA, key lookup) leaves the image as it was: the default state is
    // saved only when something changes it (sequence counter, PUT KEY)
    const raw = this.card.savedStateOf<Record<string, unknown>>(ISD_APPLET) ?? defaultIsdState();
    const r = IsdState.safeParse(raw);
    if (!r.success) throw new SimdmError('sim.image', `card image: applets.isd is invalid: ${r.error.issues[0]?.message ?? ''}`);
    return r.data;
  }

  selectResponse(ctx: CommandContext, aid: Uint8Array, form: SelectForm): AppletResponse {
    this.sessions.delete(ctx.channel);
    this.selectedAs.set(ctx.channel, aid.slice());
    const tlv = (tag: number, v: Uint8Array) => concatBytes(Uint8Array.of(tag, v.length), v);
    // proprietary data: 73 Security Domain Management Data (Card Data's 73 content), 9F65 maximum command data length
    const a5 = tlv(0xa5, concatBytes(encodeCardData(this.scpOptions()).subarray(2), Uint8Array.of(0x9f, 0x65, 0x01, 0xff)));
    switch (form) {
      case 'fci': // GP CS 11.9.3 (Table 11-74 in v2.3.1): 6F { 84 AID, A5 { 73 ..., 9F65 } }
        return { data: tlv(0x6f, concatBytes(tlv(0x84, aid), a5)), sw: SW.OK };
      case 'fcp': // ISO/IEC 7816-4 7.4.3 Table 12: 62 { 82 DF descriptor, 84 DF name, 8A life cycle operational, A5 }
        return { data: tlv(0x62, concatBytes(Uint8Array.of(0x82, 0x01, 0x38), tlv(0x84, aid), Uint8Array.of(0x8a, 0x01, 0x05), a5)), sw: SW.OK };
      case 'fmd': // ISO/IEC 7816-4 7.4.3: 64 { 84 DF name } (file management data)
        return { data: tlv(0x64, tlv(0x84, aid)), sw: SW.OK };
      default:
        return { sw: SW.OK };
    }
  }

  reset(): void {
    this.sessions.clear();
    this.selectedAs.clear();
  }

  process(cmd: CommandApdu, ctx: CommandContext): AppletResponse | undefined {
    if (ctx.selectedApplet !== ISD_APPLET) {
      this.sessions.delete(ctx.channel);
      return undefined;
    }
    if (cmd.ins === 0xa4) {
      // a new SELECT ends the session (GP CS 10.2, secure channel session); the card performs the selection itself
      this.sessions.delete(ctx.channel);
      return undefined;
    }
    if ((cmd.cla & 0x80) === 0 && cmd.ins !== 0xca) return undefined;
    if (CAT_INS.has(cmd.ins)) return undefined; // e.g. an OTA SMS-PP envelope
    try {
      return this.handle(cmd, ctx);
    } catch (e) {
      // a failed check closes the session; the card answers 6982 (GP CS E.4.4 / Amd D 6.2.4)
      this.sessions.delete(ctx.channel);
      if (e instanceof SimdmError && e.code.startsWith('scp.')) return { sw: e.code === 'scp.format' ? SW.DATA : SW.SEC };
      throw e;
    }
  }

  private handle(cmd: CommandApdu, ctx: CommandContext): AppletResponse {
    if (cmd.ins === 0x50) return this.initializeUpdate(cmd, ctx);
    if (cmd.ins === 0x82) return this.externalAuthenticate(cmd, ctx);
    const s = this.sessions.get(ctx.channel)?.s;
    const auth = s?.authenticated ? s : undefined;
    let plain = cmd;
    if (auth) plain = auth.unwrapCommand(cmd);
    else if ((cmd.cla & 0x04) !== 0) return { sw: SW.SEC }; // secure messaging without a session
    const r = this.dispatch(plain, ctx, auth);
    if (!auth) return r;
    const w = auth.wrapResponse({ data: r.data ?? new Uint8Array(0), sw: r.sw });
    return { data: w.data, sw: w.sw };
  }

  /** KVN 0: the first key set that can answer a challenge of this length; else the KVN asked for. */
  private keySet(kvn: number, challengeLength: number): IsdKeySet | undefined {
    const sets = this.state().keySets;
    if (kvn !== 0) return sets.find((k) => k.kvn === kvn);
    const s16 = challengeLength === 16;
    return sets.find((k) => (k.scp === 3 && ((k.i ?? 0x70) & Scp03Option.S16) !== 0) === s16);
  }

  private initializeUpdate(cmd: CommandApdu, ctx: CommandContext): AppletResponse {
    this.sessions.delete(ctx.channel);
    const hc = cmd.data ?? new Uint8Array(0);
    const ks = this.keySet(cmd.p1, hc.length);
    if (!ks) return { sw: SW.NOTFOUND };
    const st = this.state();
    const seq = st.sequenceCounters?.[String(ks.kvn)] ?? 0;
    const keys = { enc: fromHex(ks.enc), mac: fromHex(ks.mac), dek: fromHex(ks.dek) };
    const kdd = st.kdd ? { diversificationData: fromHex(st.kdd) } : {};
    const aid = this.selectedAs.get(ctx.channel) ?? this.ownAid();
    let s: CardSession;
    if (ks.scp === 3) s = new Scp03CardSession(keys, { kvn: ks.kvn, i: ks.i ?? 0x70, aid, sequenceCounter: seq, ...kdd });
    else s = new Scp02CardSession(keys, { kvn: ks.kvn, i: ks.i ?? 0x55, sequenceCounter: seq, ...kdd });
    const resp = s.initializeUpdate(hc);
    this.saveCounter(ks.kvn, s.sequenceCounter);
    this.sessions.set(ctx.channel, { s, kvn: ks.kvn });
    return { data: resp, sw: SW.OK };
  }

  private externalAuthenticate(cmd: CommandApdu, ctx: CommandContext): AppletResponse {
    const e = this.sessions.get(ctx.channel);
    if (!e) return { sw: SW.COND };
    e.s.externalAuthenticate(cmd);
    // SCP02 counts authenticated sessions (E.5.1); SCP03 counted INITIALIZE UPDATE already
    if (e.s instanceof Scp02CardSession) this.saveCounter(e.kvn, e.s.sequenceCounter);
    return { sw: SW.OK };
  }

  private saveCounter(kvn: number, value: number): void {
    const st = this.card.stateOf<IsdState>(ISD_APPLET, defaultIsdState);
    st.sequenceCounters = { ...(st.sequenceCounters ?? {}), [String(kvn)]: value };
    this.card.markChanged();
  }

  private dispatch(cmd: CommandApdu, ctx: CommandContext, s: CardSession | undefined): AppletResponse {
    switch (cmd.ins) {
      case 0xf2:
        if (!s) return { sw: SW.SEC };
        return this.getStatus(cmd, ctx);
      case 0xca:
        return this.getData(cmd, ctx, s);
      case 0xd8:
        if (!s) return { sw: SW.SEC };
        return this.putKey(cmd, s);
      default:
        return { sw: SW.INS };
    }
  }

  /** The SCPs and i values the key sets offer (first key set of each SCP), for Card Data / FCI. */
  private scpOptions(): ScpOption[] {
    const seen = new Set<number>();
    const out: ScpOption[] = [];
    for (const k of this.state().keySets) {
      if (seen.has(k.scp)) continue;
      seen.add(k.scp);
      out.push({ scp: k.scp, i: k.i ?? (k.scp === 3 ? 0x70 : 0x55) });
    }
    return out;
  }

  /** GET STATUS (GP CS 11.4), both response formats, AID search criterion and tag list. */
  private getStatus(cmd: CommandApdu, ctx: CommandContext): AppletResponse {
    let req;
    try {
      req = parseStatusCommand(cmd);
    } catch (e) {
      // malformed search criteria: wrong data, the session stays open (not a security failure)
      if (e instanceof SimdmError && e.code === 'scp.format')
        return { sw: cmd.p1 === 0x80 || cmd.p1 === 0x40 || cmd.p1 === 0x20 || cmd.p1 === 0x10 ? SW.DATA : SW.P1P2 };
      throw e;
    }
    let entries: GpRegistryEntry[];
    const isd = this.selectedAs.get(ctx.channel) ?? this.ownAid();
    if (req.scope === 'isd') entries = [{ aid: isd, lifeCycle: 0x0f, privileges: ISD_PRIVILEGES }];
    else if (req.scope === 'apps')
      entries = adfs(this.card.mf).map((aid) => ({ aid, lifeCycle: 0x07, privileges: Uint8Array.of(0, 0, 0), securityDomain: isd }));
    else
      entries = (this.state().loadFiles ?? []).map((l) => ({
        aid: fromHex(l.aid),
        lifeCycle: 0x01,
        privileges: new Uint8Array(0),
        modules: l.modules.map((m) => fromHex(m)),
        securityDomain: isd,
      }));
    if (req.aid) entries = entries.filter((e) => startsWith(e.aid, req.aid!));
    // everything fits one answer, so a "next occurrence" request finds nothing more (11.4.2.2)
    if (entries.length === 0 || req.next) return { sw: SW.NOTFOUND };
    const enc = entries.map((e) => (req.format === 'tlv' ? encodeStatusEntry(e, req.scope, req.tags) : encodeLegacyEntry(e, req.scope)));
    return { data: concatBytes(...enc), sw: SW.OK };
  }

  /** GET DATA (GP CS 11.3): the data objects an ISD holds, as complete TLVs. */
  private getData(cmd: CommandApdu, ctx: CommandContext, s: CardSession | undefined): AppletResponse {
    const tag = (cmd.p1 << 8) | cmd.p2;
    if (AUTH_ONLY_DATA.has(tag) && !s) return { sw: SW.SEC };
    const st = this.state();
    const tlv = (t: number, v: Uint8Array) =>
      concatBytes(t > 0xff ? Uint8Array.of(t >> 8, t & 0xff) : Uint8Array.of(t), v.length < 0x80 ? Uint8Array.of(v.length) : Uint8Array.of(0x81, v.length), v);
    // IIN and CIN carry the ICCID's digits in order (BCD, F padded), EF.ICCID holds them nibble-swapped (TS 102 221 13.2)
    const ef = this.card.fileAt('3F00/2FE2')?.content;
    const iccid = ef && iccidOf(ef)?.padEnd(20, 'F');
    switch (tag) {
      case 0x0042: // Issuer Identification Number (ISO/IEC 7812): the card's, else the ICCID's first 7 digits
        return { data: tlv(0x42, st.iin ? fromHex(st.iin) : iccid ? fromHex(iccid.slice(0, 8)) : Uint8Array.of(0x89)), sw: SW.OK };
      case 0x0045: // Card Image Number: the card's, else its ICCID
        return { data: tlv(0x45, st.cin ? fromHex(st.cin) : iccid ? fromHex(iccid) : new Uint8Array(8)), sw: SW.OK };
      case 0x0066:
        return { data: encodeCardData(this.scpOptions()), sw: SW.OK };
      case 0x0067:
        return { data: tlv(0x67, this.capabilities()), sw: SW.OK };
      case 0x00c1: {
        // sequence counter of the default key set: 2 bytes for SCP02 (E.5.1), 3 for SCP03 (Amd D 6.2.2.1)
        const def = st.keySets[0];
        if (!def) return { sw: SW.NOTFOUND };
        return { data: tlv(0xc1, uintBytes(st.sequenceCounters?.[String(def.kvn)] ?? 0, def.scp === 2 ? 2 : 3)), sw: SW.OK };
      }
      case 0x00c2: // confirmation counter (delegated management receipts): none issued
        return { data: tlv(0xc2, Uint8Array.of(0, 0)), sw: SW.OK };
      case 0x00cf: // key diversification data, the KDD INITIALIZE UPDATE returns
        return { data: tlv(0xcf, st.kdd ? fromHex(st.kdd) : new Uint8Array(10)), sw: SW.OK };
      case 0x00d3: // current security level: b8 AUTHENTICATED plus the session's level bits, 00 outside
        return { data: tlv(0xd3, Uint8Array.of(s ? 0x80 | s.level : 0x00)), sw: SW.OK };
      case 0x00e0: {
        const info: GpKeyInfo[] = [];
        for (const ks of st.keySets) {
          const type = ks.scp === 3 ? KEY_TYPE_AES : KEY_TYPE_DES;
          for (const [id, k] of [ks.enc, ks.mac, ks.dek].entries()) info.push({ id: id + 1, version: ks.kvn, type, length: k.length / 2 });
        }
        return { data: encodeKeyInformation(info), sw: SW.OK };
      }
      case 0x2f00: {
        const apps = adfs(this.card.mf).map((aid) => tlv(0x61, tlv(0x4f, aid)));
        return { data: tlv(0x2f00, concatBytes(...apps)), sw: SW.OK };
      }
      case 0xff21: {
        // extended card resources (TS 102 226 8.2.1.7.2): 81 installed applications, 82 free NVM, 83 free RAM
        const apps = adfs(this.card.mf).length + 1;
        return {
          data: tlv(0xff21, concatBytes(tlv(0x81, Uint8Array.of(apps)), tlv(0x82, uintBytes(this.card.available, 4)), tlv(0x83, uintBytes(0x2000, 2)))),
          sw: SW.OK,
        };
      }
      case 0x5f50:
        if (!st.sdManagerUrl) return { sw: SW.NOTFOUND };
        return { data: tlv(0x5f50, new TextEncoder().encode(st.sdManagerUrl)), sw: SW.OK };
      default:
        void ctx;
        return { sw: SW.NOTFOUND };
    }
  }

  /** Card Capability Information (GP CS 2.3.1 H.4 Table H-6): one A0 { 80 SCP, 81 i values, 82 AES sizes } per SCP. */
  private capabilities(): Uint8Array {
    const sets = this.state().keySets;
    const parts: Uint8Array[] = [];
    for (const scp of [2, 3] as const) {
      const ks = sets.filter((k) => k.scp === scp);
      if (!ks.length) continue;
      const is = [...new Set(ks.map((k) => k.i ?? (scp === 3 ? 0x70 : 0x55)))];
      let body = concatBytes(Uint8Array.of(0x80, 0x01, scp, 0x81, is.length), Uint8Array.from(is));
      if (scp === 3) {
        const sizes = ks.reduce((m, k) => m | ({ 16: 1, 24: 2, 32: 4 } as Record<number, number>)[k.enc.length / 2]!, 0);
        body = concatBytes(body, Uint8Array.of(0x82, 0x01, sizes));
      }
      parts.push(concatBytes(Uint8Array.of(0xa0, body.length), body));
    }
    return concatBytes(...parts);
  }

  private putKey(cmd: CommandApdu, s: CardSession): AppletResponse {
    const p = parsePutKey(cmd, (e) => s.decryptKeyData(e));
    if (p.keys.length !== 3 || p.firstKeyId !== 1) return { sw: SW.DATA }; // whole key sets only (ENC, MAC, DEK)
    const scp: 2 | 3 = p.keys[0]!.type === 'aes' ? 3 : 2;
    if (p.keys.some((k) => k.type !== p.keys[0]!.type)) return { sw: SW.DATA };
    const st = this.card.stateOf<IsdState>(ISD_APPLET, defaultIsdState);
    const sets = st.keySets.filter((k) => k.kvn !== p.newKvn && (p.replaceKvn === 0 || k.kvn !== p.replaceKvn));
    if (p.replaceKvn !== 0 && !st.keySets.some((k) => k.kvn === p.replaceKvn)) return { sw: SW.NOTFOUND };
    const [enc, mac, dek] = p.keys.map((k) => toHex(k.key)) as [string, string, string];
    sets.unshift({ kvn: p.newKvn, scp, i: scp === 3 ? 0x70 : 0x55, enc, mac, dek });
    st.keySets = sets;
    this.card.markChanged();
    return { data: concatBytes(Uint8Array.of(p.newKvn), ...p.keys.map((k) => k.kcv)), sw: SW.OK };
  }
}

function adfs(mf: SimFile): Uint8Array[] {
  return mf.children.filter((c) => c.type === 'ADF' && c.aid).map((c) => c.aid!);
}

function startsWith(full: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.length <= full.length && prefix.every((b, i) => full[i] === b);
}

export const isdApplet: AppletFactory = (card) => new IsdApplet(card);
