/** Shared timing for the CPU-bound benchmarks (the card benchmarks time real exchanges instead). */

/**
 * Runs `f` for about `ms` milliseconds of this process's CPU time after a warm-up (JIT); returns
 * calls per CPU-second. CPU time rather than wall time: on a shared machine other processes'
 * load would otherwise count against the code measured.
 */
export function callsPerSecond(f: () => unknown, ms = 300, warmup = 300): number {
  for (let i = 0; i < warmup; i++) f();
  let n = 0;
  const start = process.cpuUsage();
  const limit = ms * 1000;
  let used = 0;
  while (used < limit) {
    for (let i = 0; i < 20; i++) f();
    n += 20;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  }
  return (n * 1e6) / used;
}
