/**
 * Starts a real pcscd with 16 vpcd readers (scripts/pcsc.sh prepares the reader config and the
 * TCP_NODELAY shim) unless one is already running. Used by the e2e global setup and by bench/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function pcscdRunning(): boolean {
  const r = spawnSync('pcsc_scan', ['-r'], { encoding: 'utf8', timeout: 3000 });
  return r.status === 0 && /Virtual PCD/.test(r.stdout);
}

export function pcscdInstalled(): boolean {
  return existsSync('/usr/sbin/pcscd') && existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so');
}

export interface PcscdHandle {
  /** we started it (and stop() stops it by PID); false if one was already running */
  started: boolean;
  stop(): Promise<void>;
}

export async function ensurePcscd(): Promise<PcscdHandle> {
  if (pcscdRunning()) return { started: false, stop: async () => undefined };
  if (!pcscdInstalled()) throw new Error('pcscd/vsmartcard-vpcd not installed: run scripts/setup.sh');
  const prep = spawnSync('bash', ['-c', 'source scripts/pcsc.sh && pcsc_build_shim && pcsc_write_config 8'], { cwd: ROOT, encoding: 'utf8' });
  if (prep.status !== 0) throw new Error(`preparing pcscd failed: ${prep.stderr}`);
  // never -a: APDU logging would write PINs and keys to the log
  const child: ChildProcess = spawn('/usr/sbin/pcscd', ['--foreground', '-c', `${ROOT}.pcsc/reader.conf.d`], {
    env: { ...process.env, LD_PRELOAD: `${ROOT}.pcsc/libvpcd_nodelay.so` },
    stdio: 'ignore',
  });
  for (let i = 0; i < 250 && !pcscdRunning(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!pcscdRunning()) {
    child.kill();
    throw new Error('pcscd started but the vpcd readers never appeared');
  }
  return {
    started: true,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
