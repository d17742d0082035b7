#!/usr/bin/env bash
# Installs everything simdm needs on a fresh Debian 12 machine with Node 20 (run as root):
# Debian packages (pcscd, vpcd, pcsc-lite headers, the interop peers, PostgreSQL for the
# multi-station perso journal tests) and the npm dependencies (the pcsclite addon builds against
# libpcsclite-dev, so apt comes first).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PKGS="pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools libwbxml2-utils opensc libosmocore-utils gcc libc6-dev make g++ python3 postgresql openssl libosmocore-dev pkg-config"
# shellcheck disable=SC2086
if ! dpkg -s $PKGS >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  echo "[setup] installing Debian packages" >&2
  apt-get update -qq
  # --no-install-recommends: pcsc-tools would pull GTK otherwise
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
fi
if [ ! -d node_modules/pcsclite/build ] || [ ! -d node_modules/better-sqlite3/build ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error
  # npm 11 skips dependency install scripts unless allowed; package.json's allowScripts allows
  # the native addons, and this rebuild covers clients that ignore that field
  [ -d node_modules/pcsclite/build ] || npm rebuild pcsclite better-sqlite3 --loglevel=error
fi
