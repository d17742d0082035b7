/**
 * The GlobalPlatform Issuer Security Domain of the virtual UICC (GP Card Specification v2.2):
 * selectable by A0 00 00 01 51 00 00 00 (or the OP AID A0 00 00 00 03 00 00), answers INITIALIZE
 * UPDATE / EXTERNAL AUTHENTICATE for SCP02 (Appendix E) and SCP03 (Amendment D), then unwraps
 * the protected commands of the session (C-MAC, C-DECRYPTION) and protects responses (R-MAC,
 * R-ENCRYPTION for SCP03). Card management is minimal: GET STATUS (11.4, ISD and ADF entries),
 * GET DATA key information template (00E0, 11.3.3.1) and card data (0066), PUT KEY (11.8) for
 * AES/DES key sets, which must arrive in an authenticated session.
 *
 * State in the card image, under `applets.isd`:
 *   { "keySets": [ { "kvn": 48, "scp": 3, "i": 112, "enc": hex, "mac": hex, "dek": hex }, ... ],
 *     "sequenceCounters": { "<kvn>": n } }
 * With no state the card holds the well-known GP test key 40..4F as an SCP03 set (KVN 30, i=70)
 * and an SCP02 set (KVN 20, i=55), as development cards ship.
 */
import { z } from 'zod';
import type { CommandApdu } from '../../apdu/command.js';
import { SimdmError } from '../../errors.js';
import { ISD_AIDS, encodeKeyInformation, encodeStatusEntry, type GpKeyInfo } from '../../secure/gp/commands.js';
import { parsePutKey } from '../../secure/gp/putkey.js';
import { Scp02CardSession } from '../../secure/gp/scp02.js';
import { Scp03CardSession } from '../../secure/gp/scp03.js';
import { concatBytes, fromHex, toHex } from '../../util/hex.js';
import type { Applet, AppletFactory, AppletResponse, CommandContext } from '../applet.js';
import type { SimFile } from '../fs.js';
import type { VirtualUicc } from '../uicc.js';

export const ISD_APPLET = 'isd';

const hex = z.string().regex(/^([0-9A-Fa-f]{2})+$/);
const KeySet = z
  .object({
    kvn: z.number().int().min(1).max(127),
    scp: z.union([z.literal(2), z.literal(3)]),
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
    ],
  };
}

/** Replaces the ISD key sets of a card (tests, provisioning of virtual cards). */
const CAT_INS = new Set([0x10, 0xc2, 0x12, 0x14]);

export function provisionIsd(card: VirtualUicc, st: IsdState): void {
  const parsed = IsdState.parse(st);
  const target = card.stateOf<Record<string, unknown>>(ISD_APPLET, () => ({}));
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, parsed);
  card.markChanged();
}

type CardSession = Scp02CardSession | Scp03CardSession;

const ISD_AID = ISD_AIDS[0]!;
const SW = { OK: 0x9000, SEC: 0x6982, COND: 0x6985, DATA: 0x6a80, NOTFOUND: 0x6a88, P1P2: 0x6a86, INS: 0x6d00, LEN: 0x6700 } as const;

class IsdApplet implements Applet {
  readonly name = ISD_APPLET;
  readonly aids = ISD_AIDS;
  /** secure channel session per logical channel */
  private readonly sessions = new Map<number, { s: CardSession; kvn: number }>();

  constructor(private readonly card: VirtualUicc) {}

  private state(): IsdState {
    const raw = this.card.stateOf<Record<string, unknown>>(ISD_APPLET, () => defaultIsdState() as unknown as Record<string, unknown>);
    const r = IsdState.safeParse(raw);
    if (!r.success) throw new SimdmError('sim.image', `card image: applets.isd is invalid: ${r.error.issues[0]?.message ?? ''}`);
    return r.data;
  }

  selectResponse(): Uint8Array {
    // FCI (GP 2.2 11.1.5 / 9.9.3.1): 6F { 84 AID, A5 { 9F65 max block length } }
    const a5 = Uint8Array.of(0xa5, 0x04, 0x9f, 0x65, 0x01, 0xff);
    const body = concatBytes(Uint8Array.of(0x84, ISD_AID.length), ISD_AID, a5);
    return concatBytes(Uint8Array.of(0x6f, body.length), body);
  }

  reset(): void {
    this.sessions.clear();
  }

  process(cmd: CommandApdu, ctx: CommandContext): AppletResponse | undefined {
    if (ctx.selectedApplet !== ISD_APPLET) {
      this.sessions.delete(ctx.channel);
      return undefined;
    }
    if (cmd.ins === 0xa4) {
      // a new SELECT ends the session (GP 2.2 10.2.2); the card performs the selection itself
      this.sessions.delete(ctx.channel);
      return undefined;
    }
    if ((cmd.cla & 0x80) === 0 && cmd.ins !== 0xca) return undefined;
    // CAT commands go to the card's toolkit whatever application is selected (ETSI TS 102 221
    // 10.1.2: TERMINAL PROFILE, ENVELOPE, FETCH, TERMINAL RESPONSE), e.g. an OTA SMS-PP envelope
    if (CAT_INS.has(cmd.ins)) return undefined;
    try {
      return this.handle(cmd, ctx);
    } catch (e) {
      // a failed check closes the session; the card answers 6982 (GP 2.2 E.4.4 / Amd D 6.2.4)
      this.sessions.delete(ctx.channel);
      if (e instanceof SimdmError && e.code.startsWith('scp.')) return { sw: e.code === 'scp.format' ? SW.DATA : SW.SEC };
      throw e;
    }
  }

