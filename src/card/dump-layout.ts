/**
 * Reading the files of a known layout (an earlier dump of a card of the same kind) in the fewest
 * APDUs, taking from the layout what the FCPs would say (dump.ts, option `layout`):
 *
 *  - a DF, ADF or the MF: one SELECT without FCP (P2 = 0C, TS 102 221 11.1.1.2), by AID for an ADF,
 *    and none while it is the current DF already;
 *  - an EF with an SFI: no SELECT at all. READ BINARY with the SFI in P1 (b8 = 1, b5-b1 SFI, P2 the
 *    offset, TS 102 221 11.1.3.2) or READ RECORD with the SFI in P2 b8-b4 (11.1.5.2); the EF becomes
 *    the current EF (ISO/IEC 7816-4 7.2.2), so a READ BINARY beyond offset 255 goes on without it;
 *  - any other EF: SELECT by FID in its DF, P2 = 0C;
 *  - exact Le: each READ BINARY asks for min(256, the bytes left), each READ RECORD for the record
 *    length, one record per READ RECORD (TS 102 221 allows no multi-record read).
 *
 * What the card answers is checked against the layout: 6A82 (no such file), a short answer or 6282
 * (file or record shorter), 6Cxx (another length: the link re-issues, the answer's length differs),
 * 6A83 (fewer records), 6981 (another structure), 6283 (deactivated), 6982 and any other SW make the
 * file `stale`, and dump.ts reads that file the unknown card's way (SELECT with FCP). What an
 * exact-length read cannot tell stays unnoticed: a file grown beyond the layout's size, records
 * beyond its count, an SFI moved to another file of the same size and structure.
 */
import type { CommandApdu } from '../apdu/command.js';
import type { ApduSender } from '../apdu/link.js';
import type { ResponseApdu } from '../apdu/response.js';
import { fromHex } from '../util/hex.js';
import type { FileType } from './fs.js';

/** What a dump says of a file besides its content (dump.ts DumpFile), and so what a layout says of it. */
export interface DumpMeta {
  path: string;
  fid: string;
  type: FileType;
  aid?: string;
  structure?: string;
  size?: number;
  recordLength?: number;
  recordCount?: number;
  sfi?: number | null;
  lcs?: string;
  access?: Record<string, string>;
}

/** The content read; 'found' for a DF or an EF with nothing to read that answered its SELECT; 'stale' if the card differs. */
export type LayoutRead = { content: Uint8Array } | { records: Uint8Array[] } | 'found' | 'stale';

const isInt = (n: unknown, lo: number, hi: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi;

/** The bytes of a hex field of the layout if it has `min`..`max` of them (the layout is a JSON file: anything else is no layout). */
function hexBytes(s: unknown, min: number, max: number): Uint8Array | undefined {
  if (typeof s !== 'string') return undefined;
  try {
    const b = fromHex(s);
    return b.length >= min && b.length <= max ? b : undefined;
  } catch {
    return undefined;
  }
}

const parentOf = (path: string): string | undefined => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : undefined);

const selectCmd = (p1: number, data: Uint8Array): CommandApdu => ({ cla: 0x00, ins: 0xa4, p1, p2: 0x0c, data });

export class LayoutReader {
  private readonly byPath: Map<string, DumpMeta>;
  /** the path of the current DF, as far as this reader knows */
  private df: string | undefined;
  /** DFs that did not answer as the layout says: their files go the probing way */
  private readonly badDf = new Set<string>();
  private seen = -1;

  constructor(
    private readonly sender: ApduSender,
    layout: readonly DumpMeta[],
  ) {
    this.byPath = new Map(layout.map((f) => [f.path, f]));
  }

  /** Forget the current DF (another party used the link). */
  forget(): void {
    this.df = undefined;
  }

  private count(): number | undefined {
    const n = (this.sender as { apduCount?: unknown }).apduCount;
    return typeof n === 'number' ? n : undefined;
  }

  private async tx(cmd: CommandApdu): Promise<ResponseApdu> {
    try {
      return await this.sender.transmit(cmd);
    } finally {
      this.seen = this.count() ?? -1;
    }
  }

  async read(f: DumpMeta): Promise<LayoutRead> {
    // the current DF is trusted only while every APDU on the link since was ours
    if (this.count() === undefined || this.count() !== this.seen) this.forget();
    if (f.type !== 'EF') return (await this.enterDf(f.path)) ? 'found' : 'stale';
    const df = parentOf(f.path);
    if (df === undefined || !(await this.enterDf(df))) return 'stale';
    return this.readEf(f);
  }

