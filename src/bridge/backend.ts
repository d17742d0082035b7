/**
 * Where the bridge's readers come from: the local PC/SC service, or virtual UICCs held in this
 * process (for demos and tests without pcscd). One persistent Transport per reader; the server
 * serialises access to it (exclusive sessions).
 */
import { PcscContext, PcscTransport } from '../transport/pcsc.js';
import type { Transport } from '../transport/types.js';
import { InProcessTransport } from '../sim/inproc.js';
import { VirtualUicc } from '../sim/uicc.js';
import type { CardImage } from '../sim/image.js';
import { BridgeError } from './errors.js';
import { TransportError } from '../transport/errors.js';

export interface ReaderBackend {
  list(): Promise<string[]>;
  /** the transport of reader `name` (exact name), created once and reused */
  get(name: string): Promise<Transport>;
  /** whether a card is in the reader, where the backend can tell */
  present(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export class PcscBackend implements ReaderBackend {
  private ctx: PcscContext | undefined;
  /** one transport per reader; the promise is cached so concurrent first uses share it */
  private readonly transports = new Map<string, Promise<PcscTransport>>();

  private context(): PcscContext {
    this.ctx ??= new PcscContext();
    return this.ctx;
  }

  async list(): Promise<string[]> {
    try {
      return await this.context().listReaders();
    } catch (e) {
      // pcsclite never recovers a context after pcscd went away: start afresh next time
      if (e instanceof TransportError && (e.kind === 'no-service' || e.kind === 'transport-broken')) this.drop();
      throw e;
    }
  }

  private drop(): void {
    this.transports.clear();
    try {
      this.ctx?.close();
    } catch {
      /* already gone */
    }
    this.ctx = undefined;
  }

  get(name: string): Promise<PcscTransport> {
    let p = this.transports.get(name);
    if (!p) {
      p = (async () => {
        const names = await this.list();
        if (!names.includes(name)) throw new BridgeError('bridge.reader', `unknown reader "${name}"`);
        return this.context().transport(name);
      })();
      this.transports.set(name, p);
      p.catch(() => this.transports.delete(name));
    }
    return p;
  }

  async present(name: string): Promise<boolean> {
    return (await this.get(name)).cardPresent;
  }

  async close(): Promise<void> {
    for (const p of this.transports.values()) await p.then((t) => t.close()).catch(() => undefined);
    this.drop();
  }
}

/** Virtual UICCs in this process, one per reader name. */
export class VirtualBackend implements ReaderBackend {
  readonly transports = new Map<string, InProcessTransport>();
  private readonly presence = new Map<string, boolean>();

  add(name: string, image: CardImage): InProcessTransport {
    const t = new InProcessTransport(new VirtualUicc(image), name);
    t.on('inserted', () => this.presence.set(name, true));
    t.on('removed', () => this.presence.set(name, false));
    this.transports.set(name, t);
    this.presence.set(name, true);
    return t;
  }

  async list(): Promise<string[]> {
    return [...this.transports.keys()];
  }

  async get(name: string): Promise<Transport> {
    const t = this.transports.get(name);
    if (!t) throw new BridgeError('bridge.reader', `unknown reader "${name}"`);
    return t;
  }

  async present(name: string): Promise<boolean> {
    return this.presence.get(name) ?? false;
  }

  async close(): Promise<void> {
    for (const t of this.transports.values()) await t.close();
  }
}
