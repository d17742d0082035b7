/** In-process reader slots for runner unit tests: a queue of virtual cards per slot, swapped on removal. */
import { VirtualUicc } from '../../../src/sim/uicc.js';
import type { CardImage } from '../../../src/sim/image.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import type { ReaderPort } from '../../../src/perso/runner.js';

export class FakeSlot implements ReaderPort {
  readonly done: VirtualUicc[] = [];
  /** every card that went through this slot, in order */
  readonly all: VirtualUicc[] = [];
  private t: InProcessTransport | undefined;
  /** pull the current card after this many APDUs (once) */
  pullAfter: number | undefined;
  constructor(
    readonly name: string,
    private readonly queue: CardImage[],
  ) {
    this.next();
  }
  insertNext(): void {
    this.next();
  }
  private next(): void {
    const img = this.queue.shift();
    this.t = img ? new InProcessTransport(new VirtualUicc(img), this.name) : undefined;
    if (this.t) this.all.push(this.t.card);
  }
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  get current(): VirtualUicc | undefined {
    return this.t?.card;
  }
  get cardPresent(): boolean {
    return this.t !== undefined;
  }
  get atr(): Uint8Array | undefined {
    return this.t?.atr;
  }
  async waitForCard(ms: number): Promise<void> {
    if (!this.t) {
      await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
      this.next();
    }
  }
  async waitForRemoval(): Promise<void> {
    // the operator takes the card out and puts the next one in
    if (this.t) this.done.push(this.t.card);
    this.t = undefined;
  }
  async connect(): Promise<Uint8Array> {
    const a = await this.t!.connect();
    if (this.pullAfter !== undefined) {
      this.t!.pullAfter = this.pullAfter;
      this.pullAfter = undefined;
    }
    return a;
  }
  transmit(c: Uint8Array): Promise<Uint8Array> {
    return this.t!.transmit(c);
  }
  async reset(): Promise<Uint8Array> {
    return this.t!.reset();
  }
  async disconnect(): Promise<void> {
    await this.t?.disconnect();
  }
  async close(): Promise<void> {}
}
