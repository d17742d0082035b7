/**
 * The lean mode of card access, for the callers that count every APDU (bootstrap reader and
 * writer, perso): one object per link that remembers what the card has selected, so that
 *
 *  - SELECT goes without FCP (P2 = 0C, TS 102 221 11.1.1.2) unless the caller needs the FCP;
 *  - the current file is never selected again (TS 102 221 8.4: it stays current until the next
 *    successful SELECT; CREATE FILE makes the created file current, TS 102 222 6.3);
 *  - READ BINARY asks for exactly the bytes the caller expects (no 6Cxx re-issue, T=0 7.3.1.1.4);
 *  - READ RECORD reuses the record length it learned.
 *
 * What is selected is trusted only while every APDU on the link went through this object (the
 * link's APDU counter tells): a command sent around it, or one whose effect on the selection is not
 * known here, makes it forget. CREATE FILE's FCP is encoded by the one FCP codec (codec/tlv/fcp.ts).
 */
import type { CommandApdu } from '../apdu/command.js';
import type { ApduSender } from '../apdu/link.js';
import type { ResponseApdu } from '../apdu/response.js';
import { SwError } from '../apdu/sw.js';
import { encodeFcp, type Fcp } from '../codec/tlv/fcp.js';
import { fidHex, toHex, hexNum } from '../util/hex.js';
import { expandedSecurity } from './access.js';

export const fidBytes = (fid: number): Uint8Array => Uint8Array.of(fid >> 8, fid & 0xff);

/** SELECT found the file (9000, 6283 deactivated, 91xx proactive command pending). */
export const found = (sw: number): boolean => sw === 0x9000 || sw === 0x6283 || sw >> 8 === 0x91;

export interface CreateSpec {
  fid: number;
  /** transparent EF of `size` bytes, or a DF/ADF when `df` */
  size?: number;
  df?: boolean;
  aid?: Uint8Array;
  /** access rules: op -> 'ALW' | 'NEV' | 'ADM1' | 'ADM1|ADM2' */
  access: Partial<Record<'read' | 'update' | 'activate' | 'deactivate' | 'delete' | 'create', string>>;
  /** an SFI, null for none (empty tag 88) */
  sfi?: number | null;
}

/** The FCP template of CREATE FILE (TS 102 222 6.3.2), through the FCP codec. */
export function createFcp(c: CreateSpec): Uint8Array {
  const fcp: Fcp = {
    // TS 102 221 11.1.1.4.3: shareable DF, or shareable transparent working EF
    fileDescriptor: c.df
      ? { shareable: true, fileType: 'DF', dataCoding: 0x21 }
      : { shareable: true, fileType: 'workingEF', structure: 'transparent', dataCoding: 0x21 },
    fileId: fidHex(c.fid),
    ...(c.aid ? { dfName: toHex(c.aid) } : {}),
    lifeCycle: { state: 'operational activated' },
    securityExpanded: expandedSecurity(c.access, !!c.df),
    ...(c.df ? {} : { fileSize: c.size ?? 0 }),
    ...(!c.df && c.sfi !== undefined ? { sfi: c.sfi } : {}),
  };
  return encodeFcp(fcp);
}

/** INS that leave the selection as it is (when no SFI is given): VERIFY, READ/UPDATE BINARY/RECORD, GET RESPONSE, STATUS. */
const KEEPS_SELECTION = new Set([0x20, 0xb0, 0xd6, 0xb2, 0xdc, 0xc0, 0xf2]);

const sfiUsed = (cmd: CommandApdu): boolean =>
  ((cmd.ins === 0xb0 || cmd.ins === 0xd6) && (cmd.p1 & 0x80) !== 0) || ((cmd.ins === 0xb2 || cmd.ins === 0xdc) && cmd.p2 >> 3 !== 0);

const countOf = (s: ApduSender): number | undefined => {
  const x = s as unknown as { apduCount?: number; link?: { apduCount?: number } };
  return typeof x.apduCount === 'number' ? x.apduCount : x.link?.apduCount;
};

export class LeanCard implements ApduSender {
  private static readonly bySender = new WeakMap<ApduSender, LeanCard>();

