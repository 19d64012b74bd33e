"""The whole journey of an article: text → sentences and mentions → places → events.

:class:`Geoparser` holds the two expensive things (the spaCy model and the gazetteer) and
turns articles into :class:`Story` values; everything after it (map, GeoJSON, the app's
table) reads a story and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from geopy.location import Location

from .articles import Article, article_from_text
from .corrections import Corrections, apply, keys_of
from .events import Event, dated_sentences, find_events
from .gazetteer import Gazetteer, normalize
from .mentions import Mention, Sentence, find_mentions, load_model, sentence_at, sentences_of
from .online import Fallback, candidate_from_location
from .parsing import parse, parse_many, with_parsed_sentences
from .resolve import Place, Resolver, Scored

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["Geoparser", "SpanResult", "Story"]


@dataclass(frozen=True, slots=True)
class Story:
    """An article with the places and events found in it."""

    article: Article
    sentences: tuple[Sentence, ...]
    places: tuple[Place, ...]
    events: tuple[Event, ...]

    @property
    def mentions(self) -> list[Mention]:
        """Every place mention, in text order."""
        return sorted((m for p in self.places for m in p.mentions), key=lambda m: m.start)

    def place_of(self) -> dict[Mention, Place]:
        """Each mention, mapped to the place it resolved to."""
        return {m: p for p in self.places for m in p.mentions}

    def sentences_of(self, place: Place) -> list[Sentence]:
        """The sentences that mention ``place``, in order, each once."""
        indexes = sorted({m.sentence for m in place.mentions})
        return [self.sentences[i] for i in indexes]

    def place(self, key: str) -> Place | None:
        return next((p for p in self.places if p.key == key), None)


@dataclass(frozen=True, slots=True)
class SpanResult:
    """The resolution of one given span (``--spans-given``): None when nothing fits."""

    start: int
    end: int
    text: str
    best: Scored | None
    #: The span is an adjective ("French") resolved through the demonym table.
    demonym: bool = False
    #: Every candidate the span's name has, best first (empty for an adjective or a fallback).
    ranked: tuple[Scored, ...] = ()


class Geoparser:
    """Finds and resolves the places of articles; safe to share once built."""

    def __init__(
        self,
        nlp: Language | None = None,
        gazetteer: Gazetteer | None = None,
        fallback: Fallback | None = None,
        *,
        guess: bool | None = None,
    ) -> None:
        self.nlp = nlp if nlp is not None else load_model()
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.open()
        self.resolver = Resolver(self.gazetteer)
        #: An online geocoder asked for the names the gazetteer has no candidate for. It keeps
        #: the warnings of the articles it served: give each session its own (it is cheap).
        self.fallback = fallback
        #: Whether a name the gazetteer lacks may be placed in the article's main town when
        #: only its wording says it is a place ("in Portroe", "Morris County"): by default only
        #: without an online geocoder, which looks such names up instead.
        self.guess = fallback is None if guess is None else guess

    def with_fallback(self, fallback: Fallback | None) -> Geoparser:
        """A geoparser with this one's model and gazetteer and another online fallback (``None``:
        offline only); cheap, so that each article can have its own."""
        return Geoparser(self.nlp, self.gazetteer, fallback)

    def analyse(self, article: Article | str) -> Story:
        """The story of one article (a plain string is taken as pasted text)."""
        if isinstance(article, str):
            article = article_from_text(article)
        return self.story_of(article, parse(self.nlp, article.text))

    def analyse_many(self, articles: Iterable[Article]) -> Iterator[Story]:
        """Stories for many articles, parsed in batches (see :func:`geo.parsing.parse_many`),
        in order."""
        pending = list(articles) if not isinstance(articles, list) else articles
        docs = parse_many(self.nlp, (a.text for a in pending))
        for article, doc in zip(pending, docs, strict=True):
            yield self.story_of(article, doc)

    def story_of(self, article: Article, doc: Doc) -> Story:
        """The story of ``article``, given the model's parse of its text."""
        sentences = sentences_of(doc)
        mentions = find_mentions(doc, sentences, self.gazetteer)
        places = self.resolver.resolve(mentions, guess=self.guess, text=article.text)
        places = self._with_online(mentions, places)
        events = self._events(doc, sentences, places, article.year)
        return Story(article, tuple(sentences), tuple(places), tuple(events))

    def _events(
        self, doc: Doc, sentences: Sequence[Sentence], places: Sequence[Place], year: int | None
    ) -> list[Event]:
        """The article's events, its dated sentences parsed for them (the model reads the
        rest of the article without its dependency parser: :mod:`geo.parsing`)."""
        dated = [(s.start, s.end) for s in dated_sentences(doc, sentences)]
        parsed = with_parsed_sentences(self.nlp, doc, dated)
        return find_events(parsed, sentences, places, self.gazetteer, year)

    def corrected(self, story: Story, corrections: Corrections) -> Story:
        """``story`` after the reader's corrections: its places rebuilt, its events found again
        (an event follows the place its sentence now names). Raises
        :class:`~geo.corrections.CorrectionError` when a correction does not fit the story."""
        if not corrections:
            return story
        found = {key: self.gazetteer.get(key) for key in keys_of(corrections)}
        candidates = {key: c for key, c in found.items() if c is not None}
        text = story.article.text
        places = apply(text, story.sentences, story.places, corrections, candidates)
        events = self._events(parse(self.nlp, text), story.sentences, places, story.article.year)
        return replace(story, places=tuple(places), events=tuple(events))

    def _with_online(self, mentions: Sequence[Mention], places: list[Place]) -> list[Place]:
        """``places`` and, with an online fallback, a place for each name the gazetteer had no
        candidate for (in order of first mention); the offline places are kept as they are."""
        if self.fallback is None:
            return places
        self.fallback.new_article()
        resolved = {m for p in places for m in p.mentions}
        unresolved: dict[str, list[Mention]] = {}
        for mention in mentions:
            if mention not in resolved and mention.place is None:
                unresolved.setdefault(normalize(mention.name), []).append(mention)
        found: dict[str, Place] = {}
        for group in unresolved.values():
            location = self.fallback.geocode(group[0].name)
            if not isinstance(location, Location):
                continue
            try:
                candidate = candidate_from_location(location, self.fallback.service)
            except ValueError:  # an answer we cannot place (coordinates out of range)
                continue
            if candidate.key in found:  # two names for one place ("Shaanxi", "Shaanxi Province")
                first = found[candidate.key]
                merged = tuple(sorted(first.mentions + tuple(group), key=lambda m: m.start))
                found[candidate.key] = replace(first, mentions=merged)
                continue
            reasons = ("not in the offline gazetteer", f"found by {self.fallback.label}")
            found[candidate.key] = Place(candidate, tuple(group), 0.5, reasons)
        if not found:
            return places
        return sorted([*places, *found.values()], key=lambda p: min(m.start for m in p.mentions))

    def resolve_spans(
        self, text: str, spans: Sequence[tuple[int, int]], doc: Doc | None = None
    ) -> list[SpanResult]:
        """Resolve exactly the given character spans, in the context of the whole text.

        The article's own mentions give the context (which countries it names); each span is
        then ranked as a place name. Adjectives ("French") resolve to their country.
        """
        doc = doc if doc is not None else parse(self.nlp, text)
        sentences = sentences_of(doc)
        found = find_mentions(doc, sentences, self.gazetteer)
        given: list[Mention] = []
        for start, end in spans:
            surface = text[start:end]
            if not surface.strip():
                continue
            # "Canadian", "English": an adjective means its place, even where a town shares it
            place = self.gazetteer.demonym(surface)
            given.append(
                Mention(
                    start,
                    end,
                    surface,
                    place.name if place else surface,
                    _label_at(doc, start, end),
                    sentence_at(sentences, start).index,
                    place,
                    found="given",
                )
            )
        # the given spans say where the article is as much as the found ones: both place it,
        # each span once
        spans_taken = {(m.start, m.end) for m in given}
        mentions = [*given, *(m for m in found if (m.start, m.end) not in spans_taken)]
        context = self.resolver.context_of(mentions, text)
        places = self.resolver.resolve(mentions, text=text)
        results = []
        for start, end in spans:
            surface = text[start:end]
            mention = next((m for m in given if m.start == start and m.end == end), None)
            best: Scored | None = None
            ranked: list[Scored] = []
            if mention is not None and mention.place is not None:
                place = self.resolver.adjective_place(mention.place, mention.text, context)
                best = Scored(place, 0.0, ("named by its adjective",))
            elif mention is not None:
                ranked = self.resolver.rank(mention.name, (mention.label,), context, (start, end))
                best = ranked[0] if ranked else None
                if best is None:  # a street, a school, "Orange County": see Resolver.fallback
                    best = self.resolver.fallback(
                        surface, (mention.label,), context, places, ends=[end]
                    )
            demonym = mention is not None and mention.demonym
            results.append(SpanResult(start, end, surface, best, demonym, tuple(ranked)))
        return results


def _label_at(doc: Doc, start: int, end: int) -> str:
    """The entity label spaCy gave the span, GPE when it gave none."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is not None:
        for token in span:
            if token.ent_type_:
                return str(token.ent_type_)
    return "GPE"
