/**
 * Number of fast-check runs for decoder fuzz properties. The default suite uses a few thousand;
 * `npm run fuzz` sets SIMDM_FUZZ_RUNS=100000 for the long campaign.
 */
export const FUZZ_RUNS = Number(process.env.SIMDM_FUZZ_RUNS ?? 2000);
/** for properties that are expensive per case */
export const FUZZ_RUNS_SLOW = Math.max(100, Math.floor(FUZZ_RUNS / 10));
