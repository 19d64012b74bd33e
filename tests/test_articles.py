"""Reading articles (geo.articles): pasted text, files of each supported type, and the year."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo import ArticleError, article_from_bytes, article_from_path, article_from_text
from geo.articles import MAX_BYTES, MAX_CHARS, MAX_MARKDOWN_CHARS, SUFFIXES, find_year
from tests.growth import LINEAR_AT_MOST, growth

PROPERTY = settings(max_examples=100, deadline=None)


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def printable(text: str) -> str:
    return "".join(ch for ch in text if not is_control(ch))


# --- article_from_text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\t  \r\n",  # a paste of blank lines
        "\x00\x01\x1b\x7f",  # only controls: nothing is left once they are dropped
    ],
    ids=["empty", "space", "blank-lines", "only-controls"],
)
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(ArticleError, match="the article is empty: paste or upload some text"):
        article_from_text(text)


def test_too_long_text_is_refused_quoting_the_limit() -> None:
    with pytest.raises(ArticleError) as info:
        article_from_text("x" * (MAX_CHARS + 1))
    message = str(info.value)
    assert f"{MAX_CHARS + 1:,} characters" in message
    assert f"the limit is {MAX_CHARS:,}" in message


def test_length_limit_counts_the_kept_text() -> None:
    # Exactly at the limit is fine, and controls that are dropped do not count against it.
    assert len(article_from_text("x" * MAX_CHARS).text) == MAX_CHARS
    assert len(article_from_text("\x00" * 10 + "x" * MAX_CHARS).text) == MAX_CHARS


def test_article_error_is_a_value_error() -> None:
    # Callers that only know the built-in exceptions can still catch it.
    with pytest.raises(ValueError):
        article_from_text("")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kyiv\r\nLviv", "Kyiv\nLviv"),  # Windows line endings
        ("Kyiv\rLviv", "Kyiv\nLviv"),  # classic Mac line endings
        ("Kyiv\r\n\r\nLviv", "Kyiv\n\nLviv"),  # a blank line (paragraph break) survives
        ("Ky\x00iv", "Kyiv"),  # NUL from a bad copy out of a PDF
        ("\x1b[1mKyiv\x1b[0m", "[1mKyiv[0m"),  # terminal colours: ESC goes, the rest is text
        ("Kyiv\x0cLviv", "KyivLviv"),  # form feed (page break in text exports)
        ("Kyiv\x7f", "Kyiv"),  # DEL
        ("Kyiv\tLviv", "Kyiv\tLviv"),  # tabs are kept
        ("Zürich — “quoted” ‘x’ 東京", "Zürich — “quoted” ‘x’ 東京"),  # non-ASCII untouched
        ("a\u200db \u202eright-to-left", "a\u200db \u202eright-to-left"),  # format chars kept
        pytest.param(
            "Kyiv\x80\x9bLviv",  # C1 controls (here PAD, CSI): invisible like the C0 ones
            "KyivLviv",
            id="c1-controls",
        ),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert article_from_text(raw).text == expected


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Floods in Dhaka\n\nHeavy rain fell.", "Floods in Dhaka"),
        ("\n\n   Floods in Dhaka   \nHeavy rain fell.", "Floods in Dhaka"),  # leading blank lines
        ("Floods in Dhaka\r\nHeavy rain fell.", "Floods in Dhaka"),  # no stray \r in the title
        ("Heavy rain fell in Dhaka.", "Heavy rain fell in Dhaka."),  # one line: itself
        ("x" * 201 + "\nHeavy rain fell.", ""),  # a first line that long is not a headline
    ],
    ids=["plain", "leading-blank", "crlf", "one-line", "too-long"],
)
def test_title_is_the_first_line(text: str, title: str) -> None:
    assert article_from_text(text).title == title


def test_given_year_and_source_win() -> None:
    article = article_from_text("June 21, 2024 — Floods in Dhaka.", source="paste", year=1999)
    assert (article.year, article.source) == (1999, "paste")
    assert article_from_text("June 21, 2024 — Floods in Dhaka.").year == 2024


# Text that survives normalisation: not a control, not whitespace.
def _has_content(text: str) -> bool:
    return any(not is_control(ch) and not ch.isspace() for ch in text)


@PROPERTY
@given(
    st.text(
        # Surrogates cannot be in a str read from a file.
        alphabet=st.characters(exclude_categories=("Cs",)),
        max_size=400,
    ).filter(_has_content)
)
@example("Kyiv\r\nLviv\rOdesa\n")
@example("\x00Ky\x1biv\x7f\t")
@example(" \u2028x\u2029 ")  # Unicode line/paragraph separators are not controls
def test_text_keeps_every_printable_character_line_by_line(text: str) -> None:
    article = article_from_text(text)
    assert not any(is_control(ch) for ch in article.text if ch not in "\n\t")
    original_lines = re.split(r"\r\n|\r|\n", text)
    assert [printable(line) for line in article.text.split("\n")] == [
        printable(line) for line in original_lines
    ]
    assert article.title in article.text


# --- find_year ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Floods in Dhaka.\n\nCopyright 2024,", 2024),  # the seed article's last line
        ("Floods in Dhaka.\n\n© 2019 Example News", 2019),
        ("Floods in Dhaka.\n\n(c) 2018 Example News", 2018),
        ("Floods in Dhaka.\n\nCopyright © 2021", 2021),  # both words
        ("Floods in Dhaka.\n\nCopyright 2019–2024 Example News", 2024),  # a range: the latest
        ("June 21, 2024 — Heavy rain flooded Dhaka.", 2024),  # dateline
        ("DHAKA, Sept. 3, 2021 (Reuters) - Heavy rain.", 2021),  # abbreviated month
        ("2023-05-01 Heavy rain flooded Dhaka.", 2023),  # ISO date
        ("Heavy rain flooded Dhaka on Friday.", None),
        ("Dhaka was flooded in 1998 too.", None),  # a bare year is an event, not the date
        ("x" * 700 + " June 21, 2024", None),  # a date deep in the body is not a dateline
        ("x" * 5000 + "\nCopyright 2022", 2022),  # the copyright line is looked for anywhere
        ("June 21, 2024 — Heavy rain.\n\nCopyright 2023,", 2023),  # copyright wins
    ],
    ids=[
        "copyright",
        "copyright-sign",
        "copyright-c",
        "copyright-both",
        "copyright-range",
        "dateline",
        "dateline-abbrev",
        "iso-date",
        "no-year",
        "bare-year",
        "date-too-late",
        "copyright-at-end",
        "copyright-wins",
    ],
)
def test_find_year(text: str, year: int | None) -> None:
    assert find_year(text) == year


# --- article_from_bytes: decoding ---------------------------------------------------------

ZURICH = "Café talks in Zürich “resumed” for €5"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (ZURICH.encode("utf-8"), "a.txt"),
        (b"\xef\xbb\xbf" + ZURICH.encode("utf-8"), "a.txt"),  # Notepad's UTF-8 with BOM
        (ZURICH.encode("cp1252"), "a.txt"),  # old Windows files: smart quotes, euro sign
        (ZURICH.encode("utf-8"), "ARTICLE.TXT"),  # suffixes are case-insensitive
        pytest.param(
            ZURICH.encode("utf-16"),  # Notepad's "Unicode": BOM, then NUL-filled ASCII
            "a.txt",
            id="utf-16-bom",
        ),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "upper-suffix", "utf-16-bom"],
)
def test_text_files_decode(data: bytes, name: str) -> None:
    article = article_from_bytes(data, name)
    assert article.text == ZURICH
    assert article.title == ZURICH  # no BOM left at its start
    assert article.source == name


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "a.txt", "'a.txt' is a binary file"),  # a zip (.docx)
        (b"\x01\x02\x03\x04" * 20 + b"caf\xe9", "a.txt", "looks like a binary file"),  # no NUL
        (b"caf\x81", "a.txt", "not UTF-8 text"),  # 0x81 is undefined even in cp1252
        (b"%PDF-1.7", "a.pdf", "'a.pdf' is not a supported file type"),
        (b"PK\x03\x04", "a.docx", "'a.docx' is not a supported file type"),
        (b"Floods", "README", "'README' is not a supported file type"),  # no suffix at all
        (b"x" * (MAX_BYTES + 1), "big.txt", "the limit is 5 MB"),
    ],
    ids=["nul", "controls", "undecodable", "pdf", "docx", "no-suffix", "too-big"],
)
def test_unreadable_files_are_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ArticleError, match=re.escape(message)):
        article_from_bytes(data, name)


def test_unsupported_suffix_names_the_supported_types() -> None:
    with pytest.raises(ArticleError) as info:
        article_from_bytes(b"%PDF-1.7", "report.pdf")
    assert all(suffix in str(info.value) for suffix in SUFFIXES)


# --- article_from_bytes: Markdown ---------------------------------------------------------

MARKDOWN = """# Floods in Dhaka

