/**
 * Issue 18's done-when, end to end over pcscd: a virtual UICC in vpcd slot 35971 written from
 * card-profiles/operator-dm.yaml (`simdm profile write`) -> `simdm dms serve --from-card` (HTTPS,
 * the account's path /oma-dm, a Replace queued) -> `simdm agent run --once` detects the card, hands
 * the card's NAP (CP NAPDEF/PXLOGICAL) to the network hook and a NetworkManager keyfile, runs an
 * OMA DM 1.2 session with mutual syncml:auth-md5, executes the server's Replace on the card-backed
 * account and writes it back to the card (ADM1). Then the same with the enterprise profile's
 * HMAC account (syncml:auth-MAC, x-syncml-hmac both ways; ADM2 owns that file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import { readBootstrap } from '../../src/bootstrap/reader.js';
import { defaultImage, pinHex } from '../../src/sim/default-image.js';
import { runSimdm, simdmArgv } from '../helpers/cli.js';
import { selfSigned } from '../helpers/certs.js';
import { E2E, readerFor, useCardRig, vpcdReaderName } from '../helpers/vcards.js';

const P = 35971;
const READER = vpcdReaderName(P);
const dir = mkdtempSync(join(tmpdir(), 'simdm-agent-dm-e2e-'));
const ENV = {
  SIMDM_ADM1: '88888888',
  SIMDM_ADM2: '87654321',
  SIMDM_PIN1: '1234',
  SIMDM_LWM2M_PSK: '000102030405060708090A0B0C0D0E0F',
  SIMDM_ENT_DM_SECRET: 'corp-hmac-secret',
};
const env = { ...process.env, ...ENV };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for the example servers' names (trusted by the agent with --dms-ca). */
const cert = (): { cert: string; key: string } => selfSigned(dir, 'dms', 'dm.operator.example', 'DNS:dm.operator.example,DNS:mdm.corp.example');

const cli = (args: string[]) => runSimdm(['--reader', READER, ...args], { env, timeout: 60_000 });

/** Starts `dms serve` and resolves with its port once it listens. */
function serve(args: string[]): Promise<{ proc: ChildProcess; port: number; log: () => string }> {
  const proc = spawn(process.execPath, simdmArgv(['--reader', READER, '--json', 'dms', 'serve', '--port', '0', ...args]), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    proc.on('exit', (c) => reject(new Error(`dms serve exited ${c}: ${err}`)));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        const j = JSON.parse(out) as { listening: string };
        resolve({ proc, port: Number(j.listening.split(':').pop()), log: () => err });
      } catch {
        /* not all of it yet */
      }
    });
  });
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  p.removeAllListeners('exit');
  await new Promise<void>((r) => {
    p.once('exit', () => r());
    p.kill('SIGTERM');
  });
}

