/**
 * Remote File Management over SMS-PP in the virtual UICC: ENVELOPEs (80 C2, BER-TLV D1, TS 31.111
 * 7.1.1.2; concatenated short messages reassembled) carrying a secured command packet (ETSI TS 102 225 / TS 31.115) addressed by TAR to the
 * RFM application (TS 102 226 5; TARs B0 00 00 .. B0 00 FF, TS 101 220 Annex D). The packet is
 * deciphered, its CC and counter checked, its compact or expanded script run against the card's
 * file system, and the response packet (PoR) returned as the ENVELOPE's response data (the
 * SMS-DELIVER-REPORT route; a PoR the SPI wants via SMS-SUBMIT is returned the same way, since the
 * virtual card has no proactive SEND SHORT MESSAGE).
 *
 * The RFM application's access domain (TS 102 226 8.2.1.3.2.4 / TS 102 225 install parameters):
 * - "full" (default, access domain '00'): the script runs on the application's own file context
 *   with full access to the file system, as operators' RFM does: SELECT (by FID, AID, path, parent),
 *   READ/UPDATE BINARY and READ/UPDATE RECORD, with life cycle checks but no PIN/ADM conditions;
 * - "card": the script runs through the card itself on a private logical channel, under the
 *   security status the terminal established (PIN/ADM verifications), i.e. UICC access rules.
 * Either way the terminal's own selections are left untouched.
 *
 * State in the card image, under `applets.ota`:
 *   { "keySets": [ { "index": 1, "kic": hex, "kid": hex } ], "accessDomain"?: "full" | "card",
 *     "counters": { "<tar>/<kic>/<kid>": n } }
 * No key sets by default: every packet is then refused with status 06.
 */
import { z } from 'zod';
import { claForChannel, type CommandApdu, encodeCommand } from '../../apdu/command.js';
import { decodeResponse, type ResponseApdu } from '../../apdu/response.js';
import { type CounterStore } from '../../secure/ota/counter.js';
import { OtaError } from '../../secure/ota/errors.js';
import { OtaReceiver } from '../../secure/ota/receiver.js';
import { parseSmsPpSegment, SmsReassembler } from '../../secure/ota/smspp.js';
import { fromHex } from '../../util/hex.js';
import type { Applet, AppletFactory, AppletResponse, CommandContext } from '../applet.js';
import { effectiveSfi, type SimFile } from '../fs.js';
import type { VirtualUicc } from '../uicc.js';

export const OTA_APPLET = 'ota';

const hex = z.string().regex(/^([0-9A-Fa-f]{2})+$/);
const OtaState = z
  .object({
    keySets: z.array(z.object({ index: z.number().int().min(1).max(15), kic: hex.optional(), kid: hex.optional() }).strict()),
    accessDomain: z.enum(['full', 'card']).optional(),
    counters: z.record(z.string(), z.number().int().min(0)).optional(),
  })
  .strict();
export type OtaState = z.infer<typeof OtaState>;

export function provisionOta(card: VirtualUicc, st: OtaState): void {
  const parsed = OtaState.parse(st);
  const target = card.stateOf<Record<string, unknown>>(OTA_APPLET, () => ({}));
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, parsed);
  card.markChanged();
}

function isRfmTar(tar: string): boolean {
  return /^B000[0-9A-F]{2}$/.test(tar);
}

class OtaApplet implements Applet {
  readonly name = OTA_APPLET;
  /** parts of concatenated short messages (TS 23.040 9.2.3.24.1), lost on reset */
  private sms = new SmsReassembler();
  constructor(private readonly card: VirtualUicc) {}

  reset(): void {
    this.sms = new SmsReassembler();
  }

  private state(): OtaState {
    const raw = this.card.stateOf<Record<string, unknown>>(OTA_APPLET, () => ({ keySets: [] }));
    return OtaState.parse(raw);
  }

