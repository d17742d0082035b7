/**
 * The whole chain on one machine, all on loopback: virtual UICC in vpcd 35970 -> pcscd -> bridge
 * (TLS, token) -> device agent (remote:// transport) -> DMS (HTTPS). The agent detects the card,
 * loads the bootstrap, and the DMS and the agent authenticate each other; swapping in a card with
 * another IMSI triggers a new bootstrap and a session with that card's server (HMAC this time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAgent, type AgentEvent } from '../../src/agent/agent.js';
import { CardBootstrapSource } from '../../src/agent/source.js';
import { AuditLog, type AuditRecord } from '../../src/bridge/audit.js';
import { PcscBackend } from '../../src/bridge/backend.js';
import { RemoteTransport } from '../../src/bridge/client.js';
import { BridgeServer } from '../../src/bridge/server.js';
import { generateToken, hashToken, TokenStore } from '../../src/bridge/tokens.js';
import type { DmsServer } from '../../src/dms/server.js';
import type { CardImage } from '../../src/sim/image.js';
import { SecretStore } from '../../src/util/secrets.js';
import { pki } from '../unit/bridge/helpers/server.js';
import { AKA_KEYS, bootstrapImage, SPEC_A, SPEC_B, SPEC_G } from '../unit/agent/helpers/cards.js';
import { DmsServer as Dms } from '../../src/dms/server.js';
import { impiFromImsi } from '../../src/dms/gba.js';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { accountOf } from '../unit/agent/helpers/dms.js';
import { CardHostClient, E2E, vpcdReaderName } from '../helpers/vcards.js';
import { simdmArgv } from '../helpers/cli.js';

const PORT = 35970;
const SPEC_C = {
  ...SPEC_A,
  iccid: '8944100000000000049',
  account: 'OperatorC',
  serverId: 'dms-c.example',
  clientName: 'device-c',
  clientNonce: Buffer.from('initial-nonce-c').toString('base64'),
  lwm2m: false,
};
const READER = vpcdReaderName(PORT);

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!E2E)('vpcd -> pcscd -> bridge -> agent -> DMS', () => {
  let host: CardHostClient;
  let dms: DmsServer;
  let url: string;
  let server: BridgeServer;
  let backend: PcscBackend;
  let bridgePort: number;
  let imgA: CardImage;
  let imgB: CardImage;
  let imgG: CardImage;
  let dir: string;
  const audit: AuditRecord[] = [];
  const token = generateToken();

  beforeAll(async () => {
    dms = new Dms({
      accounts: [accountOf(SPEC_A), accountOf(SPEC_B), accountOf(SPEC_G), accountOf(SPEC_C)],
      tls: { cert: pki().serverCert, key: pki().serverKey },
      gba: { bsfDomain: 'bsf.example', nafFqdn: '127.0.0.1', subscribers: [{ impi: impiFromImsi(SPEC_G.imsi), ...AKA_KEYS }] },
    });
    url = `https://127.0.0.1:${(await dms.listen()).port}/dm`;
    imgA = await bootstrapImage({ ...SPEC_A, dmsUrl: url });
    imgB = await bootstrapImage({ ...SPEC_B, dmsUrl: url });
    imgG = await bootstrapImage({ ...SPEC_G, dmsUrl: url });
    host = await CardHostClient.start();
    await host.plug(PORT, imgA, false);
    backend = new PcscBackend();
    server = new BridgeServer({
      backend,
      tokens: TokenStore.parse({ principals: [{ id: 'device-agent', sha256: Buffer.from(hashToken(token)).toString('hex'), readers: [READER] }] }),
      tls: { cert: pki().serverCert, key: pki().serverKey },
      audit: new AuditLog((r) => audit.push(r), true),
      heartbeatMs: 1000,
    });
    bridgePort = (await server.listen()).port;
    dir = mkdtempSync(join(tmpdir(), 'simdm-agent-e2e-'));
  });
  afterAll(async () => {
    await server?.close();
    await backend?.close();
    await host?.stop();
    await dms?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('detects the card, loads the bootstrap, authenticates with the DMS; a new IMSI triggers a new bootstrap', async () => {
    const transport = await RemoteTransport.open('127.0.0.1', bridgePort, READER, { token, ca: pki().caCert });
    const events: AgentEvent[] = [];
    const agent = new DeviceAgent({
      transport,
      stateDir: dir,
      source: new CardBootstrapSource(new SecretStore({ SIMDM_PIN1: '1234' } as NodeJS.ProcessEnv)),
      confirm: async () => {
        throw new Error('no confirmation is required by these cards');
      },
      dm: { ca: pki().caCert },
      onEvent: (e) => events.push(e),
    });
    try {
      agent.start();
      await host.insert(PORT);
      await until(() => events.some((e) => e.type === 'connected' || e.type === 'error'), 20_000, 'the first DM session');
      expect(events.filter((e) => e.type !== 'removed').map((e) => e.type)).toEqual(['card', 'bootstrap', 'connected']);
      expect(events[0]).toMatchObject({ iccid: SPEC_A.iccid, imsi: SPEC_A.imsi, known: false });
      expect(agent.tree!.dm['./DMAcc/OperatorA/ServerID']).toBe(SPEC_A.serverId);
      expect(agent.tree!.lwm2m['/0/1/0']).toBe('coaps://lwm2m.iot.example:5684');
      // the reader is free between insertions
      expect(server.holders()[READER]).toBeUndefined();

      // swap in a card with another IMSI
      const n = events.length;
      await host.swap(PORT, imgB);
      await host.insert(PORT);
      await until(() => events.slice(n).some((e) => e.type === 'connected' || e.type === 'error'), 20_000, `the second DM session ${JSON.stringify(events)}`);
      const later = events.slice(n).filter((e) => e.type !== 'removed');
      expect(later.map((e) => e.type)).toEqual(['card', 'bootstrap', 'connected']);
      expect(later[0]).toMatchObject({ iccid: SPEC_B.iccid, imsi: SPEC_B.imsi, known: false });
      expect((later[1] as Extract<AgentEvent, { type: 'bootstrap' }>).report.removedObsolete).toContain('./DMAcc/OperatorA');
      expect((later[2] as Extract<AgentEvent, { type: 'connected' }>).serverId).toBe(SPEC_B.serverId);
      expect(dms.sessions.filter((s) => s.result === 'ok').map((s) => s.clientName)).toEqual(['device-a', 'device-b']);

      // the bridge audit: the agent's PIN1 verification is there, its value is not
      const verify = audit.filter((r) => r.ins === 'VERIFY PIN');
      expect(verify.length).toBeGreaterThan(0);
      expect(verify.every((r) => r.cmdData === undefined)).toBe(true);
      expect(JSON.stringify(audit)).not.toContain('31323334');
      expect(audit.every((r) => r.who === 'device-agent' || r.event === 'card')).toBe(true);

      // a card with AKA keys: GBA bootstrap through the card's AUTHENTICATE, over the bridge
      const m = events.length;
      await host.swap(PORT, imgG);
      await host.insert(PORT);
      await until(() => events.slice(m).some((e) => e.type === 'connected' || e.type === 'error'), 20_000, 'the GBA session');
      expect(
        events
          .slice(m)
          .filter((e) => e.type !== 'removed')
          .map((e) => e.type),
        JSON.stringify(events.slice(m)),
      ).toEqual(['card', 'bootstrap', 'connected']);
      // AUTHENTICATE's answer (RES, CK, IK) comes with GET RESPONSE under T=0: neither is in the audit
      const authIdx = audit.findIndex((r) => r.ins === 'AUTHENTICATE');
      expect(authIdx).toBeGreaterThan(0);
      expect(JSON.stringify(audit[authIdx])).not.toMatch(/rspData|cmdData/);
      const next = audit.slice(authIdx + 1).find((r) => r.event === 'apdu');
      expect(next?.ins).toBe('GET RESPONSE');
      expect(JSON.stringify(next)).not.toMatch(/rspData|cmdData/);
    } finally {
      await agent.stop();
      await transport.close();
    }
  }, 60_000);

  it('simdm agent run --once works through --reader remote:// (token from SIMDM_BRIDGE_TOKEN)', async () => {
    await host.swap(PORT, await bootstrapImage({ ...SPEC_C, dmsUrl: url }));
    await host.insert(PORT);
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, pki().caCert);
    const state = join(dir, 'cli-state');
    const r = await promisify(execFile)(
      process.execPath,
      simdmArgv([
        'agent',
        'run',
        '--once',
        '--json',
        '--state',
        state,
        '--dms-ca',
        caFile,
        '-r',
        `remote://127.0.0.1:${bridgePort}/${encodeURIComponent(READER)}`,
      ]),
      {
        env: { ...process.env, SIMDM_BRIDGE_TOKEN: token, SIMDM_BRIDGE_CA: caFile, SIMDM_PIN1: '1234' },
        timeout: 30_000,
      },
    ).catch((e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr, failed: true }));
    expect('failed' in r, r.stdout + r.stderr).toBe(false);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AgentEvent);
    expect(lines.map((e) => e.type)).toEqual(['card', 'bootstrap', 'connected']);
    expect(lines[0]).toMatchObject({ iccid: SPEC_C.iccid, known: false });
    expect((lines[2] as { serverId: string }).serverId).toBe(SPEC_C.serverId);
    expect(r.stdout + r.stderr).not.toContain(token);
  }, 60_000);
});
