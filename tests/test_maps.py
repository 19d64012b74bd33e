"""The story as a Folium map (geo.maps): markers, icons, bounds, legend, attributions, popups,
and article text that cannot run in the page however hostile it is."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import folium
import pytest

from geo import Article, Candidate, Event, Geoparser, Mention, Place, Sentence, Story
from geo.gazetteer import KINDS, Gazetteer
from geo.links import Link, links_of
from geo.maps import (
    CLUSTER_ABOVE,
    CLUSTER_UNTIL,
    LAYERS,
    MARKS,
    OUTLINE_LAYER,
    SHADES,
    STYLES,
    TIMELINE_LAYER,
    MarkerStyle,
    Spot,
    _OfflineFallback,
    _shade,
    build_map,
    country_mentions,
    country_outlines,
    event_popup,
    focus_ring,
    link_popup,
    map_html,
    object_at,
    place_popup,
    spots,
    style_of,
    timeline_geojson,
)
from geo.markup import escape
from geo.resolve import Scored

from .growth import LINEAR_AT_MOST, growth
from .stories import crowded

HOSTILE = {
    # Markup, a script, a template-literal interpolation, backticks and a backslash, all in
    # the sentence that names Berlin (so in its popup) and dates an event.
    "script": (
        'Protests in <b>Paris</b> <script>alert("x")</script> `${document.cookie}` C:\\temp '
        "spread to Berlin on June 3, 2024."
    ),
    # An event handler without a <script>, between the two places the sentence names.
    "img": "Crowds gathered in London <img src=x onerror=alert(1)> and Madrid on May 1, 2023.",
}


def _synthetic() -> Story:
    """A story whose every field is hostile: names, kind labels, sources, runners-up, the
    event's name and reason. The pipeline would never produce it, but the map must cope."""
    text = "Crowds met in <Kyiv> `${x}` C:\\d on June 3."
    sentence = Sentence(0, 0, len(text), text, 0)
    start = text.index("<Kyiv>")
    mention = Mention(start, start + 6, "<Kyiv>", "<Kyiv>", "GPE", 0)
    where = Candidate(
        key="test:kyiv",
        name="<img src=x onerror=alert(1)>",
        kind="city",
        lat=50.45,
        lon=30.52,
        country_code="UA",
        source="`${document.cookie}` \\",
    )
    runner_up = Candidate(
        key="test:alt", name="</script><script>alert(1)//", kind="region", lat=1.0, lon=2.0
    )
    place = Place(where, (mention,), 0.5, ("because",), (Scored(runner_up, 1.0, ()),))
    # The event is away from the place, so the bounds must stretch to cover it.
    elsewhere = Candidate(key="test:far", name="`${far}`", kind="border", lat=-33.9, lon=151.2)
    event = Event(
        date="2024-06-03",
        name="<b>`${x}`</b>",
        sentence=sentence,
        where=elsewhere,
        places=(where.key,),
        reason="<i>C:\\why</i>",
    )
    return Story(Article(text), (sentence,), (place,), (event,))


@pytest.fixture(scope="module")
def stories(seed_story: Story, geoparser: Geoparser) -> dict[str, Story]:
    found = {name: geoparser.analyse(text) for name, text in HOSTILE.items()}
    for name, story in found.items():  # otherwise the hostile text never reaches a popup
        assert story.places and story.events, f"the {name!r} article found nothing to map"
    return {
        "seed": seed_story,
        **found,
        "synthetic": _synthetic(),
        # An article that names no place: a map with nothing on it, still a valid page.
        "empty": Story(seed_story.article, seed_story.sentences, (), ()),
    }


NAMES = ["seed", "script", "img", "synthetic", "empty"]


def render(story: Story, tiles: str | None = "OpenStreetMap") -> str:
    return str(build_map(story, tiles=tiles).get_root().render())


def render_without_timeline(story: Story) -> str:
    return str(build_map(story, layers=set(LAYERS) - {"timeline"}).get_root().render())


def points(story: Story) -> list[tuple[float, float]]:
    return [(p.lat, p.lon) for p in story.places] + [(e.lat, e.lon) for e in story.events]


def template_literals(page: str) -> list[str]:
    """Folium writes popup and tooltip HTML as JavaScript template literals."""
    return re.findall(r"`([^`]*)`", page)


def legend_html(page: str) -> str:
    """The legend's HTML, which the page's script puts in a Leaflet control."""
    found = re.search(r'"news-atlas-legend"\);.*?div\.innerHTML = ("(?:[^"\\]|\\.)*");', page, re.S)
    assert found is not None, "no legend"
    body: str = json.loads(found.group(1))
    return body


