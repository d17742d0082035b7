/**
 * Client of a card host process (src/sim/host-main.ts): virtual UICCs plugged into vpcd slots,
 * controlled over IPC. Used by the e2e tests and the benchmarks; the cards live in their own
 * process so a blocking PC/SC call can never deadlock against them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CardImage } from './image.js';
import type { HostReply, HostRequest, PlugOptions } from './host.js';
import type { PullPlan } from './vpcd.js';

// .ts when run from source (through tsx), .js when built
const HOST_MAIN = fileURLToPath(new URL(`./host-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export class CardHostClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly child: ChildProcess) {
    // a host that dies fails what waits on it (else a test would wait for ever, its CPU idle)
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`card host exited (${signal ?? code}) before answering`));
      this.pending.clear();
    });
    child.on('message', (m: HostReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
  }

  static async start(): Promise<CardHostClient> {
    const child = fork(HOST_MAIN, [], { execArgv: HOST_MAIN.endsWith('.ts') ? ['--import', 'tsx'] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (c) => reject(new Error(`card host exited with ${c}`)));
    });
    return new CardHostClient(child);
  }

  request(req: DistributiveOmit<HostRequest, 'id'>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.connected) {
        reject(new Error(`card host is not running (${req.op} on port ${'port' in req ? req.port : '-'})`));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...req, id });
    });
  }

  plug(port: number, image?: CardImage, insert = true, opts: PlugOptions = {}): Promise<unknown> {
    return this.request({ op: 'plug', port, ...(image ? { image } : {}), insert, ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}) });
  }
  /** Sets the per-APDU latency of the card on `port` (ms); undefined = the image's `latencyMs`. */
  latency(port: number, ms: number | undefined): Promise<unknown> {
    return this.request({ op: 'latency', port, ms });
  }
  insert(port: number): Promise<unknown> {
    return this.request({ op: 'insert', port });
  }
  remove(port: number): Promise<unknown> {
    return this.request({ op: 'remove', port });
  }
  pull(port: number, plan: PullPlan): Promise<unknown> {
    return this.request({ op: 'pull', port, plan });
  }
  swap(port: number, image: CardImage): Promise<unknown> {
    return this.request({ op: 'swap', port, image });
  }
  /** The card on `port` takes `image` in place: no removal (a test's fresh card without waiting for pcscd to see one). */
  reload(port: number, image: CardImage): Promise<unknown> {
    return this.request({ op: 'reload', port, image });
  }
  async image(port: number): Promise<CardImage> {
    return (await this.request({ op: 'image', port })) as CardImage;
  }
  async stats(port: number): Promise<{ apdus: number; inserted: boolean; latencyMs: number }> {
    return (await this.request({ op: 'stats', port })) as { apdus: number; inserted: boolean; latencyMs: number };
  }

  async stop(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.disconnect();
    await exited;
  }
}
