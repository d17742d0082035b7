#!/usr/bin/env bash
# Installs what is needed and runs the whole test suite: unit tests, property tests, and the
# end-to-end tests through a real pcscd with 16 vpcd virtual readers and simdm's virtual UICCs
# (test/global-setup.ts starts pcscd and stops it by PID). Ends with "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p .pcsc
echo "[test] type check (tsc --noEmit)" >&2
npx tsc --noEmit -p . || { echo "0 passed, 1 failed"; exit 1; }
echo "[test] lint (eslint) and format check (prettier)" >&2
npx eslint . || { echo "0 passed, 1 failed"; exit 1; }
npx prettier --check . >/dev/null || { npx prettier --list-different .; echo "0 passed, 1 failed"; exit 1; }
echo "[test] clean build of dist/ (npm run prepack; test/e2e/packaging.test.ts packs it)" >&2
npm run prepack --silent || { echo "0 passed, 1 failed"; exit 1; }
export SIMDM_DIST_FRESH=1
export SIMDM_REQUIRE_PCSCD=1
npx vitest run --reporter=default --reporter=json --outputFile.json=.pcsc/test-results.json "$@"
rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".pcsc/test-results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || echo "0 passed, 1 failed"
exit $rc
