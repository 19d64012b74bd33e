"""A reader's corrections to a story: a mention moved to another place, a place dropped, a
place the pipeline missed added.

Corrections name mentions by their character offsets and places by their stable gazetteer
keys (``gn:…``, ``adm1:…``, ``place:…``), never by the article's text, so that they fit in a
shareable link and apply again to the same article::

    >>> fixes = Corrections.parse(["m120=gn:4717560", "d300", "a512-519=gn:1835848"])
    >>> fixes.tokens()
    ['m120=gn:4717560', 'd300', 'a512-519=gn:1835848']

:func:`apply` rebuilds the places of a story from them; :meth:`geo.story.Geoparser.corrected`
then finds the events again, so the map, the tables, the timeline and every export follow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .errors import GeoError
from .gazetteer import Candidate
from .mentions import Mention, Sentence, sentence_at
from .resolve import Place, Scored

__all__ = ["PLACE_KEY", "CorrectionError", "Corrections", "apply", "occurrences"]

#: How a corrected place is explained (in the table, popups and exports).
CORRECTED = "corrected by the reader"

#: The label of a mention a reader added (spaCy's labels are GPE, LOC, FAC, NORP).
ADDED_LABEL = "READER"

#: A gazetteer or geocoder key: ``gn:2988507``, ``adm1:FR-IDF``, ``place:pacific-ocean``,
#: ``osm:R7444``, ``nominatim:48.85660,2.35220``.
PLACE_KEY = re.compile(r"[a-z][a-z0-9_]{0,19}:[A-Za-z0-9._,/-]{1,64}", re.ASCII)
#: A character offset: ASCII digits only ("²" is a digit to ``str.isdigit`` but not to
#: ``int``), and few of them (``int`` refuses strings of more than 4,300 digits).
_OFFSET = r"[0-9]{1,7}"
_TOKEN = re.compile(
    rf"m({_OFFSET})=({PLACE_KEY.pattern})|d({_OFFSET})"
    rf"|a({_OFFSET})-({_OFFSET})=({PLACE_KEY.pattern})",
    re.ASCII,
)


class CorrectionError(GeoError, ValueError):
    """A correction that cannot be read or does not fit the article."""


@dataclass(frozen=True, slots=True)
class Corrections:
    """What the reader changed, in the order they did it (a later change wins).

    ``moved`` maps a mention's start offset to the key of its right place; ``dropped`` holds
    start offsets of mentions that name no place; ``added`` holds new mentions as
    ``(start, end, key)``.
    """

    moved: tuple[tuple[int, str], ...] = ()
    dropped: tuple[int, ...] = ()
    added: tuple[tuple[int, int, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.moved or self.dropped or self.added)

    def __len__(self) -> int:
        return len(self.moved) + len(self.dropped) + len(self.added)

    def move(self, starts: Iterable[int], key: str) -> Corrections:
        """These mentions name the place ``key`` (an added mention is re-pointed instead)."""
        starts = set(starts)
        added = tuple((s, e, key if s in starts else k) for s, e, k in self.added)
        fresh = starts - {s for s, _, _ in self.added}
        moved = tuple((s, k) for s, k in self.moved if s not in fresh)
        return replace(self, moved=moved + tuple((s, key) for s in sorted(fresh)), added=added)

    def drop(self, starts: Iterable[int]) -> Corrections:
        """These mentions name no place (an added mention is simply taken back)."""
        starts = set(starts)
        return Corrections(
            moved=tuple((s, k) for s, k in self.moved if s not in starts),
            dropped=tuple(sorted(set(self.dropped) | (starts - {s for s, _, _ in self.added}))),
            added=tuple(a for a in self.added if a[0] not in starts),
        )

    def add(self, spans: Iterable[tuple[int, int]], key: str) -> Corrections:
        """New mentions of the place ``key`` at these character spans."""
        spans = list(spans)
        starts = {s for s, _ in spans}
        kept = tuple(a for a in self.added if a[0] not in starts)
        undropped = tuple(s for s in self.dropped if s not in starts)
        moved = tuple((s, k) for s, k in self.moved if s not in starts)
        new = tuple((s, e, key) for s, e in sorted(spans))
        return Corrections(moved=moved, dropped=undropped, added=kept + new)

    def tokens(self) -> list[str]:
        """The corrections as short strings, for a link's query parameters."""
        return [
            *(f"m{s}={k}" for s, k in self.moved),
            *(f"d{s}" for s in self.dropped),
            *(f"a{s}-{e}={k}" for s, e, k in self.added),
        ]

    @classmethod
    def parse(cls, tokens: Iterable[str]) -> Corrections:
        """Corrections from :meth:`tokens`' strings; raises :class:`CorrectionError` on a
        string that is not one."""
        moved: list[tuple[int, str]] = []
        dropped: list[int] = []
        added: list[tuple[int, int, str]] = []
        for token in tokens:
            found = _TOKEN.fullmatch(token.strip())
            if found is None:
                raise CorrectionError(
                    f"cannot read the correction {token!r}: expected m<start>=<place key>, "
                    "d<start> or a<start>-<end>=<place key>"
                )
            move_at, move_to, drop_at, add_start, add_end, add_to = found.groups()
            if move_at is not None:
                moved.append((int(move_at), move_to))
            elif drop_at is not None:
                dropped.append(int(drop_at))
            else:
                if int(add_end) <= int(add_start):
                    raise CorrectionError(f"the correction {token!r} adds an empty span")
                added.append((int(add_start), int(add_end), add_to))
        return cls(tuple(moved), tuple(dropped), tuple(added))


