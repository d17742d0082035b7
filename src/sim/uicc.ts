/**
 * The virtual UICC: a software card that behaves like an ETSI TS 102 221 UICC, used in-process
 * for unit tests and behind pcscd through vpcd for end-to-end tests.
 *
 * Implemented: SELECT (11.1.1), STATUS (11.1.2), READ/UPDATE BINARY (11.1.3/11.1.4, SFI),
 * READ/UPDATE RECORD (11.1.5/11.1.6, absolute/current/next/previous, cyclic), VERIFY/CHANGE/
 * DISABLE/ENABLE/UNBLOCK PIN (11.1.9-11.1.13, retry counters, blocking), ACTIVATE/DEACTIVATE FILE,
 * MANAGE CHANNEL (11.1.17, channels 1-19), GET RESPONSE (11.1.12 / 7.3.1.1.4: case 4 answers are
 * held behind 61xx, a case 2 answer with the wrong Le gets 6Cxx, as T=0 cards do), access
 * conditions per file, and applets (src/sim/applets) for everything else.
 */
import { type CommandApdu, channelOfCla, decodeCommand } from '../apdu/command.js';
import { encodeResponse } from '../apdu/response.js';
import { bytesEqual, fromHex, toHex } from '../util/hex.js';
import { type Applet, type AppletResponse, type CommandContext, selectForm } from './applet.js';
import { APPLETS } from './applets/index.js';
import { classCheck, classFamily } from './cla.js';
import { buildFcp } from './fcp.js';
import { keyRefOf } from '../card/keys.js';
import { GsmFace } from './gsm.js';
import { effectiveSfi, fromImage, isDf, type SimFile, toImage } from './fs.js';
import { type AccessOp, type CardImage, parseImage, type PinImage } from './image.js';

const SW_OK = 0x9000;

/** What a logical channel has selected (mutable: applets that create/delete files update it). */
export interface ChannelState {
  df: SimFile;
  ef: SimFile | undefined;
  /** current application (ADF) for 7FFF */
  adf: SimFile | undefined;
  /** current record number of the current EF (0 = none) */
  record: number;
  applet: string | undefined;
  /**
   * Whose rights the file commands of this channel run with: unset, the card's security status
   * (PINs and ADMs verified on it); set, an RFM application's access domain (TS 102 226 8.2.1),
   * which also selects only files (no applet by AID).
   */
  access?: (f: SimFile, op: AccessOp) => boolean;
}

interface Pending {
  data: Uint8Array;
  channel: number;
}

export interface UiccOptions {
  /** called after every command that changed persistent state (content, PIN counters) */
  onChange?: (card: VirtualUicc) => void;
  /** answer case-4 commands with 61xx as a T=0 card does (default true) */
  t0?: boolean;
  /** overrides the image's `personality` ('dual-mode' also answers the GSM class A0, TS 51.011) */
  personality?: Personality;
}

export type Personality = NonNullable<CardImage['personality']>;

export class VirtualUicc {
  readonly mf: SimFile;
  readonly pins: PinImage[];
  atr: Uint8Array;
  private freeSpace: number;
  private readonly appletState: Record<string, unknown>;
  private readonly description: string | undefined;
  /** per-APDU latency the image asks for (applied by the vpcd link, src/sim/vpcd.ts) */
  latencyMs: number;
  private channels = new Map<number, ChannelState>();
  private verified = new Set<number>();
  private pending: Pending | undefined;
  readonly applets: Applet[];
  /** commands processed since power-up (tests inject faults by count) */
  commandCount = 0;
  private dirty = false;
  /** 'uicc': class A0 gets 6E00; 'dual-mode': class A0 is answered as a TS 51.011 SIM */
  readonly personality: Personality;
  private readonly imagePersonality: CardImage['personality'];
  private readonly gsm: GsmFace | undefined;

