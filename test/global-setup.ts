/**
 * Starts a real pcscd with 16 vpcd readers (scripts/pcsc.sh prepares the config and the
 * TCP_NODELAY shim) for the end-to-end tests, unless one is already running, and stops it by PID.
 * Without pcscd installed (and SIMDM_REQUIRE_PCSCD unset) the e2e tests are skipped, loudly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import './provided.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let pcscd: ChildProcess | undefined;

function running(): boolean {
  const r = spawnSync('pcsc_scan', ['-r'], { encoding: 'utf8', timeout: 3000 });
  return r.status === 0 && /Virtual PCD/.test(r.stdout);
}

export async function setup(project: TestProject): Promise<void> {
  project.provide('pcscd', false);
  const require = process.env.SIMDM_REQUIRE_PCSCD === '1';
  if (running()) {
    project.provide('pcscd', true);
    return;
  }
  const haveTools = existsSync('/usr/sbin/pcscd') && existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so');
  if (!haveTools) {
    if (require) throw new Error('pcscd/vsmartcard-vpcd not installed: run scripts/test.sh (it installs them)');
    console.warn('\n*** pcscd or vsmartcard-vpcd not installed: END-TO-END TESTS SKIPPED (run scripts/test.sh) ***\n');
    return;
  }
  const prep = spawnSync('bash', ['-c', 'source scripts/pcsc.sh && pcsc_build_shim && pcsc_write_config 8'], { cwd: ROOT, encoding: 'utf8' });
  if (prep.status !== 0) throw new Error(`preparing pcscd failed: ${prep.stderr}`);
  pcscd = spawn('/usr/sbin/pcscd', ['--foreground', '-c', `${ROOT}/.pcsc/reader.conf.d`], {
    env: { ...process.env, LD_PRELOAD: `${ROOT}/.pcsc/libvpcd_nodelay.so` },
    stdio: 'ignore',
  });
  for (let i = 0; i < 250 && !running(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!running()) throw new Error('pcscd started but the vpcd readers never appeared');
  project.provide('pcscd', true);
}

export async function teardown(): Promise<void> {
  if (!pcscd) return;
  const exited = new Promise((r) => pcscd!.once('exit', r));
  pcscd.kill('SIGTERM');
  await exited;
}
