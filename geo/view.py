"""Small decisions about what the reader sees, kept out of the Streamlit page so they can be
tested alone: what is in focus, which event the story's "Previous" and "Next" go to, which
mentions a correction starts from, and how a message reads on the page."""

from __future__ import annotations

from dataclasses import dataclass

from geo.resolve import Place
from geo.share import EVENT_POSITION


@dataclass(frozen=True, slots=True)
class Focus:
    """What the reader has in focus: a place (its gazetteer key) or an event (its position
    on the timeline), or nothing. The page keeps it as a token, ``place:<key>`` or
    ``event:<n>``, which is parsed here and nowhere else."""

    place: str | None = None
    event: int | None = None

    @classmethod
    def parse(cls, token: str | None) -> Focus:
        """The focus a token names; nothing for an empty or unreadable one."""
        kind, _, value = (token or "").partition(":")
        if kind == "place" and value:
            return cls(place=value)
        if kind == "event" and EVENT_POSITION.fullmatch(value):
            return cls(event=int(value))
        return cls()

    def params(self) -> dict[str, str]:
        """The focus as a link's query parameters (see ``geo.share.read_view``)."""
        if self.place is not None:
            return {"place": self.place}
        if self.event is not None:
            return {"event": str(self.event)}
        return {}


def step(current: int | None, count: int, delta: int) -> int | None:
    """The event ``delta`` steps from ``current`` on a timeline of ``count`` events (in date
    order), kept within the timeline; with nothing in focus, "Next" starts at the first
    event and "Previous" at the last. None for an empty timeline."""
    if count <= 0:
        return None
    if current is None or not 0 <= current < count:
        return 0 if delta > 0 else count - 1
    return min(max(current + delta, 0), count - 1)


def mentions_to_move(place: Place, clicked: int | None) -> list[int]:
    """The mentions (by start offset) a correction of ``place`` starts from: the one the
    reader clicked in the article, else those in the first sentence that names the place.
    Never all of them at once unless they share that sentence: seven "Springfield"s may
    be two places."""
    starts = [m.start for m in place.mentions]
    if clicked in starts:
        return [clicked]
    first = min((m.sentence for m in place.mentions), default=None)
    return [m.start for m in place.mentions if m.sentence == first]


def sentence_case(message: str) -> str:
    """A message as the page shows it, a sentence: its first letter a capital and a full
    stop at its end ("the article is empty: paste …" reads "The article is empty: paste
    ….")."""
    message = message.strip()
    if message[:1].islower():
        message = message[:1].upper() + message[1:]
    return message if not message or message.endswith((".", "!", "?", "…")) else message + "."


def position(current: int | None, count: int) -> str:
    """Where the reader is in the story, e.g. "Event 2 of 4" ("4 events" before a step)."""
    if current is None or not 0 <= current < count:
        return f"{count} event{'s' * (count != 1)}"
    return f"Event {current + 1} of {count}"
