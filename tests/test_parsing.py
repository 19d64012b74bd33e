"""spaCy reads a guide text so that its tokenizer stays linear (geo.parsing): issue 14,
findings 2 and 3. The parse's text is always exactly the article's."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.mentions import sentences_of
from geo.parsing import MAX_CHUNK, PIECE_CHARS, PUNCTUATION_RUN, guide_text, parse, pieces
from geo.story import Geoparser
from tests.growth import LINEAR_AT_MOST, growth

#: Characters that make the tokenizer work: punctuation, letters, digits, every whitespace.
ADVERSARIAL = st.text(alphabet="!.?,;:-—()[]\"'*_#/\\aZ9é \n\t\u00a0\u2028", max_size=400)


@settings(max_examples=200, deadline=None)
@given(ADVERSARIAL)
@example("Paris" + "!" * 100)
@example("x" * (3 * MAX_CHUNK + 2))
def test_the_guide_keeps_length_and_whitespace(text: str) -> None:
    guide = guide_text(text)

    assert len(guide) == len(text)
    for ours, theirs in zip(text, guide, strict=True):
        if ours.isspace():
            assert theirs == ours  # the text's own whitespace is kept as it is
    assert all(len(chunk) <= MAX_CHUNK for chunk in guide.split())


@pytest.mark.parametrize(
    "text",
    [
        "Officials in Nairobi met on Monday. Talks went on!",
        "What?! Really... -- yes: (Seoul) [Kyiv] 'Rome' \"Oslo\".",
        "x" * (PUNCTUATION_RUN - 1),
    ],
)
def test_ordinary_text_is_tokenized_as_spacy_does(geoparser: Geoparser, text: str) -> None:
    assert guide_text(text) == text
    ours = [t.text for t in parse(geoparser.nlp, text)]
    assert ours == [t.text for t in geoparser.nlp.make_doc(text)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ADVERSARIAL)
@example("In Paris" + "!" * 40 + " and Rome.")
@example("!" * 20 + "  \n" + ".!" * 20)
@example(" " + "!" * 9 + " ")
def test_the_parse_is_of_the_text_itself(geoparser: Geoparser, text: str) -> None:
    doc = parse(geoparser.nlp, text)

    assert doc.text == text
    for token in doc:
        assert text[token.idx : token.idx + len(token)] == token.text


def test_a_place_before_a_run_of_marks_is_still_found(geoparser: Geoparser) -> None:
    doc = parse(geoparser.nlp, "Protesters marched in Paris" + "!" * 500 + " Then in Rome.")

    assert {e.text for e in doc.ents} >= {"Paris", "Rome"}


@pytest.mark.parametrize(
    ("unit", "chars", "before"),
    [
        ("!", 10_000, "10k, 20k and 40k took 7.8, 35 and 133 s"),
        (".!", 10_000, "10k took 15.7 s"),
        ("(a", 10_000, "quadratic"),
        ("a", 25_000, "quadratic"),
    ],
    ids=["exclamation-marks", "dot-bang", "open-paren-a", "one-long-word"],
)
def test_runs_of_punctuation_parse_in_linear_time(
    geoparser: Geoparser, unit: str, chars: int, before: str
) -> None:
    def read(size: int) -> None:
        text = unit * (size // len(unit))
        assert parse(geoparser.nlp, text).text == text

    ratio = growth(read, chars, repeats=2)
    assert ratio < LINEAR_AT_MOST, f"x{ratio:.1f} for 4x the text (before issue 14: {before})"


def test_sentences_of_many_lines_take_linear_time(geoparser: Geoparser) -> None:
    # quadratic before issue 14 (finding 3): 28,000 lines took 78 s
    docs = {lines: parse(geoparser.nlp, "Paris.\n" * lines) for lines in (4_000, 16_000)}

    ratio = growth(lambda lines: sentences_of(docs[lines]), 4_000)
    assert ratio < LINEAR_AT_MOST, f"x{ratio:.1f} for 4x the lines"
    sentences = sentences_of(docs[16_000])
    assert len(sentences) == 16_000
    assert [s.paragraph for s in sentences[:3]] == [0, 1, 2]


@settings(max_examples=200, deadline=None)
@given(ADVERSARIAL, st.integers(2, 50))
def test_pieces_join_into_the_text(text: str, size: int) -> None:
    found = pieces(text, size)

    assert "".join(found) == text
    assert all(0 < len(piece) <= size for piece in found) or found == [""]


def test_a_long_text_is_read_in_pieces_cut_at_paragraphs() -> None:
    paragraph = "Rain fell in Dhaka. " * 40 + "\n\n"
    found = pieces(paragraph * 30)

    assert len(found) > 1
    assert all(piece.endswith("\n\n") for piece in found[:-1])


def test_memory_stays_level_however_long_the_text(geoparser: Geoparser) -> None:
    # finding 4 of issue 14: the model's memory grew with the text it read at once (466 MB
    # for 70,000 characters of short lines); pieces of PIECE_CHARS keep it level
    text = "Paris.\n" * (4 * PIECE_CHARS // 7)
    tracemalloc.start()
    try:
        doc = parse(geoparser.nlp, text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 120 * 2**20, f"{peak / 2**20:.0f} MiB"  # one piece at a time: about 60 MiB
    assert doc.text == text
    assert sum(1 for ent in doc.ents if ent.text == "Paris") > 5_000  # every piece was read