def visible(fragment: str) -> str:
    """What a browser shows for an HTML fragment: tags gone, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


# --- markers --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_one_marker_per_place_and_event_at_its_point(stories: dict[str, Story], name: str) -> None:
    story = stories[name]
    page = render(story)
    assert page.count("L.marker(") == len(spots(story))
    located = re.findall(r"L\.marker\(\s*\[([-\d.e]+), ([-\d.e]+)\]", page)
    assert sorted((float(lat), float(lon)) for lat, lon in located) == sorted(
        (s.lat, s.lon) for s in spots(story)
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_marker_has_its_styled_icon(stories: dict[str, Story], name: str) -> None:
    # Default Leaflet icons break inside st_folium (upstream issue #275): never use one.
    story = stories[name]
    page = render(story)
    markers = re.findall(r"var (marker_\w+) = L\.marker\(", page)
    assert page.count("L.AwesomeMarkers.icon(") == len(markers)
    for marker in markers:
        assert f"{marker}.setIcon(icon_" in page
    # places in their kind's colour; events elsewhere red; both: a calendar on the place's
    found = spots(story)
    expected = Counter(style_of(s.place.kind).color if s.place else "red" for s in found)
    assert Counter(re.findall(r'"markerColor": "(\w+)"', page)) == +expected
    assert page.count('"icon": "calendar"') == sum(1 for s in found if s.events)


@pytest.mark.parametrize("name", ["seed", "script", "img", "synthetic"])
def test_bounds_fit_every_place_and_event(stories: dict[str, Story], name: str) -> None:
    story = stories[name]
    fmap = build_map(story)
    lats, lons = zip(*points(story), strict=True)
    tight = [min(lats), min(lons), max(lats), max(lons)]
    (south, west), (north, east) = fmap.get_bounds()
    assert [south, west, north, east] == pytest.approx(tight)
    for lat, lon in points(story):
        assert south <= lat <= north and west <= lon <= east
    fitted = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", fmap.get_root().render(), re.DOTALL)
    assert fitted is not None
    (south, west), (north, east) = json.loads(fitted.group(1))
    assert [south, west, north, east] == pytest.approx(tight)


def test_empty_story_gives_an_empty_map(stories: dict[str, Story]) -> None:
    page = render(stories["empty"])
    assert "L.marker(" not in page
    assert "fitBounds" not in page  # the default world view, not bounds of nothing
    assert "news-atlas-legend" not in page  # a legend of nothing would only confuse
    assert "geonames.org" in page


def test_fresh_map_every_time(seed_story: Story) -> None:
    # st_folium mutates the map it shows; a reused map would collect duplicate markers.
    first, second = build_map(seed_story), build_map(seed_story)
    assert first is not second
    counts = {render(seed_story).count("L.marker(") for _ in range(2)}
    counts |= {map_html(seed_story).count("L.marker(") for _ in range(2)}
    counts |= {m.get_root().render().count("L.marker(") for m in (first, second)}
    assert counts == {len(spots(seed_story))}


def test_a_place_and_the_events_at_its_point_share_one_marker(seed_story: Story) -> None:
    found = spots(seed_story)
    pyongyang = next(s for s in found if s.place and s.place.name == "Pyongyang")
    assert [e.date for e in pyongyang.events] == ["2024-06-19"]
    # the border incident happened where no place of the story is: a marker of its own
    (alone,) = [s for s in found if s.place is None]
    assert [e.date for e in alone.events] == ["2024-06-20"]
    assert len(found) == len(seed_story.places) + 1
    assert sum(len(s.events) for s in found) == len(seed_story.events)  # none lost
    # each event joins the place at its point, whichever order the story lists them in
    assert spots(seed_story, events=False) == [Spot(p.lat, p.lon, p, ()) for p in seed_story.places]
    assert [s.place for s in spots(seed_story, places=False)] == [None] * 4


def test_the_shared_marker_shows_both_in_its_popup(stories: dict[str, Story]) -> None:
    story = stories["seed"]
    page = render(story)
    pact = next(e for e in story.events if e.date == "2024-06-19")
    merged = [t for t in template_literals(page) if "<b>Pyongyang</b>" in t and "<blockquote" in t]
    assert len(merged) == 1  # the place's evidence, then the event's sentence
    assert merged[0].index("<b>Pyongyang</b>") < merged[0].index(escape(pact.sentence.text))
    tooltips = {" ".join(visible(t).split()) for t in template_literals(page)}
    assert "Pyongyang · capital city · 1 event here" in tooltips
    # and it is still escaped when the article is hostile
    hostile = render(stories["script"])
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in hostile
    assert "<script>alert" not in hostile


def test_shared_markers_show_while_places_or_events_do(seed_story: Story) -> None:
    page = render(seed_story)
    shared = re.search(r"var (feature_group_\w+) = L\.featureGroup\(\s*\{\s*\}\s*\);", page)
    groups = re.findall(r"var (feature_group_\w+) = L\.featureGroup\(", page)
    assert len(groups) == 4  # links, places, events, places with events
    assert "Places with events" not in page  # not a layer of its own in the control
    follow = re.search(r"var shared = (feature_group_\w+);\s*var owners = \[([^\]]*)\]", page)
    assert follow is not None and shared is not None
    owners = [o for o in follow.group(2).split(",") if o]
    assert follow.group(1) not in owners and len(owners) == 2
    # with one of the two layers only, nothing is shared
    assert "var shared =" not in build_map(seed_story, layers=("places",)).get_root().render()


def test_every_icon_on_the_map_is_fanned_out(seed_story: Story) -> None:
    page = render(seed_story)
    assert page.count("map.eachLayer(function (layer) {") == 1  # markers and clusters alike
    assert '&& layer.options.pane === "markerPane") markers.push(layer);' in page  # no labels
    assert ".style.translate = shift" in page  # icons move, markers keep their points
    assert '"zoomSnap": 0.5' in page
    assert "markerClusterGroup" not in page  # 15 markers: every one shown, none clustered


def test_many_markers_are_clustered_until_zoomed_in(seed_story: Story) -> None:
    many = crowded(seed_story, CLUSTER_ABOVE + 1)
    page = render(many)
    assert page.count("L.markerClusterGroup(") == 3  # places, events, places with events
    assert page.count("L.marker(") == CLUSTER_ABOVE + 1  # each marker is still there
    assert f'"disableClusteringAtZoom": {CLUSTER_UNTIL}' in page
    assert '"animate": false' in page and '"removeOutsideVisibleBounds": false' in page
    assert f'"{LAYERS["places"]}" : marker_cluster_' in page  # still a layer to switch off
    assert "leaflet.markercluster" not in render(crowded(seed_story, CLUSTER_ABOVE))
    standalone = map_html(many)  # served from our own copies, inlined
    assert "L.MarkerClusterGroup=" in standalone and "<script src=" not in standalone


def test_the_first_view_leaves_room_for_icons_slider_and_legend(seed_story: Story) -> None:
    fitted = re.search(
        r'"maxZoom": 8, "paddingBottomRight": \[(\d+), (\d+)\], "paddingTopLeft": \[(\d+), (\d+)\]',
        render(seed_story),
    )
    assert fitted is not None
    right, bottom, left, top = (int(v) for v in fitted.groups())
    assert min(right, left, top) >= 45  # an icon stands 45 px above its point
    assert bottom >= 140 + 5 * 18  # the slider, and the legend's five rows above it


# --- legend, attributions, page -------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed", "script", "img", "synthetic"])
def test_legend_lists_the_styles_in_use(stories: dict[str, Story], name: str) -> None:
    story = stories[name]
    legend = legend_html(render(story))
    entries = re.findall(r'background:(#[0-9a-f]{6})"></span>([^<]+)</div>', legend)
    found = spots(story)
    used = {style_of(s.place.kind) if s.place else STYLES["event"] for s in found}
    in_order = [s for s in STYLES.values() if s in used]
    assert entries == [(s.hex, s.label) for s in in_order]


def test_rings_and_lines_each_look_different() -> None:
    looks = [(m.color, m.dash, m.ring, m.fill_opacity > 0) for m in MARKS.values()]
    assert len(set(looks)) == len(looks)
    # the two rings differ in colour and in stroke, so neither passes for the other
    focus, event = MARKS["focus"], MARKS["event"]
    assert focus.color != event.color and focus.dash != event.dash
    ring = focus_ring(55.75, 37.62)
    assert ring.options["color"] == focus.color and ring.options["dashArray"] is None
    assert ring.options["fill"] is False and ring.options["interactive"] is False


def test_each_ring_and_line_is_drawn_as_the_legend_shows_it(seed_story: Story) -> None:
    page = render(seed_story)
    ring = re.search(r"return L\.circleMarker\(latlng, (\{.*?\})\);", page)
    assert ring is not None
    assert json.loads(ring.group(1)) == {"radius": 16, **MARKS["event"].options()}
    assert f'"color": "{MARKS["link"].color}"' in page  # the link lines
    leader = re.search(r"var style = (\{.*?\});", page)  # the lines to fanned-out icons
    assert leader is not None and json.loads(leader.group(1)) == MARKS["leader"].options()


@pytest.mark.parametrize(
    ("layers", "marks"),
    [
        (tuple(LAYERS), ["focus", "event", "link", "leader"]),
        (("places", "events"), ["focus", "leader"]),
        (("places", "links"), ["focus", "link", "leader"]),
    ],
)
def test_legend_explains_the_rings_and_lines_shown(
    seed_story: Story, layers: tuple[str, ...], marks: list[str]
) -> None:
    legend = legend_html(build_map(seed_story, layers=layers).get_root().render())
    labels = [m.label for m in MARKS.values()]
    shown = [label for label in labels if label in visible(legend)]
    assert shown == [MARKS[m].label for m in marks]
    assert legend.count("<svg") == len(marks)


def test_legend_explains_the_calendar_on_a_place(seed_story: Story) -> None:
    assert "Place with events" in visible(legend_html(render(seed_story)))
    only_places = build_map(seed_story, layers=("places",)).get_root().render()
    assert "Place with events" not in visible(legend_html(only_places))


def test_attributions(seed_story: Story) -> None:
    page = render(seed_story)
    assert "GeoNames" in page and "https://www.geonames.org/" in page
    assert "OpenStreetMap" in page and "https://www.openstreetmap.org/copyright" in page
    assert "attributionControl.addAttribution(" in page


def test_without_tiles_there_is_no_osm_layer_or_credit(seed_story: Story) -> None:
    # tiles=None is the offline map: no OpenStreetMap data shown, so no OpenStreetMap credit.
    page = render(seed_story, tiles=None)
    assert "L.tileLayer(" not in page and "OpenStreetMap" not in page
    assert "GeoNames" in page
    assert page.count("L.marker(") == len(spots(seed_story))


def test_map_html_is_a_whole_page(seed_story: Story) -> None:
    page = map_html(seed_story)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<head>" in page and "<body>" in page and page.rstrip().endswith("</html>")
    assert "<script src=" not in page and "L.AwesomeMarkers" in page  # scripts inlined
    assert page.count("L.marker(") == len(spots(seed_story))


# --- hostile article text -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed", "script", "img", "synthetic"])
def test_article_text_cannot_run(stories: dict[str, Story], name: str) -> None:
    page = render(stories[name])
    # markers and link lines each carry a popup and a tooltip
    shapes = page.count("L.marker(") + page.count("= L.polyline(")
    assert "<script>alert" not in page.lower()
    assert "<img" not in page.lower()
    # "onerror=" may only appear as text a reader sees, inside the escaped tag (written as
    # is in popups and tooltips, and with its & as \u0026 in the timeline layer's JSON).
    tag = "&lt;img src=x onerror=alert(1)&gt;"
    assert page.count("onerror=") == page.count(tag) + page.count(tag.replace("&", "\\u0026"))
    assert "${document.cookie}" not in page
    assert "C:\\temp" not in page
    # Each marker and line has exactly two template literals (popup and tooltip): no backtick
    # from the article opened or closed another, and none holds an interpolation or an escape.
    assert page.count("`") == 4 * shapes
    literals = template_literals(page)
    assert len(literals) == 2 * shapes
    for literal in literals:
        assert "${" not in literal and "\\" not in literal
        assert "<script" not in literal.lower() and "</script" not in literal.lower()


def test_hostile_article_text_is_shown_escaped(stories: dict[str, Story]) -> None:
    popups = [t for t in template_literals(render(stories["script"])) if "<blockquote" in t]
    assert len(popups) == 1  # the event's popup quotes the sentence
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in popups[0]
    assert "&#96;&#36;&#123;document.cookie&#125;&#96; C:&#92;temp" in popups[0]
    assert HOSTILE["script"] in visible(popups[0])  # shown exactly as written
    img = render(stories["img"])
    assert "&lt;img src=x onerror=alert(1)&gt;" in img


def test_synthetic_hostile_fields_are_shown_escaped(stories: dict[str, Story]) -> None:
    story = stories["synthetic"]
    (place,), (event,) = story.places, story.events
    popup = place_popup(story, place)
    assert "&lt;img src=x onerror=alert(1)&gt;" in popup
    assert "Source: &#96;&#36;&#123;document.cookie&#125;&#96; &#92;" in popup
    assert "&lt;/script&gt;&lt;script&gt;alert(1)//" in popup
    assert '<mark class="mention">&lt;Kyiv&gt;</mark>' in popup
    shown = event_popup(event)
    assert shown.startswith("<b>3 June 2024</b> · &lt;b&gt;&#96;&#36;&#123;x&#125;&#96;&lt;/b&gt;")
    assert "At &#96;&#36;&#123;far&#125;&#96; (&lt;i&gt;C:&#92;why&lt;/i&gt;)" in shown


# --- popups ---------------------------------------------------------------------------------


def test_place_popup_shows_the_evidence(seed_story: Story) -> None:
    places = seed_story.places
    # The seed exercises each branch below.
    assert any(len(seed_story.sentences_of(p)) > 5 for p in places)
    assert any(p.alternatives for p in places) and any(not p.alternatives for p in places)
    for place in places:
        popup = place_popup(seed_story, place)
        assert popup.startswith(f"<b>{escape(place.name)}</b>")
        count = len(place.mentions)
        assert f"{count} mention{'s' if count != 1 else ''} · " in popup
        assert f"confidence {place.confidence:.0%}" in popup
        assert f"Source: {escape(place.candidate.source)}" in popup
        sentences = seed_story.sentences_of(place)
        for sentence in sentences[:5]:
            assert f"<li>{escape(sentence.text)}" in re.sub(r"</?mark[^>]*>", "", popup)
            for mention in place.mentions:
                if mention.sentence == sentence.index:
                    assert f'<mark class="mention">{escape(mention.text)}</mark>' in popup
        if len(sentences) > 5:
            assert f"<li>… and {len(sentences) - 5} more</li>" in popup
        else:
            assert "more</li>" not in popup
        if place.alternatives:
            others = popup.split("Other candidates: ", 1)[1]
            for alternative in place.alternatives[:3]:
                assert escape(alternative.candidate.name) in others
        else:
            assert "Other candidates" not in popup


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Soviet Union", "Former country"),  # historical: not "Country", though styled as one
        ("Russia", "Country"),
        ("Pyongyang", "Capital city"),
        ("Pacific Ocean", "Sea or ocean"),
        ("Korean Peninsula", "Region, border or feature"),
    ],
)
def test_place_popup_kind_label(seed_story: Story, name: str, label: str) -> None:
    place = next(p for p in seed_story.places if p.name == name)
    assert f"<b>{name}</b> <small>{label}</small>" in place_popup(seed_story, place)


def test_event_popup_shows_date_place_and_sentence(seed_story: Story) -> None:
    assert seed_story.events
    for event in seed_story.events:
        popup = event_popup(event)
        assert popup.startswith(f"<b>{escape(event.when)}</b> · {escape(event.name)}")
        assert f"At {escape(event.where.name)} ({escape(event.reason)})" in popup
        assert f"{escape(event.sentence.text)}</blockquote>" in popup


# --- styles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*KINDS, "event"])
def test_every_kind_has_a_style(kind: str) -> None:
    style = style_of(kind)
    assert isinstance(style, MarkerStyle) and style in STYLES.values()
    assert style.color in folium.Icon.color_options  # else folium warns and draws blue
    assert re.fullmatch(r"#[0-9a-f]{6}", style.hex)
    assert style.label and style.icon


def test_main_kinds_look_different() -> None:
    styles = [style_of(kind) for kind in ("city", "country", "region", "event")]
    for attribute in ("label", "color", "icon", "hex"):
        assert len({getattr(s, attribute) for s in styles}) == 4, attribute
    assert len({s.label for s in STYLES.values()}) == len(STYLES)  # the legend is unambiguous


# --- links between places -------------------------------------------------------------------


def test_links_join_places_named_together(seed_story: Story) -> None:
    links = {frozenset(link.names): link for link in links_of(seed_story)}
    pact = links[frozenset({"Russia", "North Korea"})]
    assert pact.weight == max(link.weight for link in links.values())
    assert all("Russia" in s.text or "Russian" in s.text for s in pact.sentences)
    assert frozenset({"North Korea", "South Korea"}) in links
    assert frozenset({"Seoul", "Ukraine"}) in links  # "The government in Seoul … arming Ukraine"
    # oceans and continents are settings, not parties: no line to them
    assert not any({"Pacific Ocean", "Asia"} & set(names) for names in links)


def test_links_are_a_layer_of_lines_with_quoted_sentences(seed_story: Story) -> None:
    page = render(seed_story)
    assert page.count("= L.polyline(") == len(links_of(seed_story))
    assert "Links between places" in page  # the layer control can switch them off
    link = links_of(seed_story)[0]
    popup = link_popup(link)
    assert f"named together in {link.weight} sentences" in popup
    assert escape(link.sentences[0].text) in popup


def test_links_take_linear_time_in_the_sentences(seed_story: Story) -> None:
    """Two places named together in every one of many sentences (a pasted list): finding
    their link once took 12 s for 26,000 mentions, quadratic in them (issue 14's limits)."""
    first, second = seed_story.places[:2]

    def story_of(count: int) -> Story:
        sentences = tuple(Sentence(i, 10 * i, 10 * i + 9, "A and B.", 0) for i in range(count))

        def named(place: Place, offset: int) -> Place:
            mention = place.mentions[0]
            mentions = tuple(
                dataclasses.replace(
                    mention, start=10 * i + offset, end=10 * i + offset + 1, sentence=i
                )
                for i in range(count)
            )
            return dataclasses.replace(place, mentions=mentions)

        places = (named(first, 0), named(second, 6))
        return Story(seed_story.article, sentences, places, ())

    stories = {count: story_of(count) for count in (2_000, 8_000)}
    assert links_of(stories[8_000])[0].weight == 8_000
    assert growth(lambda count: links_of(stories[count]), 2_000) < LINEAR_AT_MOST


def test_a_link_needs_two_places_and_a_sentence(seed_story: Story) -> None:
    place = seed_story.places[0]
    with pytest.raises(ValueError, match="cannot be linked to itself"):
        Link(place, place, seed_story.sentences[:1])
    with pytest.raises(ValueError, match="has no sentence"):
        Link(place, seed_story.places[1], ())


# --- countries shaded by mentions -----------------------------------------------------------


def test_country_mentions_count_names_and_adjectives(seed_story: Story) -> None:
    counts = country_mentions(seed_story)
    assert counts["KP"] == 10 and counts["RU"] == 9  # "North Korean", "Russian" included
    assert counts["VN"] == 1
    assert "AS" not in counts  # a continent is not a country


def test_shaded_countries_layer(seed_story: Story, gazetteer: Gazetteer) -> None:
    outlines = country_outlines(seed_story, gazetteer)
    assert set(outlines) == set(country_mentions(seed_story))
    page = build_map(seed_story, outlines=outlines).get_root().render()
    assert "Countries by mentions" in page and "Country named" in legend_html(page)
    assert "North Korea: named 10 times" in page
    without = build_map(seed_story).get_root().render()
    assert "Countries by mentions" not in without and "Country named" not in without


@pytest.mark.parametrize(
    ("count", "colour"),
    [
        (1, SHADES[0][1]),
        (3, SHADES[1][1]),
        (4, SHADES[2][1]),
        (11, SHADES[3][1]),
        (40, SHADES[4][1]),
    ],
)
def test_more_mentions_darker_shade(count: int, colour: str) -> None:
    assert _shade(count) == colour


# --- server-side template injection -----------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "{{ 7*7 }}",  # would render as 49
        "{% raw %}",  # would stop folium's rendering with a TemplateSyntaxError
        "{{ cycler.__init__.__globals__.os.getcwd() }}",  # would run code on the server
        "{# unterminated comment",
    ],
)
def test_article_text_is_never_a_jinja_template(geoparser: Geoparser, payload: str) -> None:
    """folium compiles each rendered popup script again as a Jinja template (branca's
    ``Element(rendered)``), so article text with braces must not survive as braces."""
    story = geoparser.analyse(f"Crowds in Nairobi {payload} marched. {payload}Kenya said.")
    page = build_map(story).get_root().render()
    assert "Nairobi 49 marched" not in page  # no evaluated arithmetic
    assert str(Path.cwd()) not in page
    assert escape(payload) in page


