/**
 * Remote File Management over SMS-PP in the virtual UICC: ENVELOPEs (80 C2, BER-TLV D1, TS 31.111
 * 7.1.1.2; concatenated short messages reassembled) carrying a secured command packet (ETSI TS 102 225 / TS 31.115) addressed by TAR to the
 * RFM application (TS 102 226 5; TARs B0 00 00 .. B0 00 FF, TS 101 220 Annex D). The packet is
 * deciphered, its CC and counter checked, its compact or expanded script run against the card's
 * file system, and the response packet (PoR) returned as the ENVELOPE's response data (the
 * SMS-DELIVER-REPORT route; a PoR the SPI wants via SMS-SUBMIT is returned the same way, since the
 * virtual card has no proactive SEND SHORT MESSAGE).
 *
 * The script runs on a logical channel the applet opens for it (so the terminal's selections are
 * untouched), with the card's current security status: RFM's own access domain (TS 102 226 6) is
 * not modelled, so ADM-protected updates need ADM verified on the card first.
 *
 * State in the card image, under `applets.ota`:
 *   { "keySets": [ { "index": 1, "kic": hex, "kid": hex } ], "counters": { "<tar>/<kic>/<kid>": n } }
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
import type { VirtualUicc } from '../uicc.js';

export const OTA_APPLET = 'ota';

const hex = z.string().regex(/^([0-9A-Fa-f]{2})+$/);
const OtaState = z
  .object({
    keySets: z.array(z.object({ index: z.number().int().min(1).max(15), kic: hex.optional(), kid: hex.optional() }).strict()),
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
    const runner = new ScriptRunner(card);
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

/** Runs script commands through the card itself on a private logical channel. */
class ScriptRunner {
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

export const otaApplet: AppletFactory = (card) => new OtaApplet(card);
