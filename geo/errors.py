"""Errors raised by News Atlas.

Every error the package raises on purpose is a :class:`GeoError`; callers at the edges
(the app, the command line) catch that one class. Each subclass also inherits the built-in
exception it is a kind of, so code that expects ``ValueError`` or ``OSError`` keeps working::

    GeoError
    ├── ArticleError (ValueError)        the article cannot be read or is not usable text
    │   └── FetchError                   an article's URL is refused or cannot be fetched
    ├── GazetteerError (RuntimeError)    the offline gazetteer cannot be built or opened
    ├── ConfigurationError (ValueError)  a bad name or option, e.g. an unknown geocoder
    ├── GeocoderUnavailable (OSError)    an online geocoder cannot be reached
    └── ModelError (RuntimeError)        no usable spaCy English model is installed
"""

from __future__ import annotations

__all__ = [
    "ArticleError",
    "ConfigurationError",
    "FetchError",
    "GazetteerError",
    "GeoError",
    "GeocoderUnavailable",
    "ModelError",
]


class GeoError(Exception):
    """Root of every error News Atlas raises on purpose."""


class ArticleError(GeoError, ValueError):
    """The article is empty, too large, binary or of a type we cannot read."""


class FetchError(ArticleError):
    """An article's URL is not one we fetch (scheme, private address, too large) or its server
    did not give us a readable page; the message says which and why."""


class GazetteerError(GeoError, RuntimeError):
    """The offline gazetteer's index cannot be built or opened."""


class ConfigurationError(GeoError, ValueError):
    """A name or option is not one we know; the message lists the valid ones."""


class GeocoderUnavailable(GeoError, OSError):
    """An online geocoding service could not be reached or answered badly."""


class ModelError(GeoError, RuntimeError):
    """No spaCy English model is installed."""
