#!/usr/bin/env bash
# The main job on the built-in virtual card, through real PC/SC:
#   install what is needed -> start pcscd with the vpcd virtual reader -> plug simdm's virtual
#   UICC into it -> show the ATR and the decoded FCP of the MF -> write the operator's DM
#   bootstrap profile (card-profiles/operator-dm.yaml) -> read it back as a device would.
# pcscd and the virtual card are stopped by PID at the end, whatever happens.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
# the `simdm` command runs the compiled JavaScript: build dist/ (incremental, seconds when up to date)
npm run build --silent
# shellcheck source=scripts/pcsc.sh
source scripts/pcsc.sh
DEMO=$ROOT/.demo
mkdir -p "$DEMO"
simdm() { node "$ROOT/bin/simdm.js" "$@"; }

CARD_PID=
cleanup() {
  [ -n "$CARD_PID" ] && { kill "$CARD_PID" 2>/dev/null || true; wait "$CARD_PID" 2>/dev/null || true; }
  pcsc_stop
}
trap cleanup EXIT

pcsc_start 1
echo "== pcscd running (pid $PCSCD_PID) with the vpcd reader"
simdm vcard init --out "$DEMO/card.json" --force >/dev/null
# started directly (not through the shell function) so that $! is the card process itself
node "$ROOT/bin/simdm.js" vcard start --image "$DEMO/card.json" --port 35963 &
CARD_PID=$!
READER="Virtual PCD 00 00"
for _ in $(seq 1 100); do simdm readers 2>/dev/null | grep -q "^\* $READER" && break; sleep 0.1; done

echo; echo "== simdm readers"; simdm readers
echo; echo "== simdm atr --reader \"$READER\""; simdm atr --reader "$READER"
echo; echo "== simdm select MF (the FCP, decoded)"; simdm select MF --reader "$READER"
# ADM1 of the virtual card (a demo value): secrets come from the environment, never arguments
export SIMDM_ADM1=88888888
echo; echo "== simdm profile write card-profiles/operator-dm.yaml"
simdm profile write card-profiles/operator-dm.yaml --reader "$READER" --backup-dir "$DEMO/backups"
echo; echo "== simdm bootstrap detect"; simdm bootstrap detect --reader "$READER"
echo; echo "== simdm bootstrap read (what a device loads into its DM tree)"
simdm bootstrap read --reader "$READER"
echo; echo "== simdm profile write again: nothing differs, nothing is sent"
simdm profile write card-profiles/operator-dm.yaml --reader "$READER" --backup-dir "$DEMO/backups" | head -3
echo; echo "demo done: the card image with the bootstrap is $DEMO/card.json"
