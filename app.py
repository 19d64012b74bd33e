"""News Atlas, the Streamlit app: layout and wiring only; all logic lives in ``geo``.

Run with ``streamlit run app.py``.

What the reader is looking at (the place or event in focus, the layers shown, their
corrections) lives in ``st.session_state`` and is mirrored in the page's link
(``st.query_params``) for articles a link can name, samples and web pages, so that the link
reopens the same view. Pasted and uploaded text never goes into a link.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import folium
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from folium_component import Prepared, feature_groups_script, prepare
from folium_component import show as show_map
from geo import (
    Article,
    ArticleError,
    GeoError,
    Story,
    article_from_bytes,
    article_from_text,
)
from geo.articles import MAX_BYTES, MAX_CHARS
from geo.assets import ST_FOLIUM_BASE_URL, ST_FOLIUM_STATIC_URL, localise
from geo.basemap import preload, world_url
from geo.corrections import CorrectionError, Corrections, occurrences
from geo.errors import ConfigurationError
from geo.events import Event
from geo.export import mentions_csv, story_geojson, timeline
from geo.gazetteer import Candidate, Gazetteer
from geo.maps import (
    LAYERS,
    STYLES,
    build_map,
    country_outlines,
    focus_ring,
    map_html,
    object_at,
    style_of,
)
from geo.markup import escape_markdown, segments
from geo.memory import fix_mmap_threshold, freeze_survivors
from geo.online import geocoder_from_env
from geo.resolve import Place
from geo.share import read_view
from geo.view import Focus, mentions_to_move, position, sentence_case, step
from geo.web import article_from_url
from geo.worker import AnalysisPool, pool_from_env

DATA = Path(__file__).resolve().parent / "data"
LOGGER = logging.getLogger("news_atlas")
#: What the reader sees when something fails that the app did not foresee (it is logged).
UNEXPECTED = (
    "Something went wrong on our side while showing this article. Try again, or try "
    "another article; if it keeps happening, please tell us what you did."
)
#: Sample articles by the id a shared link uses: (title, file in data/).
SAMPLES = {
    "russia-north-korea-pact": (
        "Russia and North Korea make strategic pact (June 2024)",
        "russia-north-korea-pact.txt",
    ),
}
SOURCES = ("Sample article", "Paste text", "Upload a file", "Link to a web page")
GEOCODERS = {
    "offline": "Offline gazetteer only",
    "nominatim": "Offline, then Nominatim (OpenStreetMap)",
    "photon": "Offline, then Photon (OpenStreetMap)",
    "arcgis": "Offline, then ArcGIS",
}
#: The timeline's box, in pixels: about four events, the rest scroll inside it.
TIMELINE_HEIGHT = 170
#: On a narrow screen (where Streamlit stacks the columns) the map's column comes first,
#: before the article, and the article is not a box scrolling inside the page. The skip
#: link (see ``_SKIP_LINK``) shows only while it has the keyboard's focus; it, its target and
#: the scrolling component (see ``_SCROLL_JS``) take no room on the page. Captions are less
#: faded than Streamlit's 0.6 opacity (which read at 3.9:1 on white, under WCAG AA's 4.5:1).
_PAGE_CSS = """<style>
[data-testid="stCaptionContainer"] { opacity: 0.8; }
[data-testid="stElementContainer"]:has(.news-atlas-skip, #news-atlas-map),
  [class*="st-key-scroll_view_"] { position: absolute; }
.news-atlas-skip { position: absolute; left: -10000px; }
.news-atlas-skip:focus { left: 0; top: 0; z-index: 1000; padding: 4px 8px; white-space: nowrap;
  background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
@media (max-width: 640px) {
  [data-testid="stColumn"]:has(.st-key-map_side) { order: -1; }
  div:has(> .st-key-article_box) { height: auto !important; max-height: none !important; }
  .st-key-article_box { overflow: visible !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3rem; }
}
</style>"""
#: A link to the map that keyboard users meet before the article's highlighted mentions (each
#: one a stop of the Tab key), and its target at the top of the map's column.
_SKIP_LINK = '<a class="news-atlas-skip" href="#news-atlas-map">Skip the article: go to the map</a>'
_SKIP_TARGET = '<div id="news-atlas-map" tabindex="-1"></div>'
#: How close the map comes to a place in focus, by kind.
ZOOM = {"continent": 3, "sea": 4, "country": 5, "historical": 4, "region": 6, "border": 7}


@st.cache_resource(show_spinner=False, on_release=lambda pool: pool.close(wait=False))
def workers() -> AnalysisPool:
    """The worker processes that analyse articles, each within a deadline and a memory cap
    (``geo.worker``): one article can never stall the server. Made on the server's first
    run, so that the workers load the model while the page is drawn; stopped when the
    cache is cleared."""
    return pool_from_env(settings())


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Once a server, on its first page: the base map's tables (``geo.basemap.preload``,
    story-independent) are read in a thread while the workers load the model, not after
    the first story comes back."""
    thread = threading.Thread(target=preload, name="basemap-preload", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def gazetteer() -> Gazetteer:
    """The gazetteer index, for the page's own look-ups (the workers open their own)."""
    return Gazetteer.open()


@st.cache_resource
def level_memory() -> bool:
    """Once a server: big blocks freed go back to the system, so memory stays level over
    reruns (see ``geo.memory``)."""
    return fix_mmap_threshold()


@st.cache_resource(show_spinner=False)
def freeze_warm_objects() -> int:
    """Once a server, after its first page: the objects it keeps (modules, the gazetteer, the
    base map's labels) are never walked again by the garbage collector's full collections,
    which hold the GIL, and Streamlit runs one after every script run (see ``geo.memory``).
    The first reader's session is frozen with it: what of it forms cycles stays in memory
    after that session ends, once a server."""
    return freeze_survivors()


@st.cache_data(show_spinner=False, max_entries=64)
def analyse(text: str, source: str, year: int | None, title: str) -> Story:
    """The story of one article, offline, made in a worker process; cached by its text,
    source, year and title."""
    return workers().analyse(article_from_text(text, source=source, year=year, title=title))


@st.cache_data(show_spinner=False, max_entries=64)
def corrected(
    text: str, source: str, year: int | None, title: str, fixes: tuple[str, ...]
) -> Story:
    """The offline story after the reader's corrections (given as link tokens)."""
    return workers().corrected(analyse(text, source, year, title), fixes)


@dataclass(frozen=True)
class Online:
    """An article resolved offline first, then online: the story and what the service said."""

    story: Story
    warnings: tuple[str, ...]
    attribution: str


def analyse_online(
    text: str,
    source: str,
    year: int | None,
    title: str,
    config: Mapping[str, str],
    fixes: tuple[str, ...],
) -> Online:
    """The story with an online geocoder for what the gazetteer cannot resolve, after the
    reader's corrections, made in a worker process; the service is asked from this one, under
    the server's one rate limit (``geo.worker``). Not cached here: the geocoder keeps its own
    answer cache, and a failure must not be remembered."""
    fallback = geocoder_from_env(config)
    article = article_from_text(text, source=source, year=year, title=title)
    story = workers().analyse(article, fixes, geocoder=fallback)
    if fallback is None:
        return Online(story, (), "")
    return Online(story, tuple(fallback.warnings), fallback.attribution)


@st.cache_data(show_spinner="Fetching the article…", ttl=600, max_entries=32)
def fetch(url: str) -> Article:
    """The article at a link (errors are raised, so they are not cached)."""
    return article_from_url(url)


def settings() -> dict[str, str]:
    """Configuration: environment variables, overridden by Streamlit secrets when present."""
    config = {k: v for k, v in os.environ.items() if k.startswith("NEWS_ATLAS_")}
    with contextlib.suppress(FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file
        config.update({k: str(v) for k, v in st.secrets.items() if k.startswith("NEWS_ATLAS_")})
    return config


# --- the view a link describes -------------------------------------------------------------


def restore_view() -> None:
    """On a session's first run, take the view a shared link describes: the article (a
    sample or a web page), the place or event in focus, the layers and the corrections."""
    if st.session_state.get("restored"):
        return
    st.session_state["restored"] = True
    params = st.query_params
    view = read_view({k: params.get_all(k) for k in params}, samples=SAMPLES, layers=LAYERS)
    if view.sample is not None:
        st.session_state["source"] = SOURCES[0]
        st.session_state["sample"] = view.sample
    elif view.url is not None:
        st.session_state["source"] = SOURCES[3]
        st.session_state["url"] = st.session_state["fetched"] = view.url
    if view.place is not None:
        st.session_state["focus"] = f"place:{view.place}"
    elif view.event is not None:
        st.session_state["focus"] = f"event:{view.event}"
        st.session_state["event"] = view.event
    if view.layers is not None:
        st.session_state["layers"] = list(view.layers)
    st.session_state["fixes"] = (None, view.fixes)  # bound to the first article shown
    if view.note:
        st.session_state["link_problem"] = view.note


def share_view(choice: Choice, fixes: Corrections) -> None:
    """Mirror the view in the page's link, for an article a link can name."""
    if not choice.shared:
        st.query_params.clear()
        return
    params: dict[str, str | list[str]] = dict(choice.shared)
    params.update(Focus.parse(st.session_state.get("focus")).params())
    layers = st.session_state.get("layers", list(LAYERS))
    if list(layers) != list(LAYERS):
        params["layers"] = ",".join(layers)
    if fixes:
        params["fix"] = fixes.tokens()
    if params != _current_params():
        st.query_params.from_dict(params)


def _current_params() -> dict[str, str | list[str]]:
    params = st.query_params
    return {k: (params.get_all(k) if k == "fix" else params[k]) for k in params}


# --- the article ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The article the user asked for, as text, or the message saying why there is none."""

    text: str = ""
    source: str = ""
    year: int | None = None
    title: str = ""  # a web page's own title; else the article's first line is its title
    error: str = ""
    waiting: bool = False  # nothing chosen yet (an invitation, not an error)
    shared: tuple[tuple[str, str], ...] = ()  # how a link names the article, if it can


def source_ui() -> Choice:
    """Where the article comes from, at the top of the page (not in the sidebar, which a
    phone hides behind an unlabelled chevron). Returns the chosen article's text.

    A source's box shows again what it last mapped when the reader comes back to it (the
    widget forgets its text while another source is chosen): never an empty box above the
    map of the text it held."""
    which, what = st.columns([2, 3])  # side by side on a wide screen, stacked on a phone
    kind = which.radio("Article source", SOURCES, key="source", horizontal=True)
    with what:
        return _chosen(str(kind))


def _chosen(kind: str) -> Choice:
    """The article from the source ``kind``: its input and what was entered in it."""
    if kind == "Sample article":
        sample = st.selectbox(
            "Sample", list(SAMPLES), format_func=lambda s: SAMPLES[s][0], key="sample"
        )
        name = SAMPLES[sample][1]
        text = (DATA / name).read_text(encoding="utf-8")
        return Choice(text, name, shared=(("sample", sample),))
    if kind == "Paste text":
        if "pasted" not in st.session_state and st.session_state.get("submitted"):
            st.session_state["pasted"] = st.session_state["submitted"]
        st.text_area(
            "Paste an English news article",
            key="pasted",
            height=160,
            placeholder=f"Paste the article's text here (up to {MAX_CHARS:,} characters)…",
        )
        if st.button("Map this article", type="primary", key="map_pasted"):
            st.session_state["submitted"] = st.session_state.get("pasted", "")
        submitted = st.session_state.get("submitted")
        if submitted is None:
            return Choice(error="Paste an article and press “Map this article”.", waiting=True)
        return _checked(lambda: article_from_text(submitted, source="pasted text"))
    if kind == "Link to a web page":
        if "url" not in st.session_state and st.session_state.get("fetched"):
            st.session_state["url"] = st.session_state["fetched"]
        st.text_input("Article link (http or https)", key="url", placeholder="https://…")
        if st.button("Fetch and map", type="primary", key="fetch"):
            st.session_state["fetched"] = st.session_state.get("url", "").strip()
        url = st.session_state.get("fetched")
        if not url:
            return Choice(error="Paste a link and press “Fetch and map”.", waiting=True)
        fetched = _checked(lambda: fetch(url))
        return fetched if fetched.error else replace(fetched, shared=(("url", url),))
    upload = st.file_uploader(  # any file: a refused one is explained on the page, not in a tooltip
        f"Upload a .txt, .md or .html file (up to {MAX_BYTES // 2**20} MB)", key="upload"
    )
    if upload is None:
        return Choice(error="Upload an article to map it.", waiting=True)
    data, name = upload.getvalue(), upload.name
    return _checked(lambda: article_from_bytes(data, name))


def geocoder_ui(config: Mapping[str, str]) -> str:
    """The sidebar's choice of geocoder; returns its geopy name (``offline`` for none)."""
    default = (config.get("NEWS_ATLAS_GEOCODER") or "offline").strip().lower()
    names = list(GEOCODERS) + ([default] if default not in GEOCODERS else [])
    with st.sidebar:
        st.header("Places")
        return str(
            st.radio(
                "Resolve place names with",
                names,
                index=names.index(default),
                format_func=lambda name: GEOCODERS.get(name, f"Offline, then {name}"),
                key="geocoder",
                help="Online services are asked only for names the offline gazetteer does "
                "not know, at most once a second, and their answers are cached.",
            )
        )


def _checked(read: Callable[[], Article]) -> Choice:
    try:
        article = read()
    except ArticleError as err:
        return Choice(error=sentence_case(str(err)))
    return Choice(article.text, article.source, article.year, article.title)


_CATEGORY_CSS = "".join(
    f"mark.{key}{{background:{style.hex}33;border-bottom:2px solid {style.hex}}}"
    for key, style in STYLES.items()
)

#: The article, drawn from text nodes (nothing in it is ever parsed as HTML); a click on a
#: highlighted mention sends its place's key back to Python.
_ARTICLE_JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  let root = parentElement.querySelector(".news-atlas-article");
  if (!root) {
    root = document.createElement("div");
    root.className = "news-atlas-article";
    parentElement.appendChild(root);
  }
  root.trigger = setTriggerValue;  // this render's, for the marks made by an earlier one
  if (root.dataset.version !== data.version) draw(root, data);
  for (const mark of root.querySelectorAll("mark.place")) {
    mark.classList.toggle("selected", mark.dataset.key === data.selected);
  }
  scrollToSelected(root, data, parentElement);
}

/* The article's paragraphs, anew: only when the text or its mentions changed, not for a
   new focus (which only moves the highlight). */
function draw(root, data) {
  root.replaceChildren();
  root.dataset.version = data.version;
  for (const paragraph of data.paragraphs) {
    const p = document.createElement("p");
    for (const [text, key, start] of paragraph) {
      if (key === null) {
        p.appendChild(document.createTextNode(text));
        continue;
      }
      const place = data.places[key];
      const mark = document.createElement("mark");
      mark.textContent = text;
      mark.className = "place " + place.category;
      mark.dataset.key = key;
      mark.dataset.start = String(start);
      mark.title = place.title;
      mark.tabIndex = 0;
      mark.setAttribute("role", "button");
      const choose = () => root.trigger("clicked", { key: key, start: start });
      mark.addEventListener("click", choose);
      mark.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          choose();
        }
      });
      p.appendChild(mark);
    }
    root.appendChild(p);
  }
}