**Heavy rain** flooded _Dhaka_ on Friday, see [the map](https://example.com/map "Map").

> Rivers rose across *Bangladesh*.

- Schools closed
![Satellite photo](https://example.com/photo.png)
"""


@pytest.mark.parametrize("name", ["a.md", "a.markdown"])
def test_markdown_keeps_the_words_and_drops_the_markup(name: str) -> None:
    article = article_from_bytes(MARKDOWN.encode(), name)
    assert [line for line in article.text.split("\n") if line] == [
        "Floods in Dhaka",
        "Heavy rain flooded Dhaka on Friday, see the map.",
        "Rivers rose across Bangladesh.",
        "Schools closed",
        "Satellite photo",
    ]
    assert article.title == "Floods in Dhaka"
    assert article.source == name


def test_markdown_keeps_paragraph_breaks() -> None:
    # Blank lines are paragraph breaks, which events use ("the last place named before it in
    # the same paragraph"); a quote or a list after a blank line must not join the paragraph
    # above it.
    text = article_from_bytes(MARKDOWN.encode(), "a.md").text
    assert text == (
        "Floods in Dhaka\n\n"
        "Heavy rain flooded Dhaka on Friday, see the map.\n\n"
        "Rivers rose across Bangladesh.\n\n"
        "Schools closed\n"
        "Satellite photo"
    )


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("Rain in [Dhaka](https://x.org/a_b_c) now", "Rain in Dhaka now"),  # _ in a link target
        ("Rain fell 2 * 3 days", "Rain fell 2 * 3 days"),  # a lone star is arithmetic
        pytest.param(
            "The river_level_gauge in Dhaka",  # CommonMark: intraword _ is not emphasis
            "The river_level_gauge in Dhaka",
            id="intraword-underscore",
        ),
    ],
    ids=["link-underscores", "lone-star", "intraword-underscore"],
)
def test_markdown_edge_cases(markdown: str, text: str) -> None:
    assert article_from_bytes(markdown.encode(), "a.md").text == text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("Rain in `Dhaka_x` and <b>Chittagong</b>", "Rain in Dhaka_x and Chittagong"),
        ("***Rain*** in **_Dhaka_**", "Rain in Dhaka"),
        ("A [link [with] brackets](u) here", "A link [with] brackets here"),
        ("```\nRain in Dhaka\n```\n\nThen Chittagong", "Rain in Dhaka\n\nThen Chittagong"),
        ("Rain &amp; wind in Dhaka", "Rain & wind in Dhaka"),
    ],
    ids=["code-and-html", "nested-emphasis", "brackets", "fenced-code", "entity"],
)
def test_markdown_is_read_by_a_commonmark_parser(markdown: str, text: str) -> None:
    assert article_from_bytes(markdown.encode(), "a.md").text == text


@pytest.mark.parametrize(
    "unit",
    ["*a ", "_a ", "[", "![a](", "**", "a*", "*_", "[](", "\n\n- a"],
)
def test_markdown_reads_in_linear_time(unit: str) -> None:
    # finding 1 of issue 14: 120,000 characters of "*a " took 63 s with the old regexes, and each
    # doubling took four times as long
    def read(chars: int) -> None:
        text = unit * (chars // len(unit))
        with contextlib.suppress(ArticleError):  # "empty" for marks alone: fine, it ended
            article_from_bytes(text.encode(), "hostile.md")

    assert growth(read, 20_000) < LINEAR_AT_MOST


@pytest.mark.parametrize(
    ("suffix", "limit"), [(".md", MAX_MARKDOWN_CHARS), (".txt", MAX_CHARS)], ids=["md", "txt"]
)
def test_length_is_checked_before_parsing(suffix: str, limit: int) -> None:
    text = "*a " * (limit // 3 + 1)
    with pytest.raises(ArticleError, match=f"has {len(text):,} characters; the limit is {limit:,}"):
        article_from_bytes(text.encode(), f"long{suffix}")


def test_markdown_may_carry_markup_beyond_the_article_limit() -> None:
    # link targets count towards the parser's limit, not towards the article's length
    link = "[Dhaka](https://example.org/" + "x" * 100 + ") "
    markdown = link * (MAX_CHARS // len(link) + 10)
    assert MAX_CHARS < len(markdown) < MAX_MARKDOWN_CHARS

    assert article_from_bytes(markdown.encode(), "links.md").text.startswith("Dhaka Dhaka")


# --- article_from_bytes: HTML -------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><title>Floods in Dhaka | Example News</title>
<style>body {{ color: red }} .secret-style {{ display: none }}</style>
<script>alert(1); var secretScript = "do not show";</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World news menu</a> <a href="/sport">Sport</a></nav>
<article><h1>Floods in Dhaka</h1>
<p>Heavy rain flooded Dhaka on Friday, and rivers rose across Bangladesh as the monsoon
arrived early.</p>
<p>Officials in Chittagong said more rain was expected over the weekend, and schools in the
coastal districts were closed until further notice.</p>
<script>document.write("injected")</script>
</article>
<footer>{footer} Example News. All rights reserved.</footer>
</body></html>"""


@pytest.mark.parametrize("name", ["page.html", "page.htm"])
def test_html_gives_the_readable_text_only(name: str) -> None:
    article = article_from_bytes(PAGE.format(footer="Copyright 2023").encode(), name)
    assert article.title == "Floods in Dhaka"
    assert "Heavy rain flooded Dhaka on Friday" in article.text
    assert "Officials in Chittagong" in article.text
    for hidden in ("alert", "secretScript", "injected", "color: red", "secret-style", "<", ">"):
        assert hidden not in article.text
    assert "World news menu" not in article.text  # navigation
    # The footer is not article text, but its copyright line still dates the article.
    assert "Copyright" not in article.text
    assert article.year == 2023


@pytest.mark.parametrize(
    "footer",
    [
        "© 2023",
        pytest.param(
            "&copy; 2023",  # how HTML usually writes the sign
            id="entity",
        ),
        pytest.param(
            "&#169; 2023",
            id="numeric-entity",
        ),
    ],
)
def test_html_copyright_sign_dates_the_article(footer: str) -> None:
    assert article_from_bytes(PAGE.format(footer=footer).encode(), "a.html").year == 2023


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><script>var x = 1;</script></head><body></body></html>",
        "<html><body><style>p { color: red }</style><script>alert(1)</script></body></html>",
        pytest.param(
            "",  # an empty upload
            id="empty",
        ),
        pytest.param(
            " \n\n ",
            id="blank",
        ),
        pytest.param(
            "<!-- nothing here -->",
            id="comment-only",
        ),
    ],
    ids=["script-only", "style-only", "empty", "blank", "comment-only"],
)
def test_html_without_readable_text_is_refused(page: str) -> None:
    with pytest.raises(ArticleError, match=re.escape("'a.html' has no readable text")):
        article_from_bytes(page.encode(), "a.html")