  constructor(
    unchecked: CardImage,
    private readonly opts: UiccOptions = {},
  ) {
    // the shape, FID/SFI uniqueness and depth checks of parseImage (image.ts, image-check.ts)
    const image = parseImage(unchecked);
    this.mf = fromImage(image.mf);
    this.pins = image.pins.map((p) => ({ ...p, ...(p.puk ? { puk: { ...p.puk } } : {}) }));
    this.atr = fromHex(image.atr);
    this.freeSpace = image.freeSpace ?? 0;
    this.appletState = structuredClone(image.applets ?? {});
    this.description = image.description;
    this.latencyMs = image.latencyMs ?? 0;
    this.imagePersonality = image.personality;
    this.personality = opts.personality ?? image.personality ?? 'uicc';
    this.gsm = this.personality === 'dual-mode' ? new GsmFace(this) : undefined;
    this.applets = APPLETS.map((f) => f(this));
    this.powerOn();
  }

  /** Cold or warm reset: security status and channels are lost (TS 102 221 6.x). */
  powerOn(): Uint8Array {
    this.channels = new Map([[0, this.freshChannel()]]);
    this.verified = new Set();
    this.pending = undefined;
    this.commandCount = 0;
    this.gsm?.reset();
    for (const a of this.applets) a.reset?.();
    return this.atr;
  }

  private freshChannel(): ChannelState {
    return { df: this.mf, ef: undefined, adf: undefined, record: 0, applet: undefined };
  }

  toImage(): CardImage {
    return {
      version: 1,
      ...(this.description ? { description: this.description } : {}),
      atr: toHex(this.atr),
      pins: this.pins.map((p) => ({ ...p, ...(p.puk ? { puk: { ...p.puk } } : {}) })),
      freeSpace: this.freeSpace,
      ...(this.latencyMs ? { latencyMs: this.latencyMs } : {}),
      ...(this.imagePersonality ? { personality: this.imagePersonality } : {}),
      mf: toImage(this.mf),
      ...(Object.keys(this.appletState).length ? { applets: structuredClone(this.appletState) } : {}),
    };
  }

  /** Persistent JSON state of applet `name` (saved with the image). Call markChanged() after edits. */
  stateOf<T extends object>(name: string, init: () => T): T {
    if (!(name in this.appletState)) this.appletState[name] = init();
    return this.appletState[name] as T;
  }

  /** The saved state of applet `name`, or undefined: reading never adds state to the image. */
  savedStateOf<T extends object>(name: string): T | undefined {
    return this.appletState[name] as T | undefined;
  }

  markChanged(): void {
    this.dirty = true;
  }
  changed(): void {
    this.dirty = true;
  }

  /** The current DF/EF/ADF of logical channel `channel`, for applets; undefined if not open. */
  selection(channel: number): ChannelState | undefined {
    return this.channels.get(channel);
  }

  /** Free space left for CREATE FILE (bytes). */
  get available(): number {
    return this.freeSpace;
  }
  allocate(bytes: number): boolean {
    if (bytes > this.freeSpace) return false;
    this.freeSpace -= bytes;
    this.dirty = true;
    return true;
  }
  release(bytes: number): void {
    this.freeSpace += bytes;
    this.dirty = true;
  }

  /** Processes one C-APDU, returns the R-APDU. Never throws. */
  process(capdu: Uint8Array): Uint8Array {
    this.commandCount++;
    let r: AppletResponse;
    try {
      const cmd = decodeCommand(capdu);
      r = this.dispatch(cmd);
    } catch {
      r = { sw: 0x6700 };
    }
    if (this.dirty) {
      this.dirty = false;
      this.opts.onChange?.(this);
    }
    return encodeResponse({ data: r.data ?? new Uint8Array(), sw: r.sw });
  }

  // ---- dispatch -------------------------------------------------------------------------