function scrollToSelected(root, data, parentElement) {
  // Bring a newly selected place's first mention into view, scrolling only the article's
  // own box (never the page, which would jump away from what the reader clicked).
  const first = root.querySelector("mark.selected");
  if (!first || root.dataset.selected === data.selected) return;
  root.dataset.selected = data.selected;
  let box = parentElement.host || parentElement;
  while (box && box !== document.body) {
    const overflow = getComputedStyle(box).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && box.scrollHeight > box.clientHeight) {
      const offset = first.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTop += offset - box.clientHeight / 3;
      return;
    }
    box = box.parentElement;
  }
}
"""
_ARTICLE_CSS = (
    ".news-atlas-article{font-size:1rem;line-height:1.6}"
    "mark.place{padding:0 2px;cursor:pointer;color:inherit;border-radius:2px}"
    "mark.place:focus-visible{outline:2px solid currentColor}"
    "mark.place.selected{outline:3px solid #d63e2a;background:#d63e2a44}" + _CATEGORY_CSS
)
article_view = st.components.v2.component("news_atlas_article", js=_ARTICLE_JS, css=_ARTICLE_CSS)


#: Scrolls the page to the element ``data.to`` names (a CSS selector) when it is drawn, if
#: ``data.request`` is above 0: after a click far below the map (a table row), the reader
#: sees the map move to the place. A component's script runs when it is drawn, not on every
#: run, so each request is a component of its own (its key holds the request's number).
_SCROLL_JS = """
export default function ({ data }) {
  const target = document.querySelector(data.to);
  if (data.request > 0 && target) target.scrollIntoView({ block: "start" });
}
"""
scroll_view = st.components.v2.component("news_atlas_scroll", js=_SCROLL_JS)


def article_ui(story: Story, focus: str | None) -> None:
    """The article, each place mention highlighted in its marker's colour; the mentions of the
    place in focus stand out. Clicking a mention puts its place in focus."""
    st.subheader(escape_markdown(story.article.title) or "Article")
    spans = [(m.start, m.end, p.key) for p in story.places for m in p.mentions]
    places = {
        p.key: {"category": _category(p.kind), "title": f"{p.name} ({p.kind})"}
        for p in story.places
    }
    selected = Focus.parse(focus).place
    with st.container(height=620, border=False, key="article_box"):
        article_view(
            key="article",
            data={
                "paragraphs": segments(story.article.text, spans),
                "places": places,
                "selected": selected,
                # the view draws the text anew only when this changes, not for a new focus
                "version": str(hash((story.article.text, tuple(spans), json.dumps(places)))),
            },
            on_clicked_change=_focus_from_article,
        )


def _category(kind: str) -> str:
    return next(k for k, style in STYLES.items() if style == style_of(kind))


def _focus_from_article() -> None:
    """A mention was clicked: its place comes into focus, and a correction of the place
    starts from that mention (its multiselect is made anew with it)."""
    clicked = st.session_state["article"].get("clicked")
    if isinstance(clicked, dict) and isinstance(clicked.get("key"), str):
        _focus(f"place:{clicked['key']}")
        start = clicked.get("start")
        st.session_state["mention"] = start if isinstance(start, int) else None
        st.session_state.pop(f"which_{clicked['key']}", None)


def _focus(target: str) -> None:
    """Put a place (``place:<key>``) or an event (``event:<n>``) in focus; "" for nothing."""
    st.session_state["focus"] = target
    st.session_state["mention"] = None  # the mention clicked, if any (set after this)
    st.session_state["event"] = Focus.parse(target).event


# --- the map and what is in focus ------------------------------------------------------------


def in_focus(story: Story, focus: str | None) -> Place | Event | None:
    """The place (``place:<key>``) or the event (``event:<n>``, its position on the
    timeline) in focus, if the story has it."""
    target = Focus.parse(focus)
    if target.place is not None:
        return story.place(target.place)
    events = timeline(story)
    if target.event is not None and target.event < len(events):
        return events[target.event]
    return None


def focus_point(story: Story, focus: str | None) -> tuple[tuple[float, float], int] | None:
    """Where the map centres for the place or event in focus, and how close it comes."""
    target = in_focus(story, focus)
    if isinstance(target, Place):
        return (target.lat, target.lon), ZOOM.get(target.kind, 8)
    if isinstance(target, Event):
        return (target.lat, target.lon), 6
    return None


def timeline_ui(story: Story) -> None:
    """The events in date order, in a box of bounded height that scrolls inside; selecting
    one puts it in focus."""
    events = timeline(story)
    if not events:
        return
    if st.session_state.get("event") not in (None, *range(len(events))):
        st.session_state["event"] = None
    labels = [escape_markdown(f"{e.when} · {e.name} — {e.where.name}") for e in events]

    def chosen() -> None:
        if st.session_state.get("event") is not None:
            _focus(f"event:{st.session_state['event']}")

    with st.container(height=TIMELINE_HEIGHT, border=True, key="timeline_box"):
        st.radio(
            "Timeline",
            range(len(events)),
            format_func=labels.__getitem__,
            index=None,
            key="event",
            help="Select an event to centre the map on it.",
            on_change=chosen,
        )


def story_ui(story: Story, target: Place | Event | None) -> None:
    """The guided story: "Previous" and "Next" step through the events in date order, each
    step centring the map on the event; the event in focus is told below them."""
    events = timeline(story)
    if not events:
        return
    current = st.session_state.get("event")

    def go(delta: int) -> None:
        event = step(st.session_state.get("event"), len(events), delta)
        if event is not None:
            _focus(f"event:{event}")

    with st.container(horizontal=True, vertical_alignment="center", key="story_steps"):
        st.button("← Previous", key="story_previous", on_click=go, args=(-1,),
                  disabled=current == 0)  # fmt: skip
        st.button("Next →", key="story_next", on_click=go, args=(1,),
                  disabled=current == len(events) - 1)  # fmt: skip
        st.caption(position(current, len(events)))
    if isinstance(target, Event):
        event_ui(target)


def layers_ui() -> list[str]:
    """The map layers the reader wants; returns their names."""
    st.session_state.setdefault("layers", list(LAYERS))
    chosen = st.pills(
        "Layers",
        list(LAYERS),
        format_func=LAYERS.__getitem__,
        selection_mode="multi",
        key="layers",
        label_visibility="collapsed",
    )
    return [name for name in LAYERS if name in chosen]


#: What a click on the map sends back: the marker's point and tooltip.
MAP_RETURNS = ("last_object_clicked", "last_object_clicked_tooltip")


@st.cache_resource(show_spinner=False, max_entries=32)
def prepared_map(
    drawn: int,
    layers: tuple[str, ...],
    view: tuple[tuple[float, float], int] | None,
    _story: Story,
    _outlines: Mapping[str, dict[str, Any]],
) -> Prepared:
    """The story's map with these layers, opening at ``view``, rendered once for the page
    (see ``folium_component``); ``drawn`` is the story's fingerprint (its text, places
    and events), the key of the cache with the layers and the view. A resource, not data:
    it is never changed, so every run and every reader can share it uncopied."""
    fmap = build_map(
        _story,
        outlines=_outlines,
        offline_map=True,
        world_url=world_url(ST_FOLIUM_STATIC_URL),  # served, not in every map
        layers=layers,
        view=view,
    )
    return prepare(localise(fmap, ST_FOLIUM_BASE_URL), "map", MAP_RETURNS)  # scripts: ours


@functools.lru_cache(maxsize=256)
def ring_script(point: tuple[float, float] | None) -> str:
    """The focus ring at ``point`` (none for None), as the map's one feature group: sent
    with every run, it replaces the ring on the map in the browser."""
    ring = folium.FeatureGroup(name="In focus")
    if point is not None:
        focus_ring(*point).add_to(ring)
    return feature_groups_script([ring])


def map_ui(
    story: Story,
    outlines: Mapping[str, dict[str, Any]],
    layers: list[str],
    focus: str | None,
) -> None:
    """The map, centred on what is in focus; a click on a marker puts it in focus.

    The map is made once for a story and its layers (:func:`prepared_map`); a new focus
    only moves the map that is shown and its ring (st_folium's ``center``, ``zoom`` and
    feature group). A map drawn anew (another article, layers or corrections) opens at
    the focus itself."""
    point = focus_point(story, focus)
    drawn = hash((story.article.text, story.places, story.events))
    if st.session_state.get("map_drawn") != (drawn, tuple(layers)):
        st.session_state["map_drawn"] = (drawn, tuple(layers))
        st.session_state["map_view"] = point

    def clicked() -> None:
        value = st.session_state.get("map") or {}
        where = value.get("last_object_clicked") or {}
        if "lat" in where and "lng" in where:
            found = object_at(
                story, where["lat"], where["lng"], value.get("last_object_clicked_tooltip") or ""
            )
            if found:
                _focus(found)

    show_map(
        prepared_map(drawn, tuple(layers), st.session_state["map_view"], story, outlines),
        height=560,
        center=point[0] if point else None,
        zoom=point[1] if point else None,
        feature_groups=ring_script(point[0] if point else None),
        on_change=clicked,
    )


def downloads_ui(story: Story, outlines: Mapping[str, dict[str, Any]], layers: list[str]) -> None:
    """The story as files: GeoJSON (places, events, links), CSV of mentions, the HTML map.
    Each is made when its button is pressed, not on every rerun (the map is about 2 MB)."""
    stem = Path(story.article.source or "article").stem or "article"
    columns = st.columns(3)
    columns[0].download_button(
        "GeoJSON",
        lambda: json.dumps(story_geojson(story, links=True), ensure_ascii=False, indent=1),
        f"{stem}.geojson",
        "application/geo+json",
        key="dl_geojson",
        on_click="ignore",  # a file to save changes nothing on the page: no rerun
    )
    columns[1].download_button(
        "Mentions (CSV)",
        lambda: mentions_csv(story),
        f"{stem}-mentions.csv",
        "text/csv",
        key="dl_csv",
        on_click="ignore",  # a file to save changes nothing on the page: no rerun
    )
    columns[2].download_button(
        "Map (HTML)",
        lambda: map_html(story, outlines=outlines, offline_map=True, layers=layers),
        f"{stem}-map.html",
        "text/html",
        key="dl_html",
        on_click="ignore",  # a file to save changes nothing on the page: no rerun
    )


# --- evidence and corrections ----------------------------------------------------------------


def describe(candidate: Candidate) -> str:
    """A candidate as the reader chooses among them: name, kind, where, population, point."""
    countries = gazetteer().countries()
    where = ", ".join(
        countries[c].name if c in countries else c for c in sorted(candidate.country_codes)
    )
    if candidate.key.startswith("adm1:"):
        where = f"{where} ({candidate.key.removeprefix('adm1:')})"
    elif candidate.admin1.isalpha() and candidate.kind in ("city", "capital") and where:
        # a division's ISO 3166-2 code ("ID", "ON"); numeric ones ("65") mean nothing to readers
        where = f"{candidate.admin1}, {where}"
    people = f" · {candidate.population:,} people" if candidate.population else ""
    point = f" · {candidate.lat:.2f}, {candidate.lon:.2f}"
    return f"{candidate.name} — {candidate.kind}{f' in {where}' if where else ''}{people}{point}"


def _change(article_id: str, change: Callable[[Corrections], Corrections]) -> None:
    _, fixes = st.session_state.get("fixes", (article_id, Corrections()))
    st.session_state["fixes"] = (article_id, change(fixes))


def unsure_ui(place: Place, article_id: str) -> None:
    """A place the geoparser is unsure of, said plainly, with its runner-up one click away."""
    st.warning(
        f"Unsure (confidence {place.confidence:.2f}): check this place against the sentences "
        "below.",
        icon="❓",
    )
    other = place.runner_up
    if other is None:
        return

    def take() -> None:
        _change(article_id, lambda fixes: fixes.move([m.start for m in place.mentions], other.key))
        _focus(f"place:{other.key}")

    st.button(
        escape_markdown(f"It is {describe(other)} instead"),
        key=f"runner_up_{place.key}",
        on_click=take,
    )


def place_ui(story: Story, place: Place, article_id: str) -> None:
    """The place in focus: its evidence, and the controls to correct it."""
    st.subheader(escape_markdown(f"{place.name} ({place.kind})"))
    st.caption(
        escape_markdown(
            f"{place.lat:.4f}, {place.lon:.4f} · confidence {place.confidence:.2f} · "
            f"{place.candidate.source} · why: {', '.join(place.reasons) or '—'}"
        )
    )
    if place.alternatives:
        runners_up = "; ".join(describe(a.candidate) for a in place.alternatives[:3])
        st.caption(escape_markdown(f"Runner-ups: {runners_up}"))
    if place.unsure:
        unsure_ui(place, article_id)
    for sentence in story.sentences_of(place):
        quoted = [m.text for m in place.mentions if m.sentence == sentence.index]
        st.markdown(
            f"> {escape_markdown(sentence.text)}  \n— *as {escape_markdown(', '.join(quoted))}*"
        )
    with st.expander(escape_markdown(f"Correct “{place.name}”"), expanded=False):
        query = st.text_input(
            "Search the gazetteer",
            key=f"search_{place.key}",
            placeholder=f"a place name, e.g. {place.mentions[0].text}",
        )
        options: dict[str, Candidate] = {}
        for scored in place.alternatives:
            options.setdefault(scored.candidate.key, scored.candidate)
        for candidate in gazetteer().search(query or place.mentions[0].name, limit=25):
            options.setdefault(candidate.key, candidate)
        options.pop(place.key, None)
        pick = st.selectbox(
            "The right place",
            list(options),
            format_func=lambda key: describe(options[key]),
            index=None,
            key=f"pick_{place.key}",
            placeholder="Choose a runner-up or a search result",
        )
        which = st.multiselect(
            "Mentions to move",
            [m.start for m in place.mentions],
            default=mentions_to_move(place, st.session_state.get("mention")),
            format_func=lambda start: _mention_label(story, place, start),
            key=f"which_{place.key}",
        )

        def move() -> None:
            _change(article_id, lambda fixes: fixes.move(which, str(pick)))
            _focus(f"place:{pick}")

        def drop() -> None:
            _change(article_id, lambda fixes: fixes.drop(m.start for m in place.mentions))
            _focus("")

        left, right = st.columns(2)
        left.button(
            "Move these mentions",
            key=f"move_{place.key}",
            disabled=pick is None or not which,
            on_click=move,
        )
        right.button("Not a place: drop it", key=f"drop_{place.key}", on_click=drop)


def event_ui(event: Event) -> None:
    """The event in focus: when, where and why there, and the sentence that reports it."""
    st.subheader(escape_markdown(f"{event.when} · {event.where.name}"))
    st.caption(escape_markdown(f"Why there: {event.reason} · {event.lat:.4f}, {event.lon:.4f}"))
    st.markdown(f"> {escape_markdown(event.sentence.text)}")


def _mention_label(story: Story, place: Place, start: int) -> str:
    mention = next(m for m in place.mentions if m.start == start)
    sentence = story.sentences[mention.sentence].text
    return f"“{mention.text}” in “{sentence[:60]}{'…' if len(sentence) > 60 else ''}”"


def add_place_ui(story: Story, article_id: str) -> None:
    """Add a place the pipeline missed: a name as the article writes it, and which place."""
    with st.expander("Add a place the article names but the map misses"):
        name = st.text_input("The name as written in the article", key="add_name")
        spans = occurrences(story.article.text, name)
        if name.strip() and not spans:
            st.caption(
                escape_markdown(f"“{name.strip()}” is not written in this article as a whole word.")
            )
        query = st.text_input(
            "Search the gazetteer for it",
            key="add_search",
            placeholder="the same name, or another the place is known by",
        )
        query = query.strip() or name
        options = {c.key: c for c in [*gazetteer().lookup(query), *gazetteer().search(query)]}
        pick = st.selectbox(
            "Which place",
            list(options),
            format_func=lambda key: describe(options[key]),
            index=None,
            key="add_pick",
            placeholder="Type a name above, then choose",
        )

        def add() -> None:
            _change(article_id, lambda fixes: fixes.add(spans, str(pick)))
            _focus(f"place:{pick}")

        st.button(
            f"Add it ({len(spans)} mention{'s' * (len(spans) != 1)})",
            key="add",
            disabled=pick is None or not spans,
            on_click=add,
        )


def tables_ui(story: Story) -> None:
    """Places and events as tables; selecting a place's row puts it in focus."""
    st.subheader(f"Places ({len(story.places)})")

    def selected() -> None:
        rows = st.session_state["places_table"]["selection"]["rows"]
        if rows and rows[0] < len(story.places):
            _focus(f"place:{story.places[rows[0]].key}")
            # the map is a screen or more above: bring it into view
            st.session_state["scroll_to_map"] = st.session_state.get("scroll_to_map", 0) + 1

    st.dataframe(
        [
            {
                "place": p.name,
                "kind": p.kind,
                "lat": round(p.lat, 4),
                "lon": round(p.lon, 4),
                "mentions": len(p.mentions),
                "as written": ", ".join(sorted({m.text for m in p.mentions})),
                "confidence": p.confidence,
                "check": "unsure" if p.unsure else "",
                "other candidates": "; ".join(
                    f"{a.candidate.name} ({a.candidate.country_code or a.candidate.kind})"
                    for a in p.alternatives[:3]
                ),
                "why": ", ".join(p.reasons),
                "source": p.candidate.source,
            }
            for p in story.places
        ],
        hide_index=True,
        key="places_table",
        on_select=selected,
        selection_mode="single-row",
    )
    if story.events:
        st.subheader(f"Events ({len(story.events)})")
        st.dataframe(
            [
                {"date": e.when, "what": e.name, "where": e.where.name, "why there": e.reason}
                for e in story.events
            ],
            hide_index=True,
        )


