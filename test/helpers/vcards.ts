/**
 * End-to-end helpers: a card host process (virtual UICCs plugged into vpcd slots) and PC/SC
 * readers through the real pcscd started by test/global-setup.ts.
 */
import { inject } from 'vitest';
import '../provided.js';
import { PcscContext, type PcscTransport } from '../../src/transport/pcsc.js';
import { vpcdReaderName } from '../../src/sim/vpcd.js';

export { CardHostClient } from '../../src/sim/host-client.js';

/** Connects to the reader of vpcd port `port` once the card is present there. */
export async function readerFor(ctx: PcscContext, port: number, timeoutMs = 5000): Promise<PcscTransport> {
  const t = await ctx.transport(vpcdReaderName(port));
  await t.waitForCard(timeoutMs);
  return t;
}

export { PcscContext, vpcdReaderName };

/** Whether the e2e suite may run: pcscd reachable (global-setup starts one when it can). */
export const E2E: boolean = inject('pcscd');
