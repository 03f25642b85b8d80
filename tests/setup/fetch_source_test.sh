#!/usr/bin/env bash
# scripts/lib/fetch_source.sh without the network: apt-get and apt-cache are replaced on PATH by fakes
# whose archive lists three versions of a package and serves only the older two (the newest answers
# 404, as bookworm-security's source files did). Checks that the newest served version is unpacked, that
# the skipped one is named with its reason, that the version is written beside the tree, that a second
# clone takes it from the cache without asking the archive, and that nothing is fetched when no version
# can be.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "fetch_source_test: FAIL: $*" >&2; exit 1; }

# A real Debian source package (3.0 native) in three versions, made with dpkg-source.
archive=$work/archive
mkdir -p "$archive"
for v in 1.0-1 1.0-2 1:1.1-1; do
  up=${v#*:}; up=${up%-*}
  pkgdir=$work/build/fakepkg-$up
  rm -rf "$pkgdir"; mkdir -p "$pkgdir/debian/source"
  echo "3.0 (native)" >"$pkgdir/debian/source/format"
  printf 'Source: fakepkg\nMaintainer: X <x@example.org>\n\nPackage: fakepkg\nArchitecture: all\nDescription: d\n d\n' \
    >"$pkgdir/debian/control"
  printf 'fakepkg (%s) unstable; urgency=low\n\n  * v\n\n -- X <x@example.org>  Mon, 07 Dec 2026 00:00:00 +0000\n' "${up}" \
    >"$pkgdir/debian/changelog"
  echo "version $v" >"$pkgdir/main.c"
  mkdir -p "$archive/$v"
  (cd "$archive/$v" && dpkg-source -q -b "$pkgdir" >/dev/null 2>&1) || fail "dpkg-source -b failed for $v"
done

fakebin=$work/bin
mkdir -p "$fakebin"
cat >"$fakebin/apt-cache" <<FAKE
#!/usr/bin/env bash
echo "apt-cache \$*" >>"$work/calls"
[ "\$1" = showsrc ] && [ "\$2" = fakepkg ] || exit 0
for v in 1.0-1 1:1.1-1 1.0-2; do printf 'Package: fakepkg\nVersion: %s\n\n' "\$v"; done
FAKE
cat >"$fakebin/apt-get" <<FAKE
#!/usr/bin/env bash
echo "apt-get \$*" >>"$work/calls"
spec=\${@: -1}; v=\${spec#*=}
if [ "\$v" = 1:1.1-1 ]; then
  echo "E: Failed to fetch http://deb.debian.org/debian-security/pool/updates/main/f/fakepkg/fakepkg_1.1-1.dsc  404  Not Found [IP: 1.2.3.4 80]" >&2
  exit 100
fi
[ -d "$archive/\$v" ] || { echo "E: Can not find version '\$v' of package 'fakepkg'" >&2; exit 100; }
cp "$archive/\$v"/* .
FAKE
chmod +x "$fakebin/apt-cache" "$fakebin/apt-get"

run_fetch() {  # CLONE -> runs fetch_source in that clone with the fakes first on PATH
  (cd "$1" && PATH=$fakebin:$PATH XRAYLENS_SRC_CACHE=$work/cache bash -c "
    set -euo pipefail; ensure_deb_src() { :; }; . '$repo/scripts/lib/fetch_source.sh'
    fetch_source fakepkg fake main.c")
}

mkdir -p "$work/clone1" "$work/clone2" "$work/clone3"
out=$(run_fetch "$work/clone1" 2>&1) || fail "fetch_source failed: $out"
grep -qx "version 1.0-2" "$work/clone1/third_party/fake/main.c" || fail "not the newest served version (1.0-2): $(cat "$work/clone1/third_party/fake/main.c")"
grep -qx "fakepkg 1.0-2" "$work/clone1/third_party/fake/XRAYLENS_SOURCE" || fail "XRAYLENS_SOURCE does not name 1.0-2"
grep -q "skipped 1:1.1-1: download failed: .*404" <<<"$out" || fail "the skipped version and its reason are not said: $out"
grep -q "fakepkg 1.0-2 fetched" <<<"$out" || fail "the version used is not said: $out"
[ "$(grep -c 'apt-get source' "$work/calls")" = 2 ] || fail "expected two download attempts (newest, then 1.0-2): $(cat "$work/calls")"

: >"$work/calls"
out=$(run_fetch "$work/clone2" 2>&1) || fail "second clone: $out"
grep -qx "fakepkg 1.0-2" "$work/clone2/third_party/fake/XRAYLENS_SOURCE" || fail "second clone did not get 1.0-2"
[ ! -s "$work/calls" ] || fail "second clone asked the archive although the cache has the tree: $(cat "$work/calls")"
grep -q "from the cache" <<<"$out" || fail "second clone does not say it used the cache: $out"

: >"$work/calls"
out=$(run_fetch "$work/clone2" 2>&1) || fail "third run: $out"
[ ! -s "$work/calls" ] && [ -z "$out" ] || fail "a clone with the tree in place should do nothing: $out"

# nothing served: a clear failure naming every version tried
rm -rf "$archive"/1.0-* "$work/cache"
if out=$(run_fetch "$work/clone3" 2>&1); then fail "fetch_source succeeded with no version served"; fi
grep -q "no listed version of fakepkg's source could be fetched (tried: 1:1.1-1 1.0-2 1.0-1)" <<<"$out" ||
  fail "the failure does not name the versions tried newest first: $out"
[ ! -e "$work/clone3/third_party/fake" ] || fail "a failed fetch left third_party/fake behind"
echo "fetch_source_test: ok"