# --- the offline base map -------------------------------------------------------------------


def test_the_offline_map_embeds_no_country_outlines(seed_story: Story) -> None:
    """The offline map's entry in the layer control is an empty layer: the country outlines
    it once held (about 150 KiB, drawn invisible under the finer base map) rode in every map
    for nothing. What the offline map adds is its base map's data and a few kilobytes of
    script."""
    plain = render(seed_story)
    page = build_map(seed_story, offline_map=True).get_root().render()
    assert "L.geoJson(" not in page  # no shapes: the shaded countries are off here
    data = re.search(r'var source = (".*?");\n', page)
    assert data is not None
    assert len(page) - len(plain) < len(data.group(1)) + 20_000


def test_outline_base_map_is_a_choice_and_the_fallback_for_tiles(seed_story: Story) -> None:
    page = build_map(seed_story, offline_map=True).get_root().render()
    assert OUTLINE_LAYER in page  # offered in the layer control as a base map
    assert '"tileerror"' in page  # switched to by itself when tiles cannot be reached
    only = build_map(seed_story, tiles=None, offline_map=True).get_root().render()
    assert "tile.openstreetmap.org" not in only and OUTLINE_LAYER in only
    assert '"tileerror"' not in only
    plain = build_map(seed_story).get_root().render()
    assert OUTLINE_LAYER not in plain


