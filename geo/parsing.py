"""Handing an article's text to spaCy in linear time, its offsets kept exactly.

spaCy's tokenizer strips prefixes and suffixes one at a time, searching the rest of the
chunk (the text between two whitespace characters) again after each: a run of punctuation
("!!!…!", ".!.!…") or a very long chunk takes time that grows with the square of its length
(explosion/spaCy#1768; 40,000 "!" took 133 s). So the tokenizer never sees such text:

1. it reads a *guide*, a copy of the text of the same length in which every run of
   :data:`PUNCTUATION_RUN` or more punctuation marks keeps its first mark and becomes
   letters, and every chunk is cut by a space at least every :data:`MAX_CHUNK` characters;
2. the guide's tokens, cut at the same offsets out of the original text, make the
   :class:`~spacy.tokens.Doc` the rest of the pipeline reads. A character the guide turned
   into a space becomes a token of its own.

The document's text is therefore exactly the article's, and every offset into it is one into
the article; only where the text is absurd do the tokens differ from the tokenizer's own.

The model's working memory grows with the text it reads at once, so a long text is read in
pieces of at most :data:`PIECE_CHARS` characters, cut at paragraph breaks, and their parses
joined into one document (``Doc.from_docs``): memory stays level whatever the length.

The model runs only what geoparsing reads (:func:`for_geoparsing`): the entities, the
proper-noun tags that recover untagged places, and sentences from the small sentence
splitter. The dependency parser, the slowest component after the entity recogniser, runs
later and only on the sentences that carry a date (:func:`with_parsed_sentences`), the
only ones whose grammar the events read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler, DependencyParser
    from spacy.tokens import Doc
    from thinc.types import Ints2d

__all__ = [
    "MAX_CHUNK",
    "PIECE_CHARS",
    "POS_FROM_TAGS",
    "PUNCTUATION_RUN",
    "for_geoparsing",
    "guide_text",
    "parse",
    "parse_many",
    "pieces",
    "with_parsed_sentences",
]

#: Punctuation marks in a row from which a run is shortened for the tokenizer; shorter runs
#: ("?!", "...", "---") cost little and keep their usual tokens.
PUNCTUATION_RUN = 8
#: The longest chunk without whitespace the tokenizer reads in one piece.
MAX_CHUNK = 64
#: The most characters the model reads at once. Its working memory grows with what it reads
#: in one go (470 MB for 70,000 characters of short lines), so a long article is read in
#: pieces cut at paragraph breaks (see :func:`pieces`), and the pieces' parses joined.
PIECE_CHARS = 10_000
_CUTS = ("\n\n", "\n", ". ", " ")

_PUNCTUATION = re.compile(rf"[^\w\s]{{{PUNCTUATION_RUN},}}")
_LONG_CHUNK = re.compile(rf"\S{{{MAX_CHUNK + 1},}}")


def _quiet_run(match: re.Match[str]) -> str:
    """A run of marks as its first mark, a space, letters and a space (same length)."""
    run = match.group()
    return run[0] + " " + "x" * (len(run) - 3) + " "


def _cut_chunk(match: re.Match[str]) -> str:
    """A long chunk with every ``MAX_CHUNK + 1``-th character made a space."""
    chunk = match.group()
    step = MAX_CHUNK + 1
    return " ".join(chunk[i : i + MAX_CHUNK] for i in range(0, len(chunk), step)) + (
        " " if len(chunk) % step == 0 else ""
    )


def guide_text(text: str) -> str:
    """The text the tokenizer reads instead of ``text``: the same length, the same whitespace
    where ``text`` has whitespace, and no run or chunk that makes the tokenizer quadratic."""
    guide = _LONG_CHUNK.sub(_cut_chunk, _PUNCTUATION.sub(_quiet_run, text))
    assert len(guide) == len(text)
    return guide


def _words(nlp: Language, text: str) -> Doc:
    """``text`` tokenized where its guide is: a Doc whose text is exactly ``text``."""
    from spacy.tokens import Doc

    guide = guide_text(text)
    if guide == text:
        return nlp.make_doc(text)
    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for token in nlp.make_doc(guide):
        if position < token.idx:  # a character the guide made a space: a token of its own
            words.append(text[position : token.idx])
            spaces.append(False)
        end = token.idx + len(token)
        words.append(text[token.idx : end])
        trailing = bool(token.whitespace_) and text[end] == " "
        spaces.append(trailing)
        position = end + 1 if trailing else end
    if position < len(text):
        words.append(text[position:])
        spaces.append(False)
    return Doc(nlp.vocab, words=words, spaces=spaces)


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into consecutive pieces of at most ``size`` characters (joined again,
    they are ``text``): each cut after a blank line, else a line break, else a sentence's
    full stop, else a space, found in the second half of the piece; else where it must."""
    found: list[str] = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = next(
            (at + len(mark) for mark in _CUTS if (at := window.rfind(mark, size // 2)) != -1),
            size,
        )
        found.append(window[:cut])
        start += cut
    found.append(text[start:])
    return found


def _batches(nlp: Language, docs: Iterable[tuple[int, Doc]]) -> Iterator[Doc]:
    """The model run over ``(length, doc)`` pairs in order, a batch holding at most
    :data:`PIECE_CHARS` characters (or one doc): its working memory grows with the batch."""
    batch: list[Doc] = []
    size = 0
    for length, doc in docs:
        if batch and size + length > PIECE_CHARS:
            yield from nlp.pipe(batch, batch_size=len(batch))
            batch, size = [], 0
        batch.append(doc)
        size += length
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch))


def parse_many(nlp: Language, texts: Iterable[str]) -> Iterator[Doc]:
    """The model's parse of each text (see the module's docstring), in order: in linear time,
    its text exactly the text, read in pieces of at most :data:`PIECE_CHARS` characters."""
    from spacy.tokens import Doc

    cut = [pieces(text) for text in texts]
    parsed = _batches(nlp, ((len(p), _words(nlp, p)) for parts in cut for p in parts))
    for parts in cut:
        docs = [next(parsed) for _ in parts]
        yield docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)


