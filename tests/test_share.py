"""Reading a shared link's view strictly (geo.share.read_view): issue 14, finding 6."""

from __future__ import annotations

import pytest

from geo.corrections import Corrections
from geo.share import MAX_FIXES, View, read_view

SAMPLES = ("russia-north-korea-pact",)
LAYERS = ("places", "events", "links", "countries")


def view(**params: str | list[str]) -> View:
    return read_view(
        {k: v if isinstance(v, list) else [v] for k, v in params.items()},
        samples=SAMPLES,
        layers=LAYERS,
    )


def test_a_link_the_app_wrote_is_read_back_whole() -> None:
    found = view(
        sample="russia-north-korea-pact",
        place="gn:5601538",
        layers="places,events",
        fix=["m932=gn:5601538", "d357", "a10-17=adm1:KR-11"],
    )

    assert found == View(
        sample="russia-north-korea-pact",
        place="gn:5601538",
        layers=("places", "events"),
        fixes=Corrections.parse(["m932=gn:5601538", "d357", "a10-17=adm1:KR-11"]),
    )
    assert found.note == ""


def test_a_web_page_and_an_event() -> None:
    found = view(url="https://news.example/a?b=1", event="3", layers="")

    assert (found.url, found.event, found.layers, found.problems) == (
        "https://news.example/a?b=1",
        3,
        (),
        (),
    )


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"event": "²"}, "the event in focus"),  # str.isdigit says yes, int says no
        ({"event": "٣"}, "the event in focus"),  # an Arabic-Indic digit
        ({"event": "9" * 5000}, "the event in focus"),  # beyond int's 4,300 digits
        ({"event": "-1"}, "the event in focus"),
        ({"fix": ["m" + "5" * 5000 + "=gn:1"]}, "its corrections"),
        ({"fix": ["m1=gn:" + "1" * 5000]}, "its corrections"),
        ({"fix": ["![p](https://attacker.example/p.png)"]}, "its corrections"),
        ({"fix": ["d1"] * (MAX_FIXES + 1)}, "its corrections"),
        ({"place": "[Sign in](https://attacker.example/login)"}, "the place in focus"),
        ({"place": "gn:²"}, "the place in focus"),
        ({"sample": "no-such-sample"}, "its sample article"),
        ({"url": "javascript:alert(1)"}, "its web address"),
        ({"url": "https://x.example/" + "a" * 3000}, "its web address"),
        ({"url": "https://x.example/\u202eexe"}, "its web address"),  # not printable
        ({"layers": "places,evil"}, "its map layers"),
        ({"evil": "1"}, "a part the app never writes"),
        ({"event": ["1", "2"]}, "its 'event' (given more than once)"),
    ],
    ids=lambda value: str(value)[:24],
)
def test_a_damaged_part_is_left_out_and_named(
    params: dict[str, str | list[str]], problem: str
) -> None:
    found = view(**{"sample": "russia-north-korea-pact", **params})

    assert found.problems == (problem,)
    assert found.note == f"This link is damaged: {problem} could not be read and was left out."
    assert "attacker" not in found.note  # the link's own text is never echoed
    assert found.sample == ("russia-north-korea-pact" if "sample" not in params else None)


def test_several_damaged_parts_are_named_together() -> None:
    found = view(event="²", place="<b>")

    assert found.note == (
        "This link is damaged: the place in focus, the event in focus could not be read and "
        "were left out."
    )
    assert found.event is None and found.place is None
