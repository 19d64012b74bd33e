"""A reader's corrections: moving a mention, dropping a place, adding one the pipeline missed."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from geo.corrections import CORRECTED, CorrectionError, Corrections, occurrences
from geo.export import mentions_csv, story_geojson, timeline
from geo.story import Geoparser, Story

MOSCOW_IDAHO = "gn:5601538"
KAESONG = "gn:1876373"


def starts(story: Story, name: str) -> list[int]:
    place = next(p for p in story.places if p.name == name)
    return [m.start for m in place.mentions]


def test_tokens_round_trip() -> None:
    fixes = Corrections().move([932], MOSCOW_IDAHO).drop([357]).add([(10, 17)], KAESONG)
    assert fixes.tokens() == [f"m932={MOSCOW_IDAHO}", "d357", f"a10-17={KAESONG}"]
    assert Corrections.parse(fixes.tokens()) == fixes
    assert len(fixes) == 3 and fixes and not Corrections()


@given(
    st.lists(st.integers(0, 10**6), max_size=5),
    st.lists(st.integers(0, 10**6), max_size=5),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 50)), max_size=5),
    st.sampled_from(["gn:1", "adm1:KR-11", "place:korean-dmz", "nominatim:relation/42"]),
)
@example([1], [1], [(1, 3)], "gn:1")  # the same mention moved, dropped and added: the last wins
def test_parse_reads_back_what_tokens_write(
    moves: list[int], drops: list[int], adds: list[tuple[int, int]], key: str
) -> None:
    fixes = Corrections().move(moves, key).drop(drops).add([(s, s + n) for s, n in adds], key)
    assert Corrections.parse(fixes.tokens()) == fixes


def test_later_corrections_win() -> None:
    fixes = Corrections().drop([5]).move([5], "gn:1")  # dropped, then moved after all
    assert fixes.dropped == (5,) and fixes.moved == ((5, "gn:1"),)
    undone = Corrections().add([(3, 9)], "gn:1").drop([3])  # adding, then taking it back
    assert not undone
    repointed = Corrections().add([(3, 9)], "gn:1").move([3], "gn:2")
    assert repointed.added == ((3, 9, "gn:2"),) and not repointed.moved


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x12",
        "m12",
        "m=gn:1",
        "d",
        "a5-5=gn:1",
        "a9-3=gn:1",
        "m12=gn:1 extra",
        "<script>",
        # finding 6 of issue 14: what once raised something other than CorrectionError
        "d²",  # a digit to str.isdigit, not to int
        "m" + "5" * 5000 + "=gn:1",  # beyond int's 4,300-digit limit
        "m12=gn:" + "1" * 5000,
        "m12=![p](https://attacker.example/p.png)",  # a key is never Markdown
    ],
    ids=lambda token: token[:20],
)
def test_unreadable_corrections_are_refused_with_the_token(token: str) -> None:
    with pytest.raises(CorrectionError, match="correction"):
        Corrections.parse([token])


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Paris and Paris, Texas", "Paris", [(0, 5), (10, 15)]),
        ("Parisian Paris", "Paris", [(9, 14)]),  # whole words only
        ("New York, not York", "York", [(4, 8), (14, 18)]),
        ("the DMZ.", "DMZ", [(4, 7)]),
        ("Seoul", "  ", []),
        ("a (b) c", "(b)", [(2, 5)]),  # names are not regular expressions
    ],
)
def test_occurrences(text: str, name: str, expected: list[tuple[int, int]]) -> None:
    assert occurrences(text, name) == expected


def test_moving_every_mention_makes_a_new_certain_place(
    geoparser: Geoparser, seed_story: Story
) -> None:
    fixed = geoparser.corrected(
        seed_story, Corrections().move(starts(seed_story, "Moscow"), MOSCOW_IDAHO)
    )
    moscow = next(p for p in fixed.places if p.name == "Moscow")
    assert moscow.key == MOSCOW_IDAHO and moscow.candidate.country_code == "US"
    assert moscow.confidence == 1.0 and moscow.reasons == (CORRECTED,)
    assert "gn:524901" in {a.candidate.key for a in moscow.alternatives}  # the old choice
    assert [m.start for m in moscow.mentions] == starts(seed_story, "Moscow")
    assert len(fixed.places) == len(seed_story.places)
    assert "gn:524901" not in {p.key for p in fixed.places}
    # every export reads the corrected story
    keys = {f["properties"].get("key") for f in story_geojson(fixed)["features"]}
    assert MOSCOW_IDAHO in keys and "gn:524901" not in keys
    assert str(MOSCOW_IDAHO.removeprefix("gn:")) in mentions_csv(fixed)


def test_moving_one_mention_splits_a_place(geoparser: Geoparser, seed_story: Story) -> None:
    first, second = starts(seed_story, "Moscow")
    fixed = geoparser.corrected(seed_story, Corrections().move([second], MOSCOW_IDAHO))
    by_key = {p.key: p for p in fixed.places}
    assert [m.start for m in by_key["gn:524901"].mentions] == [first]
    assert "1 mention taken away by the reader" in by_key["gn:524901"].reasons
    assert [m.start for m in by_key[MOSCOW_IDAHO].mentions] == [second]


def test_moving_a_mention_to_a_place_already_named_merges_them(
    geoparser: Geoparser, seed_story: Story
) -> None:
    """ "Seoul" read as the country: South Korea gains a mention, Seoul is gone."""
    seoul = starts(seed_story, "Seoul")
    fixed = geoparser.corrected(seed_story, Corrections().move(seoul, "gn:1835841"))
    south = next(p for p in fixed.places if p.key == "gn:1835841")
    assert set(seoul) <= {m.start for m in south.mentions}
    assert "1 mention corrected by the reader" in south.reasons
    assert "Seoul" not in {p.name for p in fixed.places}


def test_dropping_a_place_and_its_event_follows(geoparser: Geoparser, seed_story: Story) -> None:
    fixed = geoparser.corrected(seed_story, Corrections().drop(starts(seed_story, "Pyongyang")))
    assert "Pyongyang" not in {p.name for p in fixed.places}
    pact = next(e for e in timeline(fixed) if e.date == "2024-06-19")
    assert pact.where.name != "Pyongyang"  # the event moved to what its sentence still names
    assert len(timeline(fixed)) == len(timeline(seed_story))


def test_an_event_follows_its_moved_place(geoparser: Geoparser, seed_story: Story) -> None:
    fixed = geoparser.corrected(
        seed_story, Corrections().move(starts(seed_story, "Pyongyang"), "adm1:KP-01")
    )
    pact = next(e for e in timeline(fixed) if e.date == "2024-06-19")
    assert pact.where.key == "adm1:KP-01"


def test_adding_a_missed_place(geoparser: Geoparser) -> None:
    story = geoparser.analyse("Families met at the Kumgang resort and in Seoul on Monday.")
    spans = occurrences(story.article.text, "Kumgang")
    assert spans and all(m.text != "Kumgang" for m in story.mentions)
    fixed = geoparser.corrected(story, Corrections().add(spans, KAESONG))
    added = next(p for p in fixed.places if p.key == KAESONG)
    assert [(m.start, m.end, m.text) for m in added.mentions] == [(20, 27, "Kumgang")]
    assert added.confidence == 1.0 and added.reasons == (CORRECTED,)
    assert [p.name for p in fixed.places] == [added.name, "Seoul"]  # in text order


def test_an_added_span_replaces_the_mentions_it_overlaps(geoparser: Geoparser) -> None:
    story = geoparser.analyse("Protesters gathered in Paris on Sunday.")
    paris = story.mentions[0]
    fixed = geoparser.corrected(story, Corrections().add([(paris.start, paris.end)], "gn:4717560"))
    assert [(p.key, [m.text for m in p.mentions]) for p in fixed.places] == [
        ("gn:4717560", ["Paris"])
    ]


def test_no_corrections_is_the_same_story(geoparser: Geoparser, seed_story: Story) -> None:
    assert geoparser.corrected(seed_story, Corrections()) is seed_story


@pytest.mark.parametrize(
    ("fixes", "message"),
    [
        (Corrections().move([3], "gn:524901"), "no place mention starts at character 3"),
        (Corrections().drop([3]), "no place mention starts at character 3"),
        (Corrections().move([932], "gn:0"), "no place has the key 'gn:0'"),
        (Corrections().add([(10**7, 10**7 + 4)], "gn:524901"), "not in the article"),
    ],
)
def test_corrections_that_do_not_fit_say_why(
    geoparser: Geoparser, seed_story: Story, fixes: Corrections, message: str
) -> None:
    with pytest.raises(CorrectionError, match=message):
        geoparser.corrected(seed_story, fixes)
