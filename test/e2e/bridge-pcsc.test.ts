/**
 * The bridge over real PC/SC: virtual UICCs in vpcd 35970/35971 -> pcscd -> bridge (TLS, tokens)
 * -> remote:// transport. Each refusal the bridge promises is exercised here against real readers,
 * and the CLI runs a command through remote://.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import { AuditLog, type AuditRecord } from '../../src/bridge/audit.js';
import { PcscBackend } from '../../src/bridge/backend.js';
import { RemoteTransport } from '../../src/bridge/client.js';
import { encodeClientRequest } from '../../src/bridge/protocol.js';
import { BridgeServer } from '../../src/bridge/server.js';
import { generateToken, hashToken, TokenStore } from '../../src/bridge/tokens.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { makePki, type TestPki } from '../helpers/certs.js';
import { CardHostClient, E2E, vpcdReaderName } from '../helpers/vcards.js';
import { simdmArgv } from '../helpers/cli.js';

const run = promisify(execFile);
const PA = 35970;
const PB = 35971;
const RA = vpcdReaderName(PA);
const RB = vpcdReaderName(PB);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe.skipIf(!E2E)('bridge over pcscd + vpcd', () => {
  let host: CardHostClient;
  let pki: TestPki;
  let server: BridgeServer;
  let backend: PcscBackend;
  let port: number;
  const audit: AuditRecord[] = [];
  const tok = { rw: generateToken(), ro: generateToken(), onlyB: generateToken() };
  let dir: string;

  beforeAll(async () => {
    host = await CardHostClient.start();
    const second = defaultImage();
    second.mf.children![0]!.content = '98440100000000002006';
    await host.plug(PA);
    await host.plug(PB, second);
    pki = makePki();
    backend = new PcscBackend();
    server = new BridgeServer({
      backend,
      tokens: TokenStore.parse({
        principals: [
          { id: 'rw', sha256: hex(hashToken(tok.rw)), readers: [RA, RB] },
          { id: 'ro', sha256: hex(hashToken(tok.ro)), readers: ['Virtual PCD*'], readOnly: true },
          { id: 'onlyB', sha256: hex(hashToken(tok.onlyB)), readers: [RB] },
        ],
      }),
      tls: { cert: pki.serverCert, key: pki.serverKey },
      audit: new AuditLog((r) => audit.push(r)),
      heartbeatMs: 1000,
    });
    port = (await server.listen()).port;
    dir = mkdtempSync(join(tmpdir(), 'simdm-bridge-e2e-'));
  });
  afterAll(async () => {
    await server?.close();
    await backend?.close();
    await host?.stop();
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = (reader: string, token?: string, extra: object = {}) =>
    RemoteTransport.open('127.0.0.1', port, reader, { ...(token ? { token } : {}), ca: pki.caCert, ...extra });

  async function iccid(t: RemoteTransport): Promise<string> {
    const l = new CardLink(t);
    await l.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') });
    return toHex(await l.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 10 }));
  }

  it('reads both cards through the bridge, GET RESPONSE included', async () => {
    const a = await open(RA, tok.rw);
    const b = await open(RB, tok.rw);
    try {
      await a.waitForCard(5000);
      await b.waitForCard(5000);
      expect(toHex(await a.connect())).toBe(defaultImage().atr);
      await b.connect();
      expect(await iccid(a)).toBe('984401000000000010F5');
      expect(await iccid(b)).toBe('98440100000000002006');
      const fcp = await new CardLink(a).send({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('3F00') });
      expect(fcp[0]).toBe(0x62);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses: no token, wrong token, token for another reader', async () => {
    await expect(open(RA)).rejects.toMatchObject({ code: 'bridge.auth' });
    await expect(open(RA, generateToken())).rejects.toMatchObject({ code: 'bridge.auth' });
    await expect(open(RA, tok.onlyB)).rejects.toMatchObject({ code: 'bridge.forbidden' });
  });

  it('refuses UPDATE BINARY from a read-only token (card unchanged)', async () => {
    const t = await open(RA, tok.ro);
    await t.connect();
    await new CardLink(t).send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') });
    await expect(t.transmit(fromHex('00D6000002AAAA'))).rejects.toMatchObject({ code: 'bridge.forbidden' });
    expect(await iccid(t)).toBe('984401000000000010F5');
    await t.close();
  });

  it('refuses a replayed frame', async () => {
    const t = await open(RA, tok.rw);
    await t.connect();
    await iccid(t);
    const c = t.client;
    c.sendRaw(encodeClientRequest({ op: 'apdu', seq: c.lastSeq, apdu: fromHex('00B000000A'), binary: true }));
    await expect(c.expect(c.lastSeq, 3000)).rejects.toMatchObject({ code: 'bridge.replay' });
    await t.close();
  });

  it('refuses plain TCP without TLS (no HTTP/WebSocket answer), and TLS without a trusted server cert', async () => {
    const answer = await new Promise<string>((resolve) => {
      const s = netConnect(port, '127.0.0.1', () =>
        s.write(
          `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nAuthorization: Bearer ${tok.rw}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        ),
      );
      let data = '';
      s.on('data', (d) => (data += d.toString('latin1')));
      s.on('close', () => resolve(data));
      s.on('error', () => undefined);
      setTimeout(() => s.destroy(), 3000);
    });
    expect(answer).not.toContain('101 Switching');
    expect(answer).not.toMatch(/^HTTP/);
    const verified = await new Promise<boolean>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost' }, () => resolve(s.authorized));
      s.on('error', () => resolve(false));
    });
    expect(verified).toBe(false);
  });

  it('pushes card removal and insertion to the session watching the reader', async () => {
    const t = await open(RB, tok.onlyB);
    const events: string[] = [];
    t.on('removed', () => events.push('removed'));
    t.on('inserted', () => events.push('inserted'));
    await host.remove(PB);
    for (let i = 0; i < 100 && !events.includes('removed'); i++) await new Promise((r) => setTimeout(r, 30));
    await host.insert(PB);
    for (let i = 0; i < 100 && !events.includes('inserted'); i++) await new Promise((r) => setTimeout(r, 30));
    expect(events).toEqual(['removed', 'inserted']);
    await t.waitForCard(3000);
    await t.connect();
    expect(await iccid(t)).toBe('98440100000000002006');
    await t.close();
  });

  it('any CLI command works through --reader remote://', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, tok.rw + '\n', { mode: 0o600 });
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, pki.caCert);
    const r = await run(
      process.execPath,
      simdmArgv(['--json', 'apdu', '-r', `remote://127.0.0.1:${port}/${encodeURIComponent(RA)}`, '00A4000C022FE2', '00B000000A']),
      {
        env: { ...process.env, SIMDM_BRIDGE_CA: caFile, SIMDM_BRIDGE_TOKEN: tok.rw },
      },
    );
    const out = JSON.parse(r.stdout) as { data: string; sw: string }[];
    expect(out[1]).toMatchObject({ data: '984401000000000010F5', sw: '9000' });
    expect(r.stdout + r.stderr).not.toContain(tok.rw);
    expect(JSON.stringify(audit)).not.toContain(tok.rw);
  });
});
