#!/usr/bin/env bash
# Fetch the JavaScript, CSS, fonts and images that folium's maps load from CDNs, and copy
# them (with each package's licence) into static/vendor/, so the map works with no network.
#
#   bash scripts/vendor-assets.sh          # re-create static/vendor/ from the registries
#
# Needs `npm` (npm registry) and a Python with pip (PyPI, for folium's own stylesheet).
# Everything is fetched into a temporary folder that is deleted at the end: no node_modules
# and no package-lock.json are left in the repository. Each package keeps its own folder
# layout under static/vendor/<name>@<version>/, so the stylesheets' relative url(...)s work.
# The versions are folium 0.20's CDN versions; see static/vendor/README.md for the few that
# differ and for how to upgrade. geo/assets.py maps every CDN URL to these files, and
# tests/test_assets.py checks that each one exists.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DEST=$ROOT/static/vendor
PYTHON=${PYTHON:-}
if [[ -z $PYTHON ]]; then
    if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi

LEAFLET=1.9.3
JQUERY=3.7.1
BOOTSTRAP=5.2.2
BOOTSTRAP3=3.4.1      # bootstrap 3.0.0 is not on npm; glyphicons are unchanged in 3.4.1
FONTAWESOME=6.2.0
AWESOME_MARKERS=2.0.4 # 2.0.2 is not on npm under this name; 2.0.4 has the same JavaScript
FOLIUM=0.20.0         # folium's leaflet.awesome.rotate.css ships only in its sdist
TIMELINE=1.6.0        # folium.plugins.Timeline and TimelineSlider
MOMENT=2.18.1         # TimelineSlider formats its dates with moment
MARKERCLUSTER=1.1.0   # folium.plugins.MarkerCluster (maps with many markers)

TMP=$(mktemp -d)
NEW=$DEST.new
trap 'rm -rf "$TMP" "$NEW"' EXIT

step() { printf '==> %s\n' "$*"; }

step "npm pack (into $TMP)"
(
    cd "$TMP"
    npm pack --silent \
        "leaflet@$LEAFLET" \
        "jquery@$JQUERY" \
        "bootstrap@$BOOTSTRAP" \
        "bootstrap@$BOOTSTRAP3" \
        "@fortawesome/fontawesome-free@$FONTAWESOME" \
        "leaflet.awesome-markers@$AWESOME_MARKERS" \
        "leaflet.timeline@$TIMELINE" \
        "moment@$MOMENT" \
        "leaflet.markercluster@$MARKERCLUSTER" >/dev/null
    for tgz in *.tgz; do
        mkdir -p "${tgz%.tgz}"
        tar -xzf "$tgz" -C "${tgz%.tgz}"
    done
)

step "pip download folium==$FOLIUM (sdist)"
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "folium==$FOLIUM" -d "$TMP/pypi"
tar -xzf "$TMP/pypi/folium-$FOLIUM.tar.gz" -C "$TMP/pypi"

# copy SRC_DIR DEST_DIR FILE...: each FILE (a path inside SRC_DIR) to the same path in DEST_DIR.
copy() {
    local src=$1 dst=$2
    shift 2
    for f in "$@"; do
        install -D -m 0644 "$src/$f" "$dst/$f"
    done
}

step "copy into static/vendor/"
rm -rf "$NEW"
mkdir -p "$NEW"

copy "$TMP/leaflet-$LEAFLET/package" "$NEW/leaflet@$LEAFLET" \
    LICENSE dist/leaflet.js dist/leaflet.css \
    dist/images/layers.png dist/images/layers-2x.png \
    dist/images/marker-icon.png dist/images/marker-icon-2x.png dist/images/marker-shadow.png

copy "$TMP/jquery-$JQUERY/package" "$NEW/jquery@$JQUERY" \
    LICENSE.txt dist/jquery.min.js

copy "$TMP/bootstrap-$BOOTSTRAP/package" "$NEW/bootstrap@$BOOTSTRAP" \
    LICENSE dist/js/bootstrap.bundle.min.js dist/css/bootstrap.min.css

copy "$TMP/fortawesome-fontawesome-free-$FONTAWESOME/package" \
    "$NEW/@fortawesome/fontawesome-free@$FONTAWESOME" \
    LICENSE.txt css/all.min.css \
    webfonts/fa-brands-400.woff2 webfonts/fa-brands-400.ttf \
    webfonts/fa-regular-400.woff2 webfonts/fa-regular-400.ttf \
    webfonts/fa-solid-900.woff2 webfonts/fa-solid-900.ttf \
    webfonts/fa-v4compatibility.woff2 webfonts/fa-v4compatibility.ttf

