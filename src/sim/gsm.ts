/**
 * The GSM face of a dual-mode card (image `personality: "dual-mode"`): commands of class A0 answered
 * as a 3GPP TS 51.011 SIM does, for the MF, DF.TELECOM (7F10), DF.GSM (7F20) and the files under
 * them that the image has. ADF.USIM and other DFs are not visible in this mode.
 *
 * Implemented (TS 51.011 section 9): SELECT (9.2.1, answers 9FXX; the response data of 9.2.1 for
 * MF/DF and for EF), STATUS (9.2.2), READ/UPDATE BINARY (9.2.3/9.2.4), READ/UPDATE RECORD
 * (9.2.5/9.2.6), VERIFY CHV (9.2.9), GET RESPONSE (9.2.18); status words of 9.4.
 * Not implemented (6D00): SEEK, INCREASE, CHANGE/DISABLE/ENABLE/UNBLOCK CHV, INVALIDATE,
 * REHABILITATE, RUN GSM ALGORITHM, SLEEP, the SIM toolkit commands.
 */
import type { CommandApdu } from '../apdu/command.js';
import type { AppletResponse } from './applet.js';
import type { SimFile } from './fs.js';
import type { AccessOp, PinImage } from './image.js';

export const DF_TELECOM = 0x7f10;
export const DF_GSM = 0x7f20;

const SW_OK = 0x9000;
/** TS 51.011 9.4 status words */
const SW = {
  noEf: 0x9400,
  outOfRange: 0x9402,
  notFound: 0x9404,
  inconsistent: 0x9408,
  accessDenied: 0x9804,
  chvContradiction: 0x9808,
  invalidation: 0x9810,
  chvBlocked: 0x9840,
  p3: 0x6700,
  p1p2: 0x6b00,
  ins: 0x6d00,
} as const;

/** What the GSM face needs from the card (src/sim/uicc.ts). */
export interface GsmCard {
  readonly mf: SimFile;
  readonly pins: PinImage[];
  readonly available: number;
  allowed(f: SimFile, op: AccessOp): boolean;
  /** presents a PIN value: counts down or resets the counter, marks it verified */
  presentPin(p: PinImage, value: Uint8Array): 'ok' | 'blocked' | { left: number };
  changed(): void;
}

/** CHV reference of VERIFY CHV (P2) -> key reference of TS 102 221 9.5.1: CHV1, CHV2, ADM1-5. */
function keyRefOfChv(p2: number): number | undefined {
  if (p2 === 0x01) return 0x01;
  if (p2 === 0x02) return 0x81;
  if (p2 >= 0x0a && p2 <= 0x0e) return p2;
  return undefined;
}

/** Access condition level of TS 51.011 9.3: 0 ALW, 1 CHV1, 2 CHV2, 4-E ADM, F NEV. */
function level(rule: string | undefined, fallback: number): number {
  if (rule === undefined) return fallback;
  if (rule === 'ALW') return 0x0;
  if (rule === 'NEV') return 0xf;
  const first = rule.split('|')[0]!;
  if (first === 'PIN1' || first === 'UPIN') return 0x1;
  if (first === 'PIN2') return 0x2;
  const adm = /^ADM(\d+)$/.exec(first);
  if (adm) return Math.min(0x3 + Number(adm[1]), 0xe);
  return 0xf;
}

export class GsmFace {
  private df: SimFile;
  private ef: SimFile | undefined;
  private record = 0;
  private pending: Uint8Array | undefined;

  constructor(private readonly card: GsmCard) {
    this.df = card.mf;
  }

  reset(): void {
    this.df = this.card.mf;
    this.ef = undefined;
    this.record = 0;
    this.pending = undefined;
  }

  /** Files of the GSM view: the MF's EFs and DF.TELECOM/DF.GSM under the MF; everything under those. */
  private children(df: SimFile): SimFile[] {
    if (df !== this.card.mf) return df.children.filter((c) => c.type === 'EF' || c.type === 'DF');
    return df.children.filter((c) => c.type === 'EF' || (c.type === 'DF' && (c.fid === DF_TELECOM || c.fid === DF_GSM)));
  }

  process(cmd: CommandApdu): AppletResponse {
    if (cmd.ins === 0xc0) return this.getResponse(cmd);
    this.pending = undefined;
    switch (cmd.ins) {
      case 0xa4:
        return this.select(cmd);
      case 0xf2:
        return this.status(cmd);
      case 0xb0:
        return this.readBinary(cmd);
      case 0xd6:
        return this.updateBinary(cmd);
      case 0xb2:
        return this.readRecord(cmd);
      case 0xdc:
        return this.updateRecord(cmd);
      case 0x20:
        return this.verifyChv(cmd);
      default:
        return { sw: SW.ins };
    }
  }

