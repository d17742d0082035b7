#!/usr/bin/env bash
# Runs a command in a private network and mount namespace (root only): its own loopback and its
# own /run/pcscd, so a pcscd with the 16 vpcd readers (ports 35963..35978) started inside cannot
# clash with another one on the same machine. For running the suite, a benchmark or the demo
# beside other work:  bash scripts/isolated.sh bash scripts/test.sh
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: scripts/isolated.sh COMMAND [ARG...]" >&2; exit 2; }
mkdir -p /run/pcscd
exec unshare --mount --net --propagation private -- bash -c '
  ip link set lo up
  mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
  exec "$@"' isolated "$@"