  private handle(cmd: CommandApdu, ctx: CommandContext): AppletResponse {
    if (cmd.ins === 0x50) return this.initializeUpdate(cmd, ctx);
    if (cmd.ins === 0x82) return this.externalAuthenticate(cmd, ctx);
    const s = this.sessions.get(ctx.channel)?.s;
    let plain = cmd;
    if (s?.authenticated) plain = s.unwrapCommand(cmd);
    else if ((cmd.cla & 0x04) !== 0) return { sw: SW.SEC };
    const r = this.dispatch(plain, s?.authenticated ? s : undefined);
    if (!s?.authenticated) return r;
    const w = s.wrapResponse({ data: r.data ?? new Uint8Array(0), sw: r.sw });
    return { data: w.data, sw: w.sw };
  }

  private keySet(kvn: number): IsdKeySet | undefined {
    const sets = this.state().keySets;
    return kvn === 0 ? sets[0] : sets.find((k) => k.kvn === kvn);
  }

  private initializeUpdate(cmd: CommandApdu, ctx: CommandContext): AppletResponse {
    this.sessions.delete(ctx.channel);
    const ks = this.keySet(cmd.p1);
    if (!ks) return { sw: SW.NOTFOUND };
    const hc = cmd.data ?? new Uint8Array(0);
    const st = this.state();
    const counters = { ...(st.sequenceCounters ?? {}) };
    const seq = counters[String(ks.kvn)] ?? 0;
    const keys = { enc: fromHex(ks.enc), mac: fromHex(ks.mac), dek: fromHex(ks.dek) };
    let s: CardSession;
    if (ks.scp === 3) s = new Scp03CardSession(keys, { kvn: ks.kvn, i: ks.i ?? 0x70, aid: ISD_AID, sequenceCounter: seq });
    else s = new Scp02CardSession(keys, { kvn: ks.kvn, i: ks.i ?? 0x55, sequenceCounter: seq });
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

  private dispatch(cmd: CommandApdu, s: CardSession | undefined): AppletResponse {
    switch (cmd.ins) {
      case 0xf2:
        return this.getStatus(cmd);
      case 0xca:
        return this.getData(cmd);
      case 0xd8:
        if (!s) return { sw: SW.SEC };
        return this.putKey(cmd, s);
      default:
        return { sw: SW.INS };
    }
  }

  private getStatus(cmd: CommandApdu): AppletResponse {
    if ((cmd.p2 & 0x02) === 0) return { sw: SW.P1P2 }; // only the TLV format
    const entries: Uint8Array[] = [];
    if (cmd.p1 === 0x80) entries.push(encodeStatusEntry({ aid: ISD_AID, lifeCycle: 0x0f, privileges: Uint8Array.of(0x9e, 0xfe, 0x80) }));
    else if (cmd.p1 === 0x40) {
      for (const adf of adfs(this.card.mf)) entries.push(encodeStatusEntry({ aid: adf, lifeCycle: 0x07, privileges: Uint8Array.of(0x00, 0x00, 0x00) }));
    } else if (cmd.p1 !== 0x20 && cmd.p1 !== 0x10) return { sw: SW.P1P2 };
    if (entries.length === 0) return { sw: SW.NOTFOUND };
    return { data: concatBytes(...entries), sw: SW.OK };
  }

  private getData(cmd: CommandApdu): AppletResponse {
    const tag = (cmd.p1 << 8) | cmd.p2;
    if (tag === 0x00e0) {
      const info: GpKeyInfo[] = [];
      for (const ks of this.state().keySets) {
        const type = ks.scp === 3 ? 0x88 : 0x80;
        for (const [id, k] of [ks.enc, ks.mac, ks.dek].entries()) info.push({ id: id + 1, version: ks.kvn, type, length: k.length / 2 });
      }
      return { data: encodeKeyInformation(info), sw: SW.OK };
    }
    if (tag === 0x0066) {
      // Card Data (GP 2.2 H.2): 66 { 73 { 06 GP RID OID } } minimal
      const oid = Uint8Array.of(0x06, 0x07, 0x2a, 0x86, 0x48, 0x86, 0xfc, 0x6b, 0x01);
      const t73 = concatBytes(Uint8Array.of(0x73, oid.length), oid);
      return { data: concatBytes(Uint8Array.of(0x66, t73.length), t73), sw: SW.OK };
    }
    return { sw: SW.NOTFOUND };
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

export const isdApplet: AppletFactory = (card) => new IsdApplet(card);
