#!/usr/bin/env bash
# The long crash campaign of `simdm perso` (run by hand; the default suite does 3 kills):
# CAMPAIGNS batches of CARDS blank cards on READERS vpcd readers, each run killed with SIGKILL
# KILLS times at random journal points and resumed, cards pulled at random APDUs with chance
# PULL_CHANCE; after each, journal and cards must agree (no row on two cards, none lost).
#
#   scripts/crash-campaign.sh [CAMPAIGNS=4] [KILLS=6] [CARDS=40] [READERS=8] [PULL_CHANCE=0.3] [FIRST_SEED=100]
#
# Starts its own pcscd with the 16 vpcd readers (scripts/pcsc.sh) unless one runs already.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/pcsc.sh
source scripts/pcsc.sh
started=
if ! pcsc_scan -r 2>/dev/null | grep -q 'Virtual PCD'; then
  pcsc_start
  started=1
  trap 'pcsc_stop' EXIT
fi
npx tsx test/fixtures/perso/crash-main.ts "${1:-4}" "${2:-6}" "${3:-40}" "${4:-8}" "${5:-0.3}" "${6:-100}"
