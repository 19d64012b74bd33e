"""Reading an article: plain text, Markdown or HTML, from a file, an upload or a paste.

The article's text is what every later stage quotes and points into, so it is read once,
here, and kept exactly; HTML is reduced to its readable text with trafilatura (markup,
scripts and navigation dropped). The year the article was written, when it says (a dateline
or a copyright line), dates the events it reports without a year ("on June 20").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import unescape as html_unescape
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .errors import ArticleError

__all__ = [
    "MAX_BYTES",
    "MAX_CHARS",
    "MAX_MARKDOWN_CHARS",
    "SUFFIXES",
    "Article",
    "article_from_bytes",
    "article_from_path",
    "article_from_text",
]

#: The longest article we analyse: about 30,000 words, a long magazine feature.
MAX_CHARS = 200_000
#: The largest file we read (HTML carries markup, so more than MAX_CHARS).
MAX_BYTES = 5 * 1024 * 1024
#: The longest Markdown file we parse: its markup (link targets above all) does not count
#: towards :data:`MAX_CHARS`, but it is bounded too, before the parser reads it.
MAX_MARKDOWN_CHARS = 2 * MAX_CHARS
SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")

_YEAR_PATTERNS = (
    re.compile(r"(?:copyright|©|\(c\))\s*(?:\d{4}\s*[-–]\s*)?((?:19|20)\d{2})", re.IGNORECASE),
    re.compile(
        r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+"
        r"((?:19|20)\d{2})\b"
    ),
    re.compile(r"\b((?:19|20)\d{2})-\d{2}-\d{2}\b"),
)


@dataclass(frozen=True, slots=True)
class Article:
    """An article's readable text, with its title and year when known."""

    text: str
    title: str = ""
    year: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ArticleError("the article is empty: paste or upload some text")
        if len(self.text) > MAX_CHARS:
            raise ArticleError(
                f"the article has {len(self.text):,} characters; the limit is {MAX_CHARS:,}. "
                "Split it into parts and analyse each"
            )


def _title_of(text: str) -> str:
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    return first if len(first) <= 200 else ""


def find_year(text: str) -> int | None:
    """The year the article was written: a copyright line first (it is about the article
    itself), then the first full date in its opening lines (a dateline)."""
    for pattern, window in zip(_YEAR_PATTERNS, (None, 600, 600), strict=True):
        haystack = text if window is None else text[:window]
        matches = pattern.findall(haystack)
        if matches:
            return int(matches[-1] if window is None else matches[0])
    return None


#: Every control character (Unicode category Cc: C0, DEL and C1) but tab and line feed.
_CONTROLS = dict.fromkeys(
    code for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in "\n\t"
)


