/** One DMS (account SPEC_A, the given options) and an agent that inserts SPEC_A's card and runs its session. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceAgent, type AgentEvent } from '../../../../src/agent/agent.js';
import { CardBootstrapSource } from '../../../../src/agent/source.js';
import type { DeviceTree } from '../../../../src/agent/tree.js';
import type { DmsOptions, DmsSessionLog } from '../../../../src/dms/server.js';
import { SecretStore } from '../../../../src/util/secrets.js';
import { pki } from '../../bridge/helpers/server.js';
import { bootstrapImage, SPEC_A } from './cards.js';
import { accountOf, startDms } from './dms.js';
import { SwapReader } from './swap-reader.js';

export async function sessionWithAgent(more: Partial<DmsOptions>): Promise<{ log: DmsSessionLog[]; tree: DeviceTree; events: AgentEvent[] }> {
  const { dms, url } = await startDms([accountOf(SPEC_A)], more);
  const dir = mkdtempSync(join(tmpdir(), 'simdm-agent-session-'));
  try {
    const img = await bootstrapImage({ ...SPEC_A, dmsUrl: url });
    const reader = new SwapReader();
    const events: AgentEvent[] = [];
    const agent = new DeviceAgent({
      transport: reader,
      stateDir: dir,
      source: new CardBootstrapSource(new SecretStore({ SIMDM_PIN1: '1234' } as NodeJS.ProcessEnv)),
      confirm: async () => true,
      dm: { ca: pki().caCert },
      onEvent: (e) => events.push(e),
    });
    agent.start();
    reader.insert(img);
    await agent.stop();
    return { log: dms.sessions, tree: agent.tree!, events };
  } finally {
    await dms.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
