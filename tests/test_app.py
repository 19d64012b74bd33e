"""The Streamlit app, headless, through ``streamlit.testing.v1.AppTest``.

The map is a streamlit-folium component: AppTest shows it as an element of type
``component_instance`` whose ``proto.json_args`` holds, under ``"script"``, the Leaflet
script folium generated. The tests read the markers' tooltips and popups from that script.

The first run loads the model and the gazetteer (``st.cache_resource``); later runs and
tests reuse them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo import Geoparser, Story
from geo.assets import ST_FOLIUM_STATIC_URL
from geo.basemap import world_data, world_url
from geo.markup import WORD_JOINER

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"

KENYA = (
    "Floods hit Nairobi, the capital of Kenya, on Monday. "
    "Rescue teams were sent from Mombasa on the coast."
)
NO_PLACE = "The committee met on Tuesday and discussed the budget for next year at length."
HOSTILE = "Protesters in Nairobi wrote <script>alert(1)</script> and `${x}` on a wall."

# The twelve places the sample article names outright (it also names Asia, as "Asian
# nations", and the Korean Peninsula, as "the two Korean nations").
SAMPLE_PLACES = {
    "Russia",
    "North Korea",
    "United States",
    "Pacific Ocean",
    "Vietnam",
    "Pyongyang",
    "Soviet Union",
    "Moscow",
    "China",
    "Ukraine",
    "South Korea",
    "Seoul",
}

_MARKER = re.compile(r"var (marker_\w+) = L\.marker\(\s*\[([-\d.]+), ([-\d.]+)\]")
_TOOLTIP = re.compile(r"\.bindTooltip\(\s*`<div>\s*(.*?)\s*</div>`", re.DOTALL)


def leaflet_script(at: AppTest) -> str | None:
    """The Leaflet script of the one map on the page, or None when there is no map."""
    maps = at.get("component_instance")
    if not maps:
        return None
    assert len(maps) == 1
    assert maps[0].proto.component_name == "streamlit_folium.st_folium"
    script: str = json.loads(maps[0].proto.json_args)["script"]
    return script


def markers(script: str) -> dict[str, tuple[float, float, str]]:
    """Each marker's tooltip → (lat, lon, the rest of its script: icon, popup, tooltip)."""
    found: dict[str, tuple[float, float, str]] = {}
    starts = list(_MARKER.finditer(script))
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        chunk = script[match.end() : following.start() if following else len(script)]
        tooltip = _TOOLTIP.search(chunk)
        assert tooltip is not None, f"marker {match.group(1)} has no tooltip"
        found[tooltip.group(1)] = (float(match.group(2)), float(match.group(3)), chunk)
    return found


def article_view(at: AppTest) -> Any:
    """The article view: the one page component of that name (the page has another, which
    scrolls to the map)."""
    [view] = [c for c in at.get("bidi_component") if c.proto.component_name == "news_atlas_article"]
    return view


def article_data(at: AppTest) -> dict[str, Any]:
    """What the article view is given: paragraphs of ``(text, place key, start)`` pieces."""
    data: dict[str, Any] = json.loads(article_view(at).proto.json)
    return data


def article_text(at: AppTest) -> str:
    """The article's text as the view shows it: one line a paragraph."""
    return "\n".join("".join(p[0] for p in para) for para in article_data(at)["paragraphs"])


def highlighted(at: AppTest) -> dict[str, list[str]]:
    """Each place key the article view highlights → the mentions it highlights for it."""
    found: dict[str, list[str]] = {}
    for paragraph in article_data(at)["paragraphs"]:
        for text, key, _ in paragraph:
            if key is not None:
                found.setdefault(key, []).append(text)
    return found