def _normalise(text: str) -> str:
    """Line breaks unified and invisible controls removed; everything else kept as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_CONTROLS)


def article_from_text(
    text: str, *, source: str = "", year: int | None = None, title: str = ""
) -> Article:
    """An article from pasted or already extracted text; its title is ``title`` when given
    (a web page's ``<title>``), else its first line."""
    text = _normalise(text)
    return Article(text, title.strip() or _title_of(text), year or find_year(text), source)


def _decode(data: bytes, name: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its BOM: full of NUL bytes
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{name!r} is a binary file, not text: upload a .txt, .md or .html file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise ArticleError(
            f"{name!r} is not UTF-8 text (byte {err.start} cannot be read): save it as UTF-8"
        ) from err
    controls = sum(1 for ch in text if ch < " " and ch not in "\n\r\t")
    if controls > len(text) // 100:
        raise ArticleError(f"{name!r} looks like a binary file, not text")
    return text


#: An XHTML page's ``<?xml version="1.0" encoding="…"?>``: lxml refuses a decoded string
#: that still declares an encoding, and the page would have "no readable text".
_XML_DECLARATION = re.compile(r"\A\ufeff?\s*<\?xml\b[^>]*\?>")


def html_to_text(html: str) -> str:
    """The readable text of an HTML page: its article body if trafilatura finds one, else all
    its visible text (scripts and styles dropped)."""
    import trafilatura
    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, etree.LxmlError):  # empty, blank or comment-only documents
        return ""
    for element in tree.xpath(
        "//script|//style|//noscript|//template|//nav|//*[@role='navigation']"
    ):
        element.drop_tree()
    extracted = trafilatura.extract(
        lxml_html.tostring(tree, encoding="unicode"),
        include_comments=False,
        include_tables=False,
        favor_recall=True,
    )
    if extracted and extracted.strip():
        return str(extracted)
    return "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())


def html_metadata(html: str) -> tuple[str, str]:
    """A page's title (its ``<title>``, or the title it gives for sharing) and publication
    date (ISO ``YYYY-MM-DD``), each "" when the page does not say."""
    import trafilatura

    metadata = trafilatura.extract_metadata(_XML_DECLARATION.sub("", html, count=1))
    if metadata is None:
        return "", ""
    return " ".join(str(metadata.title or "").split()), str(metadata.date or "")


#: Inline tokens whose text is the reader's: words, code and the alternative text of images.
_INLINE_TEXT = frozenset({"text", "code_inline"})
_INLINE_BREAKS = frozenset({"softbreak", "hardbreak"})


@cache
def _markdown_parser() -> MarkdownIt:
    """CommonMark (markdown-it-py: linear time, where hand-written regexes were quadratic)."""
    return MarkdownIt("commonmark")


def _inline_text(tokens: Sequence[Token]) -> str:
    """The words of an inline run: its text, code and image descriptions; no HTML, no link
    targets, no emphasis marks."""
    parts: list[str] = []
    for token in tokens:
        if token.type in _INLINE_TEXT:
            parts.append(token.content)
        elif token.type in _INLINE_BREAKS:
            parts.append("\n")
        elif token.type == "image":
            parts.append(_inline_text(token.children or ()))
    return "".join(parts)


def markdown_to_text(markdown: str) -> str:
    """Markdown without its markup: headings, quotes, lists, emphasis, link targets and HTML
    dropped, code kept. Blocks are separated by a blank line (a paragraph break, which the
    events read), the items of a tight list by a line break."""
    parts: list[str] = []
    for token in _markdown_parser().parse(markdown):
        if token.type == "inline":
            parts.append(_inline_text(token.children or ()))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content.rstrip("\n") + "\n\n")
        elif token.type in ("paragraph_close", "heading_close"):
            parts.append("\n" if token.hidden else "\n\n")
    return "".join(parts).rstrip("\n")


def _check_length(text: str, name: str, limit: int) -> None:
    """Refuse ``text`` before anything parses it when it is longer than ``limit``."""
    if len(text) > limit:
        raise ArticleError(
            f"{name!r} has {len(text):,} characters; the limit is {limit:,}. "
            "Split it into parts and analyse each"
        )


def article_from_bytes(data: bytes, name: str) -> Article:
    """An article from an uploaded or read file; its suffix says how to read it."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleError(
            f"{name!r} is not a supported file type; use one of {', '.join(SUFFIXES)}"
        )
    if len(data) > MAX_BYTES:
        raise ArticleError(
            f"{name!r} is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB"
        )
    text = _decode(data, name)
    if suffix in (".md", ".markdown"):
        _check_length(text, name, MAX_MARKDOWN_CHARS)
    elif suffix not in (".html", ".htm"):
        _check_length(text, name, MAX_CHARS)
    title = ""
    if suffix in (".html", ".htm"):
        year = find_year(html_unescape(text))  # "&copy; 2024" is how pages write ©
        title, _ = html_metadata(text)
        text = html_to_text(text)
        if not text.strip():
            raise ArticleError(f"{name!r} has no readable text")
    else:
        year = find_year(text)
        if suffix in (".md", ".markdown"):
            text = markdown_to_text(text)
    return article_from_text(text, source=name, year=year, title=title)


def article_from_path(path: str | Path) -> Article:
    """An article from a file on disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ArticleError(f"cannot read {str(path)!r}: {err.strerror or err}") from err
    return article_from_bytes(data, path.name)
