#!/bin/sh
# Fetches the JavaScript files the project ships instead of using a CDN, from the npm registry
# (`npm pack`, pinned versions, checked against the sha512 integrity the registry publishes):
#   chart.js  -> neaspec_kg/pages/static/vendor/chart.umd.min.js   (charts of the pages, MIT)
#   axe-core  -> tests/vendor/axe.min.js                           (accessibility test, MPL-2.0)
#   @sqlite.org/sqlite-wasm -> neaspec_kg/pages/static/vendor/sqlite3.js and sqlite3-wasm.js
#             (the static site's search: SQLite with FTS5 compiled to WebAssembly; SQLite is in the
#             public domain, the JavaScript glue Apache-2.0 and MIT, see sqlite3.LICENSE.md)
# The package is an ES module that fetches sqlite3.wasm; a page opened from file:// may do
# neither, so esbuild (pinned) turns the module into a classic script (global `sqlite3Wasm`) and
# the .wasm is shipped as base64 in a script of its own (global `NEASPEC_SQLITE_WASM`).
# The files are committed; run this to refresh them after changing a version here.
set -eu
CHARTJS=4.6.1
AXE=4.14.1
SQLITE_WASM=3.54.1-build1
ESBUILD=0.28.2
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() {  # name version -> unpacked package in $tmp/<name without its @scope/>
  tgz="$tmp/$(echo "$1" | sed 's,^@,,; s,/,-,')-$2.tgz"
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
  want=$(npm view "$1@$2" dist.integrity)
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  [ "$want" = "$got" ] || { echo "vendor-js: $1@$2 does not match the registry's integrity" >&2; exit 1; }
  mkdir "$tmp/${1##*/}" && tar xzf "$tgz" -C "$tmp/${1##*/}" --strip-components=1
}
fetch chart.js "$CHARTJS"
cp "$tmp/chart.js/dist/chart.umd.min.js" "$root/neaspec_kg/pages/static/vendor/chart.umd.min.js"
cp "$tmp/chart.js/LICENSE.md" "$root/neaspec_kg/pages/static/vendor/chart.js.LICENSE.md"
fetch axe-core "$AXE"
cp "$tmp/axe-core/axe.min.js" "$root/tests/vendor/axe.min.js"
cp "$tmp/axe-core/LICENSE" "$root/tests/vendor/axe-core.LICENSE"
fetch @sqlite.org/sqlite-wasm "$SQLITE_WASM"
vendor="$root/neaspec_kg/pages/static/vendor"
sqlite="$tmp/sqlite-wasm"
(cd "$tmp" && npm install --silent --no-save --no-audit --no-fund "esbuild@$ESBUILD" >/dev/null)
"$tmp/node_modules/.bin/esbuild" "$sqlite/dist/index.mjs" --format=iife --global-name=sqlite3Wasm --minify \
  --legal-comments=inline --define:import.meta.url=document.baseURI --log-level=warning --outfile="$vendor/sqlite3.js"
{ printf '/* sqlite3.wasm of @sqlite.org/sqlite-wasm %s, base64 */\nvar NEASPEC_SQLITE_WASM = "' "$SQLITE_WASM"
  base64 -w0 "$sqlite/dist/sqlite3.wasm"; printf '";\n'; } > "$vendor/sqlite3-wasm.js"
{ printf '# @sqlite.org/sqlite-wasm %s\n\nThe package is under the Apache License 2.0 (its package.json); the licence header of its\n' "$SQLITE_WASM"
  printf 'bundle, kept at the top of sqlite3.js, follows, then the text of the Apache License 2.0.\n\n```\n'
  sed -n '/LICENSE for the sqlite3 WebAssembly/,/\*\//p' "$sqlite/dist/index.mjs"
  printf '```\n\n```\n'; cat /usr/share/common-licenses/Apache-2.0; printf '```\n'; } > "$vendor/sqlite3.LICENSE.md"
echo "vendor-js: chart.js $CHARTJS, axe-core $AXE, @sqlite.org/sqlite-wasm $SQLITE_WASM (esbuild $ESBUILD)"
