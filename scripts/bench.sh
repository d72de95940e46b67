#!/usr/bin/env bash
# Browser benchmark: Spanflame's release build against speedscope 1.25.0 in headless Chromium,
# everything served on 127.0.0.1 (method and results: BENCHMARKS.md).
#
#   scripts/bench.sh [S|M|L ...]    sizes to measure (default: S M); 5 runs each
#   scripts/bench.sh --opt-levels   release size and load/interaction times on M for
#                                   [profile.release] opt-level 3, "s" and "z", and "z" with
#                                   spanflame-core (the parser) at 3 (z-core3)
#
# Env: BENCH_RUNS=N (runs per measurement, default 5).
#
# It builds the release app into target/bench-dist (never dist/, which `trunk serve` and the
# e2e tests use) with its own cargo target dir, target/bench-build, so that it neither waits
# for nor overwrites another build's staging files. Profiles come from `spanflame gen`
# (seeded) into target/bench-data/<size>/, regenerated only when the generator's source
# changed. Results: target/bench-results.md and .json (target/bench-opt/results.* for
# --opt-levels).
set -euo pipefail
# shellcheck source=scripts/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" # cds to the repo root, exports PATH, RUST_BACKTRACE=0, NO_COLOR=true

runs="${BENCH_RUNS:-5}"
data=target/bench-data
say() { printf 'bench: %s\n' "$*" >&2; }

# speedscope is an npm devDependency (package-lock.json); setup.sh's `npm ci` installs it.
[[ -f node_modules/speedscope/dist/release/index.html ]] ||
  { say "node_modules/speedscope is missing: run npm ci"; exit 1; }

# The release app, built with the repo's [profile.release] unless the caller overrides it
# through CARGO_PROFILE_RELEASE_* variables.
build_app() { # build_app TARGET_DIR DIST [SOURCE_DIR]
  say "trunk build --release into $2"
  local log="$PWD/$1.trunk.log" target="$PWD/$1" dist="$PWD/$2"
  mkdir -p "$(dirname "$log")"
  (cd "${3:-.}" && CARGO_TARGET_DIR="$target" trunk build --release --offline --dist "$dist" >"$log" 2>&1) ||
    { tail -n 40 "$log" >&2; say "trunk build failed (full log: $log)"; exit 1; }
}

# A copy of the source files (tracked and new, not ignored), so that every variant of a
# comparison is built from the same code while others keep editing the tree.
snapshot() { # snapshot DIR
  say "snapshot of the source in $1"
  rm -rf "$1" && mkdir -p "$1"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -f "$f" ]] && printf '%s\0' "$f"; done |
    tar -cf - --null -T - | tar -xf - -C "$1"
}

# `spanflame gen` output for one size, remade when the generator (synth/src) or the CLI changed.
generate() { # generate SIZE
  local size="$1" dir="$data/$1" stamp sources
  mapfile -t sources < <(find synth/src -name '*.rs' | LC_ALL=C sort)
  stamp="$(cat "${sources[@]}" cli/src/main.rs | sha256sum | cut -d' ' -f1)"
  # Every file the bench reads must be there: without traces.binpb the span clicks would
  # be measured on a waterfall of unnamed spans.
  local complete=1 file files=(profile.binpb profile.folded profile.json traces.binpb)
  [[ "$size" == L ]] || files+=(profile.pb.gz) # no pprof file for L (see `spanflame gen`)
  for file in "${files[@]}"; do
    [[ -f "$dir/$file" ]] || complete=0
  done
  if ((complete)) && [[ "$(cat "$dir/.gen-stamp" 2>/dev/null)" == "$stamp" ]]; then
    return
  fi
  say "spanflame gen --size $size (L: about 1 GB of protobuf and 4 GB of JSON, a few minutes)"
  rm -rf "$dir" && mkdir -p "$dir"
  target/bench-build/release/spanflame gen --size "$size" --out "$dir"
  echo "$stamp" >"$dir/.gen-stamp"
}

build_cli() {
  CARGO_TARGET_DIR=target/bench-build cargo build --release --offline --locked -p spanflame-cli --quiet
}

if [[ "${1:-}" == "--opt-levels" ]]; then
  # One cargo target dir per level, so that switching levels does not rebuild the others
  # (or thrash the shared target/).
  build_cli
  generate M
  snapshot target/bench-opt/src
  dists=()
  for level in 3 s z; do
    CARGO_PROFILE_RELEASE_OPT_LEVEL="$level" \
      build_app "target/bench-opt/opt-$level" "target/bench-opt/dist-$level" target/bench-opt/src
    dists+=("$level=target/bench-opt/dist-$level")
  done
  # Everything at "z" but the parser crate at 3, as [profile.release.package.spanflame-core]
  # would. (With fat LTO the final crate's level also drives the link-time optimisation.)
  CARGO_PROFILE_RELEASE_OPT_LEVEL=z RUSTC_WRAPPER="$PWD/tests/bench/rustc-crate-opt.sh" \
    BENCH_CRATE_OPT=spanflame_core=3 \
    build_app target/bench-opt/opt-z-core3 target/bench-opt/dist-z-core3 target/bench-opt/src
  dists+=("z-core3=target/bench-opt/dist-z-core3")
  exec node tests/bench/browser-bench.mjs --compare-dists "$(IFS=,; echo "${dists[*]}")" \
    --sizes M --runs "$runs" --label "rustc opt-level 3 / s / z / z with spanflame-core at 3; wasm-opt -Oz" \
    --out target/bench-opt/results
fi

sizes=("$@")
((${#sizes[@]})) || sizes=(S M)
for size in "${sizes[@]}"; do
  [[ "$size" =~ ^[SML]$ ]] || { say "unknown size $size (use S, M or L)"; exit 2; }
done

build_cli
for size in "${sizes[@]}"; do generate "$size"; done
build_app target/bench-build target/bench-dist
node tests/bench/browser-bench.mjs --sizes "$(IFS=,; echo "${sizes[*]}")" --runs "$runs" \
  --dist target/bench-dist --data "$data" --out target/bench-results
