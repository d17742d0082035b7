/**
 * Remote File Management over SMS-PP in the virtual UICC: ENVELOPEs (80 C2, BER-TLV D1, TS 31.111
 * 7.1.1.2; concatenated short messages reassembled) carrying a secured command packet (ETSI TS 102
 * 225 / TS 31.115) addressed by TAR to an RFM application (TS 102 226 8). The packet is deciphered,
 * its CC, the application's minimum security level and the counter checked, its compact or expanded
 * script run against the card's file system, and the response packet (PoR) returned as the
 * ENVELOPE's response data (the SMS-DELIVER-REPORT route; a PoR the SPI wants via SMS-SUBMIT is
 * returned the same way, since the virtual card has no proactive SEND SHORT MESSAGE).
 *
 * RFM applications (instances), each with its TARs, starting context and access domains:
 * - UICC RFM, TAR B0 00 00 - B0 00 0F (TS 102 226 8.2; TS 101 220 Annex D): the script starts at the MF;
 * - USIM RFM, TAR B0 00 10 - B0 00 1F (3GPP TS 31.116): the script starts in ADF.USIM, as if the
 *   ADF had just been selected, so EFs of the USIM are reachable by FID and SFI at once;
 * - ISIM RFM, TAR B0 00 20 - B0 00 2F (3GPP TS 31.116): starts in ADF.ISIM, when the card has one.
 * An image can declare its own instances (`rfm`), as a profile's PE-RFM does (SGP.22 / TCA eUICC
 * Profile Package: tarList, minimumSecurityLevel, uiccAccessDomain, adfRFMAccess { adfAID,
 * adfAccessDomain }). A TAR no instance claims is answered 09 (TAR unknown).
 *
 * Access domains (TS 102 226 8.2.1.3.2.4, Access Domain Parameter and Data, hex in the image):
 * - "00": full access to the file system;
 * - "02" + 3 bytes: the UICC access mechanism with these key references granted: byte 1 b1..b8
 *   PIN Appl 1..8, byte 2 b1..b8 ADM1..ADM8, byte 3 b1 b2 ADM9, ADM10 ("02000100" = ADM1, as
 *   the TCA profile package grants RFM by default); a file's access rule is met when it is ALW or
 *   names a granted key;
 * - "FF": no access;
 * - "card" (simdm's own): the terminal's security status applies (the script runs through the card
 *   on a private logical channel, under the PIN/ADM verifications the terminal made).
 * The uiccAccessDomain governs files outside the instance's ADF, adfAccessDomain the ADF's files.
 *
 * Compact scripts are T=0 command strings (TS 102 226 5.1.1): a command whose P3 is Lc gets its
 * response data announced by 61xx and fetched with GET RESPONSE, as pySim's scripts (SELECT then
 * GET RESPONSE) and real cards do. Expanded scripts (5.2) carry Le explicitly: data is returned
 * only where Le asks for it.
 *
 * State in the card image, under `applets.ota`:
 *   { "keySets": [ { "index": 1, "kic": hex, "kid": hex } ], "accessDomain"?: "full" | "card",
 *     "rfm"?: [ { "name": s, "tars": ["B00010-B0001F"], "msl"?: hex, "adf"?: hex AID (prefix),
 *                 "uiccAccessDomain"?: hex | "card", "adfAccessDomain"?: hex | "card" } ],
 *     "counters": { "<tar>/<kic>/<kid>": n } }
 * With no key sets every packet is refused (status 06). The default image ships the documented
 * test key sets of OTA_TEST_KEYS (docs/ota.md); they are public: never use them on a real card.
 */
import { z } from 'zod';
import { claForChannel, type CommandApdu, encodeCommand } from '../../apdu/command.js';
import { decodeResponse, type ResponseApdu } from '../../apdu/response.js';
import { type CounterStore } from '../../secure/ota/counter.js';
import { OtaError } from '../../secure/ota/errors.js';
import { type OtaApplication, OtaReceiver, type ScriptForm } from '../../secure/ota/receiver.js';
import { parseSmsPpSegment, SmsReassembler } from '../../secure/ota/smspp.js';
import { fromHex } from '../../util/hex.js';
import type { Applet, AppletFactory, AppletResponse, CommandContext } from '../applet.js';
import { keyRefOf } from '../../card/keys.js';
import type { SimFile } from '../fs.js';
import type { AccessOp } from '../image.js';
import type { ChannelState, VirtualUicc } from '../uicc.js';

export const OTA_APPLET = 'ota';

const hex = z.string().regex(/^([0-9A-Fa-f]{2})+$/);
const tarRange = z.string().regex(/^[0-9A-Fa-f]{6}(-[0-9A-Fa-f]{6})?$/, 'TAR (6 hex digits) or a range "B00010-B0001F"');
const domain = z.union([z.literal('card'), z.string().regex(/^(00|FF|ff|02[0-9A-Fa-f]{6})$/, 'access domain 00, FF, 02xxxxxx or "card"')]);
const RfmInstance = z
  .object({
    name: z.string().max(40),
    tars: z.array(tarRange).min(1),
    msl: z
      .string()
      .regex(/^[0-9A-Fa-f]{2}$/)
      .optional(),
    adf: hex.optional(),
    uiccAccessDomain: domain.optional(),
    adfAccessDomain: domain.optional(),
  })
  .strict();
