/**
 * End-to-end helpers: a card host process (virtual UICCs plugged into vpcd slots) and PC/SC
 * readers through the real pcscd started by test/global-setup.ts.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import '../provided.js';
import { CardLink } from '../../src/apdu/link.js';
import { PcscContext, type PcscTransport } from '../../src/transport/pcsc.js';
import { vpcdReaderName } from '../../src/sim/vpcd.js';

import { CardHostClient } from '../../src/sim/host-client.js';
import { defaultImage } from '../../src/sim/default-image.js';
import type { CardImage } from '../../src/sim/image.js';

export { CardHostClient };

/** the transport of each (context, vpcd port): reused, so repeated calls add no status listener */
const transports = new WeakMap<PcscContext, Map<number, PcscTransport>>();

/**
 * The transport of the reader of vpcd port `port`, once the card is present there. One per context
 * and port, made again only after it was closed: every PcscTransport listens to its reader's status
 * events until close(), and transports made per call and never closed were the
 * MaxListenersExceededWarning of the e2e run (issue 12 item 13).
 */
export async function readerFor(ctx: PcscContext, port: number, timeoutMs = 5000): Promise<PcscTransport> {
  let byPort = transports.get(ctx);
  if (!byPort) transports.set(ctx, (byPort = new Map()));
  let t = byPort.get(port);
  if (!t || t.closed) {
    t = await ctx.transport(vpcdReaderName(port));
    byPort.set(port, t);
  }
  await t.waitForCard(timeoutMs);
  return t;
}

/**
 * The reader of vpcd port `port` connected, and a link to its card once the card answers (SELECT MF
 * 9000): after a swap or a removal pcscd may still be settling, so connecting is retried, 21 times
 * 100 ms apart, before the last error is thrown.
 */
export async function connectedCard(ctx: PcscContext, port: number): Promise<{ t: PcscTransport; link: CardLink }> {
  for (let i = 0; ; i++) {
    const t = await readerFor(ctx, port, 10_000);
    try {
      await t.connect();
      const link = new CardLink(t);
      if ((await link.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: Uint8Array.of(0x3f, 0x00) })).sw === 0x9000) return { t, link };
    } catch (e) {
      if (i >= 20) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { PcscContext, vpcdReaderName };

/** Whether the e2e suite may run: pcscd reachable (global-setup starts one when it can). */
export const E2E: boolean = inject('pcscd');

export interface CardRig {
  readonly host: CardHostClient;
  readonly ctx: PcscContext;
  /** swaps a fresh card (default image) into the slot on `port` and waits until PC/SC sees it */
  fresh(port: number, image?: CardImage): Promise<void>;
}

/**
 * For a describe block: a card host with default cards plugged on `ports` and a PC/SC context,
 * set up in beforeAll and stopped in afterAll.
 */
export function useCardRig(ports: number[]): CardRig {
  let host: CardHostClient | undefined;
  let ctx: PcscContext | undefined;
  beforeAll(async () => {
    host = await CardHostClient.start();
    ctx = new PcscContext();
    for (const p of ports) await host.plug(p);
  });
  afterAll(async () => {
    ctx?.close();
    await host?.stop();
  });
  const rig: CardRig = {
    get host() {
      return host!;
    },
    get ctx() {
      return ctx!;
    },
    fresh: async (port, image = defaultImage()) => {
      await host!.swap(port, image);
      await host!.insert(port);
      await readerFor(ctx!, port, 10_000);
    },
  };
  return rig;
}
