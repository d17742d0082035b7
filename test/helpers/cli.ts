/**
 * How tests run the `simdm` command: always from the TypeScript sources through tsx (a dev
 * dependency), never bin/simdm.js, which runs the compiled dist/ and could be stale while the
 * sources change. Only the packaging test (test/e2e/packaging.test.ts) runs a real build.
 */
import { execFile, spawn, spawnSync, type ChildProcess, type SpawnOptions, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// an absolute loader URL, so the command runs from any working directory
const TSX = pathToFileURL(fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url))).href;

/** node's argv for `simdm ARGS` from the sources: spawn(process.execPath, simdmArgv(ARGS)). */
export function simdmArgv(args: readonly string[]): string[] {
  return ['--import', TSX, MAIN, ...args];
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `simdm ARGS` to completion (asynchronously); never throws on a non-zero exit. */
export function runSimdm(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeout?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      simdmArgv(args),
      { env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? ROOT, timeout: opts.timeout ?? 60_000, encoding: 'utf8', maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}

/** Runs `simdm ARGS` synchronously (spawnSync options pass through). */
export function runSimdmSync(args: readonly string[], opts: SpawnSyncOptions = {}): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, simdmArgv(args), { cwd: ROOT, timeout: 60_000, ...opts });
}

/** Starts `simdm ARGS` as a long-running child (a server, a card host). */
export function spawnSimdm(args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, simdmArgv(args), { cwd: ROOT, ...opts });
}