const OtaState = z
  .object({
    keySets: z.array(z.object({ index: z.number().int().min(1).max(15), kic: hex.optional(), kid: hex.optional() }).strict()),
    accessDomain: z.enum(['full', 'card']).optional(),
    rfm: z.array(RfmInstance).optional(),
    counters: z.record(z.string(), z.number().int().min(0)).optional(),
  })
  .strict();
export type OtaState = z.infer<typeof OtaState>;
export type RfmInstance = z.infer<typeof RfmInstance>;

/**
 * The OTA test key sets of the default image: key set 1 3DES 2-key (KIc 10 01 02 .., KID 10 11
 * 02 ..), key set 2 AES-128 (KIc 20 01 02 .., KID 20 11 02 .., the keys of pySim's test_ota.py).
 * Public test values, like the GP test key 40..4F: never on a card that leaves the lab.
 */
export const OTA_TEST_KEYS: OtaState['keySets'] = [
  { index: 1, kic: '100102030405060708090A0B0C0D0E0F', kid: '101102030405060708090A0B0C0D0E0F' },
  { index: 2, kic: '200102030405060708090A0B0C0D0E0F', kid: '201102030405060708090A0B0C0D0E0F' },
];

export function defaultOtaState(): OtaState {
  return { keySets: OTA_TEST_KEYS.map((k) => ({ ...k })) };
}

/** The RFM instances of a card without an `rfm` list (TS 102 226 / TS 31.116 TAR ranges). */
export function defaultRfmInstances(accessDomain: 'full' | 'card' = 'full'): RfmInstance[] {
  const d = accessDomain === 'card' ? 'card' : '00';
  return [
    { name: 'UICC RFM', tars: ['B00000-B0000F'], uiccAccessDomain: d },
    { name: 'USIM RFM', tars: ['B00010-B0001F'], adf: 'A0000000871002', uiccAccessDomain: d, adfAccessDomain: d },
    { name: 'ISIM RFM', tars: ['B00020-B0002F'], adf: 'A0000000871004', uiccAccessDomain: d, adfAccessDomain: d },
  ];
}

export function provisionOta(card: VirtualUicc, st: OtaState): void {
  const parsed = OtaState.parse(st);
  const target = card.stateOf<Record<string, unknown>>(OTA_APPLET, () => ({}));
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, parsed);
  card.markChanged();
}

function claims(inst: RfmInstance, tar: string): boolean {
  const t = parseInt(tar, 16);
  return inst.tars.some((r) => {
    const [lo, hi] = r.split('-').map((x) => parseInt(x, 16)) as [number, number | undefined];
    return hi === undefined ? t === lo : t >= lo && t <= hi;
  });
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

  /** The RFM application a TAR addresses, with its starting ADF; undefined for an unknown TAR. */
  private application(st: OtaState, tar: string): OtaApplication | undefined {
    const inst = (st.rfm ?? defaultRfmInstances(st.accessDomain)).find((i) => claims(i, tar));
    if (!inst) return undefined;
    let adf: SimFile | undefined;
    if (inst.adf) {
      const prefix = fromHex(inst.adf);
      adf = this.card.mf.children.find((c) => c.type === 'ADF' && c.aid && startsWith(c.aid, prefix));
      if (!adf) return undefined; // the card has no such application: nothing answers this TAR
    }
    const runner: Runner =
      (inst.uiccAccessDomain ?? '00') === 'card'
        ? new ScriptRunner(this.card, adf)
        : new FileRunner(this.card, adf, grants(inst.uiccAccessDomain ?? '00'), grants(inst.adfAccessDomain ?? inst.uiccAccessDomain ?? '00'));
    const t0 = new T0Form(runner);
    return { execute: (c, form) => t0.run(c, form), msl: parseInt(inst.msl ?? '02', 16), end: () => runner.close() };
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
    let app: OtaApplication | undefined;
    const rx = new OtaReceiver({
      keys: (i, j) => {
        const kic = st.keySets.find((k) => k.index === i)?.kic;
        const kid = st.keySets.find((k) => k.index === j)?.kid;
        return { ...(kic ? { kic: fromHex(kic) } : {}), ...(kid ? { kid: fromHex(kid) } : {}) };
      },
      application: (tar) => (app = this.application(st, tar)),
      counters,
    });
    try {
      const out = rx.process(packet);
      return out.por ? { data: out.por, sw: 0x9000 } : { sw: 0x9000 };
    } catch (e) {
      if (e instanceof OtaError) return { sw: 0x6a80 };
      throw e;
    } finally {
      app?.end?.();
    }
  }
}

