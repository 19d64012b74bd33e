#!/usr/bin/env bash
# Fetch axe-core, the accessibility checker the browser tests run on the app's page and in
# its map frame (tests/test_browser_a11y.py), from the npm registry into tests/vendor/.
#
#   bash scripts/vendor-axe.sh          # re-create tests/vendor/axe-core@<version>/
#
# Needs `npm`. The tarball is packed into a temporary folder that is deleted at the end: no
# node_modules and no package-lock.json are left in the repository. npm checks the tarball
# against the registry's integrity hash; this script then checks the one file the tests use
# against the SHA-256 pinned below (and recorded in tests/vendor/README.md), so an upgrade is
# a deliberate change of both. axe-core is for the tests only: it is not served by the app.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DEST=tests/vendor

AXE=4.14.1
AXE_SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c # axe.min.js

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "axe-core@$AXE" >/dev/null && tar -xzf "axe-core-$AXE.tgz")
echo "$AXE_SHA256  $TMP/package/axe.min.js" | sha256sum --check --quiet

rm -rf "$DEST"/axe-core@*
install -D -m 0644 "$TMP/package/axe.min.js" "$DEST/axe-core@$AXE/axe.min.js"
for licence in LICENSE LICENSE-3RD-PARTY.txt; do
    install -D -m 0644 "$TMP/package/$licence" "$DEST/axe-core@$AXE/$licence"
done
echo "==> $DEST/axe-core@$AXE: axe.min.js and its licences (MPL-2.0; the code it bundles)"