def test_the_reader_is_told_when_the_street_map_fails(seed_story: Story) -> None:
    page = build_map(seed_story, offline_map=True).get_root().render()
    switch = page[page.index('"tileerror"') :]
    # the notice is a Leaflet control with text, added when the map falls back
    assert "notice.addTo(" in switch[: switch.index("var notice")]
    assert 'L.control({position: "bottomleft"})' in page and 'role", "status"' in page
    assert json.dumps(_OfflineFallback.text) in page
    assert "notice.remove()" in page  # gone once the reader picks the street map again
    # nothing to fall back from without tiles, nor without outlines
    offline = build_map(seed_story, tiles=None, offline_map=True).get_root().render()
    assert "Street map unavailable" not in offline
    assert "Street map unavailable" not in render(seed_story)
    # and the first view keeps the notice's room free of markers
    bottom = r'"paddingBottomRight": \[60, (\d+)\]'
    told = re.search(bottom, page)
    plain = re.search(bottom, render(seed_story))
    assert told and plain and int(told.group(1)) - int(plain.group(1)) >= 30


# --- layers, an opening view, and what a click hit -------------------------------------------


@pytest.mark.parametrize(
    ("layers", "drawn"),
    [
        (tuple(LAYERS), {"L.marker(", "= L.polyline(", "Countries by mentions"}),
        (("places",), {"L.marker("}),
        (("events", "links"), {"L.marker(", "= L.polyline("}),
        (("countries",), {"Countries by mentions"}),
        ((), set()),
    ],
)
def test_only_the_layers_asked_for_are_drawn(
    seed_story: Story, gazetteer: Gazetteer, layers: tuple[str, ...], drawn: set[str]
) -> None:
    outlines = country_outlines(seed_story, gazetteer)
    page = build_map(seed_story, outlines=outlines, layers=layers).get_root().render()
    for mark in ("L.marker(", "= L.polyline(", "Countries by mentions"):
        assert (mark in page) == (mark in drawn), mark
    shown = spots(seed_story, places="places" in layers, events="events" in layers)
    assert page.count("L.marker(") == len(shown)


