#!/usr/bin/env bash
# Installs what Spanflame's build and tests need, and only what is missing. Idempotent.
#
#   scripts/setup.sh            run it on its own, or
#   source scripts/setup.sh     from another script, to keep the exported PATH and env.
#
# Works as root on a fresh Debian machine that has only the Rust toolchain and node/npm.
# Every download comes from crates.io, npm or Debian apt; nothing comes from GitHub or a CDN.
set -euo pipefail

SPANFLAME_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SPANFLAME_ROOT
cd "$SPANFLAME_ROOT"

export RUST_BACKTRACE=0          # this environment sets 1; it makes every Trunk error a long backtrace
export NO_COLOR=true             # Trunk parses NO_COLOR as a bool: NO_COLOR=1 makes it exit 2
export CARGO_TERM_COLOR=never
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
# node_modules/.bin first: wasm-opt 132 (npm binaryen) must win over Debian's binaryen 108,
# which builds fine but produces a wasm that crashes at runtime.
export PATH="$SPANFLAME_ROOT/node_modules/.bin:$CARGO_BIN:$PATH"

TRUNK_VERSION=0.21.14            # 0.22.x needs rustc >= 1.96.1
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
export WASM_BINDGEN_VERSION

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[[ -n "$WASM_BINDGEN_VERSION" ]] || die "no wasm-bindgen in Cargo.lock"
# Trunk.toml pins the same version so that Trunk never tries to download another one.
trunk_wb="$(sed -n 's/^wasm_bindgen *= *"\(.*\)"/\1/p' Trunk.toml)"
[[ "$trunk_wb" == "$WASM_BINDGEN_VERSION" ]] ||
  die "Trunk.toml [tools] wasm_bindgen = \"$trunk_wb\" but Cargo.lock has wasm-bindgen $WASM_BINDGEN_VERSION; make them equal"
command -v cargo >/dev/null || die "cargo is not on PATH (install the Rust toolchain first)"
command -v rustup >/dev/null || die "rustup is not on PATH (the wasm32 target is added with it)"
command -v npm >/dev/null || die "npm is not on PATH (install node and npm first)"

# 1. Chromium and its WebDriver, from Debian (never a browser download of playwright's own),
#    and Go, whose `go tool pprof` is the independent reader of our pprof export (core/tests/export.rs).
pkgs=()
[[ -x /usr/bin/chromium ]] || pkgs+=(chromium)
[[ -x /usr/bin/chromedriver ]] || pkgs+=(chromium-driver)
[[ -x /usr/bin/go ]] || pkgs+=(golang-go)
if ((${#pkgs[@]})); then
  sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo)
  say "installing ${pkgs[*]} with apt"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

# 2. Rust target and components.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

# 3. Trunk and wasm-bindgen-cli, compiled from crates.io (no prebuilt binary is reachable).
if [[ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes on 2 cores)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$TRUNK_VERSION" --locked --quiet
fi
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]] ||
  [[ "$(wasm-bindgen-test-runner --version 2>/dev/null)" != "wasm-bindgen-test-runner $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  # Not --locked: its lockfile wants webpki-roots 1.0.11, which the registry does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force --quiet
fi

# 4. npm: playwright-core (drives /usr/bin/chromium) and binaryen 132 (wasm-opt for Trunk).
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat node_modules/.spanflame-lock 2>/dev/null)" != "$lock_sum" ]] ||
  [[ ! -x node_modules/.bin/wasm-opt ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund --silent
  echo "$lock_sum" >node_modules/.spanflame-lock
fi

# 5. Crates, so that every later cargo/trunk call can run with --offline.
cargo fetch --locked --quiet
