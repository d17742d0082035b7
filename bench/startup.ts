/**
 * Start-up time of the installed command (the compiled dist/, as `npm install` gives it) against
 * a bare `node -e 0`: `simdm --help` and `simdm atr --reader sim:` (the built-in virtual card in
 * process, so the figure is start-up + one command, no pcscd). Median of 7 runs each, interleaved
 * so that a load spike hits all three alike. Builds dist/ first (incremental).
 * Goal (issue #15): `simdm --help` within 4x of `node -e 0`.
 *   npx tsx bench/startup.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/simdm.js', import.meta.url));
const RUNS = 7;

execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });

const cases: { name: string; argv: string[] }[] = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  { name: 'simdm --help', argv: [BIN, '--help'] },
  { name: 'simdm atr --reader sim:', argv: [BIN, 'atr', '--reader', 'sim:'] },
];

function once(argv: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c.name)!.push(once(c.argv));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times.get('node -e 0')!);
console.log(`start-up, median of ${RUNS} (node ${process.version}, dist/ build)`);
for (const c of cases) {
  const m = median(times.get(c.name)!);
  console.log(`  ${c.name.padEnd(26)} ${m.toFixed(0).padStart(6)} ms  ${(m / base).toFixed(1).padStart(5)}x node -e 0`);
}
const ratio = median(times.get('simdm --help')!) / base;
console.log(`goal: simdm --help within 4x of node -e 0: ${ratio <= 4 ? 'met' : 'NOT met'} (${ratio.toFixed(1)}x)`);