def test_an_unknown_layer_is_refused_by_name(seed_story: Story) -> None:
    with pytest.raises(ValueError, match=r"unknown map layers \['roads'\]"):
        build_map(seed_story, layers=("places", "roads"))


def test_a_view_opens_the_map_there_instead_of_fitting_everything(seed_story: Story) -> None:
    page = build_map(seed_story, view=((55.75, 37.62), 8)).get_root().render()
    assert ".fitBounds(" not in page
    assert re.search(r"center: \[55\.75, 37\.62\],.*?\"zoom\": 8,", page, re.DOTALL)


def test_object_at_tells_places_and_events_apart(seed_story: Story) -> None:
    pyongyang = next(p for p in seed_story.places if p.name == "Pyongyang")
    pact = next(e for e in seed_story.events if e.date == "2024-06-19")
    assert (pact.lat, pact.lon) == (pyongyang.lat, pyongyang.lon)  # one marker for both
    # What Leaflet reports: the marker's point, and its tooltip's text (spacing may differ).
    shared = "  Pyongyang ·  capital city · 1 event here\n"
    assert object_at(seed_story, pact.lat, pact.lon, shared) == f"place:{pyongyang.key}"
    assert object_at(seed_story, pyongyang.lat, pyongyang.lon) == f"place:{pyongyang.key}"
    dmz = next(e for e in seed_story.events if e.date == "2024-06-20")
    assert object_at(seed_story, dmz.lat, dmz.lon, f" {dmz.when} ·\n {dmz.name}") == "event:3"
    assert object_at(seed_story, dmz.lat, dmz.lon) == "event:3"
    assert object_at(seed_story, 0.0, 0.0, "") is None  # the sea, or a shaded country