def parse(nlp: Language, text: str) -> Doc:
    """The model's parse of one text (see :func:`parse_many`)."""
    return next(parse_many(nlp, [text]))


#: The component that gives each token the coarse part of speech its tag maps to, in place
#: of the model's attribute ruler (see :func:`for_geoparsing`).
POS_FROM_TAGS = "geo_pos_from_tags"


class _PosFromTags:
    """Sets each token's coarse part of speech (``pos_``) from its fine tag (``tag_``), by the
    tag-only rules of the model's own attribute ruler ("NNP" and "NNPS" are "PROPN", "VBD" is
    "VERB", "MD" is "AUX"...). The ruler's other rules (pronouns, auxiliaries by word or by
    dependency, morphology) are what makes it cost a third of the entity recogniser; nothing
    geoparsing reads depends on them."""

    def __init__(self, pos_of_tag: dict[int, int]) -> None:
        self.pos_of_tag = pos_of_tag

    def __call__(self, doc: Doc) -> Doc:
        import numpy
        from spacy.attrs import POS, TAG

        if len(doc):
            pos = [[self.pos_of_tag.get(tag, 0)] for tag in doc.to_array(TAG).tolist()]
            doc.from_array([POS], cast("Ints2d", numpy.array(pos, dtype="uint64")))
        return doc


def _make_pos_from_tags(nlp: Language, name: str) -> _PosFromTags:
    """The component, its table read from the rules of ``nlp``'s attribute ruler that match on
    a tag alone and set a part of speech."""
    from spacy.parts_of_speech import IDS

    pos_of_tag: dict[int, int] = {}
    ruler = cast("AttributeRuler", nlp.get_pipe("attribute_ruler"))
    for rule in cast("list[dict[str, Any]]", ruler.patterns):
        pos = rule["attrs"].get("POS")
        for pattern in rule["patterns"]:
            if pos and len(pattern) == 1 and set(pattern[0]) == {"TAG"}:
                tag = pattern[0]["TAG"]
                if isinstance(tag, str):
                    pos_of_tag[nlp.vocab.strings.add(tag)] = IDS[pos]
    return _PosFromTags(pos_of_tag)


def for_geoparsing(nlp: Language) -> Language:
    """``nlp`` set to run only what geoparsing reads, in about 70% of the whole model's time
    (``bench/pipeline.py``):

    - the entity recogniser, and the tagger for the proper nouns (``pos_ == "PROPN"``) the
      mention rules read, as before;
    - sentences from the small sentence splitter (``senter``) instead of the dependency
      parser; the parser stays loaded but disabled, for :func:`with_parsed_sentences`;
    - parts of speech from the tags alone (:data:`POS_FROM_TAGS`) instead of the attribute
      ruler, which stays loaded but disabled.

    A model without these components is returned as it is (it runs its own pipeline)."""
    from spacy.language import Language

    names = nlp.component_names
    if "senter" in names and "parser" in nlp.pipe_names:
        nlp.disable_pipe("parser")
        nlp.enable_pipe("senter")
    if "tagger" in nlp.pipe_names and "attribute_ruler" in nlp.pipe_names:
        if not Language.has_factory(POS_FROM_TAGS):
            Language.factory(POS_FROM_TAGS, func=_make_pos_from_tags)
        nlp.add_pipe(POS_FROM_TAGS, after="tagger")
        nlp.disable_pipe("attribute_ruler")
    return nlp


def with_parsed_sentences(nlp: Language, doc: Doc, sentences: Iterable[tuple[int, int]]) -> Doc:
    """A copy of ``doc`` in which the tokens that start inside the given sentences (character
    ranges ``(start, end)``) carry the dependency parse (``head``, ``dep_``, ``children``),
    each sentence parsed on its own; the other tokens have none. The parser reads the
    features the tagger's share of the model left on ``doc`` (``doc.tensor``), so a sentence
    costs only the parser's own steps. ``doc`` itself when it is parsed already (a model
    that runs its parser) or when nothing is asked."""
    import numpy
    from spacy.attrs import DEP, HEAD, IDX

    wanted = list(sentences)
    if not wanted or doc.has_annotation("DEP") or "parser" not in nlp.component_names:
        return doc
    starts = doc.to_array(IDX)  # each token's first character: sorted
    ranges = [
        (first, last)
        for first, last in numpy.searchsorted(starts, wanted, side="left").tolist()
        if first < last
    ]
    parser = cast("DependencyParser", nlp.get_pipe("parser"))
    arcs = numpy.zeros((len(doc), 2), dtype="uint64")  # no head, no label: "not parsed"
    for (first, last), sentence in zip(
        ranges, parser.pipe(doc[first:last].as_doc() for first, last in ranges), strict=True
    ):
        arcs[first:last] = sentence.to_array([HEAD, DEP])
    parsed = doc.copy()
    parsed.from_array([HEAD, DEP], cast("Ints2d", arcs))
    return parsed