  private dispatch(cmd: CommandApdu): AppletResponse {
    // class byte first (TS 102 221 10.1.1): GSM class A0 only on a dual-mode card, unknown classes never
    const family = classFamily(cmd.cla);
    if (family === 'gsm' && this.gsm) {
      this.pending = undefined;
      return this.gsm.process(cmd);
    }
    if (family === 'gsm' || family === 'unsupported') return { sw: 0x6e00 };
    const ch = channelOfCla(cmd.cla);
    if (cmd.ins === 0xc0) return classCheck(cmd.cla, cmd.ins) ? { sw: classCheck(cmd.cla, cmd.ins)! } : this.getResponse(cmd, ch);
    // any other command discards a pending response (TS 102 221 7.3.1.1.4)
    this.pending = undefined;
    if (cmd.ins === 0x70) {
      const bad = classCheck(cmd.cla, cmd.ins);
      return bad ? { sw: bad } : this.manageChannel(cmd, ch);
    }
    const st = this.channels.get(ch);
    if (!st) return { sw: 0x6881 };
    const ctx: CommandContext = { channel: ch, selectedApplet: st.applet };
    for (const a of this.applets) {
      const r = a.process(cmd, ctx);
      if (r) return this.shape(cmd, r, ch);
    }
    const badClass = classCheck(cmd.cla, cmd.ins);
    if (badClass) return { sw: badClass };
    let r: AppletResponse;
    switch (cmd.ins) {
      case 0x20:
        r = this.verify(cmd);
        break;
      case 0x24:
        r = this.changePin(cmd);
        break;
      case 0x26:
      case 0x28:
        r = this.enableDisable(cmd, cmd.ins === 0x28);
        break;
      case 0x2c:
        r = this.unblock(cmd);
        break;
      case 0x04:
      case 0x44:
        r = this.activation(st, cmd.ins === 0x44);
        break;
      default:
        r = this.fileCommand(cmd, st, ch);
        if (r.sw === 0x6d00) return r;
    }
    return this.shape(cmd, r, ch);
  }

  /**
   * T=0 behaviour (TS 102 221 7.3.1.1.4): response data of a case 4 command is announced with
   * 61xx and fetched by GET RESPONSE; a case 2 command whose Le differs from what is available
   * gets 6Cxx.
   */
  private shape(cmd: CommandApdu, r: AppletResponse, ch: number): AppletResponse {
    const data = r.data;
    if (!data || data.length === 0 || (r.sw !== SW_OK && r.sw >> 8 !== 0x62 && r.sw >> 8 !== 0x63)) return r;
    if (this.opts.t0 === false) return r;
    const hasData = !!cmd.data && cmd.data.length > 0;
    if (hasData || cmd.le === undefined) {
      this.pending = { data, channel: ch };
      return { sw: 0x6100 | (data.length >= 256 ? 0 : data.length) };
    }
    if (cmd.le !== data.length && !(cmd.le === 256 && data.length === 256)) {
      if (cmd.le === 256 && data.length > 256) return { data: data.subarray(0, 256), sw: r.sw };
      return { sw: 0x6c00 | (data.length >= 256 ? 0 : data.length) };
    }
    return r;
  }

  private getResponse(cmd: CommandApdu, ch: number): AppletResponse {
    const p = this.pending;
    if (!p || p.channel !== ch) return { sw: 0x6985 };
    const want = cmd.le ?? 256;
    if (want > p.data.length) return { sw: 0x6c00 | (p.data.length >= 256 ? 0 : p.data.length) };
    const out = p.data.subarray(0, want);
    const rest = p.data.subarray(want);
    if (rest.length) {
      this.pending = { data: rest, channel: ch };
      return { data: out, sw: 0x6100 | (rest.length >= 256 ? 0 : rest.length) };
    }
    this.pending = undefined;
    return { data: out, sw: SW_OK };
  }

  // ---- MANAGE CHANNEL (TS 102 221 11.1.17) ----------------------------------------------