def test_object_at_tells_two_places_at_one_point_apart(seed_story: Story) -> None:
    seoul = next(p for p in seed_story.places if p.name == "Seoul")
    twin = dataclasses.replace(
        seoul, candidate=dataclasses.replace(seoul.candidate, key="test:twin", name="Twin")
    )
    story = Story(seed_story.article, seed_story.sentences, (seoul, twin), ())
    assert object_at(story, seoul.lat, seoul.lon, "Twin · capital city") == "place:test:twin"
    assert object_at(story, seoul.lat, seoul.lon, "Seoul · capital city") == f"place:{seoul.key}"


# --- events over time -----------------------------------------------------------------------

#: The seed's dated events: date, words of its name, where, and the times it shows (UTC).
SEED_TIMELINE = [
    ("1953", "Korean War", "1953-01-01T00:00:00.000Z", "1953-12-31T23:59:59.999Z"),
    ("2022", "invaded Ukraine", "2022-01-01T00:00:00.000Z", "2022-12-31T23:59:59.999Z"),
    ("2024-06-19", "met Kim Jong-un", "2024-06-19T00:00:00.000Z", "2024-06-19T23:59:59.999Z"),
    ("2024-06-20", "warning shots", "2024-06-20T00:00:00.000Z", "2024-06-20T23:59:59.999Z"),
]


