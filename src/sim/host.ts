/**
 * Hosts virtual UICCs in vpcd slots, in a process of its own (pcsclite calls may block while a
 * card in the same process is being pulled; keeping the cards apart avoids that deadlock).
 * Controlled over Node IPC by test/helpers and by `simdm vcard start`.
 */
import { defaultImage } from './default-image.js';
import { type CardImage, loadImage, MAX_LATENCY_MS } from './image.js';
import { VirtualUicc } from './uicc.js';
import { type PullPlan, VpcdCard } from './vpcd.js';

export type HostRequest =
  | { id: number; op: 'plug'; port: number; image?: CardImage; imagePath?: string; insert?: boolean; latencyMs?: number }
  | { id: number; op: 'latency'; port: number; ms: number | undefined }
  | { id: number; op: 'insert' | 'remove' | 'unplug'; port: number }
  | { id: number; op: 'pull'; port: number; plan: PullPlan }
  | { id: number; op: 'swap'; port: number; image: CardImage }
  | { id: number; op: 'reload'; port: number; image: CardImage }
  | { id: number; op: 'image'; port: number }
  | { id: number; op: 'stats'; port: number };

export interface PlugOptions {
  /** delay before each R-APDU (ms), overriding the image's `latencyMs` */
  latencyMs?: number;
}

function checkLatency(ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_LATENCY_MS) throw new Error(`latency ${ms} ms: expected an integer 0..${MAX_LATENCY_MS}`);
  return ms;
}

export type HostReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

export class CardHost {
  readonly cards = new Map<number, VpcdCard>();

  plug(port: number, image: CardImage, imagePath?: string, insert = true, opts: PlugOptions = {}): VpcdCard {
    this.cards.get(port)?.remove();
    // eslint-disable-next-line prefer-const -- the card's onChange closure refers to vc before it exists
    let vc: VpcdCard | undefined;
    const card = new VirtualUicc(image, { onChange: () => vc?.changed() });
    vc = new VpcdCard(card, {
      port,
      ...(imagePath ? { imagePath } : {}),
      ...(opts.latencyMs !== undefined ? { latencyMs: checkLatency(opts.latencyMs) } : {}),
    });
    this.cards.set(port, vc);
    if (insert) vc.insert();
    return vc;
  }

  get(port: number): VpcdCard {
    const c = this.cards.get(port);
    if (!c) throw new Error(`no card on port ${port}`);
    return c;
  }

  handle(req: HostRequest): unknown {
    switch (req.op) {
      case 'plug':
        this.plug(req.port, req.image ?? (req.imagePath ? loadImage(req.imagePath) : defaultImage()), req.imagePath, req.insert ?? true, {
          ...(req.latencyMs !== undefined ? { latencyMs: req.latencyMs } : {}),
        });
        return undefined;
      case 'latency':
        this.get(req.port).latencyMs = req.ms === undefined ? undefined : checkLatency(req.ms);
        return undefined;
      case 'insert':
        this.get(req.port).insert();
        return undefined;
      case 'remove':
        this.get(req.port).remove();
        return undefined;
      case 'unplug':
        this.get(req.port).remove();
        this.cards.delete(req.port);
        return undefined;
      case 'pull':
        this.get(req.port).pullAt(req.plan);
        return undefined;
      case 'swap': {
        const vc = this.get(req.port);
        vc.remove();
        vc.card = new VirtualUicc(req.image, { onChange: () => vc.changed() });
        return undefined;
      }
      case 'reload': {
        // the card in the reader takes another content, as a test's setup: its connection to
        // vpcd stays (no removal for pcscd to notice), the new card starts in a fresh session
        const vc = this.get(req.port);
        vc.card = new VirtualUicc(req.image, { onChange: () => vc.changed() });
        return undefined;
      }
      case 'image':
        return this.get(req.port).card.toImage();
      case 'stats': {
        const vc = this.get(req.port);
        return { apdus: vc.apdus, inserted: vc.isInserted, latencyMs: vc.effectiveLatencyMs };
      }
    }
  }

  stopAll(): void {
    for (const c of this.cards.values()) c.remove();
    this.cards.clear();
  }
}

/** Entry point when forked with IPC (see test/helpers/vcards.ts). */
export function serveIpc(): void {
  const host = new CardHost();
  process.on('message', (m: HostRequest) => {
    let reply: HostReply;
    try {
      reply = { id: m.id, ok: true, value: host.handle(m) };
    } catch (e) {
      reply = { id: m.id, ok: false, error: (e as Error).message };
    }
    process.send?.(reply);
  });
  process.on('disconnect', () => {
    host.stopAll();
    process.exit(0);
  });
  process.send?.({ id: 0, ok: true, value: 'ready' });
}
