# The fuzz corpus kept outside the clone, so that every run (CI's minute a target included) continues where
# the last one stopped: ${XDG_CACHE_HOME:-~/.cache}/xraylens/fuzz-corpus/TARGET. Sourced by run_fuzz.sh.
# Two clones may run at once: reading takes a shared lock, merging an exclusive one, and a merge writes a
# new directory that replaces the old one.
corpus_cache=${XDG_CACHE_HOME:-$HOME/.cache}/xraylens/fuzz-corpus

# Copies the cached corpus of target $1 into directory $2.
corpus_seed() {
  mkdir -p "$corpus_cache/$1"
  (flock -s 9 && find "$corpus_cache/$1" -maxdepth 1 -type f -exec cp -t "$2" {} +) 9>"$corpus_cache/$1.lock"
}

# Replaces the cached corpus of target $1 by the smallest set of inputs that covers it and directory $2
# (libFuzzer's -merge=1); the other arguments are the target's flags.
corpus_merge() {
  local t=$1 dir=$2
  shift 2
  mkdir -p "$corpus_cache/$t"
  (
    flock -x 9
    rm -rf "$corpus_cache/.$t".*  # left by a merge that was stopped
    local new
    new=$(mktemp -d "$corpus_cache/.$t.XXXXXX")
    if "build/fuzz/$t" -merge=1 "$@" "$new" "$corpus_cache/$t" "$dir"; then
      rm -rf "$corpus_cache/$t.old"
      mv "$corpus_cache/$t" "$corpus_cache/$t.old" && mv "$new" "$corpus_cache/$t" && rm -rf "$corpus_cache/$t.old"
    else
      rm -rf "$new"
      exit 1
    fi
  ) 9>"$corpus_cache/$t.lock"
}

corpus_size() { find "$corpus_cache/$1" -maxdepth 1 -type f | wc -l; }
