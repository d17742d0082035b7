#!/usr/bin/env bash
# Pull campaigns, long, so not in the default suite: the bootstrap writer pulled at each APDU index
# of a write (applied and not), and a perso batch on 8 readers with cards pulled at random APDUs
# (PERSO_SEED picks the plan). Through a real pcscd in a private namespace:  bash scripts/pull-campaign.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SIMDM_PULL_CAMPAIGN=1 SIMDM_REQUIRE_PCSCD=1 exec bash scripts/isolated.sh npx vitest run test/e2e/perso-pull.test.ts test/e2e/bootstrap-card.test.ts -t 'pulled'
