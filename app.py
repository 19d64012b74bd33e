"""News Atlas, the Streamlit app: layout and wiring only; all logic lives in ``geo``.

Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit_folium import st_folium

from geo import (
    Article,
    ArticleError,
    GeoError,
    Geoparser,
    Story,
    article_from_bytes,
    article_from_text,
)
from geo.articles import MAX_CHARS, SUFFIXES
from geo.assets import ST_FOLIUM_BASE_URL, localise
from geo.errors import ConfigurationError
from geo.export import mentions_csv, story_geojson, timeline
from geo.geocoders import geocoder_from_env
from geo.maps import build_map, country_outlines, map_html, style_of, world_outlines
from geo.markup import highlight
from geo.web import article_from_url

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = {"Russia and North Korea make strategic pact (June 2024)": "russia-north-korea-pact.txt"}
SOURCES = ("Sample article", "Paste text", "Upload a file", "Link to a web page")
GEOCODERS = {
    "offline": "Offline gazetteer only",
    "nominatim": "Offline, then Nominatim (OpenStreetMap)",
    "photon": "Offline, then Photon (OpenStreetMap)",
    "arcgis": "Offline, then ArcGIS",
}


@st.cache_resource(show_spinner="Loading the language model and the gazetteer…")
def geoparser() -> Geoparser:
    """One geoparser (model and gazetteer index) shared by every session."""
    return Geoparser()


@st.cache_data(show_spinner=False, max_entries=64)
def analyse(text: str, source: str, year: int | None) -> Story:
    """The story of one article, offline; cached by its text, source and year."""
    return geoparser().analyse(article_from_text(text, source=source, year=year))


@dataclass(frozen=True)
class Online:
    """An article resolved offline first, then online: the story and what the service said."""

    story: Story
    warnings: tuple[str, ...]
    attribution: str


def analyse_online(text: str, source: str, year: int | None, config: Mapping[str, str]) -> Online:
    """The story with an online geocoder for what the gazetteer cannot resolve. Not cached
    here: the geocoder keeps its own answer cache, and a failure must not be remembered."""
    fallback = geocoder_from_env(config)
    shared = geoparser()
    parser = Geoparser(nlp=shared.nlp, gazetteer=shared.gazetteer, fallback=fallback)
    story = parser.analyse(article_from_text(text, source=source, year=year))
    if fallback is None:
        return Online(story, (), "")
    return Online(story, tuple(fallback.warnings), fallback.attribution)


@st.cache_data(show_spinner=False)
def world() -> dict[str, Any]:
    """The offline base map's country outlines (the same for every article)."""
    return world_outlines(geoparser().gazetteer)


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


@dataclass(frozen=True)
class Choice:
    """The article the user asked for, as text, or the message saying why there is none."""

    text: str = ""
    source: str = ""
    year: int | None = None
    error: str = ""
    waiting: bool = False  # nothing chosen yet (an invitation, not an error)


