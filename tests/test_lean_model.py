"""The model runs only what geoparsing reads (geo.parsing.for_geoparsing, issue 16 item 4):
no dependency parser and no attribute ruler over the whole text, the parser only on the
sentences that carry a date. The story must be the one the whole model gives."""

from __future__ import annotations

from typing import Any

import pytest
import spacy

from geo import Geoparser, Story, article_from_path
from geo.events import dated_sentences
from geo.mentions import sentences_of
from geo.parsing import parse, with_parsed_sentences

from .conftest import SEED


@pytest.fixture(scope="module")
def whole_model(geoparser: Geoparser) -> Any:
    """The same spaCy model with every default component, as ``spacy.load`` gives it."""
    return spacy.load("{lang}_{name}".format(**geoparser.nlp.meta))


def test_the_whole_text_is_read_without_parser_or_attribute_ruler(geoparser: Geoparser) -> None:
    assert "parser" not in geoparser.nlp.pipe_names
    assert "attribute_ruler" not in geoparser.nlp.pipe_names
    doc = geoparser.nlp("Officials met in Seoul. Talks went on in Busan.")
    assert not doc.has_annotation("DEP")
    assert [s.text for s in doc.sents] == ["Officials met in Seoul.", "Talks went on in Busan."]


def test_parts_of_speech_are_the_attribute_rulers_where_geoparsing_reads_them(
    geoparser: Geoparser, whole_model: Any
) -> None:
    # the mention rules read proper nouns, the events verbs and auxiliaries
    text = SEED.read_text(encoding="utf-8")
    ours, theirs = geoparser.nlp(text), whole_model(text)

    for kinds in ({"PROPN"}, {"VERB", "AUX"}):
        assert [t.i for t in ours if t.pos_ in kinds] == [t.i for t in theirs if t.pos_ in kinds]


def test_the_sample_story_is_the_whole_models(
    geoparser: Geoparser, whole_model: Any, seed_story: Story
) -> None:
    whole = Geoparser(nlp=whole_model, gazetteer=geoparser.gazetteer)
    theirs = whole.analyse(article_from_path(SEED))

    assert [(m.start, m.end, m.name) for m in seed_story.mentions] == [
        (m.start, m.end, m.name) for m in theirs.mentions
    ]
    assert [p.key for p in seed_story.places] == [p.key for p in theirs.places]
    assert [(e.date, e.where.key, e.name, e.reason) for e in seed_story.events] == [
        (e.date, e.where.key, e.name, e.reason) for e in theirs.events
    ]


@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("Troops crossed on June 20. Talks went on for weeks. In 2022 the war began.", [0, 2]),
        ("It rained last week. Nobody knows when.", []),  # no date parse_date reads
        ("On May 1 and May 2 they marched.", [0]),  # a sentence once, however many dates
    ],
)
def test_dated_sentences(geoparser: Geoparser, text: str, dated: list[int]) -> None:
    doc = parse(geoparser.nlp, text)

    assert [s.index for s in dated_sentences(doc, sentences_of(doc))] == dated


def test_only_the_sentences_asked_for_are_parsed(geoparser: Geoparser) -> None:
    text = "Officials met in Seoul. Troops crossed the border on June 20. Talks went on."
    doc = parse(geoparser.nlp, text)
    first, second, third = sentences_of(doc)

    parsed = with_parsed_sentences(geoparser.nlp, doc, [(second.start, second.end)])

    assert not doc.has_annotation("DEP")  # the article's own parse is left as it was
    inside = [t for t in parsed if second.start <= t.idx < second.end]
    assert [t.dep_ for t in inside if t.dep_ == "ROOT"] == ["ROOT"]
    assert all(second.start <= t.head.idx < second.end for t in inside)
    assert next(t for t in inside if t.text == "crossed").dep_ == "ROOT"
    assert all(t.dep_ == "" for t in parsed if t.idx < first.end or t.idx >= third.start)


def test_a_parsed_doc_or_no_sentence_asked_leaves_the_doc_as_it_is(
    geoparser: Geoparser, whole_model: Any
) -> None:
    parsed = whole_model("Troops crossed the border on June 20.")
    plain = geoparser.nlp("Troops crossed the border on June 20.")

    assert with_parsed_sentences(geoparser.nlp, parsed, [(0, 10)]) is parsed
    assert with_parsed_sentences(geoparser.nlp, plain, []) is plain
