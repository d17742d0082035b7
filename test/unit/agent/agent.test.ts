import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceAgent, type AgentEvent } from '../../../src/agent/agent.js';
import { CardBootstrapSource } from '../../../src/agent/source.js';
import type { DmsServer } from '../../../src/dms/server.js';
import type { CardImage } from '../../../src/sim/image.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { pki } from '../bridge/helpers/server.js';
import { bootstrapImage, SPEC_A, SPEC_B } from './helpers/cards.js';
import { accountOf, startDms } from './helpers/dms.js';
import { SwapReader } from './helpers/swap-reader.js';

let dms: DmsServer;
let url: string;
let imgA: CardImage;
let imgB: CardImage;
const dirs: string[] = [];
const secrets = new SecretStore({ SIMDM_PIN1: '1234' } as NodeJS.ProcessEnv);

// a fresh DMS per test: a bootstrap nonce, once used, is refused as a replay
beforeEach(async () => {
  ({ dms, url } = await startDms([accountOf(SPEC_A), accountOf(SPEC_B)]));
  imgA = await bootstrapImage({ ...SPEC_A, dmsUrl: url });
  imgB = await bootstrapImage({ ...SPEC_B, dmsUrl: url });
});
afterEach(async () => {
  await dms.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(confirm: (q: string) => Promise<boolean> = async () => true) {
  const dir = mkdtempSync(join(tmpdir(), 'simdm-agent-'));
  dirs.push(dir);
  const reader = new SwapReader();
  const events: AgentEvent[] = [];
  const asked: string[] = [];
  let reads = 0;
  const src = new CardBootstrapSource(secrets);
  const source = { identity: src.identity.bind(src), bootstrap: (s: Parameters<typeof src.bootstrap>[0]) => (reads++, src.bootstrap(s)) };
  const agent = new DeviceAgent({
    transport: reader,
    stateDir: dir,
    source,
    confirm: async (q) => {
      asked.push(q);
      return confirm(q);
    },
    dm: { ca: pki().caCert },
    onEvent: (e) => events.push(e),
  });
  return { dir, reader, events, asked, agent, reads: () => reads };
}

describe('device agent', () => {
  it('loads the bootstrap of a new pair into the tree, connects, and DMS and device authenticate each other', async () => {
    const { reader, events, agent, dir, asked } = setup();
    agent.start();
    reader.insert(imgA);
    await agent.stop();
    const types = events.map((e) => e.type);
    expect(types).toEqual(['card', 'bootstrap', 'connected']);
    expect(events[0]).toMatchObject({ iccid: SPEC_A.iccid, imsi: SPEC_A.imsi, known: false });
    const t = agent.tree!;
    expect(t.dm['./DMAcc/OperatorA/ServerID']).toBe(SPEC_A.serverId);
    expect(t.dm['./DevInfo/DevId']).toBe(agent.deviceId);
    expect(agent.deviceId).toMatch(/^urn:uuid:/);
    expect(t.lwm2m['/0/0/0']).toBe('coaps://bootstrap.iot.example:5684');
    expect(t.lwm2m['/1/0/1']).toBe('86400');
    // the client nonce was rotated by the server and stored
    expect(t.dm['./DMAcc/OperatorA/AppAuth/cli/AAuthData']).not.toBe(`${SPEC_A.clientNonce} (b64)`);
    expect(asked).toEqual([]); // no confirmation asked when not required
    expect(statSync(join(dir, 'device.json')).mode & 0o077).toBe(0);
    expect(dms.sessions.filter((s) => s.result === 'ok').map((s) => s.clientName)).toContain('device-a');
  });

  it('a known pair re-activates its tree without reading the bootstrap; a new IMSI triggers a new bootstrap that replaces the obsolete one', async () => {
    const { reader, events, agent, reads } = setup();
    agent.start();
    reader.insert(imgA);
    await agent.idle();
    reader.remove();
    reader.insert(imgA);
    await agent.idle();
    expect(reads()).toBe(1);
    expect(events.filter((e) => e.type === 'activated')).toHaveLength(1);
    reader.remove();
    reader.insert(imgB);
    await agent.stop();
    expect(reads()).toBe(2);
    const boot = events.filter((e): e is Extract<AgentEvent, { type: 'bootstrap' }> => e.type === 'bootstrap');
    expect(boot).toHaveLength(2);
    expect(boot[1]!.report.removedObsolete).toContain('./DMAcc/OperatorA');
    expect(agent.tree!.dm['./DMAcc/OperatorA/ServerID']).toBeUndefined();
    expect(agent.tree!.dm['./DMAcc/OperatorB/ServerID']).toBe(SPEC_B.serverId);
    // B authenticates with HMAC
    expect(events.filter((e) => e.type === 'connected').map((e) => (e as { serverId: string }).serverId)).toEqual([SPEC_A.serverId, SPEC_B.serverId]);
    const state = JSON.parse(readFileSync(join(agent.state.dir, 'device.json'), 'utf8'));
    expect(Object.keys(state.pairs).sort()).toEqual([`${SPEC_A.iccid}/${SPEC_A.imsi}`, `${SPEC_B.iccid}/${SPEC_B.imsi}`].sort());
  });

  it('asks for confirmation only when the bootstrap requires it, and a refusal loads nothing', async () => {
    const img = await bootstrapImage({ ...SPEC_A, dmsUrl: url, userConfirmation: true });
    const no = setup(async () => false);
    // (a declined bootstrap is never used: the DMS nonce stays fresh for the second device)
    no.agent.start();
    no.reader.insert(img);
    await no.agent.stop();
    expect(no.asked).toHaveLength(1);
    expect(no.events.map((e) => e.type)).toEqual(['card', 'declined']);
    expect(no.agent.tree).toBeUndefined();
    const yes = setup(async () => true);
    yes.agent.start();
    yes.reader.insert(img);
    await yes.agent.stop();
    expect(yes.asked).toHaveLength(1);
    expect(
      yes.events.map((e) => e.type),
      JSON.stringify(yes.events),
    ).toEqual(['card', 'bootstrap', 'connected']);
  });

  it('does not connect without the auto-connect indication', async () => {
    const img = await bootstrapImage({ ...SPEC_A, dmsUrl: url, autoConnect: false });
    const s = setup();
    s.agent.start();
    s.reader.insert(img);
    await s.agent.stop();
    expect(s.events.map((e) => e.type)).toEqual(['card', 'bootstrap']);
  });

  it('refuses a DM server that cannot prove the server credential', async () => {
    const bad = await startDms([accountOf(SPEC_A, { serverSecret: 'not-the-bootstrap-secret' })]);
    try {
      const img = await bootstrapImage({ ...SPEC_A, dmsUrl: bad.url });
      const s = setup();
      s.agent.start();
      s.reader.insert(img);
      await s.agent.stop();
      const err = s.events.find((e) => e.type === 'error') as { code: string; message: string };
      expect(err.code).toBe('agent.dm');
      expect(err.message).toMatch(/failed to authenticate itself/);
      expect(err.message).not.toContain('server-secret');
    } finally {
      await bad.dms.close();
    }
  });
});

describe('device agent with a damaged bootstrap file', () => {
  it('skips and reports a file that does not decode, and loads the valid ones', async () => {
    const img = structuredClone(imgA);
    // corrupt the DM bootstrap file (slots 6450/6451 in DF.PKCS15), leave the LwM2M file intact
    const walk = (f: CardImage['mf']): void => {
      if ((f.fid === '6450' || f.fid === '6451') && f.content) f.content = '03' + 'EE'.repeat(f.content.length / 2 - 1);
      f.children?.forEach(walk);
    };
    walk(img.mf);
    const s = setup();
    s.agent.start();
    s.reader.insert(img);
    await s.agent.stop();
    const boot = s.events.find((e): e is Extract<AgentEvent, { type: 'bootstrap' }> => e.type === 'bootstrap');
    expect(boot, JSON.stringify(s.events)).toBeDefined();
    expect(boot!.issues.some((i) => /skipped|DM|WBXML/i.test(i))).toBe(true);
    expect(boot!.report.lwm2mObjects).toEqual(['0', '1']);
    expect(boot!.report.accounts).toEqual([]);
  });
});