def occurrences(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` is written in ``text`` as a whole word or phrase (case as written)."""
    name = name.strip()
    if not name:
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def apply(
    text: str,
    sentences: Sequence[Sentence],
    places: Sequence[Place],
    corrections: Corrections,
    candidates: Mapping[str, Candidate],
) -> list[Place]:
    """The places after the reader's corrections, in order of first mention.

    ``candidates`` holds the place of every key the corrections name (see :func:`keys_of`).
    A place that keeps all its mentions is unchanged; one that gains or loses mentions keeps
    its evidence and says so; a place that only corrections made is certain (confidence 1).
    Raises :class:`CorrectionError` for an offset that is no mention or a key with no place.
    """
    owner = {m.start: (m, p) for p in places for m in p.mentions}
    chosen: dict[Mention, str] = {m: p.key for p in places for m in p.mentions}
    known = {p.key: p.candidate for p in places}
    for start, key in corrections.moved:
        mention, _ = _mention_at(owner, start)
        chosen[mention] = _known(key, known, candidates)
    for start in corrections.dropped:
        mention, _ = _mention_at(owner, start)
        chosen.pop(mention, None)
    for start, end, key in corrections.added:
        if not (0 <= start < end <= len(text)) or not text[start:end].strip():
            raise CorrectionError(f"the added span {start}-{end} is not in the article")
        for other in [m for m in chosen if m.start < end and start < m.end]:
            del chosen[other]  # the reader's span replaces what it overlaps
        surface = text[start:end]
        sentence = sentence_at(sentences, start).index
        mention = Mention(start, end, surface, surface, ADDED_LABEL, sentence, found="reader")
        chosen[mention] = _known(key, known, candidates)
    grouped: dict[str, list[Mention]] = {}
    for mention, key in sorted(chosen.items(), key=lambda item: item[0].start):
        grouped.setdefault(key, []).append(mention)
    before = {p.key: p for p in places}
    result = [
        _place(known[key], tuple(mentions), before.get(key), owner)
        for key, mentions in grouped.items()
    ]
    return sorted(result, key=lambda p: p.mentions[0].start)


def keys_of(corrections: Corrections) -> set[str]:
    """Every place key the corrections point mentions at."""
    return {k for _, k in corrections.moved} | {k for _, _, k in corrections.added}


def _mention_at(owner: Mapping[int, tuple[Mention, Place]], start: int) -> tuple[Mention, Place]:
    if start not in owner:
        raise CorrectionError(f"no place mention starts at character {start} of this article")
    return owner[start]


def _known(key: str, known: dict[str, Candidate], candidates: Mapping[str, Candidate]) -> str:
    if key not in known:
        if key not in candidates:
            raise CorrectionError(f"no place has the key {key!r} in the gazetteer")
        known[key] = candidates[key]
    return key


def _place(
    candidate: Candidate,
    mentions: tuple[Mention, ...],
    before: Place | None,
    owner: Mapping[int, tuple[Mention, Place]],
) -> Place:
    """The place ``candidate`` with ``mentions``: its old self when nothing changed."""
    if before is not None and before.mentions == mentions:
        return before
    if before is not None:
        gained = sum(1 for m in mentions if m not in before.mentions)
        lost = sum(1 for m in before.mentions if m not in mentions)
        note = ", ".join(
            part
            for part in (
                f"{gained} mention{'s' * (gained != 1)} {CORRECTED}" if gained else "",
                f"{lost} mention{'s' * (lost != 1)} taken away by the reader" if lost else "",
            )
            if part
        )
        return replace(before, mentions=mentions, reasons=(*before.reasons, note))
    # A place only corrections made: the candidates the pipeline weighed stay as runner-ups,
    # the place it had chosen among them.
    runner_ups: dict[str, Scored] = {}
    for mention in mentions:
        _, previous = owner.get(mention.start, (None, None))
        if previous is None or previous.candidate.key == candidate.key:
            continue
        first = Scored(previous.candidate, previous.confidence, previous.reasons)
        for scored in (first, *previous.alternatives):
            if scored.candidate.key != candidate.key:
                runner_ups.setdefault(scored.candidate.key, scored)
    return Place(candidate, mentions, 1.0, (CORRECTED,), tuple(runner_ups.values()))
