#!/usr/bin/env bash
# Sets up, then runs every check and test. The node test runner's summary is the last output.
set -euo pipefail
# shellcheck source=scripts/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"   # cds to the repo root, exports PATH, RUST_BACKTRACE=0, NO_COLOR=true

step() { printf '\n==> %s\n' "$*" >&2; }
timed() {
  local start=$SECONDS
  "$@"
  printf '    (%ss)\n' "$((SECONDS - start))" >&2
}

step "cargo fmt --all --check"
timed cargo fmt --all --check

step "clippy (native: core, cli)"
timed cargo clippy --all-targets --locked --offline -- -D warnings

step "clippy (wasm32: app, core)"
timed cargo clippy -p spanflame-app -p spanflame-core --target wasm32-unknown-unknown --locked --offline -- -D warnings
timed cargo clippy -p spanflame-app --tests --target wasm32-unknown-unknown --locked --offline -- -D warnings

step "cargo test (native: core, cli)"
timed cargo test --locked --offline

step "wasm-bindgen-test: app smoke test in headless Chromium"
# .cargo/config.toml makes wasm-bindgen-test-runner the runner for wasm32; webdriver.json holds the Chromium flags.
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json" \
  timed cargo test -p spanflame-app --target wasm32-unknown-unknown --locked --offline

step "trunk build --release --offline"
timed trunk build --release --offline

step "end-to-end tests (node --test tests/e2e/)"
node --test tests/e2e/
