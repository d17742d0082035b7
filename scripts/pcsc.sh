#!/usr/bin/env bash
# Real PC/SC on a machine with no card reader: pcscd + the vsmartcard-vpcd virtual reader,
# with simdm's virtual UICC as the card. Sourced by scripts/demo.sh, scripts/test.sh and .ci/run.
#
#   pcsc_install          apt packages (pcscd, libpcsclite-dev, vsmartcard-vpcd, pcsc-tools, peers)
#   pcsc_start [N]        start pcscd with N virtual reader pairs (default 8 = 16 readers, ports
#                         35963..35978), the TCP_NODELAY shim preloaded; sets PCSCD_PID
#   pcsc_stop             stop that pcscd by PID and reap it
set -euo pipefail
SIMDM_ROOT=${SIMDM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PCSC_RUN=${PCSC_RUN:-$SIMDM_ROOT/.pcsc}

pcsc_install() {
  local pkgs="pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools libwbxml2-utils opensc libosmocore-utils gcc libc6-dev"
  # shellcheck disable=SC2086
  if ! dpkg -s $pkgs >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # --no-install-recommends: pcsc-tools would pull GTK otherwise
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  fi
}

# Bookworm's vpcd writes the 2-byte length and the payload in two send() calls; Nagle plus the
# peer's delayed ACK then cost ~44 ms per APDU (fixed upstream in vsmartcard 76e2679, not in
# Debian 12). This LD_PRELOAD shim sets TCP_NODELAY on the sockets vpcd accepts: ~0.3 ms per APDU.
pcsc_build_shim() {
  mkdir -p "$PCSC_RUN"
  if [ ! -f "$PCSC_RUN/libvpcd_nodelay.so" ] || [ "$SIMDM_ROOT/scripts/vpcd_nodelay.c" -nt "$PCSC_RUN/libvpcd_nodelay.so" ]; then
    gcc -O2 -shared -fPIC -o "$PCSC_RUN/libvpcd_nodelay.so" "$SIMDM_ROOT/scripts/vpcd_nodelay.c" -ldl
  fi
}

# One reader.conf entry = two slots ("Virtual PCD 0N 00" / "0N 01") on ports P and P+1.
# Entries sharing one driver file interfere (a card shows in two readers): each gets its own copy.
pcsc_write_config() {
  local pairs=${1:-8}
  local conf="$PCSC_RUN/reader.conf.d"
  rm -rf "$conf" "$PCSC_RUN/drivers"
  mkdir -p "$conf" "$PCSC_RUN/drivers"
  for i in $(seq 0 $((pairs - 1))); do
    local port=$((35963 + 2 * i))
    cp /usr/lib/pcsc/drivers/serial/libifdvpcd.so "$PCSC_RUN/drivers/libifdvpcd-$i.so"
    # distinct names: pcscd would otherwise list 8 readers called "Virtual PCD 00 00"
    local fname="Virtual PCD"; [ "$i" -gt 0 ] && fname="Virtual PCD $i"
    printf 'FRIENDLYNAME "%s"\nDEVICENAME   /dev/null:0x%X\nLIBPATH      %s\nCHANNELID    0x%X\n' \
      "$fname" "$port" "$PCSC_RUN/drivers/libifdvpcd-$i.so" "$port" >"$conf/vpcd-$i"
  done
}

pcsc_start() {
  local pairs=${1:-8}
  pcsc_build_shim
  pcsc_write_config "$pairs"
  if [ -S /run/pcscd/pcscd.comm ] && pcsc_scan -r >/dev/null 2>&1; then
    echo "a pcscd is already running (pid $(tr -d '\0' </run/pcscd/pcscd.pid 2>/dev/null || echo '?')): stop it first" >&2
    return 1
  fi
  rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
  # never -a (APDU logging): it would write PINs and keys to the log
  LD_PRELOAD="$PCSC_RUN/libvpcd_nodelay.so" pcscd --foreground -c "$PCSC_RUN/reader.conf.d" >"$PCSC_RUN/pcscd.log" 2>&1 &
  PCSCD_PID=$!
  export PCSCD_PID
  for _ in $(seq 1 250); do
    pcsc_scan -r 2>/dev/null | grep -q 'Virtual PCD' && break
    kill -0 "$PCSCD_PID" 2>/dev/null || { echo "pcscd died:" >&2; cat "$PCSC_RUN/pcscd.log" >&2; return 1; }
    sleep 0.02
  done
  pcsc_scan -r 2>/dev/null | grep -q 'Virtual PCD' || { echo "the vpcd readers never appeared" >&2; cat "$PCSC_RUN/pcscd.log" >&2; return 1; }
}

pcsc_stop() {
  if [ -n "${PCSCD_PID:-}" ]; then
    kill "$PCSCD_PID" 2>/dev/null || true
    wait "$PCSCD_PID" 2>/dev/null || true
    PCSCD_PID=
  fi
}