  /** P3 of a case 2 command: 00 means 256 (T=0, TS 51.011 9.1) */
  private static p3(cmd: CommandApdu): number {
    return cmd.le ?? 256;
  }

  private getResponse(cmd: CommandApdu): AppletResponse {
    const p = this.pending;
    if (!p) return { sw: SW.p3 };
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.p1p2 };
    const want = GsmFace.p3(cmd);
    if (want > p.length) return { sw: SW.p3 };
    this.pending = undefined;
    return { data: p.subarray(0, want), sw: SW_OK };
  }

  // ---- SELECT (9.2.1) and the selection rules of 6.5 ---------------------------------------

  private select(cmd: CommandApdu): AppletResponse {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.p1p2 };
    const d = cmd.data;
    if (!d || d.length !== 2) return { sw: SW.p3 };
    const fid = (d[0]! << 8) | d[1]!;
    const target = this.find(fid);
    if (!target) return { sw: SW.notFound };
    if (target.type === 'EF') {
      this.ef = target;
    } else {
      this.df = target;
      this.ef = undefined;
    }
    this.record = 0;
    const resp = target.type === 'EF' ? this.efResponse(target) : this.dfResponse(target);
    this.pending = resp;
    return { sw: 0x9f00 | resp.length };
  }

  /** TS 51.011 6.5: the MF, the current DF, its parent, its children, and the parent's DF children. */
  private find(fid: number): SimFile | undefined {
    const mf = this.card.mf;
    if (fid === mf.fid) return mf;
    if (fid === this.df.fid) return this.df;
    const child = this.children(this.df).find((c) => c.fid === fid);
    if (child) return child;
    const parent = this.df.parent;
    if (!parent) return undefined;
    if (parent.fid === fid) return parent;
    return this.children(parent).find((c) => c.fid === fid && c.type !== 'EF');
  }

  private pin(ref: number): PinImage | undefined {
    return this.card.pins.find((p) => p.ref === ref);
  }

  /** CHV status byte (9.2.1 bytes 19-22): b8 secret code initialised, b4-b1 attempts left */
  private static chvStatus(s: { retries: number } | undefined): number {
    return s ? 0x80 | (s.retries & 0x0f) : 0x00;
  }

  /** MF/DF response data, TS 51.011 9.2.1 (bytes 1-23) */
  private dfResponse(df: SimFile): Uint8Array {
    const kids = this.children(df);
    const free = Math.min(this.card.available, 0xffff);
    const chv1 = this.pin(0x01);
    const chv2 = this.pin(0x81);
    const b = new Uint8Array(23);
    b[2] = free >> 8;
    b[3] = free & 0xff;
    b[4] = df.fid >> 8;
    b[5] = df.fid & 0xff;
    b[6] = df.type === 'MF' ? 0x01 : 0x02;
    b[12] = 10; // length of the GSM specific data that follows (bytes 14-23)
    // file characteristics: b1 clock stop allowed, b5 3 V card, b8 CHV1 disabled
    b[13] = 0x01 | 0x10 | (chv1?.enabled === false ? 0x80 : 0);
    b[14] = kids.filter((c) => c.type !== 'EF').length;
    b[15] = kids.filter((c) => c.type === 'EF').length;
    b[16] = this.card.pins.length + this.card.pins.filter((p) => p.puk).length;
    b[18] = GsmFace.chvStatus(chv1);
    b[19] = GsmFace.chvStatus(chv1?.puk);
    b[20] = GsmFace.chvStatus(chv2);
    b[21] = GsmFace.chvStatus(chv2?.puk);
    return b;
  }

  /** EF response data, TS 51.011 9.2.1 (bytes 1-15) */
  private efResponse(f: SimFile): Uint8Array {
    const size = f.content ? f.content.length : (f.records?.length ?? 0) * (f.recordLength ?? 0);
    const a = f.access;
    const b = new Uint8Array(15);
    b[2] = size >> 8;
    b[3] = size & 0xff;
    b[4] = f.fid >> 8;
    b[5] = f.fid & 0xff;
    b[6] = 0x04;
    b[8] = (level(a.read, 0x0) << 4) | level(a.update, 0xf);
    b[9] = (level(a.increase, 0xf) << 4) | 0x0;
    b[10] = (level(a.activate, 0xf) << 4) | level(a.deactivate, 0xf);
    b[11] = f.lcs === 'operational' ? 0x01 : 0x00; // b1: not invalidated
    b[12] = 2;
    b[13] = f.structure === 'cyclic' ? 0x03 : f.structure === 'linear-fixed' ? 0x01 : 0x00;
    b[14] = f.structure === 'transparent' ? 0 : (f.recordLength ?? 0);
    return b;
  }

  private status(cmd: CommandApdu): AppletResponse {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return { sw: SW.p1p2 };
    const r = this.dfResponse(this.df);
    const want = GsmFace.p3(cmd);
    if (want > r.length) return { sw: SW.p3 };
    return { data: r.subarray(0, want), sw: SW_OK };
  }

  // ---- BINARY / RECORD (9.2.3 - 9.2.6) -----------------------------------------------------

  private current(structure: 'transparent' | 'record', op: AccessOp): SimFile | AppletResponse {
    const f = this.ef;
    if (!f) return { sw: SW.noEf };
    if ((f.structure === 'transparent') !== (structure === 'transparent')) return { sw: SW.inconsistent };
    if (f.lcs !== 'operational') return { sw: SW.invalidation };
    if (!this.card.allowed(f, op)) return { sw: SW.accessDenied };
    return f;
  }

  private binary(cmd: CommandApdu, op: AccessOp): { f: SimFile; offset: number; length: number } | AppletResponse {
    const f = this.current('transparent', op);
    if ('sw' in f) return f;
    if (cmd.p1 & 0x80) return { sw: SW.p1p2 }; // no SFI in TS 51.011
    const offset = (cmd.p1 << 8) | cmd.p2;
    const c = f.content!;
    if (offset >= c.length) return { sw: SW.outOfRange };
    const length = op === 'read' ? GsmFace.p3(cmd) : (cmd.data?.length ?? 0);
    if (length === 0 || offset + length > c.length) return { sw: SW.p3 };
    return { f, offset, length };
  }

  private readBinary(cmd: CommandApdu): AppletResponse {
    const t = this.binary(cmd, 'read');
    if ('sw' in t) return t;
    return { data: t.f.content!.slice(t.offset, t.offset + t.length), sw: SW_OK };
  }

  private updateBinary(cmd: CommandApdu): AppletResponse {
    const t = this.binary(cmd, 'update');
    if ('sw' in t) return t;
    t.f.content!.set(cmd.data!, t.offset);
    this.card.changed();
    return { sw: SW_OK };
  }

  /** Record number for P1 and mode P2: 02 next, 03 previous, 04 absolute (P1 = 0: current). */
  private recordNumber(cmd: CommandApdu, f: SimFile): number | AppletResponse {
    const n = f.records!.length;
    if (cmd.p2 === 0x04) {
      const r = cmd.p1 === 0 ? this.record : cmd.p1;
      return r >= 1 && r <= n ? r : { sw: SW.outOfRange };
    }
    if (cmd.p1 !== 0) return { sw: SW.p1p2 };
    const cyclic = f.structure === 'cyclic';
    if (cmd.p2 === 0x02) {
      const r = this.record + 1;
      return r <= n ? r : cyclic ? 1 : { sw: SW.outOfRange };
    }
    if (cmd.p2 === 0x03) {
      const r = this.record === 0 ? n : this.record - 1;
      return r >= 1 ? r : cyclic ? n : { sw: SW.outOfRange };
    }
    return { sw: SW.p1p2 };
  }

  private readRecord(cmd: CommandApdu): AppletResponse {
    const f = this.current('record', 'read');
    if ('sw' in f) return f;
    if (GsmFace.p3(cmd) !== f.recordLength) return { sw: SW.p3 };
    const r = this.recordNumber(cmd, f);
    if (typeof r !== 'number') return r;
    this.record = r;
    return { data: f.records![r - 1]!.slice(), sw: SW_OK };
  }

  private updateRecord(cmd: CommandApdu): AppletResponse {
    const f = this.current('record', 'update');
    if ('sw' in f) return f;
    const d = cmd.data;
    if (!d || d.length !== f.recordLength) return { sw: SW.p3 };
    if (f.structure === 'cyclic') {
      // cyclic files are updated with PREVIOUS only: the oldest record becomes record 1 (9.2.6)
      if (cmd.p1 !== 0 || cmd.p2 !== 0x03) return { sw: SW.p1p2 };
      f.records!.pop();
      f.records!.unshift(d.slice());
      this.record = 1;
    } else {
      const r = this.recordNumber(cmd, f);
      if (typeof r !== 'number') return r;
      f.records![r - 1] = d.slice();
      this.record = r;
    }
    this.card.changed();
    return { sw: SW_OK };
  }

  // ---- VERIFY CHV (9.2.9) ------------------------------------------------------------------

  private verifyChv(cmd: CommandApdu): AppletResponse {
    const ref = keyRefOfChv(cmd.p2);
    if (cmd.p1 !== 0 || ref === undefined) return { sw: SW.p1p2 };
    const p = this.pin(ref);
    if (!p) return { sw: SW.p1p2 };
    if (!cmd.data || cmd.data.length !== 8) return { sw: SW.p3 };
    if (p.enabled === false) return { sw: SW.chvContradiction };
    const r = this.card.presentPin(p, cmd.data);
    if (r === 'ok') return { sw: SW_OK };
    if (r === 'blocked' || r.left === 0) return { sw: SW.chvBlocked };
    return { sw: SW.accessDenied };
  }
}
