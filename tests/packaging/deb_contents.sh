#!/usr/bin/env bash
# The .deb's control data and file list: its name and version, the
# library dependencies dpkg-shlibdeps found, the configuration marked as a
# conffile, the maintainer scripts, and every file in its FHS place.
#   deb_contents.sh OUT_DIR VERSION BIN_DIR DATA_DIR DOC_DIR UNIT_DIR SYSUSERS_DIR CONFIG_DIR
set -euo pipefail
out=$(realpath "$1") version=$2 bindir=$3 datadir=$4 docdir=$5 unitdir=$6 sysusersdir=$7 configdir=$8
deb=$out/stratd.deb
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == stratd ]] || fail "Package is '$(field Package)'"
[[ $(field Version) == "$version"-* ]] || fail "Version '$(field Version)' is not $version-<release>"
[[ -n $(field Maintainer) ]] || fail "no Maintainer"
depends=$(field Depends)
echo "Depends: $depends"
depends_names=$(tr ',' '\n' <<<"$depends" | awk '{print $1}')
for lib in libc6 libstdc++6 libzmq5 liblua5.4-0 libsqlite3-0 libsystemd0; do
  grep -qxF "$lib" <<<"$depends_names" || fail "Depends lacks $lib"
done
[[ $(field Recommends) == *systemd* ]] || fail "Recommends lacks systemd"

control=$(mktemp -d)
trap 'rm -rf "$control"' EXIT
dpkg-deb -e "$deb" "$control"
[[ $(cat "$control/conffiles") == "$configdir/stratd.toml" ]] ||
  fail "conffiles is '$(cat "$control/conffiles")', not $configdir/stratd.toml"
for script in postinst prerm postrm; do
  [[ -x $control/$script ]] || fail "no executable $script"
  sh -n "$control/$script" || fail "$script does not parse"
done

files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in "$bindir/stratd" "$bindir/strat-worker" "$bindir/strat-feed" "$bindir/stratctl" \
  "$datadir/stratd/strategies/ema_crossover.lua" "$docdir/README.md" "$docdir/operations.md" \
  "$docdir/configuration.md" "$unitdir/stratd.service" "$sysusersdir/stratd.conf" "$configdir/stratd.toml"; do
  grep -qxF "$f" <<<"$files" || fail "$f is not in the package"
done
# Nothing outside the FHS places, and no build or test leftovers.
if grep -vE "^/($|usr/|etc/|lib/)" <<<"$files"; then fail "files outside /usr, /etc and /lib (above)"; fi
if grep -E "unit_tests|integration_tests|fuzz|bench" <<<"$files"; then fail "test or bench files packaged (above)"; fi
# The unit and the configuration name the installed paths, all filled in.
root=$out/root
if grep -nE "@[A-Z_]+@" "$root$unitdir/stratd.service" "$root$configdir/stratd.toml"; then fail "unfilled @VARIABLES@ (above)"; fi
grep -qxF "ExecStart=$bindir/stratd --config $configdir/stratd.toml" "$root$unitdir/stratd.service" ||
  fail "the unit's ExecStart is not $bindir/stratd --config $configdir/stratd.toml"

[[ $failures -eq 0 ]] || exit 1
echo "ok: $(wc -l <<<"$files") entries"
