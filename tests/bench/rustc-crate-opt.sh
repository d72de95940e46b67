#!/usr/bin/env bash
# RUSTC_WRAPPER for the opt-level comparison (scripts/bench.sh --opt-levels): compiles one crate
# at another opt-level, as `[profile.release.package.<crate>] opt-level = ...` in Cargo.toml
# would, without editing Cargo.toml. BENCH_CRATE_OPT="<crate_name>=<level>", e.g.
# "spanflame_app=s". rustc takes the last -C opt-level it is given.
set -euo pipefail
rustc="$1"
shift
crate="${BENCH_CRATE_OPT%%=*}"
level="${BENCH_CRATE_OPT#*=}"
prev=
for arg in "$@"; do
  if [[ "$prev" == --crate-name && "$arg" == "$crate" ]]; then
    exec "$rustc" "$@" -C "opt-level=$level"
  fi
  prev="$arg"
done
exec "$rustc" "$@"