  private manageChannel(cmd: CommandApdu, ch: number): AppletResponse {
    if (!this.channels.has(ch)) return { sw: 0x6881 };
    if (cmd.p1 === 0x00) {
      let n = cmd.p2;
      if (n === 0) {
        n = 1;
        while (this.channels.has(n) && n < 20) n++;
        if (n >= 20) return { sw: 0x6a81 };
      } else if (n > 19 || this.channels.has(n)) return { sw: 0x6a86 };
      const from = this.channels.get(ch)!;
      // the new channel starts at the MF when opened from the basic channel, else inherits (ISO 7816-4 7.1.2)
      this.channels.set(n, ch === 0 ? this.freshChannel() : { ...from });
      return cmd.p2 === 0 ? { data: Uint8Array.of(n), sw: SW_OK } : { sw: SW_OK };
    }
    if (cmd.p1 === 0x80) {
      const n = cmd.p2 || ch;
      if (n === 0) return { sw: 0x6a86 };
      if (!this.channels.delete(n)) return { sw: 0x6a88 };
      return { sw: SW_OK };
    }
    return { sw: 0x6b00 };
  }

  // ---- SELECT (TS 102 221 11.1.1, 8.4.1) ----------------------------------------------

  private select(cmd: CommandApdu, st: ChannelState, ch: number): AppletResponse {
    const d = cmd.data ?? new Uint8Array();
    let target: SimFile | undefined;
    switch (cmd.p1) {
      case 0x00: {
        if (d.length === 0) {
          target = this.mf;
          break;
        }
        if (d.length !== 2) return { sw: 0x6700 };
        target = this.selectFid((d[0]! << 8) | d[1]!, st);
        break;
      }
      case 0x03:
        target = st.ef ? st.df : st.df.parent;
        if (!target) return { sw: 0x6a82 };
        break;
      case 0x04: {
        // applets selectable by AID (partial DF name, ISO/IEC 7816-4 7.1.1) or by an empty DF name
        let aid: Uint8Array | undefined;
        const applet = st.access
          ? undefined
          : this.applets.find((a) => {
              aid = d.length === 0 ? (a.implicitSelection ? a.aids?.[0] : undefined) : d.length >= 5 ? a.aids?.find((x) => startsWith(x, d)) : undefined;
              return aid !== undefined;
            });
        const adf = this.findAdf(d);
        if (!adf && applet && aid) {
          st.applet = applet.name;
          return applet.selectResponse?.({ channel: ch, selectedApplet: applet.name }, aid, selectForm(cmd.p2)) ?? { sw: SW_OK };
        }
        if (!adf) return { sw: 0x6a82 };
        target = adf;
        break;
      }
      case 0x08:
      case 0x09: {
        if (d.length === 0 || d.length % 2) return { sw: 0x6700 };
        let cur: SimFile | undefined = cmd.p1 === 0x08 ? this.mf : st.df;
        for (let i = 0; i < d.length && cur; i += 2) {
          const fid = (d[i]! << 8) | d[i + 1]!;
          if (i === 0 && cmd.p1 === 0x08 && fid === 0x3f00) continue;
          if (fid === 0x7fff) cur = st.adf;
          else cur = isDf(cur) ? cur.children.find((c) => c.fid === fid) : undefined;
        }
        target = cur;
        break;
      }
      default:
        return { sw: 0x6a86 };
    }
    if (!target) return { sw: 0x6a82 };
    if (isDf(target)) {
      st.df = target;
      st.ef = undefined;
      if (target.type === 'ADF') st.adf = target;
    } else {
      st.df = target.parent!;
      st.ef = target;
    }
    st.record = 0;
    st.applet = undefined;
    const p2 = cmd.p2 & 0x0c;
    if (p2 === 0x0c) return { sw: target.lcs === 'deactivated' ? 0x6283 : SW_OK };
    return { data: this.fcp(target), sw: target.lcs === 'deactivated' ? 0x6283 : SW_OK };
  }

  fcp(f: SimFile): Uint8Array {
    return buildFcp(
      f,
      this.pins.map((p) => ({ ref: p.ref, enabled: p.enabled !== false })),
      this.freeSpace,
    );
  }