def shown(markdown: str) -> str:
    """What the reader sees of an element's Markdown that the app escaped (every mark behind
    a backslash, word joiners where a link would begin)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def paste(at: AppTest, text: str) -> AppTest:
    """Choose "Paste text", paste ``text`` and press "Map this article"."""
    if at.radio(key="source").value != "Paste text":
        at.radio(key="source").set_value("Paste text").run()
    at.text_area(key="pasted").input(text).run()
    at.button(key="map_pasted").click().run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not app.exception, app.exception
    return app


# --- the sample article ------------------------------------------------------------------


def test_sample_article_shows_title_and_map(at: AppTest) -> None:
    assert at.title[0].value == "News Atlas"
    assert shown(at.subheader[0].value) == "Russia and North Korea Make Strategic Pact"
    assert not at.error
    assert not at.warning
    script = leaflet_script(at)
    assert script is not None

    tooltips = markers(script)

    assert "Pyongyang · capital city · 1 event here" in tooltips  # the pact was signed there
    assert "Seoul · capital city" in tooltips
    assert "Moscow · capital city" in tooltips
    lat, lon, _ = tooltips["Pyongyang · capital city · 1 event here"]
    assert (lat, lon) == pytest.approx((39.03, 125.75), abs=0.05)


def test_the_map_links_the_offline_maps_world_and_embeds_only_the_storys_part(
    at: AppTest,
) -> None:
    """The world's layer is the same on every map: served once (static/), not sent in each."""
    script = leaflet_script(at) or ""
    url = world_url(ST_FOLIUM_STATIC_URL)
    assert f"var worldUrl = {json.dumps(url)};" in script
    source = re.search(r'var source = (".*?");\n', script)
    assert source is not None
    data = json.loads(json.loads(source.group(1)))
    assert data["world"] is None
    assert data["detail"]["land"]  # the story's region is still in the map
    coast = json.dumps(world_data()["land"][0][:3])[1:-1]
    assert coast not in script  # numbers only: the same in a string as in an array


def test_sample_map_has_the_border_incident_at_the_dmz(at: AppTest) -> None:
    tooltips = markers(leaflet_script(at) or "")

    [(tooltip, (lat, lon, chunk))] = [
        (t, marker) for t, marker in tooltips.items() if t.startswith("20 June 2024 · ")
    ]
    assert "warning shots" in tooltip
    assert "At Korean Demilitarized Zone" in chunk  # the event's popup
    assert '"icon": "calendar"' in chunk
    assert (lat, lon) == pytest.approx((37.96, 126.68), abs=0.05)


def test_sample_places_table_lists_the_storys_places(at: AppTest, seed_story: Story) -> None:
    places = at.dataframe[0].value

    names = list(places["place"])
    assert names == [p.name for p in seed_story.places]
    assert set(names) >= SAMPLE_PLACES
    assert f"Places ({len(names)})" in [shown(s.value) for s in at.subheader]
    pyongyang = places[places["place"] == "Pyongyang"].iloc[0]
    assert pyongyang["kind"] == "capital"
    assert pyongyang["mentions"] == 2


# --- pasted text -------------------------------------------------------------------------


def test_pasted_article_replaces_the_map(at: AppTest) -> None:
    paste(at, KENYA)

    script = leaflet_script(at)
    assert script is not None
    tooltips = markers(script)
    assert "Nairobi · capital city" in tooltips
    assert "Pyongyang" not in script
    assert "Nairobi" in list(at.dataframe[0].value["place"])
    assert shown(at.subheader[0].value) == KENYA  # a pasted article's first line is its title


def test_nothing_is_mapped_before_the_button_is_pressed(at: AppTest) -> None:
    at.radio(key="source").set_value("Paste text").run()
    at.text_area(key="pasted").input(KENYA).run()

    assert not at.exception
    assert leaflet_script(at) is None
    assert "Map this article" in at.info[0].value