def source_ui() -> Choice:
    """The sidebar: where the article comes from. Returns the chosen article's text."""
    with st.sidebar:
        st.header("Article")
        kind = st.radio("Source", SOURCES, key="source")
        if kind == "Sample article":
            title = st.selectbox("Sample", list(SAMPLES), key="sample")
            text = (DATA / SAMPLES[title]).read_text(encoding="utf-8")
            return Choice(text, SAMPLES[title])
        if kind == "Paste text":
            st.text_area(
                "Paste an English news article",
                key="pasted",
                height=260,
                placeholder=f"Paste the article's text here (up to {MAX_CHARS:,} characters)…",
            )
            if st.button("Map this article", type="primary", key="map_pasted"):
                st.session_state["submitted"] = st.session_state.get("pasted", "")
            submitted = st.session_state.get("submitted")
            if submitted is None:
                return Choice(error="Paste an article and press “Map this article”.", waiting=True)
            return _checked(lambda: article_from_text(submitted, source="pasted text"))
        if kind == "Link to a web page":
            st.text_input("Article link (http or https)", key="url", placeholder="https://…")
            if st.button("Fetch and map", type="primary", key="fetch"):
                st.session_state["fetched"] = st.session_state.get("url", "").strip()
            url = st.session_state.get("fetched")
            if not url:
                return Choice(error="Paste a link and press “Fetch and map”.", waiting=True)
            return _checked(lambda: fetch(url))
        upload = st.file_uploader(
            "Upload a .txt, .md or .html file",
            type=[s.lstrip(".") for s in SUFFIXES],
            key="upload",
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
        return Choice(error=str(err))
    return Choice(article.text, article.source, article.year)


def article_ui(story: Story) -> None:
    """The article, each place mention highlighted in its marker's colour."""
    st.subheader(story.article.title or "Article")
    spans = []
    for place in story.places:
        category = style_of(place.kind).label.split()[0].lower().rstrip(",")
        spans.extend((m.start, m.end, f"place {category}") for m in place.mentions)
    body = highlight(story.article.text, spans)
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    colours = "".join(
        f"mark.place.{style.label.split()[0].lower().rstrip(',')} {{background:{style.hex}33;"
        f"border-bottom:2px solid {style.hex};padding:0 2px}}"
        for style in {style_of(p.kind) for p in story.places}
    )
    st.html(f"<style>{colours}</style><div class='news-atlas-article'>{paragraphs}</div>")


def timeline_ui(story: Story) -> tuple[float, float] | None:
    """The events in date order; returns the point of the one the user selected."""
    events = timeline(story)
    if not events:
        return None
    labels = [f"{e.date} · {e.name} — {e.where.name}" for e in events]
    choice = st.radio(
        "Timeline",
        range(len(events)),
        format_func=labels.__getitem__,
        index=None,
        key="event",
        help="Select an event to centre the map on it.",
    )
    return None if choice is None else (events[choice].lat, events[choice].lon)


def map_ui(
    story: Story, outlines: Mapping[str, dict[str, Any]], focus: tuple[float, float] | None
) -> None:
    """The map, centred on ``focus`` when given; panning and zooming do not rerun the script."""
    fmap = build_map(story, outlines=outlines, world=world())
    st_folium(
        localise(fmap, ST_FOLIUM_BASE_URL),  # scripts from our own server, not a CDN
        key="map",
        height=560,
        use_container_width=True,
        returned_objects=[],
        center=focus,
        zoom=6 if focus else None,
    )


def downloads_ui(story: Story, outlines: Mapping[str, dict[str, Any]]) -> None:
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
    )
    columns[1].download_button(
        "Mentions (CSV)",
        lambda: mentions_csv(story),
        f"{stem}-mentions.csv",
        "text/csv",
        key="dl_csv",
    )
    columns[2].download_button(
        "Map (HTML)",
        lambda: map_html(story, outlines=outlines, world=world()),
        f"{stem}-map.html",
        "text/html",
        key="dl_html",
    )


def tables_ui(story: Story) -> tuple[float, float] | None:
    """Places and events as tables; returns the point of the place row the user selected."""
    st.subheader(f"Places ({len(story.places)})")
    selection = st.dataframe(
        [
            {
                "place": p.name,
                "kind": p.kind,
                "lat": round(p.lat, 4),
                "lon": round(p.lon, 4),
                "mentions": len(p.mentions),
                "as written": ", ".join(sorted({m.text for m in p.mentions})),
                "confidence": p.confidence,
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
        on_select="rerun",
        selection_mode="single-row",
    )
    if story.events:
        st.subheader(f"Events ({len(story.events)})")
        st.dataframe(
            [
                {"date": e.date, "what": e.name, "where": e.where.name, "why there": e.reason}
                for e in story.events
            ],
            hide_index=True,
        )
    rows = selection.selection.rows if selection else []
    return (story.places[rows[0]].lat, story.places[rows[0]].lon) if rows else None


def main() -> None:
    st.set_page_config(page_title="News Atlas", page_icon="🗺️", layout="wide")
    st.title("News Atlas")
    st.caption("Every place a news article names, found, resolved and mapped, offline.")
    choice = source_ui()
    config = settings()
    geocoder = geocoder_ui(config)
    if choice.error:
        (st.info if choice.waiting else st.error)(choice.error)
        return
    attribution = ""
    try:
        with st.spinner("Finding the places in the article…"):
            if geocoder == "offline":
                story = analyse(choice.text, choice.source, choice.year)
            else:
                online = analyse_online(
                    choice.text, choice.source, choice.year,
                    {**config, "NEWS_ATLAS_GEOCODER": geocoder},
                )  # fmt: skip
                story, attribution = online.story, online.attribution
                for warning in online.warnings:
                    st.warning(warning)
    except ConfigurationError as err:
        st.error(f"{err}. Set it in the environment or in .streamlit/secrets.toml.")
        return
    except GeoError as err:
        st.error(str(err))
        return
    if not story.places:
        st.warning("This article names no place that the gazetteer knows.")
    left, right = st.columns([2, 3], gap="medium")
    outlines = country_outlines(story, geoparser().gazetteer)
    below = st.container()  # drawn first: a place selected in its table focuses the map
    with below:
        selected_place = tables_ui(story)
    with left:
        article_ui(story)
    with right:
        selected_event = timeline_ui(story)
        map_ui(story, outlines, selected_place or selected_event)
        if attribution:
            st.caption(f"Online places: {attribution}")
        downloads_ui(story, outlines)


if __name__ == "__main__":
    main()