  /** Files selectable by FID from the current DF: TS 102 221 8.4.1. */
  private selectFid(fid: number, st: ChannelState): SimFile | undefined {
    if (fid === 0x3f00) return this.mf;
    if (fid === 0x7fff) return st.adf;
    const df = st.df;
    if (df.fid === fid) return df;
    const child = df.children.find((c) => c.fid === fid);
    if (child) return child;
    const parent = df.parent;
    if (parent) {
      if (parent.fid === fid) return parent;
      const sib = parent.children.find((c) => c.fid === fid && isDf(c));
      if (sib) return sib;
    }
    // immediate children of the MF (e.g. EF.DIR from inside an ADF on many cards)
    return this.mf.children.find((c) => c.fid === fid && isDf(c));
  }

  private findAdf(aid: Uint8Array): SimFile | undefined {
    if (aid.length < 5) return undefined;
    const walk = (f: SimFile): SimFile | undefined => {
      if (f.type === 'ADF' && f.aid && startsWith(f.aid, aid)) return f;
      for (const c of f.children) {
        const r = walk(c);
        if (r) return r;
      }
      return undefined;
    };
    return walk(this.mf);
  }

  /** Finds a file by absolute path "3F00/7FF0/6F07" or FID list (tests, applets). */
  fileAt(path: string): SimFile | undefined {
    const fids = path
      .split('/')
      .filter(Boolean)
      .map((p) => parseInt(p, 16));
    let cur: SimFile | undefined = this.mf;
    for (const [i, fid] of fids.entries()) {
      if (i === 0 && fid === 0x3f00) continue;
      cur = cur?.children.find((c) => c.fid === fid);
    }
    return cur;
  }

  /**
   * The file commands (SELECT, STATUS, READ/UPDATE BINARY and RECORD) on a channel state: that of
   * the card's logical channel `ch` (dispatch), or an RFM application's own, which runs its
   * script's commands through here (TS 102 226 5.1: the commands and status words of TS 102 221)
   * with its access domain in `st.access`; other instructions get 6D00.
   */
  fileCommand(cmd: CommandApdu, st: ChannelState, ch = -1): AppletResponse {
    switch (cmd.ins) {
      case 0xa4:
        return this.select(cmd, st, ch);
      case 0xf2:
        return this.status(cmd, st);
      case 0xb0:
        return this.readBinary(cmd, st);
      case 0xd6:
        return this.updateBinary(cmd, st);
      case 0xb2:
        return this.readRecord(cmd, st);
      case 0xdc:
        return this.updateRecord(cmd, st);
      default:
        return { sw: 0x6d00 };
    }
  }

  // ---- STATUS (TS 102 221 11.1.2) ----------------------------------------------------

  private status(cmd: CommandApdu, st: ChannelState): AppletResponse {
    if (cmd.p2 === 0x0c) return { sw: SW_OK };
    if (cmd.p2 === 0x01) return st.df.aid ? { data: st.df.aid, sw: SW_OK } : { sw: SW_OK };
    return { data: this.fcp(st.df), sw: SW_OK };
  }

  // ---- access conditions ------------------------------------------------------------

  /** The access rule is satisfied: ALW, or any named key verified (or disabled, for PINs). */
  allowed(f: SimFile, op: AccessOp): boolean {
    return this.satisfied(f.access[op] ?? (op === 'read' ? 'ALW' : 'NEV'));
  }

  /** Whether the security status meets an access rule ('ALW', 'NEV', 'PIN1|ADM1' ...), for applets too. */
  satisfied(rule: string): boolean {
    if (rule === 'ALW') return true;
    if (rule === 'NEV') return false;
    return rule.split('|').some((k) => {
      const ref = keyRefOf(k);
      if (this.verified.has(ref)) return true;
      const pin = this.pins.find((p) => p.ref === ref);
      return !!pin && pin.enabled === false && !k.startsWith('ADM');
    });
  }