  process(cmd: CommandApdu, _ctx: CommandContext): AppletResponse | undefined {
    if (cmd.ins !== 0xc2 || (cmd.cla & 0xf0) !== 0x80) return undefined;
    const d = cmd.data;
    if (!d || d[0] !== 0xd1) return undefined; // other envelopes are not ours
    let packet: Uint8Array | undefined;
    try {
      packet = this.sms.add(parseSmsPpSegment(d));
    } catch (e) {
      if (e instanceof OtaError) return { sw: 0x6a80 };
      throw e;
    }
    if (!packet) return { sw: 0x9000 }; // more parts to come
    const st = this.state();
    const card = this.card;
    const counters: CounterStore = {
      get: (k) => st.counters?.[k],
      set: (k, v) => {
        const live = card.stateOf<OtaState>(OTA_APPLET, () => ({ keySets: [] }));
        live.counters = { ...(live.counters ?? {}), [k]: v };
        card.markChanged();
      },
    };
    const runner: Runner = st.accessDomain === 'card' ? new ScriptRunner(card) : new FullAccessRunner(card);
    const rx = new OtaReceiver({
      keys: (i, j) => {
        const kic = st.keySets.find((k) => k.index === i)?.kic;
        const kid = st.keySets.find((k) => k.index === j)?.kid;
        return { ...(kic ? { kic: fromHex(kic) } : {}), ...(kid ? { kid: fromHex(kid) } : {}) };
      },
      application: (tar) => (isRfmTar(tar) ? { execute: (c) => runner.run(c) } : undefined),
      counters,
    });
    try {
      const out = rx.process(packet);
      return out.por ? { data: out.por, sw: 0x9000 } : { sw: 0x9000 };
    } catch (e) {
      if (e instanceof OtaError) return { sw: 0x6a80 };
      throw e;
    } finally {
      runner.close();
    }
  }
}

interface Runner {
  run(c: CommandApdu): ResponseApdu;
  close(): void;
}

/** Runs script commands through the card itself on a private logical channel. */
class ScriptRunner implements Runner {
  private channel: number | undefined;
  constructor(private readonly card: VirtualUicc) {}

  private send(cmd: CommandApdu): ResponseApdu {
    return decodeResponse(this.card.process(encodeCommand(cmd)));
  }

  private open(): number {
    if (this.channel !== undefined) return this.channel;
    const r = this.send({ cla: 0x00, ins: 0x70, p1: 0x00, p2: 0x00, le: 1 });
    this.channel = r.sw === 0x9000 && r.data.length === 1 ? r.data[0]! : 0;
    return this.channel;
  }

  run(c: CommandApdu): ResponseApdu {
    const ch = this.open();
    // RFM commands use the UICC class (TS 102 226 5.1); GSM class A0 is mapped to 00
    const cla = claForChannel(c.cla === 0xa0 ? 0x00 : c.cla, ch);
    let r = this.send({ ...c, cla });
    if (r.sw >> 8 === 0x6c) r = this.send({ ...c, cla, le: r.sw & 0xff || 256 });
    if (r.sw >> 8 === 0x61) {
      const g = this.send({ cla: claForChannel(0x00, ch), ins: 0xc0, p1: 0, p2: 0, le: r.sw & 0xff || 256 });
      r = g;
    }
    return r;
  }

  close(): void {
    if (this.channel) this.send({ cla: 0x00, ins: 0x70, p1: 0x80, p2: this.channel });
    this.channel = undefined;
  }
}

const OK = 0x9000;
const NO_DATA = new Uint8Array(0);

/**
 * The RFM application's own file context with full access (access domain '00'): the TS 102 221
 * file commands an RFM script uses, on the card's file tree, without access conditions.
 */
class FullAccessRunner implements Runner {
  private df: SimFile;
  private ef: SimFile | undefined;
  private adf: SimFile | undefined;
  private record = 0;
  constructor(private readonly card: VirtualUicc) {
    this.df = card.mf;
  }

  close(): void {}

  run(c: CommandApdu): ResponseApdu {
    const r = this.exec(c);
    return { data: r.data ?? NO_DATA, sw: r.sw };
  }

  private exec(c: CommandApdu): { data?: Uint8Array; sw: number } {
    switch (c.ins) {
      case 0xa4:
        return this.select(c);
      case 0xb0:
      case 0xd6:
        return this.binary(c, c.ins === 0xd6);
      case 0xb2:
      case 0xdc:
        return this.recordCmd(c, c.ins === 0xdc);
      case 0xf2:
        return { data: this.card.fcp(this.df), sw: OK };
      default:
        return { sw: 0x6d00 };
    }
  }

  /** FID resolution from the current DF (TS 102 221 8.4.1). */
  private byFid(fid: number): SimFile | undefined {
    if (fid === 0x3f00) return this.card.mf;
    if (fid === 0x7fff) return this.adf;
    if (this.df.fid === fid) return this.df;
    const child = this.df.children.find((x) => x.fid === fid);
    if (child) return child;
    const parent = this.df.parent;
    if (parent && parent.fid === fid) return parent;
    return parent?.children.find((x) => x.fid === fid && x.type !== 'EF');
  }

