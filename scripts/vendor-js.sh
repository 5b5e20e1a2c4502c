#!/bin/sh
# Fetches the two JavaScript files the project ships instead of using a CDN, from the npm registry
# (`npm pack`, pinned versions, checked against the sha512 integrity the registry publishes):
#   chart.js  -> neaspec_kg/pages/static/vendor/chart.umd.min.js   (charts of the pages, MIT)
#   axe-core  -> tests/vendor/axe.min.js                           (accessibility test, MPL-2.0)
# The files are committed; run this to refresh them after changing a version here.
set -eu
CHARTJS=4.6.1
AXE=4.14.1
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() {  # name version -> unpacked package in $tmp/$1
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
  want=$(npm view "$1@$2" dist.integrity)
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/$1-$2.tgz" | base64 -w0)"
  [ "$want" = "$got" ] || { echo "vendor-js: $1@$2 does not match the registry's integrity" >&2; exit 1; }
  mkdir "$tmp/$1" && tar xzf "$tmp/$1-$2.tgz" -C "$tmp/$1" --strip-components=1
}
fetch chart.js "$CHARTJS"
cp "$tmp/chart.js/dist/chart.umd.min.js" "$root/neaspec_kg/pages/static/vendor/chart.umd.min.js"
cp "$tmp/chart.js/LICENSE.md" "$root/neaspec_kg/pages/static/vendor/chart.js.LICENSE.md"
fetch axe-core "$AXE"
cp "$tmp/axe-core/axe.min.js" "$root/tests/vendor/axe.min.js"
cp "$tmp/axe-core/LICENSE" "$root/tests/vendor/axe-core.LICENSE"
echo "vendor-js: chart.js $CHARTJS, axe-core $AXE"
