"""A persistent cache of online geocoders' answers, so a public service is asked once a name.

Answers live in one SQLite file in the cache folder (``$NEWS_ATLAS_CACHE`` or the user's
cache folder). The database runs in WAL mode, so many sessions and processes can read while
one writes, and every answer is committed on its own: a killed process loses at most the
answer it was writing, never the file.

Only answers are stored: a list of places, or "not found" (an empty list). A failure (no
network, a timeout, an error status, a malformed reply) is never an answer and is never
stored, so it is asked again next time.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from geopy.location import Location

from .errors import GeocoderUnavailable

__all__ = ["AnswerCache", "default_cache_path"]

#: Bump when the stored layout changes; older rows are then ignored.
CACHE_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    service TEXT NOT NULL,
    query   TEXT NOT NULL,
    version INTEGER NOT NULL,
    places  TEXT NOT NULL,
    stored  REAL NOT NULL,
    PRIMARY KEY (service, query)
)
"""


def default_cache_path(env: Mapping[str, str] | None = None) -> Path:
    """``$NEWS_ATLAS_CACHE/geocoded.sqlite``, or the same file in the user's cache folder."""
    env = os.environ if env is None else env
    root = env.get("NEWS_ATLAS_CACHE") or os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "news-atlas",
    )
    return Path(root) / "geocoded.sqlite"


def _query_key(query: str) -> str:
    return " ".join(query.casefold().split())


def _dump(locations: Sequence[Location]) -> str:
    return json.dumps(
        [
            {"address": loc.address, "point": [loc.latitude, loc.longitude], "raw": loc.raw}
            for loc in locations
        ],
        ensure_ascii=False,
    )


def _load(text: str) -> list[Location]:
    return [Location(p["address"], tuple(p["point"]), p["raw"]) for p in json.loads(text)]


class AnswerCache:
    """Answers of online geocoders by (service, query), kept on disk.

    ``get`` returns ``None`` when the question was never answered, ``[]`` when the answer was
    "not found", else the places found, best first. ``max_age`` (seconds) lets old answers
    expire; ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_age: float = 90 * 24 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.max_age = max_age
        self.clock = clock
        self._local = threading.local()
        self._init_lock = threading.Lock()
        self._ready = False

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 connections are not shared across threads)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            with self._init_lock:
                if not self._ready:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(_SCHEMA)
                    self._ready = True
            conn.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as err:
            raise GeocoderUnavailable(
                f"cannot open the geocoding cache {str(self.path)!r}: {err}; "
                "set NEWS_ATLAS_CACHE to a writable folder"
            ) from err
        self._local.conn = conn
        return conn

    def get(self, service: str, query: str) -> list[Location] | None:
        """The stored answer, or ``None`` when there is none (or it is too old)."""
        try:
            row = (
                self._connection()
                .execute(
                    "SELECT places, stored FROM answers WHERE service=? AND query=? AND version=?",
                    (service, _query_key(query), CACHE_VERSION),
                )
                .fetchone()
            )
        except (sqlite3.Error, GeocoderUnavailable):
            return None  # a locked, damaged or unwritable cache only costs a request
        if row is None or self.clock() - float(row[1]) > self.max_age:
            return None
        try:
            return _load(str(row[0]))
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, service: str, query: str, locations: Sequence[Location]) -> None:
        """Store an answer (``[]`` for "not found"); each answer is its own transaction."""
        record: tuple[Any, ...] = (
            service,
            _query_key(query),
            CACHE_VERSION,
            _dump(locations),
            self.clock(),
        )
        with contextlib.suppress(
            sqlite3.Error, GeocoderUnavailable
        ):  # not storing only costs a request next time
            self._connection().execute(
                "INSERT OR REPLACE INTO answers (service, query, version, places, stored) "
                "VALUES (?, ?, ?, ?, ?)",
                record,
            )

    def __len__(self) -> int:
        row = self._connection().execute("SELECT COUNT(*) FROM answers").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