  private check(f: SimFile, op: AccessOp, st: ChannelState): AppletResponse | undefined {
    if (f.lcs === 'terminated') return { sw: 0x6985 };
    if (f.lcs === 'deactivated' && op !== 'activate' && op !== 'delete') return { sw: 0x6283 };
    if (!(st.access ? st.access(f, op) : this.allowed(f, op))) return { sw: 0x6982 };
    return undefined;
  }

  // ---- READ/UPDATE BINARY (TS 102 221 11.1.3, 11.1.4) --------------------------------

  /** P1 b8=1: SFI in b5-b1 and offset in P2; else offset in P1 b7-b1 and P2. */
  private binaryTarget(cmd: CommandApdu, st: ChannelState): { f: SimFile; offset: number } | AppletResponse {
    let f: SimFile | undefined;
    let offset: number;
    if (cmd.p1 & 0x80) {
      const sfi = cmd.p1 & 0x1f;
      if (cmd.p1 & 0x60) return { sw: 0x6b00 };
      f = st.df.children.find((c) => c.type === 'EF' && effectiveSfi(c) === sfi);
      if (!f) return { sw: 0x6a82 };
      st.ef = f;
      offset = cmd.p2;
    } else {
      f = st.ef;
      if (!f) return { sw: 0x6986 };
      offset = ((cmd.p1 & 0x7f) << 8) | cmd.p2;
    }
    if (f.structure !== 'transparent') return { sw: 0x6981 };
    return { f, offset };
  }

  private readBinary(cmd: CommandApdu, st: ChannelState): AppletResponse {
    const t = this.binaryTarget(cmd, st);
    if ('sw' in t) return t;
    const denied = this.check(t.f, 'read', st);
    if (denied) return denied;
    const c = t.f.content!;
    // offset beyond the end: wrong P1-P2 (TS 102 221 11.1.3, 10.2.1.5 '6B00')
    if (t.offset >= c.length) return { sw: 0x6b00 };
    const want = cmd.le ?? 256;
    const avail = c.length - t.offset;
    const data = c.slice(t.offset, t.offset + Math.min(want, avail));
    // fewer bytes than an explicit Le asked for: the data with 6282 "end of file reached before
    // reading Le bytes" (TS 102 221 10.2.1.2); Le = 00 means "all up to 256" (ISO 7816-4 11.2.3).
    // Under T=0 shape() turns either into 6Cxx with the exact length (TS 102 221 7.3.1.1.4).
    return { data, sw: want > avail && !isLeMax(cmd) ? 0x6282 : SW_OK };
  }

  private updateBinary(cmd: CommandApdu, st: ChannelState): AppletResponse {
    const t = this.binaryTarget(cmd, st);
    if ('sw' in t) return t;
    const denied = this.check(t.f, 'update', st);
    if (denied) return denied;
    const d = cmd.data;
    if (!d || d.length === 0) return { sw: 0x6700 };
    const c = t.f.content!;
    if (t.offset + d.length > c.length) return { sw: t.offset >= c.length ? 0x6b00 : 0x6700 };
    c.set(d, t.offset);
    this.dirty = true;
    return { sw: SW_OK };
  }

  // ---- READ/UPDATE RECORD (TS 102 221 11.1.5, 11.1.6) --------------------------------

  private recordTarget(cmd: CommandApdu, st: ChannelState): SimFile | AppletResponse {
    const sfi = cmd.p2 >> 3;
    let f: SimFile | undefined = st.ef;
    if (sfi) {
      f = st.df.children.find((c) => c.type === 'EF' && effectiveSfi(c) === sfi);
      if (!f) return { sw: 0x6a82 };
      if (f !== st.ef) st.record = 0;
      st.ef = f;
    }
    if (!f) return { sw: 0x6986 };
    if (f.structure === 'transparent') return { sw: 0x6981 };
    return f;
  }

