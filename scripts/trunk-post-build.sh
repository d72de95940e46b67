#!/bin/sh
# Trunk post_build hook (Trunk.toml [[hooks]]), run in the staging directory's parent before
# Trunk moves the build into dist/. POSIX sh and coreutils only: it works offline and on a
# fresh machine.
#
# 1. Versions the service worker: writes into sw.js the list of files to precache (the page
#    and every top-level file of the build but sw.js itself and the example host page) and a
#    version, the sha256 of those files, which names the worker's cache. A new build is a new
#    sw.js: the browser installs it, and it deletes the caches of older versions.
# 2. `trunk serve` with autoreload injects an inline script, which index.html's CSP refuses;
#    only then the CSP <meta> is taken out (release builds and `trunk serve --no-autoreload`
#    keep it).
set -eu
stage="${TRUNK_STAGING_DIR:?this script is run by trunk (Trunk.toml [[hooks]])}"
say() { printf 'trunk-post-build: %s\n' "$*" >&2; }

cd "$stage"
[ -f sw.js ] || { say "sw.js is missing from the build (index.html copies public/sw.js)"; exit 1; }
[ -f index.html ] || { say "index.html is missing from the build"; exit 1; }

files=$(find . -maxdepth 1 -type f ! -name sw.js ! -name 'embed-host.*' | sed 's|^\./||' | LC_ALL=C sort)
list="'./'"
for f in $files; do
  case "$f" in
    *[!A-Za-z0-9._-]*) say "unexpected file name in the build: $f"; exit 1 ;;
  esac
  list="$list, './$f'"
done
# shellcheck disable=SC2086 # the names were checked above
version=$(cat sw.js $files | sha256sum | cut -c1-16)

sed -e "s|^const VERSION = .*|const VERSION = '$version';|" \
    -e "s|^const PRECACHE = .*|const PRECACHE = [$list];|" sw.js >sw.js.tmp
grep -q "^const VERSION = '$version';" sw.js.tmp || { say "sw.js has no 'const VERSION = ' line to fill in"; exit 1; }
mv sw.js.tmp sw.js
say "service worker version $version, precaching: $(echo $files | tr '\n' ' ')"

if grep -q '.well-known/trunk/ws' index.html; then
  sed -e '/http-equiv="Content-Security-Policy"/d' index.html >index.html.tmp && mv index.html.tmp index.html
  say "trunk serve autoreload: the CSP <meta> is left out of this build (its reload script is inline)"
fi
