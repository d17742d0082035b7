/**
 * In-process transport to a virtual UICC: no pcscd, no sockets. For fast unit tests only; the
 * end-to-end tests go through real pcscd + vpcd.
 */
import { TransportError } from '../transport/errors.js';
import { TransportEvents } from '../transport/events.js';
import type { Transport } from '../transport/types.js';
import type { VirtualUicc } from './uicc.js';

export class InProcessTransport extends TransportEvents implements Transport {
  private connected = false;
  private present = true;
  /** fault injection: the card "is pulled" when this many more APDUs have been sent */
  pullAfter: number | undefined;

  constructor(
    readonly card: VirtualUicc,
    readonly name = 'simdm virtual UICC (in-process)',
  ) {
    super();
  }

  get atr(): Uint8Array | undefined {
    return this.connected ? this.card.atr : undefined;
  }

  async connect(): Promise<Uint8Array> {
    if (!this.present) throw new TransportError('no-card', `${this.name}: no card in the reader`);
    this.connected = true;
    return this.card.powerOn();
  }

  async transmit(capdu: Uint8Array): Promise<Uint8Array> {
    if (!this.present) throw new TransportError('card-removed', `${this.name}: the card was removed`);
    if (!this.connected) throw new TransportError('no-card', `${this.name}: not connected`);
    if (this.pullAfter !== undefined) {
      if (this.pullAfter <= 0) {
        this.remove();
        throw new TransportError('card-removed', `${this.name}: the card was removed`);
      }
      this.pullAfter--;
    }
    return this.card.process(capdu);
  }

  async reset(): Promise<Uint8Array> {
    return this.connect();
  }

  async disconnect(opts: { reset?: boolean } = {}): Promise<void> {
    if (opts.reset && this.connected) this.card.powerOn();
    this.connected = false;
  }

  /** one process, one client: nothing else can reach the virtual card in between */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async close(): Promise<void> {
    this.connected = false;
  }

  remove(): void {
    this.present = false;
    this.connected = false;
    this.pullAfter = undefined;
    this.emit('removed');
  }

  insert(): void {
    this.present = true;
    this.emit('inserted');
  }
}
