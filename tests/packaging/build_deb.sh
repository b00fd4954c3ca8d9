#!/usr/bin/env bash
# The packaging tests' fixture: builds the .deb from this build tree with
# cpack, as a user would, and unpacks it into a scratch root (dpkg -x).
#   build_deb.sh CPACK BUILD_DIR OUT_DIR  ->  OUT_DIR/stratd.deb, OUT_DIR/root/
set -euo pipefail
cpack=$1 build=$2 out=$3

rm -rf "$out"
mkdir -p "$out"
if ! "$cpack" --config "$build/CPackConfig.cmake" -B "$out/cpack" >"$out/cpack.log" 2>&1; then
  cat "$out/cpack.log"
  echo "FAIL: cpack did not build the .deb" >&2
  exit 1
fi
debs=("$out"/cpack/stratd_*.deb)
if [[ ${#debs[@]} -ne 1 || ! -f ${debs[0]} ]]; then
  echo "FAIL: expected one stratd_*.deb in $out/cpack, found: ${debs[*]}" >&2
  exit 1
fi
mv "${debs[0]}" "$out/stratd.deb"
rm -rf "$out/cpack/_CPack_Packages"
dpkg -x "$out/stratd.deb" "$out/root"
echo "built $(basename "${debs[0]}") ($(stat -c %s "$out/stratd.deb") bytes), unpacked into $out/root"
