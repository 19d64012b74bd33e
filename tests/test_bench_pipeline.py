"""bench/pipeline.py adds its row to its own section of the results file, whatever else is in
it."""

from __future__ import annotations

from bench.pipeline import COLUMNS, HEADING, add_row, markdown

ROW = ["2026-12-05", "abc1234", "tr-news", "82", "5", "27", "52", "40", "45", "1.67", "0.87"]


def test_a_file_without_the_section_gets_it_at_the_end() -> None:
    existing = "# Results\n\n## Load\n\n| a |\n| --- |\n| 1 |\n"

    lines = add_row(existing, ROW).splitlines()

    assert lines[:7] == existing.splitlines()
    header = [markdown(COLUMNS), markdown(["---"] * len(COLUMNS))]
    assert lines[7:] == ["", HEADING, "", *header, markdown(ROW)]


def test_a_row_goes_below_the_sections_table_not_into_the_next_section() -> None:
    first = add_row("", ROW)
    later = [*ROW[:1], "def5678", *ROW[2:]]
    existing = first + "\nSome words on the figures.\n\n## Another section\n\n| b |\n"

    lines = add_row(existing, later).splitlines()

    assert lines.index(markdown(later)) == lines.index(markdown(ROW)) + 1
    assert lines.index(markdown(later)) < lines.index("## Another section")
