/**
 * End-to-end helpers: a card host process (virtual UICCs plugged into vpcd slots) and PC/SC
 * readers through the real pcscd started by test/global-setup.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import '../provided.js';
import { fileURLToPath } from 'node:url';
import type { CardImage } from '../../src/sim/image.js';
import type { HostReply, HostRequest } from '../../src/sim/host.js';
import type { PullPlan } from '../../src/sim/vpcd.js';
import { PcscContext, type PcscTransport } from '../../src/transport/pcsc.js';
import { vpcdReaderName } from '../../src/sim/vpcd.js';

const HOST_MAIN = fileURLToPath(new URL('../../src/sim/host-main.ts', import.meta.url));

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export class CardHostClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: HostReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
  }

  static async start(): Promise<CardHostClient> {
    const child = fork(HOST_MAIN, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (c) => reject(new Error(`card host exited with ${c}`)));
    });
    return new CardHostClient(child);
  }

  request(req: DistributiveOmit<HostRequest, 'id'>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...req, id });
    });
  }

  plug(port: number, image?: CardImage, insert = true): Promise<unknown> {
    return this.request({ op: 'plug', port, ...(image ? { image } : {}), insert });
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
  async image(port: number): Promise<CardImage> {
    return (await this.request({ op: 'image', port })) as CardImage;
  }
  async stats(port: number): Promise<{ apdus: number; inserted: boolean }> {
    return (await this.request({ op: 'stats', port })) as { apdus: number; inserted: boolean };
  }

  async stop(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.disconnect();
    await exited;
  }
}

/** Connects to the reader of vpcd port `port` once the card is present there. */
export async function readerFor(ctx: PcscContext, port: number, timeoutMs = 5000): Promise<PcscTransport> {
  const t = await ctx.transport(vpcdReaderName(port));
  await t.waitForCard(timeoutMs);
  return t;
}

export { PcscContext, vpcdReaderName };

/** Whether the e2e suite may run: pcscd reachable (global-setup starts one when it can). */
export const E2E: boolean = inject('pcscd');
