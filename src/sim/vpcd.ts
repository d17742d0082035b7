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
  /** delay before each R-APDU (ms); overrides the image's `latencyMs` */
  latencyMs?: number;
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
  private lastErrorCode: string | undefined;
  /** C-APDUs answered since start */
  apdus = 0;
  /** per-APDU latency override (ms); undefined = the card image's `latencyMs` */
  latencyMs: number | undefined;

  constructor(
    public card: VirtualUicc,
    private readonly opts: VpcdCardOptions = {},
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 35963;
    this.latencyMs = opts.latencyMs;
  }

  /** The delay applied before each R-APDU: a real card takes 5-50 ms per APDU. */
  get effectiveLatencyMs(): number {
    return this.latencyMs ?? this.card.latencyMs;
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

  /** Whether vpcd (inside pcscd) has accepted the card's connection. */
  get isConnected(): boolean {
    return this.sock !== undefined && !this.sock.connecting && !this.sock.destroyed;
  }

  /** The error code of the last failed connection attempt (e.g. ECONNREFUSED), if any. */
  get lastError(): string | undefined {
    return this.lastErrorCode;
  }

  private connect(): void {
    if (!this.inserted || this.sock) return;
    const s = new Socket();
    this.sock = s;
    this.buf = Buffer.alloc(0); // a stale half frame would desync the session
    s.setNoDelay(true);
    s.on('data', (d) => this.onData(s, d));
    s.on('error', (e: NodeJS.ErrnoException) => {
      this.lastErrorCode = e.code ?? e.message; // the retry happens on close
    });
    s.on('close', () => {
      if (this.sock === s) this.sock = undefined;
      if (this.inserted) {
        this.retryTimer = setTimeout(() => this.connect(), this.opts.retryMs ?? 100);
      }
    });
    s.connect(this.port, this.host, () => {
      this.lastErrorCode = undefined;
      this.opts.log?.(`card connected to vpcd ${this.host}:${this.port}`);
    });
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
    const delay = this.effectiveLatencyMs;
    // vpcd sends one C-APDU at a time and waits, so a delayed reply keeps the order; a card
    // removed meanwhile drops it (its socket is gone)
    if (delay > 0) setTimeout(() => this.sock === s && this.reply(s, r), delay);
    else this.reply(s, r);
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

/**
 * Why a card has not reached vpcd yet, for `simdm vcard start`'s warning: vpcd is a reader driver
 * that pcscd loads, so nothing listens on the port until a pcscd with a vpcd entry for it runs.
 */
export function vpcdUnreachableHint(card: VpcdCard): string {
  const where = `${card.host}:${card.port}`;
  const err = card.lastError ? ` (${card.lastError})` : '';
  return (
    `no pcscd has connected to the virtual card on ${where}${err}: ` +
    (card.lastError === 'ECONNREFUSED' || card.lastError === undefined
      ? 'pcscd is not running, or runs without a vsmartcard-vpcd reader entry for this port ' +
        '(a socket-activated pcscd with auto-exit is only up while a client uses it; start it with `pcscd --foreground`, ' +
        'and check /etc/reader.conf.d/vpcd or scripts/pcsc.sh for the port)'
      : 'check that vpcd listens there (pcscd with the vsmartcard-vpcd driver)')
  );
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