def corrections_ui(fixes: Corrections, article_id: str) -> None:
    if not fixes:
        return
    st.caption(f"{len(fixes)} correction{'s' * (len(fixes) != 1)} made by you.")
    st.button(
        "Undo all corrections",
        key="undo",
        on_click=lambda: st.session_state.update(fixes=(article_id, Corrections())),
    )


@contextlib.contextmanager
def waiting_ui(article_id: str) -> Iterator[None]:
    """While the story is made: a spinner and, the first time this session shows the article,
    an empty box the size of the map where the article and the map will be. (With the spinner
    inside the box, a later rerun drew the map anew and stopped its timeline's play.)"""
    message = "Finding the places in the article…"
    if not workers().warm:
        message = "Loading the language model and the gazetteer (once), then finding the places…"
    with st.spinner(message):
        slot = st.empty()  # on every run, so that what follows keeps its place on the page
        if st.session_state.get("shown") != article_id:  # not for a click on the page
            slot.container(height=560, border=True)
        try:
            yield
            st.session_state["shown"] = article_id
        finally:
            slot.empty()


def main() -> None:
    """The page; anything unexpected is logged and the reader gets a plain apology, never a
    traceback (``client.showErrorDetails`` is ``none`` as well)."""
    try:
        page()
    except Exception:
        LOGGER.exception("unexpected error while drawing the page")
        st.error(UNEXPECTED)
    freeze_warm_objects()


