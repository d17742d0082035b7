/** Shared timing for the CPU-bound benchmarks (the card benchmarks time real exchanges instead). */

/** Runs `f` for about `ms` milliseconds after a warm-up (JIT); returns calls per second. */
export function callsPerSecond(f: () => unknown, ms = 300, warmup = 300): number {
  for (let i = 0; i < warmup; i++) f();
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < 20; i++) f();
    n += 20;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}
