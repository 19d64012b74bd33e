"""What a shared link says: the view it reopens, read strictly.

The app writes the view into the page's link (``?sample=…&place=gn:123&fix=m120=gn:4``);
anyone can edit that link, so it is read back as untrusted input: only the keys the app
writes, each value in the exact shape the app writes it (ASCII digits of bounded length,
known names, place keys of a fixed alphabet). Whatever does not fit is left out and named in
:attr:`View.problems`, in our words (never the link's own text); the rest of the view is kept.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from .corrections import PLACE_KEY, CorrectionError, Corrections
from .web import is_url

__all__ = ["DAMAGED", "EVENT_POSITION", "MAX_FIXES", "View", "read_view"]

#: An event's position on the timeline, in a link or in the page's focus: ASCII digits only
#: ("²".isdigit() is true, and int() refuses strings over 4,300 digits), bounded.
EVENT_POSITION = re.compile(r"[0-9]{1,4}", re.ASCII)
#: The most corrections a link carries (a reader makes a few dozen at most).
MAX_FIXES = 500
#: The longest web address a link may name.
MAX_URL = 2048
#: What the reader is told: the link was edited or cut, the session goes on.
DAMAGED = "This link is damaged: {what} could not be read and {verb} left out."

_SINGLE = ("sample", "url", "place", "event", "layers")
_KNOWN = (*_SINGLE, "fix")


@dataclass(frozen=True, slots=True)
class View:
    """The view a link describes; ``None`` (or empty) for what it does not say."""

    sample: str | None = None
    url: str | None = None
    place: str | None = None
    event: int | None = None
    layers: tuple[str, ...] | None = None
    fixes: Corrections = field(default_factory=Corrections)
    #: The parts of the link that were left out, in plain words ("its corrections").
    problems: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """One sentence for the reader when something was left out; "" otherwise."""
        if not self.problems:
            return ""
        what = ", ".join(self.problems)
        return DAMAGED.format(what=what, verb="was" if len(self.problems) == 1 else "were")


def _single(values: Sequence[str]) -> str | None:
    """The one value of a key the app writes once; None when the link repeats it."""
    return values[0] if len(values) == 1 else None


def _layers(value: str, layers: Collection[str]) -> tuple[str, ...] | None:
    names = value.split(",") if value else []
    return tuple(names) if all(name in layers for name in names) else None


def _fixes(values: Sequence[str]) -> Corrections | None:
    if len(values) > MAX_FIXES:
        return None
    try:
        return Corrections.parse(values)
    except CorrectionError:
        return None


def read_view(
    params: Mapping[str, Sequence[str]], *, samples: Collection[str], layers: Collection[str]
) -> View:
    """The view ``params`` (each key's values, as the link has them) describes.

    ``samples`` are the sample ids and ``layers`` the layer names the app knows.
    """
    problems: list[str] = []
    if any(key not in _KNOWN for key in params):
        problems.append("a part the app never writes")
    found: dict[str, str] = {}
    for key in _SINGLE:
        if key in params:
            value = _single(params[key])
            if value is None:
                problems.append(f"its {key!r} (given more than once)")
            else:
                found[key] = value
    sample = found.get("sample")
    if sample is not None and sample not in samples:
        problems.append("its sample article")
        sample = None
    url = found.get("url")
    if url is not None and not (len(url) <= MAX_URL and url.isprintable() and is_url(url)):
        problems.append("its web address")
        url = None
    place = found.get("place")
    if place is not None and not PLACE_KEY.fullmatch(place):
        problems.append("the place in focus")
        place = None
    event = found.get("event")
    if event is not None and not EVENT_POSITION.fullmatch(event):
        problems.append("the event in focus")
        event = None
    chosen_layers = _layers(found["layers"], layers) if "layers" in found else None
    if "layers" in found and chosen_layers is None:
        problems.append("its map layers")
    fixes = _fixes(params.get("fix", ()))
    if fixes is None:
        problems.append("its corrections")
    return View(
        sample=sample,
        url=url,
        place=place,
        event=int(event) if event is not None else None,
        layers=chosen_layers,
        fixes=fixes or Corrections(),
        problems=tuple(problems),
    )
