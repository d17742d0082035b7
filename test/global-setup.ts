/**
 * Starts a real pcscd with 16 vpcd readers for the end-to-end tests (unless one runs already)
 * and stops it by PID afterwards. Without pcscd installed, and SIMDM_REQUIRE_PCSCD unset, the
 * e2e tests are skipped, loudly; scripts/test.sh (CI) sets SIMDM_REQUIRE_PCSCD=1.
 */
import type { TestProject } from 'vitest/node';
import { ensurePcscd, pcscdInstalled, pcscdRunning, type PcscdHandle } from './helpers/pcscd.js';
import './provided.js';

let handle: PcscdHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  project.provide('pcscd', false);
  if (!pcscdRunning() && !pcscdInstalled()) {
    if (process.env.SIMDM_REQUIRE_PCSCD === '1') throw new Error('pcscd/vsmartcard-vpcd not installed: run scripts/test.sh (it installs them)');
    console.warn('\n*** pcscd or vsmartcard-vpcd not installed: END-TO-END TESTS SKIPPED (run scripts/test.sh) ***\n');
    return;
  }
  handle = await ensurePcscd();
  project.provide('pcscd', true);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}