  private select(c: CommandApdu): { data?: Uint8Array; sw: number } {
    const d = c.data ?? NO_DATA;
    let t: SimFile | undefined;
    if (c.p1 === 0x00) {
      if (d.length === 0) t = this.card.mf;
      else if (d.length === 2) t = this.byFid((d[0]! << 8) | d[1]!);
      else return { sw: 0x6700 };
    } else if (c.p1 === 0x03) t = this.ef ? this.df : this.df.parent;
    else if (c.p1 === 0x04) t = this.card.mf.children.find((x) => x.type === 'ADF' && x.aid && d.length >= 5 && startsWith(x.aid, d));
    else if (c.p1 === 0x08 || c.p1 === 0x09) {
      if (d.length === 0 || d.length % 2) return { sw: 0x6700 };
      let cur: SimFile | undefined = c.p1 === 0x08 ? this.card.mf : this.df;
      for (let i = 0; i < d.length && cur; i += 2) {
        const fid = (d[i]! << 8) | d[i + 1]!;
        if (i === 0 && c.p1 === 0x08 && fid === 0x3f00) continue;
        cur = fid === 0x7fff ? this.adf : cur.type !== 'EF' ? cur.children.find((x) => x.fid === fid) : undefined;
      }
      t = cur;
    } else return { sw: 0x6a86 };
    if (!t) return { sw: 0x6a82 };
    if (t.type === 'EF') {
      this.df = t.parent ?? this.card.mf;
      this.ef = t;
    } else {
      this.df = t;
      this.ef = undefined;
      if (t.type === 'ADF') this.adf = t;
    }
    this.record = 0;
    const sw = t.lcs === 'deactivated' ? 0x6283 : OK;
    return (c.p2 & 0x0c) === 0x0c ? { sw } : { data: this.card.fcp(t), sw };
  }

  private usable(f: SimFile): number | undefined {
    if (f.lcs === 'terminated') return 0x6985;
    if (f.lcs === 'deactivated') return 0x6283;
    return undefined;
  }

  private binary(c: CommandApdu, update: boolean): { data?: Uint8Array; sw: number } {
    let f = this.ef;
    let off: number;
    if (c.p1 & 0x80) {
      if (c.p1 & 0x60) return { sw: 0x6b00 };
      f = this.df.children.find((x) => x.type === 'EF' && effectiveSfi(x) === (c.p1 & 0x1f));
      if (!f) return { sw: 0x6a82 };
      this.ef = f;
      off = c.p2;
    } else off = ((c.p1 & 0x7f) << 8) | c.p2;
    if (!f) return { sw: 0x6986 };
    if (f.structure !== 'transparent' || !f.content) return { sw: 0x6981 };
    const bad = this.usable(f);
    if (bad) return { sw: bad };
    const content = f.content;
    if (off >= content.length && content.length > 0) return { sw: 0x6b00 };
    if (!update) return { data: content.slice(off, off + Math.min(c.le ?? 256, content.length - off)), sw: OK };
    const d = c.data;
    if (!d || d.length === 0) return { sw: 0x6700 };
    if (off + d.length > content.length) return { sw: 0x6700 };
    content.set(d, off);
    this.card.markChanged();
    return { sw: OK };
  }

  private recordCmd(c: CommandApdu, update: boolean): { data?: Uint8Array; sw: number } {
    let f = this.ef;
    const sfi = c.p2 >> 3;
    if (sfi) {
      f = this.df.children.find((x) => x.type === 'EF' && effectiveSfi(x) === sfi);
      if (!f) return { sw: 0x6a82 };
      if (f !== this.ef) this.record = 0;
      this.ef = f;
    }
    if (!f) return { sw: 0x6986 };
    if (!f.records || f.structure === 'transparent') return { sw: 0x6981 };
    const bad = this.usable(f);
    if (bad) return { sw: bad };
    const recs = f.records;
    const mode = c.p2 & 0x07;
    let n: number;
    if (mode === 0x04) n = c.p1 === 0 ? this.record : c.p1;
    else if (mode === 0x02) n = this.record + 1;
    else if (mode === 0x03) n = f.structure === 'cyclic' && update ? 1 : this.record === 0 ? recs.length : this.record - 1;
    else return { sw: 0x6a86 };
    if (update && (!c.data || c.data.length !== recs[0]?.length)) return { sw: 0x6700 };
    if (f.structure === 'cyclic' && update && mode === 0x03) {
      // cyclic UPDATE RECORD (previous): the oldest record becomes record 1 (TS 102 221 11.1.6)
      const last = recs.pop()!;
      recs.unshift(last);
    }
    if (n < 1 || n > recs.length) return { sw: 0x6a83 };
    this.record = n;
    const rec = recs[n - 1]!;
    if (!update) return { data: rec.slice(), sw: OK };
    const d = c.data;
    if (!d || d.length !== rec.length) return { sw: 0x6700 };
    rec.set(d);
    this.card.markChanged();
    return { sw: OK };
  }
}

function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

export const otaApplet: AppletFactory = (card) => new OtaApplet(card);