/** What an access domain grants: 'all' (00), 'none' (FF: no file access at all), the key references of 02xxxxxx. */
type Grants = 'all' | 'none' | Set<number>;
function grants(d: string): Grants {
  if (d === '00' || d === 'card') return 'all';
  if (d.length !== 8) return 'none';
  const out = new Set<number>();
  const b = fromHex(d.slice(2));
  const refs = [
    [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08], // PIN Appl 1..8
    [0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x8a, 0x8b, 0x8c], // ADM1..ADM8 (TS 102 221 9.5.1 Table 9.3)
    [0x8d, 0x8e], // ADM9, ADM10
  ];
  refs.forEach((row, i) => row.forEach((ref, bit) => (b[i]! >> bit) & 1 && out.add(ref)));
  return out;
}

/**
 * The T=0 form of compact scripts (TS 102 226 5.1.1): response data of a command without Le is
 * announced with 61xx and fetched by GET RESPONSE; expanded scripts get data only where Le asks.
 */
class T0Form {
  private held: Uint8Array | undefined;
  constructor(private readonly runner: Runner) {}
  run(c: CommandApdu, form: ScriptForm): ResponseApdu {
    if (c.ins === 0xc0 && form === 'compact') {
      const h = this.held;
      this.held = undefined;
      if (!h) return { data: new Uint8Array(0), sw: 0x6985 };
      const want = c.le ?? 256;
      if (want < h.length) return { data: h.slice(0, want), sw: 0x6100 | Math.min(h.length - want, 0xff) };
      return { data: h, sw: 0x9000 };
    }
    this.held = undefined;
    const r = this.runner.run(c);
    if (r.data.length === 0 || c.le !== undefined || (r.sw !== 0x9000 && r.sw >> 8 !== 0x62 && r.sw >> 8 !== 0x63)) return r;
    if (form === 'expanded') return { data: new Uint8Array(0), sw: r.sw };
    this.held = r.data;
    return { data: new Uint8Array(0), sw: r.sw === 0x9000 ? 0x6100 | (r.data.length >= 256 ? 0 : r.data.length) : r.sw };
  }
}

interface Runner {
  run(c: CommandApdu): ResponseApdu;
  close(): void;
}

/** Runs script commands through the card itself on a private logical channel. */
class ScriptRunner implements Runner {
  private channel: number | undefined;
  constructor(
    private readonly card: VirtualUicc,
    private readonly adf?: SimFile,
  ) {}

  private send(cmd: CommandApdu): ResponseApdu {
    return decodeResponse(this.card.process(encodeCommand(cmd)));
  }

  private open(): number {
    if (this.channel !== undefined) return this.channel;
    const r = this.send({ cla: 0x00, ins: 0x70, p1: 0x00, p2: 0x00, le: 1 });
    this.channel = r.sw === 0x9000 && r.data.length === 1 ? r.data[0]! : 0;
    // the instance's starting context: its ADF, selected on the private channel
    if (this.adf?.aid && this.channel) this.send({ cla: claForChannel(0x00, this.channel), ins: 0xa4, p1: 0x04, p2: 0x0c, data: this.adf.aid });
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

const NO_DATA = new Uint8Array(0);

/**
 * The RFM application's own file context (access domain '00' or '02' with key references): the
 * card's own file commands (VirtualUicc.fileCommand: the same SELECT, READ/UPDATE BINARY and
 * RECORD, status words included) on a channel state of its own, starting in the instance's ADF or
 * at the MF; a file's access rule is checked against the keys the access domain grants.
 */
class FileRunner implements Runner {
  private readonly st: ChannelState;
  constructor(
    private readonly card: VirtualUicc,
    private readonly home: SimFile | undefined,
    private readonly uiccGrants: Grants,
    private readonly adfGrants: Grants,
  ) {
    this.st = { df: home ?? card.mf, ef: undefined, adf: home, record: 0, applet: undefined, access: (f, op) => this.allowed(f, op) };
  }

  /** The file's access rule for `op` is ALW, or names a key the access domain grants. */
  private allowed(f: SimFile, op: AccessOp): boolean {
    let inHome = false;
    for (let p: SimFile | undefined = f; p; p = p.parent) if (p === this.home) inHome = true;
    const g = inHome ? this.adfGrants : this.uiccGrants;
    if (g === 'all') return true;
    if (g === 'none') return false;
    const rule = f.access[op] ?? (op === 'read' ? 'ALW' : 'NEV');
    if (rule === 'ALW') return true;
    if (rule === 'NEV') return false;
    return rule.split('|').some((k) => g.has(keyRefOf(k)));
  }

  close(): void {}

  run(c: CommandApdu): ResponseApdu {
    const r = this.card.fileCommand(c, this.st);
    return { data: r.data ?? NO_DATA, sw: r.sw };
  }
}

function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

export const otaApplet: AppletFactory = (card) => new OtaApplet(card);