def test_whitespace_only_paste_says_so_and_the_app_recovers(at: AppTest) -> None:
    paste(at, "   \n\t  \n")

    messages = [shown(m.value) for m in (*at.error, *at.info)]
    assert any("empty" in m for m in messages), messages
    assert leaflet_script(at) is None

    at.radio(key="source").set_value("Sample article").run()

    assert not at.exception
    script = leaflet_script(at)
    assert script is not None
    assert "Pyongyang · capital city · 1 event here" in markers(script)


def test_article_without_places_warns(at: AppTest) -> None:
    paste(at, NO_PLACE)

    assert any("names no place" in w.value for w in at.warning)
    assert at.dataframe[0].value.empty


def test_hostile_paste_is_escaped_in_the_article(at: AppTest) -> None:
    paste(at, HOSTILE)

    # The article view draws text nodes from data, never HTML: the payload is plain text.
    assert article_view(at).proto.html_content == ""
    assert article_text(at) == HOSTILE
    assert highlighted(at)["gn:184745"] == ["Nairobi"]
    # The sentence is also quoted in Nairobi's popup, inside a JavaScript template literal.
    script = leaflet_script(at)
    assert script is not None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in script
    assert "<script>alert" not in script
    assert "&#96;&#36;&#123;x&#125;&#96;" in script
    assert "${x}" not in script


# --- uploads -------------------------------------------------------------------------------


def test_uploaded_html_article_is_mapped(at: AppTest) -> None:
    at.radio(key="source").set_value("Upload a file").run()
    assert leaflet_script(at) is None
    page = (
        "<html><head><title>Floods</title><script>var tracker = 1;</script></head><body>"
        f"<article><h1>Floods in Kenya</h1><p>{KENYA}</p></article></body></html>"
    )

    at.file_uploader(key="upload").set_value(
        ("kenya.html", page.encode("utf-8"), "text/html")
    ).run()

    assert not at.exception
    script = leaflet_script(at)
    assert script is not None
    assert "Nairobi · capital city" in markers(script)
    assert "tracker" not in article_text(at)


def test_an_uploaded_page_keeps_its_title(at: AppTest) -> None:
    # finding 12 of issue 14: the page's <title> (less the site's name) is the article's
    # title, not the first line of its text
    at.radio(key="source").set_value("Upload a file").run()
    page = (
        f"<html><head><title>Floods | Kenya News</title></head><body><p>{KENYA}</p></body></html>"
    )

    at.file_uploader(key="upload").set_value(
        ("kenya.html", page.encode("utf-8"), "text/html")
    ).run()

    assert shown(at.subheader[0].value) == "Floods"


def test_binary_upload_is_refused_with_a_message(at: AppTest) -> None:
    at.radio(key="source").set_value("Upload a file").run()

    at.file_uploader(key="upload").set_value(
        ("notes.txt", b"\x00\x01\x02 not text", "text/plain")
    ).run()

    assert not at.exception
    messages = [shown(m.value) for m in (*at.error, *at.info)]
    assert any("'notes.txt' is a binary file" in m for m in messages), messages
    assert leaflet_script(at) is None


def test_timeline_lists_the_events_in_date_order_and_centres_the_map(at: AppTest) -> None:
    timeline = at.radio(key="event")
    labels = [shown(str(option)) for option in timeline.options]
    assert [label.split(" · ")[0] for label in labels] == [
        "1953",
        "2022",
        "19 June 2024",
        "20 June 2024",
    ]
    assert labels[-1].endswith("— Korean Demilitarized Zone")
    component = at.get("component_instance")[0]
    assert json.loads(component.proto.json_args)["center"] is None

    timeline.set_value(3).run()

    args = json.loads(at.get("component_instance")[0].proto.json_args)
    assert args["center"] == pytest.approx([37.9561, 126.6772], abs=0.01)
    assert args["zoom"] == 6


def test_downloads_offer_geojson_csv_and_html(at: AppTest) -> None:
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["GeoJSON", "Mentions (CSV)", "Map (HTML)"]