def page() -> None:
    """The whole page, top to bottom: the article chosen, its map, evidence and tables."""
    st.set_page_config(page_title="News Atlas", page_icon="🗺️", layout="wide")
    level_memory()
    try:
        workers()  # they start loading the model now, not when the first article is asked
    except ConfigurationError as err:
        st.error(f"{err}. Set it in the environment or in .streamlit/secrets.toml.")
        return
    warm_up()
    restore_view()
    st.html(_PAGE_CSS)
    st.title("News Atlas")
    st.caption("Every place a news article names, found, resolved and mapped, offline.")
    choice = source_ui()
    config = settings()
    geocoder = geocoder_ui(config)
    if problem := st.session_state.pop("link_problem", None):
        st.warning(escape_markdown(problem))
    if choice.error:
        (st.info if choice.waiting else st.error)(escape_markdown(sentence_case(choice.error)))
        return
    article_id = hashlib.sha256(choice.text.encode("utf-8")).hexdigest()[:16]
    bound, fixes = st.session_state.get("fixes", (None, Corrections()))
    if bound not in (None, article_id):  # another article: its own corrections
        fixes = Corrections()
        st.session_state["focus"] = None
    st.session_state["fixes"] = (article_id, fixes)
    attribution = ""
    try:
        with waiting_ui(article_id):
            if geocoder == "offline":
                story = corrected(
                    choice.text, choice.source, choice.year, choice.title, tuple(fixes.tokens())
                )
            else:
                online = analyse_online(
                    choice.text, choice.source, choice.year, choice.title,
                    {**config, "NEWS_ATLAS_GEOCODER": geocoder}, tuple(fixes.tokens()),
                )  # fmt: skip
                story, attribution = online.story, online.attribution
                for warning in online.warnings:
                    st.warning(escape_markdown(warning))
    except CorrectionError as err:
        st.warning(
            escape_markdown(f"Your corrections no longer fit this article and were undone: {err}.")
        )
        st.session_state["fixes"] = (article_id, Corrections())
        story = analyse(choice.text, choice.source, choice.year, choice.title)
        fixes = Corrections()
    except ConfigurationError as err:
        st.error(
            escape_markdown(f"{err}. Set it in the environment or in .streamlit/secrets.toml.")
        )
        return
    except GeoError as err:
        st.error(escape_markdown(sentence_case(str(err))))
        return
    if not story.places:
        st.warning("This article names no place that the gazetteer knows.")
    focus_ui(story, country_outlines(story, gazetteer()), choice, fixes, attribution)
    add_place_ui(story, article_id)
    corrections_ui(fixes, article_id)
    tables_ui(story)