def timeline_data(page: str) -> Any:
    """The GeoJSON a rendered page hands to ``L.timeline``, or None if it has none."""
    found = re.search(r"L\.timeline\(\s*(\{.*?\}),\s*timeline_\w+_options", page, re.S)
    return None if found is None else json.loads(found.group(1))


def test_seed_events_are_on_the_timeline_at_their_times(seed_story: Story) -> None:
    features = timeline_geojson(seed_story)["features"]
    by_date = {e.date: e for e in seed_story.events}
    assert len(features) == len(SEED_TIMELINE) == len(seed_story.events)
    for feature, (date, words, start, end) in zip(features, SEED_TIMELINE, strict=True):
        properties = feature["properties"]
        event = by_date[date]
        assert (properties["date"], properties["start"], properties["end"]) == (date, start, end)
        assert words in event.name
        assert feature["geometry"]["coordinates"] == [event.lon, event.lat]
        assert properties["popup"] == event_popup(event)  # date, name, place, sentence
        assert properties["tooltip"] == escape(f"{event.when} · {event.name}")
        assert properties["when"] == event.when
    border = features[-1]["properties"]["popup"]
    assert "Korean Demilitarized Zone" in border and "warning shots" in border


def test_timeline_layer_and_slider_are_on_the_map(seed_story: Story) -> None:
    page = render(seed_story)
    assert page.count("L.timeline(") == 1 and page.count("L.timelineSliderControl(") == 1
    assert timeline_data(page) == timeline_geojson(seed_story)
    layer = re.search(r"var (timeline_\w+) = L\.timeline\(", page)
    assert layer is not None
    # an overlay of the layer control, which hides the slider with it
    assert f'"{TIMELINE_LAYER}" : {layer.group(1)},' in page
    assert f'{layer.group(1)}.on("remove"' in page
    assert f".addTimelines({layer.group(1)})" in page
    assert '"autoPlay": false' in page  # nothing moves until the user asks
    assert "moment.utc(date)" in page  # the label's month is the features' (UTC), not local
    assert "L.circleMarker(latlng" in page  # rings, not more pins: the markers stay
    # the view is fitted above the slider, which spans the map's bottom, and the legend
    bottom = r'"paddingBottomRight": \[60, (\d+)\]'
    with_slider = re.search(bottom, page)
    without = re.search(bottom, render_without_timeline(seed_story))
    assert with_slider and without
    assert int(with_slider.group(1)) - int(without.group(1)) >= 140 - 30
    assert page.count("L.marker(") == len(spots(seed_story))


