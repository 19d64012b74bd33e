"""bench/pipeline.py adds its row to its own section of the results file, whatever else is in
it."""

from __future__ import annotations

from pathlib import Path

from bench.pipeline import COLUMNS, HEADING, add_to_results, markdown

ROW = ["2026-12-05", "abc1234", "tr-news", "82", "5", "27", "52", "40", "45", "1.67", "0.87"]


def test_a_file_without_the_section_gets_it_at_the_end(tmp_path: Path) -> None:
    existing = "# Results\n\n## Load\n\n| a |\n| --- |\n| 1 |\n"
    results = tmp_path / "results.md"
    results.write_text(existing, encoding="utf-8")

    add_to_results(results, ROW)

    lines = results.read_text(encoding="utf-8").splitlines()

    assert lines[:7] == existing.splitlines()
    header = [markdown(COLUMNS), markdown(["---"] * len(COLUMNS))]
    assert lines[7:] == ["", HEADING, "", *header, markdown(ROW)]


def test_a_row_goes_below_the_sections_table_not_into_the_next_section(tmp_path: Path) -> None:
    results = tmp_path / "results.md"  # not there yet
    add_to_results(results, ROW)
    later = [*ROW[:1], "def5678", *ROW[2:]]
    words = "\nSome words on the figures.\n\n## Another section\n\n| b |\n"
    results.write_text(results.read_text(encoding="utf-8") + words, encoding="utf-8")

    add_to_results(results, later)

    lines = results.read_text(encoding="utf-8").splitlines()

    assert lines.index(markdown(later)) == lines.index(markdown(ROW)) + 1
    assert lines.index(markdown(later)) < lines.index("## Another section")
