"""folium_component sends the browser what ``st_folium`` would, from a map prepared once.

The app shows its maps through streamlit-folium's component with arguments it prepares
once per map (folium_component.py), not through ``st_folium`` on every run. These tests
record what reaches the component both ways, for the same map, view and focus ring: if a
new streamlit-folium changes its arguments, they fail here rather than on the page.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import folium
import pytest
import streamlit_folium
from streamlit_folium import st_folium

from folium_component import feature_groups_script, preloader, prepare, show
from geo import Story
from geo.assets import ST_FOLIUM_BASE_URL, localise
from geo.maps import build_map, focus_ring

RETURNED = ("last_object_clicked", "last_object_clicked_tooltip")
SEOUL = (37.566, 126.978)


def recorded(monkeypatch: pytest.MonkeyPatch, draw: Any) -> dict[str, Any]:
    """The arguments ``draw()`` gives streamlit-folium's component."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **args: calls.append(args))
    draw()
    [args] = calls
    return args


def without_random_names(script: str) -> str:
    return re.sub(r"html_[0-9a-f]{32}", "html", script)


def sample_map(story: Story) -> folium.Map:
    return localise(build_map(story, view=(SEOUL, 8)), ST_FOLIUM_BASE_URL)


def ring() -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="In focus")
    focus_ring(*SEOUL).add_to(group)
    return group


def test_a_prepared_map_is_sent_as_st_folium_sends_it(
    monkeypatch: pytest.MonkeyPatch, seed_story: Story
) -> None:
    theirs = recorded(
        monkeypatch,
        lambda: st_folium(
            sample_map(seed_story),
            key="map",
            height=560,
            use_container_width=True,
            returned_objects=list(RETURNED),
            center=SEOUL,
            zoom=8,
            feature_group_to_add=ring(),
            on_change=lambda: None,
            render=False,  # what prepare() does: the map once, not the page and the map again
        ),
    )
    prepared = prepare(sample_map(seed_story), "map", RETURNED)
    ours = recorded(
        monkeypatch,
        lambda: show(
            prepared,
            height=560,
            center=SEOUL,
            zoom=8,
            feature_groups=feature_groups_script([ring()]),
            on_change=lambda: None,
        ),
    )

    assert ours.keys() == theirs.keys()
    different = {name for name in ours if ours[name] != theirs[name]}
    assert different == {"script", "on_change", "js_links"}
    # the same scripts in the same order, after one that has them all fetched at once
    assert (
        ours["js_links"]
        == [preloader(theirs["js_links"], theirs["css_links"])] + theirs["js_links"]
    )
    # folium names each popup's HTML at random; st_folium's key leaves those names out
    assert without_random_names(ours["script"]) == without_random_names(theirs["script"])
    assert "L.circleMarker" in ours["feature_group"]


def test_the_preloader_hints_each_script_and_stylesheet_once() -> None:
    url = preloader(["a/leaflet.js", "a/leaflet.js", "b/x.js"], ["a/leaflet.css"])
    prefix = "data:text/javascript;charset=utf-8,"
    assert url.startswith(prefix)
    code = urllib.parse.unquote(url.removeprefix(prefix))
    hints = json.loads(code[: code.index(".forEach(")])
    assert hints == [["a/leaflet.js", "script"], ["b/x.js", "script"], ["a/leaflet.css", "style"]]
    assert 'link.rel = "preload"' in code


def test_the_same_map_keeps_its_key_and_another_gets_a_new_one(seed_story: Story) -> None:
    """The component's key is what tells the browser to keep the map it shows."""
    first = prepare(sample_map(seed_story), "map", RETURNED)
    again = prepare(sample_map(seed_story), "map", RETURNED)
    fewer = prepare(
        localise(build_map(seed_story, view=(SEOUL, 8), layers=("places",)), ST_FOLIUM_BASE_URL),
        "map",
        RETURNED,
    )

    assert again.component_key == first.component_key
    assert fewer.component_key != first.component_key
