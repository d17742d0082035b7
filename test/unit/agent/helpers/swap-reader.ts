import type { CardImage } from '../../../../src/sim/image.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../../src/sim/inproc.js';
import type { Transport, TransportEvent } from '../../../../src/transport/types.js';

/** A reader whose card can be swapped, with insertion/removal events. */
export class SwapReader implements Transport {
  readonly name = 'swap reader';
  private inner: InProcessTransport | undefined;
  private readonly ls = new Map<TransportEvent, Set<() => void>>();
  get atr() {
    return this.inner?.atr;
  }
  get cardPresent(): boolean {
    return this.inner !== undefined;
  }
  insert(img: CardImage): void {
    this.inner = new InProcessTransport(new VirtualUicc(structuredClone(img)));
    for (const l of this.ls.get('inserted') ?? []) l();
  }
  remove(): void {
    this.inner = undefined;
    for (const l of this.ls.get('removed') ?? []) l();
  }
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  private t(): InProcessTransport {
    if (!this.inner) throw new Error('no card');
    return this.inner;
  }
  connect() {
    return this.t().connect();
  }
  transmit(c: Uint8Array) {
    return this.t().transmit(c);
  }
  reset() {
    return this.t().reset();
  }
  async disconnect() {
    await this.inner?.disconnect();
  }
  async close() {}
  on(e: TransportEvent, l: () => void) {
    if (!this.ls.has(e)) this.ls.set(e, new Set());
    this.ls.get(e)!.add(l);
  }
  off(e: TransportEvent, l: () => void) {
    this.ls.get(e)?.delete(l);
  }
}