def test_timeline_can_be_left_off(seed_story: Story) -> None:
    page = render_without_timeline(seed_story)
    assert "L.timeline" not in page and TIMELINE_LAYER not in page
    assert "leaflet.timeline" not in page and "moment" not in page
    assert page.count("L.marker(") == len(spots(seed_story))  # the event markers stay
    # the standalone page inlines the plugin and moment only when it shows the timeline
    plugin, moment = "TimelineSliderControl=", "//! moment.js"
    without = map_html(seed_story, layers=set(LAYERS) - {"timeline"})
    assert plugin not in without and moment not in without
    standalone = map_html(seed_story)
    assert plugin in standalone and moment in standalone


def test_no_timeline_without_an_event_in_time(seed_story: Story) -> None:
    """Events without a year ("--06-20") have no place on a time axis: no slider for them."""
    (event, *_) = seed_story.events
    undated = Story(
        seed_story.article,
        seed_story.sentences,
        seed_story.places,
        (Event("--06-20", event.name, event.sentence, event.where, event.places, event.reason),),
    )
    assert timeline_geojson(undated)["features"] == []
    page = build_map(undated).get_root().render()
    assert "L.timeline" not in page
    assert page.count("L.marker(") == len(spots(undated))  # its marker is still there
    empty = build_map(Story(seed_story.article, seed_story.sentences, (), ())).get_root()
    assert "L.timeline" not in empty.render()


def test_timeline_orders_events_by_date(seed_story: Story) -> None:
    event = seed_story.events[0]
    dates = ["2024-06-20", "1953", "--01-01", "2024-06", "2022-03-01"]
    story = Story(
        seed_story.article,
        seed_story.sentences,
        seed_story.places,
        tuple(Event(d, d, event.sentence, event.where, (), "") for d in dates),
    )
    features = timeline_geojson(story)["features"]
    in_order = ["1953", "2022-03-01", "2024-06", "2024-06-20"]  # "--01-01" has no year
    assert [f["properties"]["date"] for f in features] == in_order
    month = features[2]["properties"]
    assert (month["start"], month["end"]) == (
        "2024-06-01T00:00:00.000Z",
        "2024-06-30T23:59:59.999Z",
    )


def test_slider_label_names_the_dates_of_the_events_it_shows(seed_story: Story) -> None:
    """The label gives an event's date as the article did ("1953", not "1953-01-01"), and
    the month between events."""
    page = render(seed_story)
    spans = re.search(r"var spans = (\[.*?\]);\n", page)
    assert spans is not None
    assert json.loads(spans.group(1)) == [
        [start, end, when]
        for (_, _, start, end), when in zip(
            SEED_TIMELINE, ["1953", "2022", "19 June 2024", "20 June 2024"], strict=True
        )
    ]
    assert 'moment.utc(date).format("MMMM YYYY")' in page


@pytest.mark.parametrize(
    ("date", "precision", "shown"),
    [
        ("1953", "year", "1953"),
        ("2024-06", "month", "June 2024"),
        ("2024-06-19", "day", "19 June 2024"),
        ("2024-12-01", "day", "1 December 2024"),  # no leading zero
        ("--06-20", "day", "20 June"),  # the article's year unknown: none made up
    ],
)
def test_event_dates_are_shown_at_the_articles_precision(
    seed_story: Story, date: str, precision: str, shown: str
) -> None:
    event = dataclasses.replace(seed_story.events[0], date=date)
    assert (event.precision, event.when) == (precision, shown)
    assert event_popup(event).startswith(f"<b>{shown}</b> · ")
    assert event.date == date  # exports keep the ISO 8601 value


@pytest.mark.parametrize("name", ["script", "img", "synthetic"])
def test_timeline_popups_show_hostile_text_escaped(stories: dict[str, Story], name: str) -> None:
    story = stories[name]
    data = timeline_data(render(story))
    assert data is not None
    features = data["features"]
    assert isinstance(features, list) and len(features) == len(story.events)
    for feature, event in zip(features, sorted(story.events, key=lambda e: e.date), strict=True):
        popup, tooltip = feature["properties"]["popup"], feature["properties"]["tooltip"]
        assert popup == event_popup(event)
        for html_text in (popup, tooltip):
            # only our own tags; every character of the article that means something to
            # HTML, a template literal or Jinja is an entity
            assert set(re.findall(r"</?(\w+)", html_text)) <= {"b", "br", "small", "blockquote"}
            assert not set("`${}\\") & set(html_text)
        assert event.sentence.text in visible(popup)
        assert event.name in visible(tooltip)


def test_timeline_popup_of_the_synthetic_story(stories: dict[str, Story]) -> None:
    (feature,) = timeline_geojson(stories["synthetic"])["features"]
    popup = feature["properties"]["popup"]
    assert popup.startswith("<b>3 June 2024</b> · &lt;b&gt;&#96;&#36;&#123;x&#125;&#96;&lt;/b&gt;")
    assert "At &#96;&#36;&#123;far&#125;&#96;" in popup
    assert feature["properties"]["tooltip"] == (
        "3 June 2024 · &lt;b&gt;&#96;&#36;&#123;x&#125;&#96;&lt;/b&gt;"
    )
