"""The map's JavaScript and CSS served by the app itself, not by CDNs.

folium links every map to Leaflet, jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers
(its Timeline plugin to leaflet.timeline and moment, its MarkerCluster to
leaflet.markercluster) on jsdelivr, cdnjs and
code.jquery.com. With no network those never load, and streamlit-folium gives up at the first
script that fails: a blank map. ``scripts/vendor-assets.sh`` copies the
same files from the npm registry into ``static/vendor/`` (see its README.md), which Streamlit
serves at ``/app/static/vendor/`` when ``server.enableStaticServing`` is on.

* :func:`localise` points a map's links at the vendored copies (for ``st_folium``);
* :func:`inline_html` renders a map as one HTML page with every script, stylesheet, font and
  image inlined, which opens from a file with no network (for the command line's export).

Both refuse, with a :class:`~geo.errors.ConfigurationError` quoting the URL, a map that asks
for a file with no vendored copy (a new folium, or a plugin): better a loud error than a
blank map. This module never imports streamlit.
"""

from __future__ import annotations

import base64
import mimetypes
import posixpath
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final

import folium
from branca.colormap import ColorMap
from branca.element import Element

from .errors import ConfigurationError

__all__ = [
    "CSS_URL",
    "LOCAL_ASSETS",
    "ST_FOLIUM_BASE_URL",
    "ST_FOLIUM_STATIC_URL",
    "VENDOR_DIR",
    "inline_html",
    "localise",
]

#: The vendored files: ``static/vendor/`` in the repository.
VENDOR_DIR: Final = Path(__file__).resolve().parent.parent / "static" / "vendor"

#: The prefix that reaches ``static/`` from inside st_folium's iframe. Its page is
#: ``<base>/component/streamlit_folium.st_folium/index.html``, so this relative prefix gives
#: ``<base>/app/static/`` with and without ``server.baseUrlPath`` (an absolute
#: ``/app/static/`` breaks under a base path).
ST_FOLIUM_STATIC_URL: Final = "../../app/static/"

#: The prefix that reaches ``static/vendor/`` from inside st_folium's iframe.
ST_FOLIUM_BASE_URL: Final = ST_FOLIUM_STATIC_URL + "vendor/"

#: Each CDN URL that folium's elements link to, and its vendored copy (relative to
#: ``static/vendor/``). Every package keeps its own folder layout, so the stylesheets'
#: relative ``url(...)``s find their fonts and images.
LOCAL_ASSETS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # folium.Map.default_js
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": (
            "leaflet@1.9.3/dist/leaflet.js"
        ),
        "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/dist/jquery.min.js",
        "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": (
            "bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js"
        ),
        # 2.0.2 is not on npm under this name; 2.0.4's JavaScript is the same file.
        "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/"
        "leaflet.awesome-markers.js": (
            "leaflet.awesome-markers@2.0.4/dist/leaflet.awesome-markers.js"
        ),
        # folium.plugins.Timeline and TimelineSlider (the events over time). The package has
        # no .min.js (jsdelivr minifies on the fly); its leaflet.timeline.js is minified.
        "https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js": (
            "leaflet.timeline@1.6.0/dist/leaflet.timeline.js"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js": (
            "moment@2.18.1/min/moment.min.js"
        ),
        # folium.plugins.MarkerCluster (maps with many markers)
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
        "leaflet.markercluster.js": ("leaflet.markercluster@1.1.0/dist/leaflet.markercluster.js"),
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": (
            "leaflet.markercluster@1.1.0/dist/MarkerCluster.css"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
        "MarkerCluster.Default.css": ("leaflet.markercluster@1.1.0/dist/MarkerCluster.Default.css"),
        # folium.Map.default_css
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": (
            "leaflet@1.9.3/dist/leaflet.css"
        ),
        "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": (
            "bootstrap@5.2.2/dist/css/bootstrap.min.css"
        ),
        # Bootstrap 3.0.0 is not on npm: its glyphicons, cut out of bootstrap 3.4.1.
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
            "bootstrap@3.4.1/dist/css/bootstrap-glyphicons.css"
        ),
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": (
            "@fortawesome/fontawesome-free@6.2.0/css/all.min.css"
        ),
        "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/"
        "leaflet.awesome-markers.css": (
            "leaflet.awesome-markers@2.0.4/dist/leaflet.awesome-markers.css"
        ),
        # folium's own stylesheet, from its source distribution (not minified there).
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
        "leaflet.awesome.rotate.min.css": (
            "folium@0.20.0/folium/templates/leaflet.awesome.rotate.css"
        ),
    }
)

_LINK_LISTS: Final = ("default_js", "default_css")


def _walk(element: Element) -> Iterator[Element]:
    """``element`` and all its descendants, depth first (as streamlit-folium walks them)."""
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _local(url: str, element: Element) -> str:
    try:
        return LOCAL_ASSETS[url]
    except KeyError:
        raise ConfigurationError(
            f"{type(element).__name__} links to {url}, which has no vendored copy: add it to "
            "scripts/vendor-assets.sh and to geo.assets.LOCAL_ASSETS "
            "(see static/vendor/README.md)"
        ) from None


