/**
 * The APDU layer over a Transport: encodes commands, decodes responses, performs the T=0
 * procedures (GET RESPONSE on 61xx, re-issue with Le=xx on 6Cxx; ETSI TS 102 221 7.3.1.1.4 and
 * ISO 7816-3 10.3.4), sets logical channel bits in CLA, serialises concurrent callers, counts
 * APDUs, and traces with secrets redacted.
 */
import type { Transport } from '../transport/types.js';
import { claForChannel, type CommandApdu, encodeCommand } from './command.js';
import { insName } from './ins.js';
import { decodeResponse, type ResponseApdu } from './response.js';
import { isSuccess, SwError, swHex } from './sw.js';
import { traceCommand, traceResponse, type TraceSink } from './trace.js';
import { SimdmError } from '../errors.js';

export interface LinkOptions {
  trace?: TraceSink;
  /** issue GET RESPONSE on 61xx and re-issue on 6Cxx (default true) */
  autoGetResponse?: boolean;
}

/** What the file system and every higher layer use to talk to a card on one logical channel. */
export interface ApduSender {
  readonly channel: number;
  /** the final response after T=0 procedures; any SW */
  transmit(cmd: CommandApdu): Promise<ResponseApdu>;
  /** like transmit, but throws SwError unless the SW means success; returns the data */
  send(cmd: CommandApdu, what?: string): Promise<Uint8Array>;
  /** runs `fn` as one PC/SC transaction on the card (Transport.transaction), where the sender has one */
  transaction?<T>(fn: () => Promise<T>): Promise<T>;
}

export class CardLink implements ApduSender {
  readonly channel = 0;
  /** C-APDUs sent, including automatic GET RESPONSE / re-issues */
  apduCount = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly transport: Transport,
    private readonly opts: LinkOptions = {},
  ) {}

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.transport.transaction(fn);
  }

  setTrace(trace: TraceSink | undefined): void {
    this.opts.trace = trace;
  }

  transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    return this.transmitOn(0, cmd);
  }

  send(cmd: CommandApdu, what?: string): Promise<Uint8Array> {
    return sendVia(this, cmd, what);
  }

  /** transmit on logical channel `channel` (its bits are set into CLA) */
  transmitOn(channel: number, cmd: CommandApdu): Promise<ResponseApdu> {
    const c = channel === 0 && (cmd.cla & 0x43) === 0 ? cmd : { ...cmd, cla: claForChannel(cmd.cla, channel) };
    // exchanges never interleave (a GET RESPONSE must follow its command); when the link is idle
    // the exchange starts at once, without queueing through another promise
    if (this.inFlight === 0) return this.track(this.exchange(c, channel));
    const run = this.queue.then(() => this.exchange(c, channel));
    return this.track(run);
  }

  private inFlight = 0;
  private track(p: Promise<ResponseApdu>): Promise<ResponseApdu> {
    this.inFlight++;
    const done = (): void => {
      this.inFlight--;
    };
    this.queue = p.then(done, done);
    return p;
  }

  /** `about` is the command whose answer this is (GET RESPONSE fetches the answer of another) */
  private async raw(cmd: CommandApdu, channel: number, auto?: string, about: CommandApdu = cmd): Promise<ResponseApdu> {
    const t = this.opts.trace;
    if (t) t(traceCommand(cmd, channel, auto));
    const bytes = encodeCommand(cmd);
    this.apduCount++;
    const r = decodeResponse(await this.transport.transmit(bytes));
    // the answer to a secret-bearing command stays hidden even when GET RESPONSE fetches it
    if (t) t(traceResponse(r.data, r.sw, channel, about.ins, !!about.secret || about.ins === 0xd8, about));
    return r;
  }

  private async exchange(cmd: CommandApdu, channel: number): Promise<ResponseApdu> {
    let r = await this.raw(cmd, channel);
    if (this.opts.autoGetResponse === false) return r;
    // 6Cxx: wrong Le, re-issue the same command with Le = xx (at most once)
    if (r.sw >> 8 === 0x6c) {
      r = await this.raw({ ...cmd, le: r.sw & 0xff || 256 }, channel, `re-issued with Le from ${swHex(r.sw)}`);
    }
    // 61xx (and 9Fxx of GSM 11.11): GET RESPONSE until the card has no more
    let data = r.data;
    let guard = 0;
    while ((r.sw >> 8 === 0x61 || r.sw >> 8 === 0x9f) && guard++ < 64) {
      const gsm = r.sw >> 8 === 0x9f;
      const getResponse: CommandApdu = {
        cla: gsm ? 0xa0 : claForChannel(0x00, channel),
        ins: 0xc0,
        p1: 0,
        p2: 0,
        le: r.sw & 0xff || 256,
      };
      const prev = r.sw;
      r = await this.raw(getResponse, channel, `after ${swHex(prev)}`, cmd);
      if (r.sw >> 8 === 0x6c) r = await this.raw({ ...getResponse, le: r.sw & 0xff || 256 }, channel, `re-issued with Le from ${swHex(r.sw)}`, cmd);
      data = concat(data, r.data);
    }
    return data === r.data ? r : { data, sw: r.sw };
  }

  /** MANAGE CHANNEL open (TS 102 221 11.1.17): the card assigns the number. */
  async openChannel(): Promise<LogicalChannel> {
    const d = await this.send({ cla: 0x00, ins: 0x70, p1: 0x00, p2: 0x00, le: 1 }, 'MANAGE CHANNEL open');
    if (d.length !== 1) throw new SimdmError('apdu.channel', `MANAGE CHANNEL open answered ${d.length} bytes instead of 1`);
    const n = d[0]!;
    return new LogicalChannel(this, n);
  }

  async closeChannel(n: number): Promise<void> {
    await this.send({ cla: claForChannel(0x00, n), ins: 0x70, p1: 0x80, p2: n }, 'MANAGE CHANNEL close');
  }

  /** a view on an already open logical channel */
  on(n: number): LogicalChannel {
    return new LogicalChannel(this, n);
  }
}

export class LogicalChannel implements ApduSender {
  constructor(
    readonly link: CardLink,
    readonly channel: number,
  ) {}
  transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    return this.link.transmitOn(this.channel, cmd);
  }
  send(cmd: CommandApdu, what?: string): Promise<Uint8Array> {
    return sendVia(this, cmd, what);
  }
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.link.transaction(fn);
  }
  close(): Promise<void> {
    return this.link.closeChannel(this.channel);
  }
}

async function sendVia(s: ApduSender, cmd: CommandApdu, what?: string): Promise<Uint8Array> {
  const r = await s.transmit(cmd);
  if (!isSuccess(r.sw)) throw new SwError(r.sw, what ?? insName(cmd.ins));
  return r.data;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
