"""What the benchmarks that add rows to ``bench/results.md`` share: the commit measured, and a
markdown table under its own heading that each run extends by a row or two."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path


def commit_of(root: Path) -> str:
    """The short commit of the checkout at ``root``; for a plain copy (``git archive`` of an
    older commit, to compare in one run), the name of its folder."""
    answer = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return answer.stdout.strip() or root.name


def add_rows(path: Path, title: str, header: str, rows: Sequence[str]) -> None:
    """Add ``rows`` below the last row of the table under the heading ``title`` in ``path``;
    with no such heading, add it at the end with the table's ``header`` (its two lines)."""
    text = path.read_text(encoding="utf-8")
    if title not in text:
        before = text.rstrip("\n") + "\n\n" if text.strip() else ""  # a new file starts with it
        text = f"{before}{title}\n\n{header}\n"
    lines = text.splitlines()
    at = lines.index(title) + 3  # the blank line, the header, its rule
    while at + 1 < len(lines) and lines[at + 1].startswith("| "):
        at += 1
    lines[at + 1 : at + 1] = rows
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