  /** Record number for P1 and the mode in P2 b3-b1: 02 next, 03 previous, 04 absolute/current. */
  private recordNumber(cmd: CommandApdu, st: ChannelState, f: SimFile, update: boolean): number | AppletResponse {
    const n = f.records!.length;
    const mode = cmd.p2 & 0x07;
    if (mode === 0x04) {
      const r = cmd.p1 === 0 ? st.record : cmd.p1;
      if (r === 0 || r > n) return { sw: 0x6a83 };
      return r;
    }
    if (cmd.p1 !== 0) return { sw: 0x6a86 };
    if (mode === 0x02) {
      if (update && f.structure === 'cyclic') return { sw: 0x6a86 };
      const r = st.record === 0 ? 1 : st.record + 1;
      if (r > n) return f.structure === 'cyclic' ? 1 : { sw: 0x6a83 };
      return r;
    }
    if (mode === 0x03) {
      if (update && f.structure === 'cyclic') return -1; // cyclic PREVIOUS update: the oldest record becomes record 1
      const r = st.record === 0 ? n : st.record - 1;
      if (r < 1) return f.structure === 'cyclic' ? n : { sw: 0x6a83 };
      return r;
    }
    return { sw: 0x6a86 };
  }

  private readRecord(cmd: CommandApdu, st: ChannelState): AppletResponse {
    const f = this.recordTarget(cmd, st);
    if ('sw' in f) return f;
    const denied = this.check(f, 'read', st);
    if (denied) return denied;
    const r = this.recordNumber(cmd, st, f, false);
    if (typeof r !== 'number') return r;
    st.record = r;
    const rec = f.records![r - 1]!.slice();
    // a record is read whole: Le shorter than the record gets 6Cxx, longer gets the record with
    // 6282 "end of record reached before reading Le bytes" (TS 102 221 11.1.5, 10.2.1.2)
    if (cmd.le !== undefined && !isLeMax(cmd) && cmd.le < rec.length) return { sw: 0x6c00 | rec.length };
    return { data: rec, sw: cmd.le !== undefined && !isLeMax(cmd) && cmd.le > rec.length ? 0x6282 : SW_OK };
  }

  private updateRecord(cmd: CommandApdu, st: ChannelState): AppletResponse {
    const f = this.recordTarget(cmd, st);
    if ('sw' in f) return f;
    const denied = this.check(f, 'update', st);
    if (denied) return denied;
    const d = cmd.data;
    if (!d || d.length !== f.recordLength) return { sw: 0x6700 };
    const r = this.recordNumber(cmd, st, f, true);
    if (typeof r !== 'number') return r;
    if (r === -1) {
      const recs = f.records!;
      recs.pop();
      recs.unshift(d.slice());
      st.record = 1;
    } else {
      f.records![r - 1] = d.slice();
      st.record = r;
    }
    this.dirty = true;
    return { sw: SW_OK };
  }

  // ---- ACTIVATE / DEACTIVATE FILE (TS 102 221 11.1.14, 11.1.15) ------------------------

  private activation(st: ChannelState, activate: boolean): AppletResponse {
    const f = st.ef ?? st.df;
    if (f.lcs === 'terminated') return { sw: 0x6985 };
    if (!this.allowed(f, activate ? 'activate' : 'deactivate')) return { sw: 0x6982 };
    f.lcs = activate ? 'operational' : 'deactivated';
    this.dirty = true;
    return { sw: SW_OK };
  }

  // ---- PINs (TS 102 221 11.1.9 - 11.1.13, 9.5) ----------------------------------------

  private pin(ref: number): PinImage | undefined {
    return this.pins.find((p) => p.ref === ref);
  }

  /**
   * Presents an 8-byte value for the PIN: a wrong one counts down (and drops the verified state),
   * a right one resets the counter and marks the PIN verified. A blocked PIN is not tried.
   */
  presentPin(p: PinImage, value: Uint8Array): 'ok' | 'blocked' | { left: number } {
    if (p.retries === 0) return 'blocked';
    this.dirty = true;
    if (!bytesEqual(value, fromHex(p.value))) {
      p.retries--;
      this.verified.delete(p.ref);
      return { left: p.retries };
    }
    p.retries = p.maxRetries;
    this.verified.add(p.ref);
    return 'ok';
  }

