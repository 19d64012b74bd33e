"""The map's scripts and stylesheets come from static/vendor/, never from a CDN.

With no network a single CDN link leaves streamlit-folium's map blank, so every link folium
makes must have a vendored copy (:data:`geo.assets.LOCAL_ASSETS`), every font and image
those stylesheets name must be vendored beside them, and the class-level link lists, shared
by every map in the process, must stay untouched.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import folium
import pytest
from branca.colormap import LinearColormap
from branca.element import Element
from folium import plugins
from streamlit.testing.v1 import AppTest

from geo import ConfigurationError, Story
from geo.assets import (
    CSS_URL,
    LOCAL_ASSETS,
    ST_FOLIUM_BASE_URL,
    VENDOR_DIR,
    inline_html,
    localise,
)
from geo.maps import GEONAMES_ATTRIBUTION, OSM_ATTRIBUTION, build_map, spots

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "../../app/static/vendor/"
_URL = re.compile(r"https?://[^\s\"'<>()`\\]+")


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in element._children.values():
        found.extend(_walk(child))
    return found


def _links(fmap: folium.Map) -> list[str]:
    """Every script and stylesheet URL the map's elements ask for, as streamlit-folium reads
    them (instance attributes first, then the class's)."""
    return [
        url
        for element in _walk(fmap)
        for attr in ("default_js", "default_css")
        for _, url in getattr(element, attr, [])
    ]


def _package_root(relative: str) -> Path:
    """The vendored package a file belongs to: ``static/vendor/<name>@<version>/``."""
    parts = Path(relative).parts
    depth = 2 if parts[0].startswith("@") else 1
    return VENDOR_DIR.joinpath(*parts[:depth])


class _Tags(HTMLParser):
    """The ``src`` of every script and the ``href`` of every link element in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        wanted = {"script": "src", "link": "href"}.get(tag)
        self.urls.extend(v for k, v in attrs if k == wanted and v is not None)


def _tag_urls(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.urls


@pytest.fixture(autouse=True)
def _class_lists_untouched() -> object:
    """No test may change folium's class-level lists (they are every map's links)."""
    before = {
        cls: (list(cls.default_js), list(cls.default_css))
        for cls in (folium.Map, folium.elements.JSCSSMixin)
    }
    yield
    for cls, (js, css) in before.items():
        assert (cls.default_js, cls.default_css) == (js, css), cls


def test_prefix_constant() -> None:
    assert ST_FOLIUM_BASE_URL == PREFIX


def test_every_link_of_the_story_map_is_vendored(seed_story: Story) -> None:
    fmap = build_map(seed_story)
    cdn = _links(fmap)
    assert cdn and all(url.startswith("https://") for url in cdn)
    assert set(cdn) <= set(LOCAL_ASSETS), set(cdn) - set(LOCAL_ASSETS)
    assert localise(fmap, PREFIX) is fmap
    local = _links(fmap)
    assert local == [PREFIX + LOCAL_ASSETS[url] for url in cdn]
    for url in local:
        assert (VENDOR_DIR / url.removeprefix(PREFIX)).is_file(), url


def test_every_mapped_file_exists_with_its_licence() -> None:
    for url, relative in LOCAL_ASSETS.items():
        assert (VENDOR_DIR / relative).is_file(), (url, relative)
        licences = list(_package_root(relative).glob("*LICEN[CS]E*"))  # MIT-LICENCE.txt too
        assert licences and all(f.stat().st_size > 500 for f in licences), relative


def test_the_map_class_links_are_all_mapped() -> None:
    """A folium upgrade that adds or changes a link fails here first."""
    for _, url in folium.Map.default_js + folium.Map.default_css:
        assert url in LOCAL_ASSETS, url


def test_localised_page_loads_nothing_from_outside(seed_story: Story) -> None:
    fmap = localise(build_map(seed_story), PREFIX)
    html = fmap.get_root().render()
    tags = _tag_urls(html)
    # every vendored file but Leaflet.markercluster's: the seed has too few markers to cluster
    clustering = [path for path in LOCAL_ASSETS.values() if "markercluster" in path]
    assert len(tags) == len(LOCAL_ASSETS) - len(clustering) and len(clustering) == 3
    assert all(url.startswith(PREFIX) for url in tags), tags
    # What is left are the tiles' URL template and the attribution links.
    tiles = {
        layer.tiles
        for layer in _walk(fmap)
        if isinstance(layer, folium.TileLayer) and isinstance(layer.tiles, str)
    }
    allowed = tiles | set(_URL.findall(OSM_ATTRIBUTION + GEONAMES_ATTRIBUTION))
    assert tiles and set(_URL.findall(html)) <= allowed, set(_URL.findall(html)) - allowed
    assert "cdn" not in html.lower()


def test_class_level_lists_stay_cdn() -> None:
    js, css = list(folium.Map.default_js), list(folium.Map.default_css)
    fmap = localise(folium.Map(), "static/")
    assert all(url.startswith("static/") for url in _links(fmap))
    assert folium.Map.default_js == js and folium.Map.default_css == css
    fresh = folium.Map()
    assert "default_js" not in vars(fresh)
    assert _links(fresh) == [url for _, url in js + css]
    assert all(url.startswith("https://") for url in _links(fresh))
    assert "https://cdn.jsdelivr.net/" in fresh.get_root().render()


def test_localising_again_changes_the_prefix() -> None:
    fmap = localise(folium.Map(), "a/")
    localise(fmap, "b")  # a missing slash is added
    assert all(url.startswith("b/") and not url.startswith("b/a/") for url in _links(fmap))
    localise(fmap, "")
    plain = folium.Map.default_js + folium.Map.default_css
    assert set(_links(fmap)) == {LOCAL_ASSETS[url] for _, url in plain}


def test_children_with_their_own_links_are_localised() -> None:
    """Every element class with link lists counts, not only the map; a link with no
    vendored copy is a loud error naming the URL, not a blank map."""

    class Vendored(folium.elements.JSCSSMixin):
        default_js: ClassVar = [
            ("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
        ]

    fmap = folium.Map()
    group = folium.FeatureGroup().add_to(fmap)
    child = Vendored()
    group.add_child(child)
    localise(fmap, "v/")
    assert child.default_js == [("leaflet", "v/leaflet@1.9.3/dist/leaflet.js")]
    assert Vendored.default_js[0][1].startswith("https://")

    fullscreen = plugins.Fullscreen()
    fmap.add_child(fullscreen)
    with pytest.raises(ConfigurationError) as caught:
        localise(fmap, "v/")
    assert plugins.Fullscreen.default_js[0][1] in str(caught.value)


def test_colormaps_are_refused() -> None:
    fmap = folium.Map()
    LinearColormap(["red", "blue"]).add_to(fmap)
    with pytest.raises(ConfigurationError, match="d3"):
        localise(fmap, PREFIX)


def test_streamlit_folium_is_sent_only_local_links() -> None:
    """What the component really loads: its ``js_links`` and ``css_links``."""

    def page() -> None:
        import folium
        from folium.plugins import MarkerCluster, Timeline, TimelineSlider
        from streamlit_folium import st_folium

        from geo.assets import ST_FOLIUM_BASE_URL, localise

        fmap = folium.Map()
        group = folium.FeatureGroup(name="Places").add_to(fmap)
        MarkerCluster(name="Many places").add_to(fmap)
        folium.Marker(
            (0, 0),
            icon=folium.Icon(icon="flag", prefix="fa"),
            tooltip=folium.Tooltip("t"),
            popup=folium.Popup("p"),
        ).add_to(group)
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [0, 0]},
            "properties": {"start": "2024-06-20T00:00:00Z", "end": "2024-06-20T23:59:59Z"},
        }
        timeline = Timeline({"type": "FeatureCollection", "features": [feature]}).add_to(fmap)
        TimelineSlider().add_timelines(timeline).add_to(fmap)
        folium.LayerControl().add_to(fmap)
        st_folium(localise(fmap, ST_FOLIUM_BASE_URL), key="map", returned_objects=[])

    at = AppTest.from_function(page).run(timeout=30)
    assert not at.exception
    (component,) = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    links = args["js_links"] + args["css_links"]
    assert sorted(links) == sorted(PREFIX + path for path in LOCAL_ASSETS.values())
    # The order the component loads scripts in: Leaflet before its plugins.
    assert args["js_links"][0].endswith("/leaflet.js")
    assert args["js_links"].index(PREFIX + "leaflet.timeline@1.6.0/dist/leaflet.timeline.js") > 0


def _css_url(match: re.Match[str]) -> str:
    return match.group("dq") or match.group("sq") or match.group("bare") or ""


def _css_files() -> list[Path]:
    files = sorted(VENDOR_DIR.rglob("*.css"))
    assert len(files) >= 6
    return files


@pytest.mark.parametrize("css", _css_files(), ids=lambda p: str(p.relative_to(VENDOR_DIR)))
def test_every_css_url_is_vendored(css: Path) -> None:
    for match in CSS_URL.finditer(css.read_text(encoding="utf-8")):
        url = _css_url(match)
        if url.startswith(("data:", "#")):
            continue
        assert not urlsplit(url).scheme and not url.startswith("/"), (css, url)
        target = (css.parent / re.split(r"[?#]", url, maxsplit=1)[0]).resolve()
        assert target.is_relative_to(VENDOR_DIR) and target.is_file(), (css, url)


def test_vendor_folder_is_lean_and_documented() -> None:
    files = [p for p in VENDOR_DIR.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 2_500_000
    assert not [p for p in files if p.suffix == ".map" or p.name == "package-lock.json"]
    assert not (ROOT / "node_modules").exists() and not (ROOT / "package-lock.json").exists()
    assert not list(VENDOR_DIR.rglob("node_modules"))
    readme = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    for relative in LOCAL_ASSETS.values():
        assert str(_package_root(relative).relative_to(VENDOR_DIR)) in readme, relative
    script = (ROOT / "scripts" / "vendor-assets.sh").read_text(encoding="utf-8")
    assert "http://" not in script and "https://" not in script


def test_inline_page_needs_no_network(seed_story: Story) -> None:
    html = inline_html(build_map(seed_story, tiles=None))
    assert _tag_urls(html) == []
    assert len(re.findall(r"L\.AwesomeMarkers\.icon\(", html)) == len(spots(seed_story))
    styles = "".join(re.findall(r"<style>(.*?)</style>", html, flags=re.S))
    urls = [_css_url(m) for m in CSS_URL.finditer(styles)]
    assert urls and all(u.startswith(("data:", "#")) for u in urls), [
        u[:60] for u in urls if not u.startswith(("data:", "#"))
    ]
    assert "font/woff2;base64," in styles and "font/ttf" not in styles
    assert "image/png;base64," in styles
    assert "sourceMappingURL" not in html
    # Each inlined script ends at its own closing tag, not at a "</script" inside it.
    parser = _Tags()
    parser.feed(html)
    assert parser.scripts == html.count("</script>") >= len(folium.Map.default_js)
    for _, url in folium.Map.default_js:  # each script is there whole
        code = (VENDOR_DIR / LOCAL_ASSETS[url]).read_text(encoding="utf-8")
        code = re.sub(r"\s*//# sourceMappingURL=\S+\s*$", "", code)
        assert code[:200] in html and code[-200:] in html, url
    assert len(html) < 3_000_000


def test_assets_module_does_not_import_streamlit() -> None:
    code = "import sys, geo.assets; sys.exit('streamlit' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