def localise(fmap: folium.Map, base_url: str) -> folium.Map:
    """Point ``fmap``'s scripts and stylesheets at the vendored copies under ``base_url``.

    Sets ``default_js`` and ``default_css`` on the *instances* of the map and of every
    element in it whose class has such lists, each link becoming ``base_url`` + its path in
    ``static/vendor/`` (a ``/`` is added to ``base_url`` if it lacks one). The class-level
    lists, shared by every map in the process, are read, never changed; localising a map
    again just changes the prefix. Returns ``fmap``.

    Use :data:`ST_FOLIUM_BASE_URL` for ``st_folium``.

    Raises :class:`~geo.errors.ConfigurationError` if an element links to a URL that has no
    vendored copy, or if the map holds a branca colormap (streamlit-folium adds d3 from a
    CDN for those, outside any list this function can change).
    """
    prefix = base_url if not base_url or base_url.endswith("/") else base_url + "/"
    for element in _walk(fmap):
        if isinstance(element, ColorMap):
            raise ConfigurationError(
                f"{type(element).__name__}: streamlit-folium loads d3 for colormaps from "
                "https://d3js.org/d3.v4.min.js, which has no vendored copy"
            )
        for attr in _LINK_LISTS:
            links: list[tuple[str, str]] | None = getattr(type(element), attr, None)
            if links is None:
                continue
            setattr(element, attr, [(name, prefix + _local(url, element)) for name, url in links])
    return fmap


# --- one standalone page --------------------------------------------------------------------

#: A prefix no real URL has: what :func:`inline_html` localises to, then swaps for the files.
_INLINE: Final = "news-atlas-vendor:/"
_SCRIPT_TAG: Final = re.compile(r'<script src="' + re.escape(_INLINE) + r'([^"]+)"></script>')
_LINK_TAG: Final = re.compile(
    r'<link rel="stylesheet" href="' + re.escape(_INLINE) + r'([^"]+)"\s*/?>'
)
#: ``url(...)`` in CSS; the address is in one of the groups ``dq``, ``sq`` or ``bare``.
CSS_URL: Final = re.compile(
    r"""url\(\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^)"'\s]*))\s*\)"""
)
_FONT_SRC: Final = re.compile(r"src:(?P<list>[^;}]*)")
_SOURCE_MAP: Final = re.compile(r"^\s*(?://|/\*)# sourceMappingURL=\S+(?: \*/)?\s*$", re.M)
_TYPES: Final = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf"}


def _vendored(relative: str) -> Path:
    path = (VENDOR_DIR / relative).resolve()
    if not path.is_relative_to(VENDOR_DIR) or not path.is_file():
        raise ConfigurationError(
            f"static/vendor/{relative} is missing: run scripts/vendor-assets.sh"
        )
    return path


def _data_uri(path: Path) -> str:
    kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{kind or 'application/octet-stream'};base64,{encoded}"


def _woff2_only(css: str) -> str:
    """Each ``@font-face`` ``src`` list cut to its woff2 sources where it has any: every
    browser that runs Leaflet 1.9 reads woff2, and the other formats would double the page."""

    def cut(match: re.Match[str]) -> str:
        sources = match.group("list").split(",")
        woff2 = [s for s in sources if 'format("woff2")' in s or "format('woff2')" in s]
        return "src:" + ",".join(woff2) if woff2 else match.group(0)

    return _FONT_SRC.sub(cut, css)


def _inline_css(relative: str) -> str:
    """A vendored stylesheet with its fonts and images as data: URIs."""
    folder = posixpath.dirname(relative)
    css = _woff2_only(_vendored(relative).read_text(encoding="utf-8"))

    def embed(match: re.Match[str]) -> str:
        url = match.group("dq") or match.group("sq") or match.group("bare") or ""
        if not url or url.startswith(("data:", "#")):
            return match.group(0)
        path = re.split(r"[?#]", url, maxsplit=1)[0]
        target = posixpath.normpath(posixpath.join(folder, path))
        return f'url("{_data_uri(_vendored(target))}")'

    css = _SOURCE_MAP.sub("", CSS_URL.sub(embed, css))
    if "</style" in css.lower():
        raise ConfigurationError(f"static/vendor/{relative} cannot be inlined: it holds </style")
    return css


def _inline_js(relative: str) -> str:
    js = _SOURCE_MAP.sub("", _vendored(relative).read_text(encoding="utf-8"))
    # "</script" may only appear inside strings, regular expressions or comments, where
    # "<\/script" means the same.
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)


def inline_html(fmap: folium.Map) -> str:
    """``fmap`` as one standalone HTML page that needs no network for its scripts and styles.

    Every script and stylesheet is inlined from ``static/vendor/``, and the fonts and images
    the stylesheets name become data: URIs (woff2 fonts only). Map tiles are still loaded
    from their server, if the map has any. Rendering changes the map: pass a fresh one.

    Raises :class:`~geo.errors.ConfigurationError` like :func:`localise`, and if a vendored
    file is missing.
    """
    localise(fmap, _INLINE)
    html: str = fmap.get_root().render()
    html = _SCRIPT_TAG.sub(lambda m: f"<script>{_inline_js(m.group(1))}</script>", html)
    html = _LINK_TAG.sub(lambda m: f"<style>{_inline_css(m.group(1))}</style>", html)
    if _INLINE in html:
        raise ConfigurationError("a vendored link in the map's page could not be inlined")
    return html
