/**
 * Plugs a virtual UICC into the `vsmartcard-vpcd` virtual reader of a real pcscd.
 *
 * vpcd wire protocol (vsmartcard's vpcd.c): the card side is a TCP client of vpcd; each message
 * both ways is a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is a control
 * code: 00 power off, 01 power on, 02 reset (no reply), 04 get ATR (reply: the ATR). A longer one is
 * a C-APDU (reply: the R-APDU). Insert = connect; remove = close the socket.
 */
import { Socket } from 'node:net';
import { saveImage } from './image.js';
import type { VirtualUicc } from './uicc.js';

export interface VpcdCardOptions {
  host?: string;
  port?: number;
  /** save the image here after changes (debounced) and on removal */
  imagePath?: string;
  /** how long to wait between connection attempts while vpcd is not there (ms) */
  retryMs?: number;
  log?: (line: string) => void;
}

export interface PullPlan {
  /** 0-based index of the APDU (counted from this plan) at which the card is pulled */
  at: number;
  /** whether the card executes that APDU before losing power (true) or not (false) */
  apply: boolean;
}

export class VpcdCard {
  readonly host: string;
  readonly port: number;
  private sock: Socket | undefined;
  private inserted = false;
  private buf: Buffer = Buffer.alloc(0);
  private saveTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pull: PullPlan | undefined;
  private sinceplan = 0;
  /** C-APDUs answered since start */
  apdus = 0;

  constructor(
    public card: VirtualUicc,
    private readonly opts: VpcdCardOptions = {},
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 35963;
  }

  get isInserted(): boolean {
    return this.inserted;
  }

  /** Inserts the card: connects to vpcd, retrying until it is there. */
  insert(): void {
    if (this.inserted) return;
    this.inserted = true;
    this.connect();
  }

  private connect(): void {
    if (!this.inserted || this.sock) return;
    const s = new Socket();
    this.sock = s;
    this.buf = Buffer.alloc(0); // a stale half frame would desync the session
    s.setNoDelay(true);
    s.on('data', (d) => this.onData(s, d));
    s.on('error', () => {
      /* handled by close */
    });
    s.on('close', () => {
      if (this.sock === s) this.sock = undefined;
      if (this.inserted) {
        this.retryTimer = setTimeout(() => this.connect(), this.opts.retryMs ?? 100);
      }
    });
    s.connect(this.port, this.host, () => this.opts.log?.(`card connected to vpcd ${this.host}:${this.port}`));
  }

  /** Removes the card (closes the socket); the card keeps its content. */
  remove(): void {
    this.inserted = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.sock?.destroy();
    this.sock = undefined;
    this.pull = undefined;
    this.card.powerOn(); // power lost: security status and channels gone
    this.flush();
  }

  /** Fault injection: pull the card at the `at`-th APDU from now. */
  pullAt(plan: PullPlan): void {
    this.pull = plan;
    this.sinceplan = 0;
  }

  async stop(): Promise<void> {
    this.remove();
  }

  private onData(s: Socket, d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + n) break;
      const msg = this.buf.subarray(2, 2 + n);
      this.buf = this.buf.subarray(2 + n);
      if (this.sock !== s) return;
      this.handle(s, msg);
    }
  }

  private handle(s: Socket, msg: Buffer): void {
    if (msg.length === 1) {
      switch (msg[0]) {
        case 0x00: // power off
        case 0x01: // power on
        case 0x02: // reset
          this.card.powerOn();
          return;
        case 0x04:
          this.reply(s, this.card.atr);
          return;
        default:
          return;
      }
    }
    if (this.pull) {
      if (this.sinceplan++ === this.pull.at) {
        const { apply } = this.pull;
        this.pull = undefined;
        if (apply) this.card.process(new Uint8Array(msg));
        this.opts.log?.(`card pulled at APDU ${this.sinceplan - 1}${apply ? ' (after executing it)' : ''}`);
        this.remove();
        return;
      }
    }
    const r = this.card.process(new Uint8Array(msg));
    this.apdus++;
    this.reply(s, r);
  }

  private reply(s: Socket, payload: Uint8Array): void {
    const out = Buffer.allocUnsafe(2 + payload.length);
    out.writeUInt16BE(payload.length, 0);
    out.set(payload, 2);
    s.write(out);
  }

  /** Called by the card on changes: save the image soon (not on every APDU). */
  changed(): void {
    if (!this.opts.imagePath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 200);
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.opts.imagePath) saveImage(this.opts.imagePath, this.card.toImage());
  }
}

/** vpcd's default ports: reader slot i of the virtual PCD listens on 35963 + i. */
export const VPCD_BASE_PORT = 35963;

/**
 * The reader name pcscd gives the vpcd slot on `port`, with scripts/pcsc.sh's configuration:
 * entry i (ports 35963+2i, +1) is named "Virtual PCD" (i = 0) or "Virtual PCD i", and pcscd
 * appends "00 00" / "00 01" for its two slots.
 */
export function vpcdReaderName(port: number): string {
  const idx = port - VPCD_BASE_PORT;
  const pair = idx >> 1;
  return `Virtual PCD ${pair === 0 ? '' : `${pair} `}00 0${idx & 1}`;
}