@st.fragment
def focus_ui(
    story: Story,
    outlines: Mapping[str, dict[str, Any]],
    choice: Choice,
    fixes: Corrections,
    attribution: str,
) -> None:
    """What the focus and the layers change: the article's highlights, the map, the story's
    steps, the timeline, the evidence of the place in focus, and the page's link.

    A click in here (a mention, a marker, an event, a step, a layer) runs only this part
    again, with the story of the page's last run: the tables, the sidebar and the article's
    source are left as they are. Every click that changes the focus (also a table row,
    outside) runs its callback before the run starts, so all of this agrees on it. A
    correction made here changes the story itself, so the whole page runs again."""
    article_id = st.session_state["fixes"][0]
    if st.session_state["fixes"] != (article_id, fixes):
        st.rerun()  # a correction: a new story, for the whole page
    focus = st.session_state.get("focus")
    target = in_focus(story, focus)
    st.html(_SKIP_LINK)
    left, right = st.columns([2, 3], gap="medium")
    with left:
        article_ui(story, focus)
    with right, st.container(key="map_side"):
        st.html(_SKIP_TARGET)
        layers = layers_ui()
        map_ui(story, outlines, layers, focus)
        request = st.session_state.get("scroll_to_map", 0)
        to_map = {"to": ".st-key-map_side", "request": request}  # the map's column
        scroll_view(key=f"scroll_view_{request}", data=to_map)
        story_ui(story, target)
        timeline_ui(story)
        if attribution:
            st.caption(escape_markdown(f"Online places: {attribution}"))
        downloads_ui(story, outlines, layers)
        if choice.shared:
            st.caption("The page's link now reopens this view: share it as it is.")
        else:
            st.caption("Pasted and uploaded articles stay in this page; they are not in its link.")
    if isinstance(target, Place):
        place_ui(story, target, article_id)
    share_view(choice, fixes)


if __name__ == "__main__":
    main()
