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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["MAX_CHUNK", "PUNCTUATION_RUN", "guide_text", "parse", "parse_many"]

#: Punctuation marks in a row from which a run is shortened for the tokenizer; shorter runs
#: ("?!", "...", "---") cost little and keep their usual tokens.
PUNCTUATION_RUN = 8
#: The longest chunk without whitespace the tokenizer reads in one piece.
MAX_CHUNK = 64

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


def parse(nlp: Language, text: str) -> Doc:
    """The model's parse of ``text`` (see the module's docstring), in linear time."""
    return nlp(_words(nlp, text))


def parse_many(nlp: Language, texts: Iterable[str], batch_size: int = 16) -> Iterator[Doc]:
    """:func:`parse` for many texts, in batches (``nlp.pipe``), in order."""
    yield from nlp.pipe((_words(nlp, text) for text in texts), batch_size=batch_size)
