import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the long fuzz campaign is `npm run fuzz`; the default suite runs the same properties with fewer cases
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // end-to-end tests share one pcscd: keep files from racing for the same readers
    fileParallelism: true,
    pool: 'forks',
  },
});
