"""The story as data: GeoJSON for maps and GIS tools, and the command line's JSON lines."""

from __future__ import annotations

import csv
import io
from typing import Any

from .events import Event
from .gazetteer import Candidate
from .links import links_of
from .story import SpanResult, Story

__all__ = ["geoparse_record", "mentions_csv", "spans_record", "story_geojson", "timeline"]


def _point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def story_geojson(story: Story, *, links: bool = False) -> dict[str, Any]:
    """A FeatureCollection: a Point per resolved place, then one per event; with ``links``,
    also a LineString per pair of places named in the same sentence.

    An event's ``date`` is ISO 8601 at the article's precision (``1953``, ``2024-06``,
    ``2024-06-19``; ``--06-19`` without a year), never padded to a false day, and its
    ``precision`` says which (``year``, ``month``, ``day``)."""
    features: list[dict[str, Any]] = []
    for place in story.places:
        properties: dict[str, Any] = {
            "name": place.name,
            "kind": place.kind,
            "key": place.key,
            "mentions": [{"start": m.start, "end": m.end, "text": m.text} for m in place.mentions],
            "sentences": [s.text for s in story.sentences_of(place)],
            "confidence": place.confidence,
            "source": place.candidate.source,
        }
        if place.candidate.geonameid is not None:
            properties["geonameid"] = place.candidate.geonameid
        features.append(
            {"type": "Feature", "geometry": _point(place.lat, place.lon), "properties": properties}
        )
    for event in story.events:
        features.append(
            {
                "type": "Feature",
                "geometry": _point(event.lat, event.lon),
                "properties": {
                    "kind": "event",
                    "name": event.name,
                    "date": event.date,
                    "precision": event.precision,
                    "sentence": event.sentence.text,
                    "place": event.where.name,
                    "reason": event.reason,
                },
            }
        )
    for link in links_of(story) if links else ():
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        _point(link.first.lat, link.first.lon)["coordinates"],
                        _point(link.second.lat, link.second.lon)["coordinates"],
                    ],
                },
                "properties": {
                    "kind": "link",
                    "name": " – ".join(link.names),
                    "places": [link.first.key, link.second.key],
                    "weight": link.weight,
                    "sentences": [s.text for s in link.sentences],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


MENTION_COLUMNS = (
    "start",
    "end",
    "text",
    "sentence",
    "place",
    "kind",
    "lat",
    "lon",
    "geonameid",
    "confidence",
    "source",
)


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run: a leading =, +, - or @ starts a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def mentions_csv(story: Story) -> str:
    """Every place mention as a CSV row, in text order: where it is in the text and where
    it resolved."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MENTION_COLUMNS)
    place_of = story.place_of()
    for mention in story.mentions:
        place = place_of[mention]
        writer.writerow(
            (
                mention.start,
                mention.end,
                _cell(mention.text),
                _cell(story.sentences[mention.sentence].text),
                _cell(place.name),  # an online geocoder's answer is outside text too
                place.kind,
                place.lat,
                place.lon,
                place.candidate.geonameid or "",
                place.confidence,
                _cell(place.candidate.source),
            )
        )
    return out.getvalue()


def timeline(story: Story) -> list[Event]:
    """The story's events in date order; dates without a year ("--06-20") come last, and
    events on the same date keep the article's order."""
    return sorted(story.events, key=lambda e: (e.date.startswith("--"), e.date))


def geoparse_record(doc_id: str, story: Story) -> dict[str, Any]:
    """One line of ``geo geoparse`` output: every place mention with where it resolved, and
    the calibrated probability that it resolved right (``Place.confidence``)."""
    places = []
    place_of = story.place_of()
    for mention in story.mentions:
        place = place_of[mention]
        entry: dict[str, Any] = {
            "start": mention.start,
            "end": mention.end,
            "text": mention.text,
            "name": place.name,
            "lat": place.lat,
            "lon": place.lon,
            "kind": place.kind,
            **_divisions(place.candidate),
            "found": mention.found,
            "demonym": mention.demonym,
            "confidence": round(place.confidence, 3),
        }
        if place.candidate.geonameid is not None:
            entry["geonameid"] = place.candidate.geonameid
        places.append(entry)
    return {"id": doc_id, "places": places}


def _divisions(candidate: Candidate | None) -> dict[str, str | None]:
    """A place's ``country`` (ISO 3166-1 alpha-2) and ``admin1`` (its first-level division's
    ISO 3166-2 code without the country prefix, "ON" for Ontario), as Mordecai 3 reports them;
    None where the place has none (a continent, a sea) or the gazetteer does not know it."""
    if candidate is None:
        return {"country": None, "admin1": None}
    return {"country": candidate.country_code or None, "admin1": candidate.admin1 or None}


def spans_record(doc_id: str, results: list[SpanResult]) -> dict[str, Any]:
    """One line of ``geo geoparse --spans-given`` output: each given span, resolved or not."""
    places = []
    for result in results:
        best = result.best.candidate if result.best else None
        entry: dict[str, Any] = {
            "start": result.start,
            "end": result.end,
            "text": result.text,
            "name": best.name if best else result.text,
            "lat": best.lat if best else None,
            "lon": best.lon if best else None,
            "kind": best.kind if best else "unresolved",
            **_divisions(best),
            "found": "given",
            "demonym": result.demonym,
        }
        if best is not None and best.geonameid is not None:
            entry["geonameid"] = best.geonameid
        places.append(entry)
    return {"id": doc_id, "places": places}
