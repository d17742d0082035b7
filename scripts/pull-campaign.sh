#!/usr/bin/env bash
# Pull campaigns, long, so not in the default suite (which runs perso seed 8 only): a perso batch on
# 8 readers with cards pulled at random APDUs and put back, once per seed in PERSO_SEEDS (each seed a
# different pull plan), then the bootstrap writer pulled at each APDU index of a write (applied and
# not; about 80 s, also part of the default suite: run here once more). Through a real pcscd in a
# private namespace:  bash scripts/pull-campaign.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SEEDS=${PERSO_SEEDS:-"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"}
pass=0
fail=0
for s in $SEEDS; do
  if PERSO_SEED=$s SIMDM_REQUIRE_PCSCD=1 bash scripts/isolated.sh npx vitest run test/e2e/perso-pull.test.ts >"/tmp/simdm-pull-$s.log" 2>&1; then
    pass=$((pass + 1))
    grep -a 'perso pull e2e' "/tmp/simdm-pull-$s.log" | sed 's/\x1b\[[0-9;]*m//g' || true
  else
    fail=$((fail + 1))
    echo "perso pull seed $s FAILED: /tmp/simdm-pull-$s.log"
  fi
done
echo "perso pull campaign: $pass seeds passed, $fail failed"
SIMDM_REQUIRE_PCSCD=1 bash scripts/isolated.sh npx vitest run test/e2e/bootstrap-card.test.ts -t 'pulled'
[ "$fail" -eq 0 ]
