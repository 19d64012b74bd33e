"""Article text made safe for HTML and for folium's JavaScript template literals
(geo.markup.escape), and mentions highlighted in it (geo.markup.highlight)."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from geo.markup import WORD_JOINER, escape, escape_markdown, highlight, segments

PROPERTY = settings(max_examples=100, deadline=None)

# Characters that must never reach HTML raw: tags and attributes (< > " '), and inside a
# template literal the end of the string (`), interpolation ($) and escapes (\).
SPECIALS = "<>`$\\\"'{}"
# After escaping, "&" only starts one of the entities escape writes.
ENTITIES = re.compile(r"(?:[^&]|&(?:amp|lt|gt|quot|#x27|#96|#36|#92|#123|#125);)*", re.DOTALL)
MARK = re.compile(r"</?mark[^>]*>")

HOSTILE = {
    "script-tag": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",  # runs code without a <script>
    "javascript-url": "javascript:alert(1)",  # harmless as text; we never write text into href
    "interpolation": "${alert(1)}",  # runs inside folium's popup template literal
    "backticks": "`${document.cookie}` and ``",  # a backtick ends the template literal
    "backslash": "C:\\users\\x",  # \u starts a bad escape: a SyntaxError kills the whole map
    "end-script": "</script><script>alert(1)//",  # ends folium's inline <script> block
    "entity": "&amp; &lt;b&gt; &#96;",  # already-escaped text must show as written
    "quotes": "\"double\" 'single' onmouseover='alert(1)'",  # breaking out of an attribute
    "rtl-override": "\u202eevil.exe",  # not HTML-special: kept, shown as written
    "zero-width-joiner": "family 👨\u200d👩\u200d👧",  # joined emoji must stay joined
    "long-word": "x" * 10_000,  # no quadratic blow-up, nothing truncated
    "empty": "",
    "controls": "\x00\n\t\r",  # passed through: escaping is not normalising
    "astral": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀",
}


def assert_safe(out: str) -> None:
    assert not any(ch in out for ch in SPECIALS), out[:200]
    assert ENTITIES.fullmatch(out), out[:200]


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_escape_is_safe_and_round_trips(text: str) -> None:
    out = escape(text)
    assert_safe(out)
    assert html.unescape(out) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<b>${x}</b> `a\\b`",
            "&lt;b&gt;&#36;&#123;x&#125;&lt;/b&gt; &#96;a&#92;b&#96;",
        ),  # the docstring
        ('Tom & Jerry\'s "show"', "Tom &amp; Jerry&#x27;s &quot;show&quot;"),
        ("&#96;", "&amp;#96;"),  # an entity in the text is text: not decoded by the browser
        ("Zürich — “Kyiv”", "Zürich — “Kyiv”"),  # nothing else changes
    ],
    ids=["docstring", "html-specials", "entity-text", "unicode"],
)
def test_escape_exact(text: str, expected: str) -> None:
    assert escape(text) == expected


@PROPERTY
@given(st.text())
@example("`${x}`\\")
@example("&#36;")
def test_escape_property(text: str) -> None:
    out = escape(text)
    assert_safe(out)
    assert html.unescape(out) == text


# --- highlight ------------------------------------------------------------------------------

KYIV = "Troops reached Kyiv & <Lviv> today"  # Kyiv: 15..19, <Lviv>: 22..28


@pytest.mark.parametrize(
    ("spans", "kwargs", "expected"),
    [
        (
            [(15, 19, "mention")],
            {},
            'Troops reached <mark class="mention">Kyiv</mark> &amp; &lt;Lviv&gt; today',
        ),
        (  # the marked text is escaped too
            [(15, 19, "a"), (22, 28, "b")],
            {},
            'Troops reached <mark class="a">Kyiv</mark> &amp; <mark class="b">&lt;Lviv&gt;</mark>'
            " today",
        ),
        (  # given in any order
            [(22, 28, "b"), (15, 19, "a")],
            {},
            'Troops reached <mark class="a">Kyiv</mark> &amp; <mark class="b">&lt;Lviv&gt;</mark>'
            " today",
        ),
        (  # overlapping: the later one is skipped
            [(15, 19, "a"), (17, 24, "b")],
            {},
            'Troops reached <mark class="a">Kyiv</mark> &amp; &lt;Lviv&gt; today',
        ),
        (  # same start: the shorter one sorts first, the longer one overlaps it
            [(7, 19, "long"), (7, 14, "short")],
            {},
            'Troops <mark class="short">reached</mark> Kyiv &amp; &lt;Lviv&gt; today',
        ),
        (  # adjacent spans are not overlapping
            [(0, 6, "a"), (6, 7, "b")],
            {},
            '<mark class="a">Troops</mark><mark class="b"> </mark>reached Kyiv &amp; &lt;Lviv&gt;'
            " today",
        ),
        (  # a sentence cut from an article at offset 100: spans are article offsets
            [(115, 119, "mention")],
            {"offset": 100},
            'Troops reached <mark class="mention">Kyiv</mark> &amp; &lt;Lviv&gt; today',
        ),
        (  # outside the sentence (before it, past it), empty and reversed spans are ignored
            [(-3, 2, "a"), (30, 99, "b"), (5, 5, "c"), (19, 15, "d"), (95, 110, "e")],
            {"offset": 100},
            "Troops reached Kyiv &amp; &lt;Lviv&gt; today",
        ),
        (  # the class is escaped: a hostile class cannot add an attribute
            [(15, 19, '" onmouseover="alert(1)')],
            {},
            'Troops reached <mark class="&quot; onmouseover=&quot;alert(1)">Kyiv</mark>'
            " &amp; &lt;Lviv&gt; today",
        ),
        (
            [(15, 19, "m")],
            {"tag": "span"},
            'Troops reached <span class="m">Kyiv</span> &amp; &lt;Lviv&gt; today',
        ),
        ([], {}, "Troops reached Kyiv &amp; &lt;Lviv&gt; today"),
    ],
    ids=[
        "one",
        "two-escaped",
        "unsorted",
        "overlap",
        "same-start",
        "adjacent",
        "offset",
        "out-of-range",
        "class-escaped",
        "other-tag",
        "none",
    ],
)
def test_highlight(
    spans: list[tuple[int, int, str]], kwargs: dict[str, Any], expected: str
) -> None:
    out = highlight(KYIV, spans, **kwargs)
    assert out == expected
    assert html.unescape(re.sub(r"</?(?:mark|span)[^>]*>", "", out)) == KYIV


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_highlight_hostile_text(text: str) -> None:
    out = highlight(text, [(0, min(len(text), 5), "mention")])
    assert_safe(MARK.sub("", out))
    assert html.unescape(MARK.sub("", out)) == text


SPANS = st.lists(st.tuples(st.integers(-5, 60), st.integers(-5, 60), st.text(max_size=10)))


@PROPERTY
@given(st.text(max_size=50), SPANS, st.integers(-5, 20))
@example("a<b>`$\\", [(0, 3, '"><script>'), (2, 5, "x")], 0)
@example("Kyiv", [(10, 14, "m")], 10)
def test_highlight_property(text: str, spans: list[tuple[int, int, str]], offset: int) -> None:
    out = highlight(text, spans, offset=offset)
    # Nothing but the marks is markup, and removing them gives back the text.
    assert_safe(MARK.sub("", out))
    assert html.unescape(MARK.sub("", out)) == text
    # Each mark is well formed and wraps exactly the text of one of the given spans.
    marked = re.findall(r'<mark class="([^"<>]*)">([^<>]*)</mark>', out)
    assert len(marked) == out.count("<mark ") == out.count("</mark>")
    wanted = {(escape(c), escape(text[s - offset : e - offset])) for s, e, c in spans}
    assert set(marked) <= wanted


# --- segments: the article as text pieces for the app's article view ------------------------


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        ("In Paris.", [(3, 8, "fr")], [[("In ", None, 0), ("Paris", "fr", 3), (".", None, 8)]]),
        ("One\n\n\nTwo", [], [[("One", None, 0)], [("Two", None, 6)]]),  # blank lines dropped
        ("  \n", [], []),
        ("Kyiv", [(0, 4, "ua"), (2, 4, "x")], [[("Kyiv", "ua", 0)]]),  # overlaps: the first
        ("Kyiv", [(3, 9, "ua")], [[("Kyiv", None, 0)]]),  # a span beyond the text: skipped
        ("<b>Rome</b>", [(3, 7, "it")], [[("<b>", None, 0), ("Rome", "it", 3), ("</b>", None, 7)]]),
    ],
)
def test_segments(
    text: str, spans: list[tuple[int, int, str]], expected: list[list[tuple[str, str | None, int]]]
) -> None:
    assert segments(text, spans) == expected


@PROPERTY
@given(st.text(alphabet="ab \n<>", max_size=40), SPANS)
@example("a\nb", [(0, 3, "x")])  # a span across a paragraph break stays one piece
def test_segments_property(text: str, spans: list[tuple[int, int, str]]) -> None:
    pieces = [piece for paragraph in segments(text, spans) for piece in paragraph]
    # Every piece is the text at its own offset, in order; tagged pieces are some of the
    # spans given.
    for piece, _, start in pieces:
        assert text[start : start + len(piece)] == piece
    starts = [start for _, _, start in pieces]
    assert starts == sorted(starts)
    covered = [0] * len(text)
    for piece, _, start in pieces:
        for i in range(start, start + len(piece)):
            covered[i] += 1
    # every visible character is shown exactly once
    assert all(covered[i] == 1 for i, ch in enumerate(text) if not ch.isspace())
    assert {(s, tag) for _, tag, s in pieces if tag is not None} <= {(s, t) for s, _, t in spans}


# --- escape_markdown: text from outside in Streamlit's Markdown elements (issue 14, finding 7)

LURES = {
    "link": "[Sign in](https://attacker.example/login)",
    "image": "![p](https://attacker.example/p.png)",
    "autolink": "<https://attacker.example>",
    "bare-url": "see https://attacker.example/login now",
    "www": "www.attacker.example",
    "email": "write to help@attacker.example",
    "reference": "[Sign in][1]\n\n[1]: https://attacker.example",
    "heading": "# Breaking\n> quoted\n- listed\n1. numbered",
    "emphasis": "**bold** _it_ ~~gone~~ `code`",
    "html": "<img src=x onerror=alert(1)>",
    "latex": "$x^2$ and $$y$$",
    "streamlit": ":red[alarm] :material/home: :smile:",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "backslashes": "C:\\users\\x \\* \\\\",
    "entity": "&amp; &#96;",
}

#: CommonMark with the GitHub extensions Streamlit's renderer also reads (tables,
#: strikethrough); markdown-it-py stands in for it here.
RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered_inline(markdown: str) -> list[Any]:
    """The inline tokens of ``markdown``; it must be one paragraph (or nothing)."""
    tokens = RENDERER.parse(markdown)
    if not tokens:
        return []
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], tokens
    return list(tokens[1].children or [])


def assert_plain(text: str) -> None:
    escaped = escape_markdown(text)
    children = rendered_inline(escaped)
    assert {t.type for t in children} <= {"text"}, escaped  # no link, image, HTML, emphasis
    shown = "".join(t.content for t in children).replace(WORD_JOINER, "")
    visible = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    assert shown == " ".join(visible.split())  # as written, on one line, less controls
    content = "".join(t.content for t in children)
    # where a renderer's autolinker would begin a link: broken by a word joiner
    assert "://" not in content and "www." not in content.lower()
    assert not re.search(f"[^{WORD_JOINER}]@", content)


@pytest.mark.parametrize("text", LURES.values(), ids=LURES.keys())
def test_escape_markdown_shows_lures_as_text(text: str) -> None:
    assert_plain(text)


@PROPERTY
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
@example("*a " * 50)
@example("\\" * 7 + "[")
def test_escape_markdown_property(text: str) -> None:
    assert_plain(text)
