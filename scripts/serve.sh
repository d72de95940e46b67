#!/usr/bin/env bash
# Sets up, builds the release app and serves it with the bundled demo.
#   scripts/serve.sh [PORT]      -> http://127.0.0.1:PORT/ (default 8080)
set -euo pipefail
port="${1:-8080}"
# shellcheck source=scripts/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"   # cds to the repo root, exports PATH

trunk build --release --offline
echo "Spanflame: http://127.0.0.1:$port/  (Ctrl-C stops)"
exec node tests/static-server.mjs --root dist --port "$port"