describe.skipIf(!E2E)('card -> agent -> OMA DM 1.2 session with dms serve --from-card -> change written to the card', () => {
  const rig = useCardRig([P]);
  const tls = E2E ? cert() : { cert: '', key: '' };

  async function cardFields(): Promise<Record<string, string>> {
    const t = await readerFor(rig.ctx, P, 10_000);
    await t.connect();
    try {
      const st = await readBootstrap(new CardLink(t));
      return Object.assign({}, ...st.files.filter((f) => f.content?.format === 'syncml-dm').map((f) => f.content!.fields)) as Record<string, string>;
    } finally {
      await t.disconnect({ reset: true });
      await t.close?.();
    }
  }

  it('operator-dm.yaml: connectivity through the hook, mutual md5, the server Replace lands on the card', async () => {
    const tStart = Date.now();
    await rig.fresh(P, defaultImage());
    const w = await cli(['profile', 'write', 'card-profiles/operator-dm.yaml', '--json', '--backup-dir', join(dir, 'b')]);
    expect(w.code, w.stderr).toBe(0);
    await readerFor(rig.ctx, P, 10_000); // the reader is back after the write (dms serve would not wait)
    const dms = await serve([
      '--from-card',
      '--cert',
      tls.cert,
      '--key',
      tls.key,
      '--replace',
      './DMAcc/OperatorDM/Name=Renamed by the DMS',
      '--get',
      './DevInfo/DevId',
      '--get',
      './NAP/NAP_OP/Addr',
    ]);
    try {
      const hookOut = join(dir, 'hook.env');
      const nm = join(dir, 'nm');
      const t0 = Date.now();
      console.log(`e2e timing: profile write + dms serve ready ${t0 - tStart} ms`);
      const a = await cli([
        '--json',
        'agent',
        'run',
        '--once',
        '--state',
        join(dir, 'state'),
        '--dms-ca',
        tls.cert,
        '--connect-to',
        `dm.operator.example:443:127.0.0.1:${dms.port}`,
        '--net-hook',
        `env | grep '^SIMDM_' | grep -v -e '^SIMDM_ADM' -e '^SIMDM_PIN' -e '^SIMDM_LWM2M' -e '^SIMDM_ENT' | sort > '${hookOut}'`,
        '--nm-keyfile',
        nm,
      ]);
      const took = Date.now() - t0;
      console.log(`e2e timing: agent run --once ${took} ms`);
      expect(a.code, a.stdout + a.stderr + dms.log()).toBe(0);
      const events = a.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
      expect(events.map((e) => e.type)).toEqual(['card', 'bootstrap', 'connectivity', 'connected', 'card-written']);
      expect(events[3]).toMatchObject({ serverId: 'dm.operator.example', changed: ['./DMAcc/OperatorDM/Name'] });
      // the hook got the card's NAP in its environment
      const hook = readFileSync(hookOut, 'utf8');
      expect(hook).toContain('SIMDM_NAP_APN=internet.operator.example');
      expect(hook).toContain('SIMDM_NAP_AUTH_TYPE=PAP');
      expect(hook).toContain('SIMDM_NAP_AUTH_NAME=guest');
      expect(hook).toContain('SIMDM_PROXY_ADDR=192.0.2.10');
      expect(hook).toContain('SIMDM_PROXY_PORT=8080');
      expect(hook).toContain('SIMDM_DM_SERVER=https://dm.operator.example/oma-dm');
      const kf = join(nm, 'simdm-NAP_OP.nmconnection');
      expect(statSync(kf).mode & 0o777).toBe(0o600);
      expect(readFileSync(kf, 'utf8')).toMatch(/\[gsm\]\napn=internet\.operator\.example\nusername=guest/);
      // the DMS logged the account and a true outcome, with the device's answers
      const log = dms.log();
      expect(log).toMatch(
        /8944100000000000015 -> dm\.operator\.example \(urn:uuid:[0-9a-f-]+\): ok; Get \.\/DevInfo\/DevId -> 200; Get \.\/NAP\/NAP_OP\/Addr -> 200; Replace \.\/DMAcc\/OperatorDM\/Name -> 200/,
      );
      expect(log).toContain('./NAP/NAP_OP/Addr=internet.operator.example');
      expect(log).not.toContain('demo-client-secret');
      // on the card now
      const f = await cardFields();
      expect(f['./DMAcc/OperatorDM/Name']).toBe('Renamed by the DMS');
      expect(f['./DMAcc/OperatorDM/AppAuth/cli/AAuthSecret']).toBe('demo-client-secret');
      expect(f['./DMAcc/OperatorDM/AppAuth/cli/AAuthData']).toBe('Y2xpZW50LW5vbmNl (b64)');
      expect(took).toBeLessThan(30_000);
    } finally {
      await stop(dms.proc);
    }
  }, 90_000);

  it('enterprise-dm.yaml: mutual HMAC (x-syncml-hmac both ways), Replace written back with ADM2', async () => {
    const img = defaultImage();
    img.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('87654321'), retries: 3, maxRetries: 3, enabled: true });
    await rig.fresh(P, img);
    const w = await cli(['profile', 'write', 'card-profiles/enterprise-dm.yaml', '--json', '--backup-dir', join(dir, 'b')]);
    expect(w.code, w.stderr).toBe(0);
    await readerFor(rig.ctx, P, 10_000);
    const dms = await serve(['--from-card', '--cert', tls.cert, '--key', tls.key, '--replace', './DMAcc/CorpMDM/Name=Corp MDM (renamed)']);
    try {
      const a = await cli([
        '--json',
        'agent',
        'run',
        '--once',
        '--state',
        join(dir, 'state2'),
        '--dms-ca',
        tls.cert,
        '--encoding',
        'xml',
        '--connect-to',
        `mdm.corp.example:443:127.0.0.1:${dms.port}`,
        '--connect-to',
        `dm.operator.example:443:127.0.0.1:${dms.port}`,
      ]);
      expect(a.code, a.stdout + a.stderr + dms.log()).toBe(0);
      expect(dms.log()).toMatch(/-> mdm\.corp\.example \(urn:uuid:[0-9a-f-]+\): ok; Replace \.\/DMAcc\/CorpMDM\/Name -> 200/);
      const f = await cardFields();
      expect(f['./DMAcc/CorpMDM/Name']).toBe('Corp MDM (renamed)');
    } finally {
      await stop(dms.proc);
    }
  }, 90_000);
});
