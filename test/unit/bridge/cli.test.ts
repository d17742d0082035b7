/**
 * The bridge CLI as a user runs it: `simdm bridge token` writes a token file and its hash,
 * `simdm bridge serve --sim` serves a virtual card, `simdm apdu -r remote://...` goes through it,
 * and SIGHUP after removing the principal revokes the token.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultImage } from '../../../src/sim/default-image.js';
import { pki } from './helpers/server.js';
import { simdmArgv } from '../../helpers/cli.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'simdm-bridge-cli-'));
let serve: ChildProcess | undefined;
afterAll(() => {
  serve?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, simdmArgv(args), { env: { ...process.env, ...env }, timeout: 30_000 }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );

describe('simdm bridge CLI', () => {
  it('token -> serve -> apdu through remote:// -> revoke with SIGHUP', async () => {
    const tokens = join(dir, 'tokens.json');
    const tok = join(dir, 'token');
    const card = join(dir, 'card.json');
    writeFileSync(card, JSON.stringify(defaultImage()));
    const t = await cli(['bridge', 'token', '--tokens', tokens, '--id', 'line-1', '--readers', 'sim0', '--out', tok]);
    expect(t.code, t.err).toBe(0);
    const secret = readFileSync(tok, 'utf8').trim();
    expect(readFileSync(tokens, 'utf8')).not.toContain(secret);
    expect(statSync(tok).mode & 0o077).toBe(0);
    // no token file: refused, never printed
    expect((await cli(['bridge', 'token', '--tokens', tokens, '--id', 'x'])).code).not.toBe(0);

    writeFileSync(join(dir, 'cert.pem'), pki().serverCert);
    writeFileSync(join(dir, 'key.pem'), pki().serverKey);
    writeFileSync(join(dir, 'ca.pem'), pki().caCert);
    serve = spawn(
      process.execPath,
      simdmArgv([
        '--json',
        'bridge',
        'serve',
        '--tokens',
        tokens,
        '--cert',
        join(dir, 'cert.pem'),
        '--key',
        join(dir, 'key.pem'),
        '--sim',
        card,
        '--port',
        '0',
        '--audit',
        join(dir, 'audit.jsonl'),
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      serve!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"listening": "127\.0\.0\.1:(\d+)"/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      serve!.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
      setTimeout(() => reject(new Error('serve did not start')), 20_000);
    });
    const env = { SIMDM_BRIDGE_CA: join(dir, 'ca.pem'), SIMDM_BRIDGE_TOKEN: secret };
    const r = await cli(['--json', 'apdu', '-r', `remote://127.0.0.1:${port}/sim0`, '00A4000C022FE2', '00B000000A'], env);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)[1].data).toBe('984401000000000010F5');
    const listed = await cli(['--json', 'bridge', 'readers', `remote://127.0.0.1:${port}/`, '--token-file', tok, '--bridge-ca', join(dir, 'ca.pem')]);
    expect(JSON.parse(listed.out)).toEqual([{ name: 'sim0', present: true }]);

    // revoke: empty the principals and send SIGHUP
    writeFileSync(tokens, JSON.stringify({ principals: [] }));
    serve.kill('SIGHUP');
    await new Promise((res) => setTimeout(res, 500));
    const after = await cli(['apdu', '-r', `remote://127.0.0.1:${port}/sim0`, '00A4000C022FE2'], env);
    expect(after.code).not.toBe(0);
    expect(after.err).toMatch(/401/);
    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('"who":"line-1"');
    expect(audit).not.toContain(secret);
  }, 60_000);
});