  /** Checks `value` against the PIN (TS 102 221 11.1.9 status words): 63CX, 6983 when blocked. */
  private tryPin(p: PinImage, value: Uint8Array): AppletResponse | undefined {
    if (p.retries === 0) return { sw: 0x6983 };
    if (value.length !== 8) return { sw: 0x6700 };
    const r = this.presentPin(p, value);
    if (r === 'ok') return undefined;
    if (r === 'blocked' || r.left === 0) return { sw: 0x6983 };
    return { sw: 0x63c0 | r.left };
  }

  private verify(cmd: CommandApdu): AppletResponse {
    if (cmd.p1 !== 0x00) return { sw: 0x6b00 };
    const p = this.pin(cmd.p2);
    if (!p) return { sw: 0x6a88 };
    if (!cmd.data || cmd.data.length === 0) {
      // no data: report the retry counter, or 9000 if already verified (11.1.9)
      if (p.retries === 0) return { sw: 0x6983 };
      return { sw: this.verified.has(p.ref) ? SW_OK : 0x63c0 | p.retries };
    }
    const bad = this.tryPin(p, cmd.data);
    if (bad) return bad;
    this.verified.add(p.ref);
    return { sw: SW_OK };
  }

  private changePin(cmd: CommandApdu): AppletResponse {
    const p = this.pin(cmd.p2);
    if (!p) return { sw: 0x6a88 };
    if (p.enabled === false) return { sw: 0x6984 };
    if (!cmd.data || cmd.data.length !== 16) return { sw: 0x6700 };
    const bad = this.tryPin(p, cmd.data.subarray(0, 8));
    if (bad) return bad;
    p.value = toHex(cmd.data.subarray(8));
    this.verified.add(p.ref);
    return { sw: SW_OK };
  }

  private enableDisable(cmd: CommandApdu, enable: boolean): AppletResponse {
    const p = this.pin(cmd.p2);
    if (!p) return { sw: 0x6a88 };
    if (p.ref >= 0x0a && p.ref <= 0x0e) return { sw: 0x6985 }; // ADM cannot be disabled
    if (!cmd.data || cmd.data.length !== 8) return { sw: 0x6700 };
    if (enable === (p.enabled !== false)) return { sw: 0x6985 };
    const bad = this.tryPin(p, cmd.data);
    if (bad) return bad;
    p.enabled = enable;
    this.verified.add(p.ref);
    return { sw: SW_OK };
  }

  private unblock(cmd: CommandApdu): AppletResponse {
    const p = this.pin(cmd.p2);
    if (!p) return { sw: 0x6a88 };
    const puk = p.puk;
    if (!puk) return { sw: 0x6985 };
    if (!cmd.data || cmd.data.length === 0) return { sw: puk.retries === 0 ? 0x6983 : 0x63c0 | puk.retries };
    if (cmd.data.length !== 16) return { sw: 0x6700 };
    if (puk.retries === 0) return { sw: 0x6983 };
    this.dirty = true;
    if (!bytesEqual(cmd.data.subarray(0, 8), fromHex(puk.value))) {
      puk.retries--;
      return { sw: puk.retries === 0 ? 0x6983 : 0x63c0 | puk.retries };
    }
    puk.retries = puk.maxRetries;
    p.value = toHex(cmd.data.subarray(8));
    p.retries = p.maxRetries;
    p.enabled = true;
    this.verified.add(p.ref);
    return { sw: SW_OK };
  }
}

/** Le = 00 (short) or 0000 (extended): as many bytes as available (ISO 7816-4 5.1) */
function isLeMax(cmd: CommandApdu): boolean {
  return cmd.le === 256 || cmd.le === 65536;
}

function startsWith(full: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > full.length) return false;
  for (let i = 0; i < prefix.length; i++) if (full[i] !== prefix[i]) return false;
  return true;
}