def test_places_table_explains_each_choice(at: AppTest) -> None:
    table = at.dataframe[0].value
    moscow = table[table["place"] == "Moscow"].iloc[0]
    assert "capital" in moscow["why"] and "population" in moscow["why"]
    assert "Moscow (US)" in moscow["other candidates"]  # the runner-ups are there to pick from


def test_online_geocoder_unreachable_warns_and_keeps_offline_places(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a self-hosted Nominatim on a closed local port: refused at once, no outside traffic
    monkeypatch.setenv("NEWS_ATLAS_GEOCODER_DOMAIN", "127.0.0.1:9")
    monkeypatch.setenv("NEWS_ATLAS_CACHE", str(tmp_path))
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    app.radio(key="source").set_value("Paste text").run()
    app.text_area(key="pasted").input(
        "Officials in Nairobi met elders from Xqzzyville, a hamlet near Kisumu."
    ).run()
    app.button(key="map_pasted").click().run()
    assert not app.warning  # offline: nothing to warn about

    app.sidebar.radio(key="geocoder").set_value("nominatim").run()

    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "Nominatim" in warnings and "offline results" in warnings
    assert "Nairobi" in (leaflet_script(app) or "")  # the offline places are still mapped
    assert any("OpenStreetMap" in c.value for c in app.caption)  # the service's attribution


def test_a_link_to_a_private_address_is_refused(at: AppTest) -> None:
    at.radio(key="source").set_value("Link to a web page").run()
    assert any("Fetch and map" in i.value for i in at.info)
    at.text_input(key="url").input("http://127.0.0.1:9/article.html").run()
    at.button(key="fetch").click().run()

    assert not at.exception
    assert at.error and "127.0.0.1" in shown(at.error[0].value)
    assert leaflet_script(at) is None


# --- focus, shareable links and corrections --------------------------------------------------

MOSCOW, MOSCOW_IDAHO, SEOUL = "gn:524901", "gn:5601538", "gn:1835848"


def focus(at: AppTest, target: str) -> AppTest:
    """What a click on a mention, a marker or a table row does: put ``target`` in focus."""
    at.session_state["focus"] = target
    return at.run()


def opened(params: dict[str, Any]) -> AppTest:
    """The app opened from a link with these query parameters."""
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.query_params.update(params)
    app.run()
    assert not app.exception, app.exception
    return app


def map_args(at: AppTest) -> dict[str, Any]:
    args: dict[str, Any] = json.loads(at.get("component_instance")[0].proto.json_args)
    return args


def test_the_sample_is_named_in_the_link(at: AppTest) -> None:
    assert at.query_params == {"sample": "russia-north-korea-pact"}


def test_a_place_in_focus_is_centred_highlighted_explained_and_linked(at: AppTest) -> None:
    focus(at, f"place:{SEOUL}")

    assert map_args(at)["center"] == pytest.approx([37.566, 126.978], abs=0.01)
    assert article_data(at)["selected"] == SEOUL
    assert "Seoul (capital)" in [shown(s.value) for s in at.subheader]
    quotes = " ".join(m.value for m in at.markdown)
    assert "Seoul" in quotes and "as Seoul" in quotes  # its sentence, quoted as evidence
    assert at.query_params == {"sample": "russia-north-korea-pact", "place": SEOUL}


def test_selecting_an_event_links_it_and_clears_a_place(at: AppTest) -> None:
    focus(at, f"place:{SEOUL}")
    at.radio(key="event").set_value(3).run()

    assert at.query_params == {"sample": "russia-north-korea-pact", "event": "3"}
    assert article_data(at)["selected"] is None
    assert "20 June 2024 · Korean Demilitarized Zone" in [shown(s.value) for s in at.subheader]
    assert any("warning shots" in m.value for m in at.markdown)  # the sentence, as evidence
    assert map_args(at)["center"] == pytest.approx([37.9561, 126.6772], abs=0.01)


def test_a_link_reopens_the_same_view() -> None:
    app = opened(
        {
            "sample": "russia-north-korea-pact",
            "place": MOSCOW_IDAHO,
            "layers": "places,events",
            "fix": [f"m932={MOSCOW_IDAHO}", f"m1129={MOSCOW_IDAHO}"],
        }
    )

    assert not app.warning
    assert "Moscow (city)" in [shown(s.value) for s in app.subheader]
    tooltips = markers(leaflet_script(app) or "")
    lat, lon, _ = tooltips["Moscow · city"]
    assert (lat, lon) == pytest.approx((46.73, -117.0), abs=0.05)  # Moscow, Idaho
    assert "Moscow · capital city" not in tooltips
    assert "= L.polyline(" not in (leaflet_script(app) or "")  # the links layer is off
    assert app.button_group(key="layers").value == ["places", "events"]
    assert app.query_params["fix"] == [f"m932={MOSCOW_IDAHO}", f"m1129={MOSCOW_IDAHO}"]
    table = app.dataframe[0].value
    assert table[table["place"] == "Moscow"].iloc[0]["why"] == "corrected by the reader"


def test_a_link_with_unreadable_corrections_still_opens() -> None:
    app = opened({"sample": "russia-north-korea-pact", "fix": ["<script>"]})

    assert [shown(w.value) for w in app.warning] == [
        "This link is damaged: its corrections could not be read and was left out."
    ]
    assert "Moscow · capital city" in markers(leaflet_script(app) or "")
    assert "fix" not in app.query_params


#: Finding 6 of issue 14: links that once broke the session for good.
DAMAGED_LINKS = {
    "superscript-event": ({"event": "²"}, "the event in focus"),
    "huge-event": ({"event": "9" * 5000}, "the event in focus"),
    "huge-fix": ({"fix": ["m" + "5" * 5000 + "=gn:1"]}, "its corrections"),
    "markdown-fix": ({"fix": ["![p](https://attacker.example/p.png)"]}, "its corrections"),
    "unknown-key": ({"evil": "[Sign in](https://attacker.example/login)"}, "a part"),
    "markdown-place": ({"place": "[Sign in](https://attacker.example/login)"}, "the place"),
}


@pytest.mark.parametrize("name", list(DAMAGED_LINKS))
def test_a_damaged_link_is_a_note_and_the_session_goes_on(name: str) -> None:
    params, part = DAMAGED_LINKS[name]
    app = opened({"sample": "russia-north-korea-pact", **params})

    [warning] = [shown(w.value) for w in app.warning]
    assert warning.startswith(f"This link is damaged: {part}")
    assert "attacker" not in warning  # the link's own text is never echoed
    assert "Moscow · capital city" in markers(leaflet_script(app) or "")
    app.radio(key="event").set_value(1).run()  # and the session still works
    assert not app.exception


def test_text_from_an_article_reaches_the_page_as_text() -> None:
    # finding 7 of issue 14: a pasted article's first line (its heading), and the timeline's
    # labels, once made live links and remote images
    lure = "[Sign in](https://attacker.example/login) ![p](https://attacker.example/p.png)"
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    paste(app, f"{lure}\n\nOn June 2, 2024, [Floods](https://attacker.example) hit Nairobi.")

    assert not app.exception
    heading = app.subheader[0].value
    assert shown(heading) == lure
    assert "](" not in heading and "https:/" not in heading
    labels = [str(option) for option in app.radio(key="event").options]
    assert labels and all("](" not in label for label in labels)
    assert any("Floods" in shown(label) for label in labels)


def test_corrections_that_do_not_fit_the_article_are_undone() -> None:
    app = opened({"sample": "russia-north-korea-pact", "fix": ["m3=gn:524901"]})

    assert any("no longer fit" in w.value for w in app.warning)
    assert "Moscow · capital city" in markers(leaflet_script(app) or "")
    assert "fix" not in app.query_params


def test_moving_a_place_to_a_runner_up_updates_map_table_and_link(at: AppTest) -> None:
    focus(at, f"place:{MOSCOW}")
    at.selectbox(key=f"pick_{MOSCOW}").set_value(MOSCOW_IDAHO).run()
    at.multiselect(key=f"which_{MOSCOW}").set_value([932, 1129]).run()  # both mentions
    at.button(key=f"move_{MOSCOW}").click().run()

    assert not at.exception
    tooltips = markers(leaflet_script(at) or "")
    assert tooltips["Moscow · city"][:2] == pytest.approx((46.73, -117.0), abs=0.05)
    assert at.query_params["fix"] == [f"m932={MOSCOW_IDAHO}", f"m1129={MOSCOW_IDAHO}"]
    assert at.query_params["place"] == MOSCOW_IDAHO  # the corrected place stays in focus
    assert "1 correction" not in " ".join(c.value for c in at.caption)
    assert "2 corrections made by you." in [shown(c.value) for c in at.caption]

    at.button(key="undo").click().run()

    assert "Moscow · capital city" in markers(leaflet_script(at) or "")
    assert "fix" not in at.query_params


def test_the_gazetteer_search_offers_places_the_pipeline_did_not_weigh(at: AppTest) -> None:
    focus(at, f"place:{SEOUL}")
    at.text_input(key=f"search_{SEOUL}").input("Busan").run()

    options = at.selectbox(key=f"pick_{SEOUL}").options
    assert any(o.startswith("Busan — city in") and "South Korea" in o for o in options), options


def test_dropping_a_false_place(at: AppTest) -> None:
    focus(at, f"place:{SEOUL}")
    at.button(key=f"drop_{SEOUL}").click().run()

    assert "Seoul" not in list(at.dataframe[0].value["place"])
    assert "Seoul · capital city" not in markers(leaflet_script(at) or "")
    assert at.query_params["fix"] == "d1708"  # AppTest gives a single value as a string
    assert "place" not in at.query_params


def test_adding_a_place_the_pipeline_missed(at: AppTest) -> None:
    paste(at, "Families met at the Kumgang resort and in Seoul on Monday.")
    at.text_input(key="add_name").input("Kumgang").run()
    assert "Add it (1 mention)" in [b.label for b in at.button]
    assert not at.selectbox(key="add_pick").options  # the gazetteer has no "Kumgang"
    at.text_input(key="add_search").input("Kaesong").run()
    [kaesong] = [o for o in at.selectbox(key="add_pick").options if "Kaes" in o][:1]
    at.selectbox(key="add_pick").set_value("gn:1876373").run()
    at.button(key="add").click().run()

    assert not at.exception
    assert list(at.dataframe[0].value["place"]) == ["Kaesŏng", "Seoul"]
    assert highlighted(at)["gn:1876373"] == ["Kumgang"]
    assert kaesong.startswith("Kaesŏng — city in")
    assert at.query_params == {}  # pasted text is never put in the link


def test_a_name_not_in_the_article_cannot_be_added(at: AppTest) -> None:
    at.text_input(key="add_name").input("Atlantis").run()

    assert any("not written in this article" in c.value for c in at.caption)
    assert at.button(key="add").disabled


def test_layers_can_be_switched_off_and_are_linked(at: AppTest) -> None:
    assert "= L.polyline(" in (leaflet_script(at) or "")
    at.button_group(key="layers").set_value(["places", "countries"]).run()

    script = leaflet_script(at) or ""
    assert "= L.polyline(" not in script
    assert not [c for *_, c in markers(script).values() if '"icon": "calendar"' in c]  # no events
    assert at.query_params["layers"] == "places,countries"


def test_an_unsure_place_is_marked_and_its_runner_up_is_one_click_away(
    at: AppTest, geoparser: Geoparser
) -> None:
    text = "Officials met in Springfield on Monday."
    (place,) = geoparser.analyse(text).places
    runner_up = place.runner_up
    assert place.unsure and runner_up is not None
    paste(at, text)
    assert [r["check"] for r in at.dataframe[0].value.to_dict("records")] == ["unsure"]
    focus(at, f"place:{place.key}")
    assert any(w.value.startswith("Unsure (confidence") for w in at.warning)

    at.button(key=f"runner_up_{place.key}").click().run()

    assert not at.exception
    (row,) = at.dataframe[0].value.to_dict("records")
    assert (row["lat"], row["lon"]) == pytest.approx((runner_up.lat, runner_up.lon), abs=1e-3)
    assert row["check"] == ""  # the reader said which: no longer unsure
    assert at.session_state["focus"] == f"place:{runner_up.key}"


# --- the guided story, sources and corrections per mention (issue 15) -----------------------


def test_previous_and_next_step_through_the_events_in_date_order(at: AppTest) -> None:
    assert at.button(key="story_previous").disabled is False  # from nothing: the last event

    at.button(key="story_next").click().run()  # from nothing, "Next" starts the story

    assert at.radio(key="event").value == 0
    assert at.query_params["event"] == "0"
    assert "1953 · " in " ".join(shown(s.value) for s in at.subheader)
    assert at.button(key="story_previous").disabled
    assert "Event 1 of 4" in [c.value for c in at.caption]

    for expected in (1, 2, 3):
        at.button(key="story_next").click().run()
        assert at.radio(key="event").value == expected
    assert at.button(key="story_next").disabled
    assert map_args(at)["center"] == pytest.approx([37.9561, 126.6772], abs=0.01)
    assert any("warning shots" in m.value for m in at.markdown)  # the event's sentence

    at.button(key="story_previous").click().run()

    assert at.radio(key="event").value == 2
    assert "19 June 2024 · " in " ".join(shown(s.value) for s in at.subheader)


def test_the_timeline_is_a_box_of_bounded_height(at: AppTest) -> None:
    boxes = [
        block.proto
        for block in at.get("flex_container")  # type: ignore[attr-defined]
        if "timeline_box" in block.proto.id
    ]
    assert boxes, "no timeline box"
    assert 0 < boxes[0].height_config.pixel_height <= 200


def test_coming_back_to_pasted_text_shows_its_text_with_its_map(at: AppTest) -> None:
    paste(at, KENYA)
    at.radio(key="source").set_value("Sample article").run()
    assert "Pyongyang · capital city · 1 event here" in markers(leaflet_script(at) or "")

    at.radio(key="source").set_value("Paste text").run()

    assert at.text_area(key="pasted").value == KENYA  # the box holds what the map shows
    assert "Nairobi · capital city" in markers(leaflet_script(at) or "")


def test_a_refused_file_is_explained_on_the_page_in_a_sentence(at: AppTest) -> None:
    at.radio(key="source").set_value("Upload a file").run()

    at.file_uploader(key="upload").set_value(("report.pdf", b"%PDF-1.7", "application/pdf")).run()

    [error] = at.main.error
    assert shown(error.value).startswith("'report.pdf' is not a supported file type")
    assert shown(error.value).endswith(".")
    assert leaflet_script(at) is None


def test_errors_start_with_a_capital(at: AppTest) -> None:
    paste(at, "   \n\t  \n")

    [error] = at.main.error
    assert shown(error.value) == "The article is empty: paste or upload some text."


def test_a_correction_starts_from_the_mention_clicked_not_all_of_them(at: AppTest) -> None:
    focus(at, f"place:{MOSCOW}")  # a marker or a table row: no mention in particular
    assert at.multiselect(key=f"which_{MOSCOW}").value == [932]  # its first sentence's

    focus(at, f"place:{SEOUL}")  # Moscow's correction widgets are gone
    at.session_state["mention"] = 1129  # what a click on Moscow's second mention leaves
    focus(at, f"place:{MOSCOW}")

    assert at.multiselect(key=f"which_{MOSCOW}").value == [1129]
