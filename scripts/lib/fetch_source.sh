# fetch_source PACKAGE DIR FILE [--skip-patches]
# Puts Debian's source of PACKAGE (with its patches unless --skip-patches) into third_party/DIR, unless
# third_party/DIR/FILE is there already, and writes "PACKAGE VERSION" into third_party/DIR/XRAYLENS_SOURCE.
#
# Unpacked trees are kept in the cache outside the clone, $XRAYLENS_SRC_CACHE (default
# ${XDG_CACHE_HOME:-~/.cache}/xraylens/deb-src), one folder per package, version and patch choice, so every
# later clone on the machine copies them and fetches nothing. Where the cache holds none, the versions that
# `apt-cache showsrc` lists are tried newest first; one that cannot be downloaded or unpacked (the archive
# may list a version whose files it does not serve: a 404) is skipped with the reason, and the next one is
# tried. It fails, saying what each version did, only when no listed version can be fetched.
# XRAYLENS_REFRESH_SOURCES=1 ignores the cached trees and asks the archive again.
# Sourced by scripts/setup.sh and tests/setup/fetch_source_test.sh; needs ensure_deb_src defined.

fetch_source() {
  local package=$1 dir=$2 file=$3 patches=${4:-}
  local dest=third_party/$dir
  [ -f "$dest/$file" ] && [ -f "$dest/XRAYLENS_SOURCE" ] && return 0
  local cache=${XRAYLENS_SRC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xraylens/deb-src}
  local flavour=patched; [ "$patches" = --skip-patches ] && flavour=unpatched
  mkdir -p "$cache" third_party

  local version="" tree=""
  if [ -z "${XRAYLENS_REFRESH_SOURCES:-}" ]; then
    # the newest version in the cache, without asking the archive
    local d v
    for d in "$cache/$package"_*_"$flavour"; do
      [ -f "$d/DONE" ] && [ -f "$d/tree/$file" ] || continue
      v=$(cat "$d/DONE")
      if [ -z "$version" ] || dpkg --compare-versions "$v" gt "$version"; then version=$v; tree=$d/tree; fi
    done
    [ -n "$version" ] && echo "setup: $package $version from the cache ($cache)"
  fi

  if [ -z "$version" ]; then
    ensure_deb_src
    local versions
    versions=$(apt-cache showsrc "$package" 2>/dev/null | sed -n 's/^Version: *//p' | sort -u | _fetch_source_sort_desc) || true
    if [ -z "$versions" ]; then
      echo "setup: apt-cache showsrc $package lists no version: the apt sources have no deb-src entry for" \
           "Debian 12's main archive (see /etc/apt/sources.list.d/), or 'apt-get update' failed" >&2
      return 1
    fi
    local skipped=() tmp err
    for v in $versions; do
      tmp=$(mktemp -d "$cache/.fetch-$package.XXXXXX") && chmod 755 "$tmp"  # apt's _apt user writes into it
      if ! err=$(cd "$tmp" && apt-get source -qq --download-only "$package=$v" 2>&1 >/dev/null); then
        skipped+=("$v: download failed: $(_fetch_source_reason "$err")")
        rm -rf "$tmp"; continue
      fi
      # shellcheck disable=SC2086
      if ! err=$(cd "$tmp" && dpkg-source -x $patches ./*.dsc tree 2>&1 >/dev/null) || [ ! -f "$tmp/tree/$file" ]; then
        skipped+=("$v: unpack failed: $(_fetch_source_reason "${err:-no $file in the unpacked tree}")")
        rm -rf "$tmp"; continue
      fi
      local key=$cache/${package}_${v//[:\/]/_}_$flavour
      rm -rf "$key" && mkdir -p "$key" && mv "$tmp/tree" "$key/tree" && echo "$v" >"$key/DONE" && rm -rf "$tmp"
      version=$v; tree=$key/tree
      break
    done
    local s
    for s in "${skipped[@]}"; do echo "setup: $package: skipped $s" >&2; done
    if [ -z "$version" ]; then
      echo "setup: no listed version of $package's source could be fetched (tried: $(echo $versions))." \
           "Check the network and the deb-src entries, or put an unpacked source tree into $dest yourself" \
           "(with a file XRAYLENS_SOURCE saying '$package VERSION')." >&2
      return 1
    fi
    echo "setup: $package $version fetched${skipped:+ (after skipping ${#skipped[@]} newer)}"
  fi

  rm -rf "$dest.partial" && cp -a "$tree" "$dest.partial"
  echo "$package $version" >"$dest.partial/XRAYLENS_SOURCE"
  rm -rf "$dest" && mv "$dest.partial" "$dest"
}

# Debian version order, newest first (dpkg's rules, not sort -V: epochs, ~ and +debNuM).
_fetch_source_sort_desc() {
  local list=() v i j t
  while read -r v; do [ -n "$v" ] && list+=("$v"); done
  for ((i = 0; i < ${#list[@]}; i++)); do
    for ((j = i + 1; j < ${#list[@]}; j++)); do
      if dpkg --compare-versions "${list[j]}" gt "${list[i]}"; then t=${list[i]}; list[i]=${list[j]}; list[j]=$t; fi
    done
  done
  printf '%s\n' "${list[@]}"
}

# the line of apt's or dpkg's output that says why (a 404, an unknown version), on one line
_fetch_source_reason() {
  local line
  line=$(printf '%s\n' "$1" | grep -E '^E:.*[0-9]{3} ' | head -1)
  [ -n "$line" ] || line=$(printf '%s\n' "$1" | grep -E '^(E|dpkg-source: error):' | head -1)
  [ -n "$line" ] || line=$(printf '%s\n' "$1" | grep -v '^\s*$' | tail -1)
  printf '%s' "${line:-no message}" | tr -s ' \t' ' ' | cut -c1-240
}
