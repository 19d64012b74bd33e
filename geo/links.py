"""Links between places: two places named in the same sentence are linked, and the more
sentences name them together, the stronger the link. Each link keeps those sentences, so a
reader can see why two pins are joined ("Russia and North Korea … mutual defense pact")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from .mentions import Sentence
from .resolve import Place
from .story import Story

__all__ = ["Link", "links_of"]

#: Kinds too vague to draw a line to: a continent or an ocean is not a party to anything.
UNLINKED_KINDS = frozenset({"continent", "sea"})


@dataclass(frozen=True, slots=True)
class Link:
    """Two places named together, with the sentences that name both."""

    first: Place
    second: Place
    sentences: tuple[Sentence, ...]

    def __post_init__(self) -> None:
        if self.first.key == self.second.key:
            raise ValueError(f"a place cannot be linked to itself: {self.first.name!r}")
        if not self.sentences:
            raise ValueError(f"link {self.first.name!r}–{self.second.name!r} has no sentence")

    @property
    def weight(self) -> int:
        """How many sentences name both places."""
        return len(self.sentences)

    @property
    def names(self) -> tuple[str, str]:
        return self.first.name, self.second.name


def links_of(story: Story) -> list[Link]:
    """Every pair of places named in a same sentence, strongest first (then in text order)."""
    by_sentence: dict[int, list[Place]] = defaultdict(list)
    for place in story.places:
        if place.kind in UNLINKED_KINDS:
            continue
        for index in sorted({m.sentence for m in place.mentions}):
            by_sentence[index].append(place)
    shared: dict[tuple[str, str], list[int]] = defaultdict(list)
    places = {p.key: p for p in story.places}
    first_named = {p.key: min(m.start for m in p.mentions) for p in story.places}  # once each:
    # per sentence, it made links quadratic in the mentions (a list of 26,000 took 12 s)
    for index, named in sorted(by_sentence.items()):
        ordered = sorted(named, key=lambda p: first_named[p.key])
        for first, second in combinations(ordered, 2):
            shared[(first.key, second.key)].append(index)
    links = [
        Link(places[a], places[b], tuple(story.sentences[i] for i in indexes))
        for (a, b), indexes in shared.items()
    ]
    return sorted(links, key=lambda link: (-link.weight, link.sentences[0].index))