  /** Makes the DF at `path` current: nothing if it is, else one SELECT (P2 = 0C). */
  private async enterDf(path: string): Promise<boolean> {
    if (this.df === path) return true;
    if (this.badDf.has(path)) return false;
    const f = this.byPath.get(path);
    let cmd: CommandApdu | undefined;
    if (f?.type === 'MF' && path === 'MF') cmd = selectCmd(0x00, Uint8Array.of(0x3f, 0x00));
    else if (f?.type === 'ADF') {
      const aid = hexBytes(f.aid, 5, 16);
      if (aid) cmd = selectCmd(0x04, aid);
    } else if (f?.type === 'DF') {
      const fid = hexBytes(f.fid, 2, 2);
      const parent = parentOf(path)!;
      const chain = this.fidChain(path);
      // a child of the current DF by FID; else by path from the MF (P1 = 08) when no ADF is on the
      // way; else its parent first (TS 102 221 8.4.2)
      if (fid && this.df === parent) cmd = selectCmd(0x00, fid);
      else if (chain) cmd = selectCmd(0x08, chain);
      else if (fid && (await this.enterDf(parent))) cmd = selectCmd(0x00, fid);
    }
    if (!cmd) {
      this.badDf.add(path);
      return false;
    }
    const r = await this.tx(cmd);
    if (r.sw !== 0x9000) {
      // 6A82: no such DF; 6283: deactivated (the layout's life cycle state is not this card's)
      this.forget();
      this.badDf.add(path);
      return false;
    }
    this.df = path;
    return true;
  }

  /** The FIDs below the MF of a DF path with no ADF on the way (for SELECT by path), else undefined. */
  private fidChain(path: string): Uint8Array | undefined {
    const fids: Uint8Array[] = [];
    for (let p: string | undefined = path; p !== undefined && p !== 'MF'; p = parentOf(p)) {
      const f = this.byPath.get(p);
      const fid = f?.type === 'DF' ? hexBytes(f.fid, 2, 2) : undefined;
      if (!fid) return undefined;
      fids.unshift(fid);
    }
    return fids.length ? Uint8Array.from(fids.flatMap((b) => [...b])) : undefined;
  }

  /** SELECT by FID in the current DF, no FCP. */
  private async selectEf(f: DumpMeta): Promise<boolean> {
    const fid = hexBytes(f.fid, 2, 2);
    if (!fid) return false;
    return (await this.tx(selectCmd(0x00, fid))).sw === 0x9000;
  }

  private async readEf(f: DumpMeta): Promise<LayoutRead> {
    const sfi = isInt(f.sfi, 1, 30) ? f.sfi : undefined;
    if (f.structure === 'transparent') {
      // beyond offset 32767 READ BINARY needs the odd INS: the probing way does that
      if (!isInt(f.size, 0, 0x7fff)) return 'stale';
      const bySfi = sfi !== undefined && f.size > 0;
      if (!bySfi && !(await this.selectEf(f))) return 'stale';
      const out = new Uint8Array(f.size);
      for (let o = 0; o < f.size;) {
        const le = Math.min(256, f.size - o);
        const cmd: CommandApdu =
          bySfi && o === 0 ? { cla: 0x00, ins: 0xb0, p1: 0x80 | sfi, p2: 0, le } : { cla: 0x00, ins: 0xb0, p1: o >> 8, p2: o & 0xff, le };
        const r = await this.tx(cmd);
        if (r.sw !== 0x9000 || r.data.length !== le) return 'stale';
        out.set(r.data, o);
        o += le;
      }
      return { content: out };
    }
    if (f.structure === 'linear-fixed' || f.structure === 'cyclic') {
      if (!isInt(f.recordLength, 1, 255) || !isInt(f.recordCount, 1, 254)) return 'stale';
      if (sfi === undefined && !(await this.selectEf(f))) return 'stale';
      const records: Uint8Array[] = [];
      for (let n = 1; n <= f.recordCount; n++) {
        // P2: SFI in b8-b4 (or 0: the current EF), 100 = absolute mode (TS 102 221 11.1.5.2)
        const r = await this.tx({ cla: 0x00, ins: 0xb2, p1: n, p2: ((sfi ?? 0) << 3) | 0x04, le: f.recordLength });
        if (r.sw !== 0x9000 || r.data.length !== f.recordLength) return 'stale';
        records.push(r.data);
      }
      return { records };
    }
    // a structure with nothing the dump reads (BER-TLV, unknown): the SELECT says it is there
    return (await this.selectEf(f)) ? 'found' : 'stale';
  }
}