def test_short_html_page_drops_navigation() -> None:
    page = "<html><body><nav>Home | About | Contact</nav><p>Troops reached Kyiv.</p></body></html>"
    article = article_from_bytes(page.encode(), "a.html")
    assert article.text == "Troops reached Kyiv."


# --- article_from_path --------------------------------------------------------------------


def test_path_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dhaka.md"
    path.write_bytes(MARKDOWN.encode())
    article = article_from_path(path)
    assert article.title == "Floods in Dhaka"
    assert article.source == "dhaka.md"
    assert article_from_path(str(path)) == article


@pytest.mark.parametrize(
    ("relative", "reason"),
    [("missing.txt", "No such file or directory"), (".", "Is a directory")],
    ids=["missing", "directory"],
)
def test_unreadable_path_is_an_article_error(tmp_path: Path, relative: str, reason: str) -> None:
    path = tmp_path / relative
    with pytest.raises(ArticleError, match=re.escape(reason)) as info:
        article_from_path(path)
    assert not isinstance(info.value, OSError)  # translated at the boundary, not leaked
    assert isinstance(info.value.__cause__, OSError)
    assert repr(str(path)) in str(info.value)


def test_an_xhtml_page_with_an_xml_prolog_is_read() -> None:
    # finding 12 of issue 14: lxml refuses a decoded string that declares its encoding
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Floods</title></head>'
        "<body><p>Heavy rain flooded Dhaka on Friday, and rivers rose across Bangladesh.</p>"
        "</body></html>"
    )

    article = article_from_bytes(page.encode(), "floods.html")

    assert article.text == "Heavy rain flooded Dhaka on Friday, and rivers rose across Bangladesh."
    assert article.title == "Floods"
