"""Article text made safe for HTML, and mentions highlighted in it.

Text from an article reaches HTML in three places: the app's page, Leaflet popups and
tooltips. Folium puts popups and tooltips inside JavaScript template literals, where a
backtick ends the string, ``${…}`` runs code and a backslash escapes the next character;
so besides the usual HTML characters we write those three as entities too. And folium
compiles each rendered popup and tooltip script *again* as a Jinja template (branca's
``Element(rendered)``): ``{{ … }}`` or ``{% … %}`` in an article would run on the server.
So braces become entities as well. The browser shows the text exactly as written, and
nothing in it runs, in the page or on the server.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable

__all__ = ["WORD_JOINER", "escape", "escape_markdown", "highlight", "segments"]

_TEMPLATES = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)


def escape(text: str) -> str:
    """``text`` as HTML that shows it verbatim, also inside a JavaScript template literal
    and a Jinja template.

    >>> escape('<b>${x}</b> `a\\\\b`')
    '&lt;b&gt;&#36;&#123;x&#125;&lt;/b&gt; &#96;a&#92;b&#96;'
    """
    return html.escape(text, quote=True).translate(_TEMPLATES)


#: Invisible, and no line may break at it: put where a link would otherwise begin.
WORD_JOINER = "\u2060"
#: Where GitHub-flavoured Markdown turns plain text into a link ("https://…", "www.…", an
#: e-mail address): a backslash does not stop it, since it links the text after escapes are
#: read, so a word joiner goes in between.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=[Ww]{3})(?=\.)|(?=@)")
#: CommonMark lets a backslash make any ASCII punctuation mark literal; Streamlit gives
#: meaning to more of them than CommonMark does (``:red[…]``, ``$…$``, ``~~…~~``, tables).
_CONTROLS = dict.fromkeys(c for c in (*range(0x20), *range(0x7F, 0xA0)) if not chr(c).isspace())
_MARKDOWN_MARKS = str.maketrans({mark: "\\" + mark for mark in string.punctuation})


def escape_markdown(text: str) -> str:
    r"""``text`` for a Markdown element (a heading, a caption, an alert, a radio label) as
    inline text shown as written: every ASCII punctuation mark escaped, runs of whitespace
    and line breaks made one space (nothing becomes a heading, a quote or a list), control
    characters dropped (a renderer shows NUL as "�"), and no link, image, emphasis, HTML,
    LaTeX or colour directive.

    >>> escape_markdown("[Sign in](https://x.example) *now*")
    '\\[Sign in\\]\\(https\\:\u2060\\/\\/x\\.example\\) \\*now\\*'
    """
    one_line = " ".join(text.translate(_CONTROLS).split())
    return _AUTOLINK.sub(WORD_JOINER, one_line).translate(_MARKDOWN_MARKS)


def highlight(
    text: str,
    spans: Iterable[tuple[int, int, str]],
    *,
    offset: int = 0,
    tag: str = "mark",
) -> str:
    """``text`` escaped, with each ``(start, end, css_class)`` span wrapped in ``<tag>``.

    Offsets are into the original string, shifted by ``offset`` (for a sentence cut out of a
    longer article). Overlapping spans after the first are skipped.
    """
    pieces: list[str] = []
    position = 0
    for start, end, css_class in sorted(spans):
        start, end = start - offset, end - offset
        if start < position or start < 0 or end > len(text) or start >= end:
            continue
        pieces.append(escape(text[position:start]))
        pieces.append(f'<{tag} class="{escape(css_class)}">{escape(text[start:end])}</{tag}>')
        position = end
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def segments(
    text: str, spans: Iterable[tuple[int, int, str]]
) -> list[list[tuple[str, str | None, int]]]:
    r"""``text`` cut into paragraphs (its non-blank lines), each a list of ``(piece, tag,
    start)``: plain pieces have no tag, each ``(start, end, tag)`` span is a piece of its own.
    For drawing the article with DOM text nodes, which need no escaping. Overlapping spans
    after the first are skipped, as in :func:`highlight`.

    >>> first, second = segments("In Paris.\n\nThen Rome", [(3, 8, "a"), (16, 20, "b")])
    >>> first
    [('In ', None, 0), ('Paris', 'a', 3), ('.', None, 8)]
    >>> second
    [('Then ', None, 11), ('Rome', 'b', 16)]
    """
    cuts: list[tuple[int, int, str | None]] = []
    position = 0
    for begin, finish, name in sorted(spans):
        if begin < position or begin < 0 or finish > len(text) or begin >= finish:
            continue
        cuts.extend(((position, begin, None), (begin, finish, name)))
        position = finish
    cuts.append((position, len(text), None))
    paragraphs: list[list[tuple[str, str | None, int]]] = [[]]
    for start, end, tag in cuts:
        if tag is not None:
            paragraphs[-1].append((text[start:end], tag, start))
            continue
        for number, line in enumerate(text[start:end].split("\n")):
            if number:
                paragraphs.append([])
            if line:
                paragraphs[-1].append((line, None, start))
            start += len(line) + 1
    return [p for p in paragraphs if any(piece.strip() for piece, _, _ in p)]
