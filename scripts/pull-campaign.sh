#!/usr/bin/env bash
# The pull-at-every-APDU campaigns of the bootstrap writer (a card pulled at each APDU index of a
# write, applied and not): long, so not in the default suite. Runs them through a real pcscd in a
# private namespace:  bash scripts/pull-campaign.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SIMDM_PULL_CAMPAIGN=1 SIMDM_REQUIRE_PCSCD=1 exec bash scripts/isolated.sh npx vitest run test/e2e/bootstrap-card.test.ts -t 'pulled at every'
