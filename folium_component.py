"""The Leaflet map on the page: streamlit-folium's component, fed a map prepared once.

``st_folium(fmap, …)`` renders the whole folium map again on every run of the script, to
find the JavaScript it sends the browser: for the sample article about half a second and
700 kB, on every click. Yet its frame in the browser builds the map only once for a given
script (the component's key is a hash of it), and later runs only change what rides along:
the view (``center``, ``zoom``) and the ``feature_group`` (JavaScript it evaluates in place
of the last one). So the app prepares each map once (:func:`prepare`, cached by the app per
story, layers and first view) and on each run sends the prepared map with the run's own
view and feature groups (:func:`show`). The arguments are st_folium's own, made with its
own helpers, so the browser's side is unchanged; ``tests/test_folium_component.py`` checks
them against ``st_folium``'s for the pinned streamlit-folium (0.27.4), so that an upgrade
that changes them fails there rather than on the page. One difference, on purpose: a first
script that has the browser fetch all the others at once (:func:`preloader`).

App side: this module imports streamlit, and ``geo`` never imports it.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
import streamlit_folium
from folium.elements import JSCSSMixin
from streamlit_folium import (
    _get_feature_group_string,
    _get_header,
    _get_html,
    _get_map_string,
    generate_js_hash,
    get_full_id,
)


@dataclass(frozen=True)
class Prepared:
    """What st_folium sends the browser for one map, but the view and the feature groups:
    the map's script, its header and HTML, the scripts and stylesheets it loads, what it
    returns (before the reader touches the map: ``default``), and the component's key on
    the page (a hash of the script: a new script is a new map)."""

    key: str
    component_key: str
    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    returned_objects: tuple[str, ...]
    default: dict[str, Any]


def prepare(fmap: folium.Map, key: str, returned_objects: Sequence[str]) -> Prepared:
    """Render ``fmap`` once, as ``st_folium(fmap, key, …, render=False)`` does (this mutates
    the map: use it for nothing else). Its default, ``render=True``, renders the whole page
    first and the map a second time, for the same script but twice the cost (and each
    marker's ``setIcon`` twice)."""
    fmap.render()
    html, header = _get_html(fmap), _get_header(fmap)
    script = _get_map_string(fmap)
    css: list[str] = []
    js: list[str] = []
    for element in _walk(fmap):
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
    (south, west), (north, east) = fmap.get_bounds()
    defaults = {
        "last_object_clicked": None,
        "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None,
        "bounds": {
            "_southWest": {"lat": south, "lng": west},
            "_northEast": {"lat": north, "lng": east},
        },
        "zoom": fmap.options.get("zoom"),
    }
    return Prepared(
        key=key,
        component_key=generate_js_hash(script, key, False),
        script=script,
        header=header,
        html=html,
        map_id=get_full_id(fmap),
        css_links=tuple(dict.fromkeys(css)),
        js_links=(preloader(js, css), *dict.fromkeys(js)),
        returned_objects=tuple(returned_objects),
        default={k: v for k, v in defaults.items() if k in returned_objects},
    )


def preloader(js_links: Sequence[str], css_links: Sequence[str]) -> str:
    """A script, as a ``data:`` URL (no request of its own), that asks the browser for
    every script and stylesheet of the map at once, with ``<link rel="preload">``.

    st_folium's frame adds the map's scripts one after another, each only once the one
    before has run, and its stylesheets after them all: six round trips to the server
    before the map's own script, over a second when the machine is busy. Sent as the
    first of them, this one has the browser fetch the rest side by side; the chain then
    takes each from the preloaded copy, still running them in st_folium's order."""
    hints = [[url, "script"] for url in dict.fromkeys(js_links)]
    hints += [[url, "style"] for url in dict.fromkeys(css_links)]
    code = (
        f"{json.dumps(hints)}.forEach(function (hint) {{"
        ' var link = document.createElement("link"); link.rel = "preload";'
        " link.href = hint[0]; link.as = hint[1]; document.head.appendChild(link); });"
    )
    return "data:text/javascript;charset=utf-8," + urllib.parse.quote(code)


def _walk(element: Any) -> Iterator[Any]:
    """Everything in the map that links scripts and styles, as st_folium finds them (it
    also adds d3 for a branca colour map, which this app's maps do not have)."""
    if isinstance(element, JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def feature_groups_script(groups: Sequence[folium.FeatureGroup]) -> str:
    """The JavaScript that puts ``groups`` on the map in the browser, as st_folium's
    ``feature_group_to_add`` would send it."""
    host = folium.Map(tiles=None)  # st_folium attaches each group to the map it shows
    return "".join(
        _get_feature_group_string(group, map=host, idx=idx) for idx, group in enumerate(groups)
    )


def show(
    prepared: Prepared,
    *,
    height: int,
    center: tuple[float, float] | None,
    zoom: int | None,
    feature_groups: str,
    on_change: Callable[[], None],
) -> Any:
    """The prepared map on the page (full width), moved to ``center`` and ``zoom`` and
    with ``feature_groups`` (see :func:`feature_groups_script`). A script st_folium has
    already drawn in this place is not loaded again; the component's value lands in
    ``st.session_state[prepared.key]``, as with st_folium."""

    def changed() -> None:
        st.session_state[prepared.key] = st.session_state.get(prepared.component_key, {})
        on_change()

    return streamlit_folium._component_func(
        script=prepared.script,
        header=prepared.header,
        html=prepared.html,
        id=prepared.map_id,
        key=prepared.component_key,
        height=height,
        width=None,
        returned_objects=list(prepared.returned_objects),
        default=prepared.default,
        zoom=zoom,
        center=center,
        feature_group=feature_groups or None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(prepared.css_links),
        js_links=list(prepared.js_links),
        on_change=changed,
        wrap_longitude=False,
    )
