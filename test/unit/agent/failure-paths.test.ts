/**
 * The agent's failure paths (issue 18): retry with backoff until a session succeeds, declined
 * bootstraps asked again, removal cancels the question, a server the device rejects is logged as
 * such, previous subscribers' trees deleted, package #0 digest checked, `agent show` creates
 * nothing, APDU traces without PIN values.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamSink, type TraceSink } from '../../../src/apdu/trace.js';
import { DeviceAgent, type AgentEvent, type Confirm } from '../../../src/agent/agent.js';
import { CardBootstrapSource } from '../../../src/agent/source.js';
import { StateDir } from '../../../src/agent/state.js';
import { dmFieldsFromCp } from '../../../src/bootstrap/content/dm-accounts.js';
import { compileProfile } from '../../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../../src/bootstrap/profile/load.js';
import { DmsServer } from '../../../src/dms/server.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { runSimdm } from '../../helpers/cli.js';
import { pki } from '../bridge/helpers/server.js';
import { bootstrapImage, SPEC_A, SPEC_B } from './helpers/cards.js';
import { accountOf, startDms } from './helpers/dms.js';
import { SwapReader } from './helpers/swap-reader.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const secrets = new SecretStore({ SIMDM_PIN1: '1234' } as NodeJS.ProcessEnv);

function agentOn(reader: SwapReader, over: { confirm?: Confirm; retryMs?: number; trace?: TraceSink } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'simdm-agent-fail-'));
  dirs.push(dir);
  const events: AgentEvent[] = [];
  const agent = new DeviceAgent({
    transport: reader,
    stateDir: dir,
    source: new CardBootstrapSource(secrets),
    confirm: over.confirm ?? (async () => true),
    dm: { ca: pki().caCert },
    ...(over.retryMs ? { retry: { initialMs: over.retryMs, maxMs: over.retryMs * 4 } } : {}),
    ...(over.trace ? { trace: over.trace } : {}),
    onEvent: (e) => events.push(e),
  });
  return { agent, events, dir };
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe('agent failure paths', () => {
  it('a first session that fails (DMS down) stays pending and is retried with backoff until it succeeds', async () => {
    const port = await freePort();
    const url = `https://127.0.0.1:${port}/dm`;
    const img = await bootstrapImage({ ...SPEC_A, dmsUrl: url });
    const reader = new SwapReader();
    const { agent, events } = agentOn(reader, { retryMs: 100 });
    agent.start();
    reader.insert(img);
    await until(() => events.filter((e) => e.type === 'pending').length >= 2, 5000, 'two failed attempts');
    const pend = events.filter((e): e is Extract<AgentEvent, { type: 'pending' }> => e.type === 'pending');
    expect(pend[0]!.retryInMs).toBe(100);
    expect(pend[1]!.retryInMs).toBe(200);
    const pair = `${SPEC_A.iccid}/${SPEC_A.imsi}`;
    expect(agent.state.state.pairs[pair]!.status).toBe('pending');
    expect(agent.state.state.pairs[pair]!.lastError).toMatch(/agent\.dm: .*unreachable/);
    // the server comes up: the next retry connects and the pair becomes active
    const dms = new DmsServer({ accounts: [accountOf(SPEC_A)], tls: { cert: pki().serverCert, key: pki().serverKey }, port });
    await dms.listen();
    try {
      await until(() => events.some((e) => e.type === 'connected'), 10_000, 'the retried session');
      expect(agent.state.state.pairs[pair]!.status).toBe('active');
      expect(agent.state.state.pairs[pair]!.lastError).toBeUndefined();
      expect(dms.sessions.map((s) => s.result)).toEqual(['ok']);
    } finally {
      await agent.stop();
      await dms.close();
    }
    // re-inserting the card of an active pair does not say "pending"
    expect(events.filter((e) => e.type === 'error').every((e) => (e as { code: string }).code === 'agent.dm')).toBe(true);
  });

  it('a declined bootstrap is asked again at the next insertion; removing the card cancels the question', async () => {
    const { dms, url } = await startDms([accountOf(SPEC_A)]);
    try {
      const img = await bootstrapImage({ ...SPEC_A, dmsUrl: url, userConfirmation: true });
      const reader = new SwapReader();
      const answers: ('no' | 'yes' | 'wait')[] = ['no', 'wait', 'yes'];
      let asked = 0;
      const { agent, events } = agentOn(reader, {
        confirm: (_q, signal) => {
          asked++;
          const a = answers.shift()!;
          if (a !== 'wait') return Promise.resolve(a === 'yes');
          return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        },
      });
      agent.start();
      reader.insert(img);
      await agent.idle();
      expect(events.map((e) => e.type)).toEqual(['card', 'declined']);
      reader.remove();
      reader.insert(img); // asked again; the card goes away while asking
      await until(() => asked === 2, 2000, 'the second question');
      reader.remove();
      await agent.idle();
      expect(events.filter((e) => e.type !== 'removed').map((e) => e.type)).toEqual(['card', 'declined', 'card', 'cancelled']);
      expect(agent.tree).toBeUndefined();
      reader.insert(img);
      await agent.stop();
      expect(events.filter((e) => e.type !== 'removed').map((e) => e.type)).toEqual([
        'card',
        'declined',
        'card',
        'cancelled',
        'card',
        'bootstrap',
        'connected',
      ]);
    } finally {
      await dms.close();
    }
  });

  it("a server that fails the device's check is refused and the DMS logs rejected-by-device, not ok", async () => {
    const { dms, url } = await startDms([accountOf(SPEC_A, { serverSecret: 'not-the-bootstrap-secret' })]);
    try {
      const img = await bootstrapImage({ ...SPEC_A, dmsUrl: url });
      const reader = new SwapReader();
      const { agent, events } = agentOn(reader);
      agent.start();
      reader.insert(img);
      await agent.stop();
      expect((events.find((e) => e.type === 'error') as { message: string }).message).toMatch(/failed to authenticate itself/);
      expect(dms.sessions.map((s) => s.result)).toEqual(['rejected-by-device']);
      expect(dms.sessions[0]).toMatchObject({ clientName: SPEC_A.clientName, serverId: SPEC_A.serverId });
    } finally {
      await dms.close();
    }
  });

  it("after a swap the previous subscriber's tree (with its DM passwords) is deleted", async () => {
    const { dms, url } = await startDms([accountOf(SPEC_A), accountOf(SPEC_B)]);
    try {
      const reader = new SwapReader();
      const { agent, dir } = agentOn(reader);
      agent.start();
      reader.insert(await bootstrapImage({ ...SPEC_A, dmsUrl: url }));
      await agent.idle();
      reader.remove();
      reader.insert(await bootstrapImage({ ...SPEC_B, dmsUrl: url }));
      await agent.stop();
      const trees = readdirSync(dir).filter((f) => f.startsWith('tree-'));
      expect(trees).toHaveLength(1);
      expect(agent.state.state.pairs[`${SPEC_A.iccid}/${SPEC_A.imsi}`]!.status).toBe('replaced');
      expect(JSON.stringify(readdirSync(dir).map((f) => f))).not.toContain('tree-' + 'x');
    } finally {
      await dms.close();
    }
  });

  it('package #0: a valid digest starts a server-initiated session; a bad digest and a replay are refused', async () => {
    const { dms, url } = await startDms([accountOf(SPEC_A)]);
    try {
      const reader = new SwapReader();
      const { agent, events } = agentOn(reader);
      agent.start();
      reader.insert(await bootstrapImage({ ...SPEC_A, dmsUrl: url }));
      await agent.idle();
      const pkg = dms.notification(SPEC_A.clientName, SPEC_A.serverId);
      await agent.notify(pkg);
      expect(events.filter((e) => e.type === 'connected')).toHaveLength(2);
      expect(dms.sessions.map((s) => s.result)).toEqual(['ok', 'ok']);
      // the same package again: refused (a replay; its digest is also over a server nonce now replaced)
      await agent.notify(pkg);
      expect((events.at(-1) as { message: string }).message).toMatch(/package #0 from dms-a\.example refused/);
      const bad = Uint8Array.from(dms.notification(SPEC_A.clientName, SPEC_A.serverId));
      bad[3] ^= 1; // the digest
      await agent.notify(bad);
      expect((events.at(-1) as { message: string }).message).toMatch(/refused: .*digest does not verify/);
      expect(events.filter((e) => e.type === 'connected')).toHaveLength(2);
      await agent.stop();
    } finally {
      await dms.close();
    }
  });

  it('--trace: the agent traces its APDUs, never the PIN value', async () => {
    const { dms, url } = await startDms([accountOf(SPEC_A)]);
    try {
      const reader = new SwapReader();
      const lines: string[] = [];
      const { agent } = agentOn(reader, { trace: streamSink((l) => lines.push(l)) });
      agent.start();
      reader.insert(await bootstrapImage({ ...SPEC_A, dmsUrl: url }));
      await agent.stop();
      const t = lines.join('\n');
      expect(t).toMatch(/00 ?A4/i);
      expect(t).toMatch(/VERIFY|00 ?20/i);
      expect(t).not.toMatch(/31 ?32 ?33 ?34/);
    } finally {
      await dms.close();
    }
  });

  it('agent show on a directory that is not a state directory fails and creates nothing', async () => {
    const base = mkdtempSync(join(tmpdir(), 'simdm-show-'));
    dirs.push(base);
    const missing = join(base, 'no-such-state');
    expect(() => new StateDir(missing, { create: false })).toThrow(/not an agent state directory/);
    const r = await runSimdm(['agent', 'show', '--state', missing]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not an agent state directory/);
    expect(existsSync(missing)).toBe(false);
  });

  it('a DM account only in CP form (APPLICATION w7) becomes a DM account', () => {
    const lp = loadProfile('card-profiles/operator-dm.yaml', { vars: (n) => (n === 'ICCID' ? SPEC_A.iccid : undefined) });
    const cp = compileProfile(lp, { iccid: SPEC_A.iccid }).files.find((f) => f.kind === 'cpBootstrap')!;
    const f = dmFieldsFromCp(cp.fields);
    expect(f['./DMAcc/dm_operator_example/ServerID']).toBe('dm.operator.example');
    expect(f['./DMAcc/dm_operator_example/AppAddr/srv/Addr']).toBe('https://dm.operator.example/oma-dm');
    expect(f['./DMAcc/dm_operator_example/AppAddr/srv/Port/p1/PortNbr']).toBe('443 (int)');
    expect(f['./DMAcc/dm_operator_example/PrefConRef']).toBe('NAP_OP');
    expect(f['./DMAcc/dm_operator_example/AppAuth/cli/AAuthLevel']).toBe('CLCRED');
    expect(f['./DMAcc/dm_operator_example/AppAuth/cli/AAuthType']).toBe('DIGEST');
    expect(f['./DMAcc/dm_operator_example/AppAuth/cli/AAuthName']).toBe(SPEC_A.iccid);
    expect(f['./DMAcc/dm_operator_example/AppAuth/srv/AAuthName']).toBe('dm-server');
  });
});
