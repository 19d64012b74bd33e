"""News Atlas: turn a news article into a map of the places and events it names.

The package follows an article's journey, one module a stage:

* :mod:`geo.articles`  — text, Markdown or HTML in; an :class:`Article` out
* :mod:`geo.mentions`  — sentences and place mentions (spaCy)
* :mod:`geo.gazetteer` — candidate places for a name (offline GeoNames index)
* :mod:`geo.resolve`   — the place each name means, with its evidence
* :mod:`geo.events`    — dated events and where they happened
* :mod:`geo.story`     — the whole journey: :class:`Geoparser` → :class:`Story`
* :mod:`geo.corrections` — a reader's fixes to a story, in a form a link can carry
* :mod:`geo.maps`, :mod:`geo.export` — the story as a Folium map, GeoJSON or CSV
* :mod:`geo.geocoders` — geopy's interface over the gazetteer, and geopy's geocoders by name
* :mod:`geo.online`    — online geocoders as a cached, rate-limited fallback that never stalls
* :mod:`geo.cli`       — ``python -m geo``
* :mod:`geo.memory`    — a long-running server's memory kept level (glibc)

It never imports streamlit: the app (``app.py``) is a thin face over it.
"""

from .articles import Article, article_from_bytes, article_from_path, article_from_text
from .errors import (
    ArticleError,
    ConfigurationError,
    GazetteerError,
    GeocoderUnavailable,
    GeoError,
    ModelError,
)
from .events import Event
from .gazetteer import Candidate, Gazetteer
from .mentions import Mention, Sentence
from .resolve import Place
from .story import Geoparser, Story

__all__ = [
    "Article",
    "ArticleError",
    "Candidate",
    "ConfigurationError",
    "Event",
    "Gazetteer",
    "GazetteerError",
    "GeoError",
    "GeocoderUnavailable",
    "Geoparser",
    "Mention",
    "ModelError",
    "Place",
    "Sentence",
    "Story",
    "article_from_bytes",
    "article_from_path",
    "article_from_text",
]