  /** The one LeanCard of a sender (so that what it learned carries over from call to call). */
  static of(s: ApduSender): LeanCard {
    if (s instanceof LeanCard) return s;
    let c = LeanCard.bySender.get(s);
    if (!c) {
      c = new LeanCard(s);
      LeanCard.bySender.set(s, c);
    }
    return c;
  }

  /** the current DF and file, as keys: 'MF', 'AID:A000..', 'MF/7F50'; the file 'MF/7F50/5031' */
  private df: string | undefined;
  private file: string | undefined;
  private seen = -1;
  private readonly recordLength = new Map<string, number>();

  private constructor(readonly sender: ApduSender) {}

  get channel(): number {
    return this.sender.channel;
  }

  /** C-APDUs sent on the link (the counter of the link underneath). */
  get apduCount(): number | undefined {
    return countOf(this.sender);
  }

  /** The key of the file selected now, if known. */
  get selected(): string | undefined {
    return this.file;
  }

  /** The key of the current DF ('MF', 'AID:..', 'MF/7F50'), if known. */
  get currentDf(): string | undefined {
    return this.df;
  }

  forget(): void {
    this.df = undefined;
    this.file = undefined;
  }

  async transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    if ((countOf(this.sender) ?? -2) !== this.seen) this.forget();
    try {
      const r = await this.sender.transmit(cmd);
      if (cmd.ins === 0xa4 || !KEEPS_SELECTION.has(cmd.ins)) this.forget();
      // an EF referenced by SFI becomes the current EF, the current DF stays (TS 102 221 8.4.1,
      // 11.1.3.1): which EF that is, is not known here
      else if (sfiUsed(cmd)) this.file = undefined;
      return r;
    } finally {
      this.seen = countOf(this.sender) ?? -1;
    }
  }

  async send(cmd: CommandApdu, what?: string): Promise<Uint8Array> {
    const r = await this.transmit(cmd);
    if (r.sw !== 0x9000 && r.sw >> 8 !== 0x91) throw new SwError(r.sw, what ?? `INS ${hexNum(cmd.ins)}`);
    return r.data;
  }

  private selected_(df: string, file: string, sw: number): void {
    if (found(sw)) {
      this.df = df;
      this.file = file;
    }
  }

  /** SELECT by AID (P1 = 04), no FCP. Returns the SW. */
  async selectAid(aid: Uint8Array): Promise<number> {
    const key = `AID:${toHex(aid)}`;
    if (this.file === key) return 0x9000;
    const r = await this.transmit({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: aid });
    this.selected_(key, key, r.sw);
    return r.sw;
  }

  /**
   * SELECT by a PKCS#15 path (PKCS #15 v1.1 6.1.5): 2 bytes = FID in the current DF; starting with
   * 3F00 = path from the MF (P1 = 08); otherwise a path from the current DF (P1 = 09). `fcp` asks
   * for the FCP (P2 = 04); without it a file already selected is not selected again.
   */
  async selectPath(path: Uint8Array, fcp = false): Promise<{ sw: number; data: Uint8Array }> {
    const fids = Array.from({ length: path.length >> 1 }, (_, i) => fidHex((path[2 * i]! << 8) | path[2 * i + 1]!));
    let df: string | undefined;
    let p1 = 0x00;
    let data = path;
    if (fids[0] === '3F00') {
      df = fids.length === 1 ? 'MF' : ['MF', ...fids.slice(1, -1)].join('/');
      if (fids.length > 1) {
        p1 = 0x08;
        data = path.subarray(2);
      }
    } else if (this.df) {
      df = [this.df, ...fids.slice(0, -1)].join('/');
      if (fids.length > 1) p1 = 0x09;
    } else if (fids.length > 1) p1 = 0x09;
    const key = fids[0] === '3F00' && fids.length === 1 ? 'MF' : df ? `${df}/${fids[fids.length - 1]}` : undefined;
    if (!fcp && key !== undefined && key === this.file) return { sw: 0x9000, data: new Uint8Array() };
    const r = await this.transmit({ cla: 0x00, ins: 0xa4, p1, p2: fcp ? 0x04 : 0x0c, data, ...(fcp ? { le: 256 } : {}) });
    if (key !== undefined) this.selected_(key === 'MF' ? 'MF' : df!, key, r.sw);
    return { sw: r.sw, data: r.data };
  }

  async selectFid(fid: number, fcp = false): Promise<{ sw: number; data: Uint8Array }> {
    return this.selectPath(fidBytes(fid), fcp);
  }

  /** The DF just selected by path or AID is the current DF for the FIDs that follow (a DF selected by FID). */
  enteredDf(): void {
    if (this.file) this.df = this.file;
  }

  /**
   * READ BINARY of the current EF from `offset`: exactly `length` bytes when given (Le of each
   * chunk exact, so no 6Cxx re-issue), else until the file ends (short answer, 6282 or 6B00) or
   * `enough(bytesSoFar)` says the data is complete. `secret` hides the data in traces.
   */
  async readBinary(
    what: string,
    o: { length?: number; offset?: number; enough?: (b: Uint8Array) => boolean; max?: number; secret?: boolean; sfi?: number } = {},
  ): Promise<Uint8Array> {
    const out: number[] = [];
    const start = o.offset ?? 0;
    const end = o.length !== undefined ? start + o.length : start + (o.max ?? 0x8000);
    if (o.sfi !== undefined && (o.sfi < 1 || o.sfi > 30 || start > 0xff)) throw new RangeError(`READ BINARY ${what}: SFI ${o.sfi} at offset ${start}`);
    for (let off = start; off < end;) {
      const le = Math.min(256, end - off);
      // the first command may name the EF by its SFI (P1 = 80 | SFI, offset in P2: ISO/IEC 7816-4
      // 11.2.2, TS 102 221 11.1.3.2): no SELECT; the EF is then current for the chunks that follow
      const bySfi = o.sfi !== undefined && off === start;
      const p1 = bySfi ? 0x80 | o.sfi! : (off >> 8) & 0x7f;
      const r = await this.transmit({ cla: 0x00, ins: 0xb0, p1, p2: off & 0xff, le, ...(o.secret ? { secret: true } : {}) });
      if (r.sw === 0x6b00 && off > start) break;
      if (r.sw !== 0x9000 && r.sw !== 0x6282) throw new SwError(r.sw, `READ BINARY ${what} at offset ${off}`);
      out.push(...r.data);
      off += r.data.length;
      if (r.data.length < le || r.sw === 0x6282) break;
      if (o.length === undefined && o.enough?.(Uint8Array.from(out))) break;
    }
    return Uint8Array.from(out);
  }

  /** UPDATE BINARY of the current EF in chunks of at most 255 bytes (short APDUs); returns the APDU count. */
  async updateBinary(data: Uint8Array, what: string, offset = 0, secret = false): Promise<number> {
    let n = 0;
    for (let o = 0; o < data.length; o += 255) {
      const chunk = data.subarray(o, o + 255);
      const at = offset + o;
      const r = await this.transmit({ cla: 0x00, ins: 0xd6, p1: (at >> 8) & 0x7f, p2: at & 0xff, data: chunk, ...(secret ? { secret: true } : {}) });
      n++;
      if (r.sw !== 0x9000) throw new SwError(r.sw, `UPDATE BINARY ${what} at offset ${at}`);
    }
    return n;
  }

  /** READ RECORD `n` (absolute) of the current EF, with the record length given or learned (first read Le = 00). */
  async readRecord(n: number, recordLength?: number): Promise<ResponseApdu> {
    const key = this.file ?? '';
    const le = recordLength ?? this.recordLength.get(key) ?? 256;
    const r = await this.transmit({ cla: 0x00, ins: 0xb2, p1: n, p2: 0x04, le });
    if (r.sw === 0x9000 && r.data.length) this.recordLength.set(key, r.data.length);
    return r;
  }

  /** CREATE FILE (TS 102 222 6.3); on success the new file is the current one. Returns the SW. */
  async create(c: CreateSpec): Promise<number> {
    const df = this.df;
    const { sw } = await this.transmit({ cla: 0x00, ins: 0xe0, p1: 0x00, p2: 0x00, data: createFcp(c) });
    if (sw === 0x9000 && df) {
      const key = `${df}/${fidHex(c.fid)}`;
      this.df = c.df ? key : df;
      this.file = key;
    }
    return sw;
  }

  /** DELETE FILE (TS 102 222 6.4) of `fid` in the current DF. Returns the SW. */
  async delete(fid: number): Promise<number> {
    return (await this.transmit({ cla: 0x00, ins: 0xe4, p1: 0x00, p2: 0x00, data: fidBytes(fid) })).sw;
  }
}
