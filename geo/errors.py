"""Errors raised by News Atlas.

Every error the package raises on purpose is a :class:`GeoError`; callers at the edges
(the app, the command line) catch that one class. Each subclass also inherits the built-in
exception it is a kind of, so code that expects ``ValueError`` or ``OSError`` keeps working::

    GeoError
    ├── AnalysisError (RuntimeError)     an analysis was stopped before it gave a story
    │   ├── AnalysisTimeout              it ran past its deadline
    │   └── AnalysisMemoryError          it needed more memory than its cap
    ├── ArticleError (ValueError)        the article cannot be read or is not usable text
    │   └── FetchError                   an article's URL is refused or cannot be fetched
    ├── GazetteerError (RuntimeError)    the offline gazetteer cannot be built or opened
    ├── ConfigurationError (ValueError)  a bad name or option, e.g. an unknown geocoder
    ├── GeocoderUnavailable (OSError)    an online geocoder cannot be reached
    └── ModelError (RuntimeError)        no usable spaCy English model is installed
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
    "AnalysisMemoryError",
    "AnalysisTimeout",
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


class AnalysisError(GeoError, RuntimeError):
    """An analysis was stopped before it gave a story: its worker process ended (see
    :mod:`geo.worker`); the message says so in words a reader understands."""


class AnalysisTimeout(AnalysisError):
    """An analysis ran past its deadline and its worker was stopped."""

    def __init__(self, deadline: float) -> None:
        super().__init__(
            f"This article took more than {deadline:g} seconds to analyse, the limit for one "
            "article, so its analysis was stopped. Try a shorter part of it, or text with "
            "fewer long runs of punctuation or symbols."
        )
        self.deadline = deadline

    def __reduce__(self) -> tuple[type[AnalysisTimeout], tuple[float]]:
        return type(self), (self.deadline,)


class AnalysisMemoryError(AnalysisError):
    """An analysis needed more memory than its cap and its worker was stopped."""

    def __init__(self, cap: int) -> None:
        super().__init__(
            f"Analysing this article needed more than {cap // 2**20:,} MB of memory, the limit "
            "for one article, so its analysis was stopped. Try a shorter part of it."
        )
        self.cap = cap

    def __reduce__(self) -> tuple[type[AnalysisMemoryError], tuple[int]]:
        return type(self), (self.cap,)


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
