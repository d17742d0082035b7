#!/usr/bin/env bash
# Builds the libdmclient interop peer and runs test/e2e/dm-peer-libdmclient.test.ts against it
# (docs/dms.md "Interop with libdmclient"). libdmclient is in no Debian or npm package and CI has no
# other network, so its source is not fetched here: give a source tree of Intel's libdmclient at the
# pinned commit in LIBDMCLIENT_SRC. The driver (test/peers/libdmclient/driver.c) is simdm's own,
# written against libdmclient's public API. Output in .peers/libdmclient (LIBDMCLIENT_OUT).
#   LIBDMCLIENT_SRC=/path/to/libdmclient bash scripts/peer-libdmclient.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PIN=9d4e3e8f252ea6e70f9b0b5f8e1fc733852d8c17
SRC=${LIBDMCLIENT_SRC:-}
if [ -z "$SRC" ] || [ ! -f "$SRC/configure.ac" ] || [ ! -f "$SRC/dmcore/include/omadmclient.h" ]; then
  cat >&2 <<MSG
peer-libdmclient: needs LIBDMCLIENT_SRC, a source tree of intel/libdmclient (Apache-2.0) at commit
$PIN (2014-04-24), and the Debian packages autoconf automake libtool make gcc libcurl4-openssl-dev
libssl-dev (installed by this script). Without it the peer test stays skipped.
MSG
  exit 2
fi
PKGS="autoconf automake libtool make gcc libcurl4-openssl-dev libssl-dev"
# shellcheck disable=SC2086
dpkg -s $PKGS >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $PKGS; }
OUT=${LIBDMCLIENT_OUT:-$PWD/.peers/libdmclient}
rm -rf "$OUT" && mkdir -p "$OUT"
cp -a "$SRC/." "$OUT/src"
(cd "$OUT/src" && autoreconf -i >/dev/null && ./configure -q --enable-tests --prefix="$OUT/inst" && make -s -j2 && make -s install) >"$OUT/build.log" 2>&1 ||
  { echo "peer-libdmclient: build failed, see $OUT/build.log" >&2; exit 1; }
gcc -O1 -Wall -o "$OUT/ldm-driver" test/peers/libdmclient/driver.c -I "$OUT/src/dmcore/include" -L "$OUT/inst/lib" \
  -Wl,-rpath,"$OUT/inst/lib" -ldmclient -lcurl -lcrypto -ldl
mkdir -p "$OUT/plugins" && cp "$OUT/inst/bin/plugins/"*.so "$OUT/plugins/"
echo "peer-libdmclient: built $OUT/ldm-driver; running the interop test" >&2
SIMDM_LIBDMCLIENT_DRIVER="$OUT/ldm-driver" npx vitest run test/e2e/dm-peer-libdmclient.test.ts