copy "$TMP/leaflet.awesome-markers-$AWESOME_MARKERS/package" \
    "$NEW/leaflet.awesome-markers@$AWESOME_MARKERS" \
    LICENSE dist/leaflet.awesome-markers.js dist/leaflet.awesome-markers.css \
    dist/images/markers-soft.png dist/images/markers-soft@2x.png \
    dist/images/markers-shadow.png dist/images/markers-shadow@2x.png

# jsdelivr serves leaflet.timeline.min.js by minifying dist/leaflet.timeline.js on the fly;
# the package ships only the latter, which is already minified.
copy "$TMP/leaflet.timeline-$TIMELINE/package" "$NEW/leaflet.timeline@$TIMELINE" \
    LICENSE dist/leaflet.timeline.js

copy "$TMP/moment-$MOMENT/package" "$NEW/moment@$MOMENT" \
    LICENSE min/moment.min.js

copy "$TMP/leaflet.markercluster-$MARKERCLUSTER/package" "$NEW/leaflet.markercluster@$MARKERCLUSTER" \
    MIT-LICENCE.txt dist/leaflet.markercluster.js dist/MarkerCluster.css dist/MarkerCluster.Default.css

copy "$TMP/pypi/folium-$FOLIUM" "$NEW/folium@$FOLIUM" \
    LICENSE.txt folium/templates/leaflet.awesome.rotate.css

# Bootstrap 3's glyphicons as a stylesheet of their own (what folium's bootstrap-glyphicons.css
# link gives): the @font-face and the .glyphicon rules cut out of bootstrap 3.4.1's
# bootstrap.css, the font offered as woff2 and woff only (every browser that runs Leaflet
# 1.9 reads one of them).
B3=$TMP/bootstrap-$BOOTSTRAP3/package
copy "$B3" "$NEW/bootstrap@$BOOTSTRAP3" \
    LICENSE dist/fonts/glyphicons-halflings-regular.woff2 dist/fonts/glyphicons-halflings-regular.woff
mkdir -p "$NEW/bootstrap@$BOOTSTRAP3/dist/css"
"$PYTHON" - "$B3/dist/css/bootstrap.css" "$NEW/bootstrap@$BOOTSTRAP3/dist/css/bootstrap-glyphicons.css" <<'PY'
import re
import sys

source, target = sys.argv[1], sys.argv[2]
css = open(source, encoding="utf-8").read()
start = css.index('@font-face {\n  font-family: "Glyphicons Halflings";')
rules = []
for match in re.finditer(r"([^{}]+)\{([^{}]*)\}", css[start:]):
    selectors = [s.strip() for s in match.group(1).split(",")]
    if selectors == ["@font-face"]:
        rules.append(
            '@font-face {\n  font-family: "Glyphicons Halflings";\n'
            '  src: url("../fonts/glyphicons-halflings-regular.woff2") format("woff2"), '
            'url("../fonts/glyphicons-halflings-regular.woff") format("woff");\n}\n'
        )
    elif all(re.fullmatch(r"\.glyphicon(-[a-z0-9-]+:before)?", s) for s in selectors):
        rules.append(match.group(0).strip() + "\n")
    else:
        break
icons = sum(1 for r in rules if r.startswith(".glyphicon-"))
if icons < 250:
    sys.exit(f"only {icons} glyphicon rules found in {source}: has bootstrap.css changed?")
header = (
    "/*!\n * Glyphicons Halflings, cut out of Bootstrap v3.4.1's dist/css/bootstrap.css by\n"
    " * scripts/vendor-assets.sh (font offered as woff2 and woff only).\n"
    " * Bootstrap: Copyright 2011-2019 Twitter, Inc. Licensed under MIT (see ../../LICENSE).\n"
    " */\n"
)
open(target, "w", encoding="utf-8").write(header + "".join(rules))
print(f"    bootstrap-glyphicons.css: {icons} icons")
PY

# The README stays; everything else is replaced.
if [[ -f $DEST/README.md ]]; then cp "$DEST/README.md" "$NEW/README.md"; fi
rm -rf "$DEST"
mv "$NEW" "$DEST"

step "done: $(find "$DEST" -type f | wc -l) files, $(du -sh "$DEST" | cut -f1)"
