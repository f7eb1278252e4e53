"""Damaged digests, one kind of damage per test: a broken row never takes a good one with it, and
every row that is dropped is reported as file:line."""

from __future__ import annotations

from pathlib import Path

from bot.digest import parse_digest
from bot.ingest import ingest_paths, read_markdown
from tests.helpers import open_store

HEAD = "## Papers for 2025-01-06\n\n| Title | Authors | Summary |\n|-------|---------|---------|\n"


def row(n: int, title: str = "", tail: str = " |") -> str:
    """A one-line row for paper 2501.0000n; ``tail`` is what ends it."""
    link = f"https://arxiv.org/abs/2501.0000{n}"
    return f"| {title or f'Paper {n}'} (Read more on [arXiv]({link}))| Ann, Bo | Summary {n}.{tail}"


def wrapped(n: int) -> str:
    """A row wrapped over two lines, as the archive wraps long titles."""
    link = f"https://arxiv.org/abs/2501.0000{n}"
    return f"| Wrapped Paper {n} with a Long\n  Title (Read more on [arXiv]({link}))| Cy | Summary {n}. |"


def ids(text: str) -> list[str]:
    return [paper.arxiv_id for paper in parse_digest(text, "d.md").papers]


def problems(text: str) -> list[str]:
    return [str(problem) for problem in parse_digest(text, "d.md").problems]


def test_a_row_without_its_closing_pipe_leaves_the_next_wrapped_row_whole() -> None:
    text = HEAD + row(1, tail="") + "\n" + wrapped(2) + "\n" + row(3) + "\n"
    digest = parse_digest(text, "d.md")
    assert [p.arxiv_id for p in digest.papers] == ["2501.00001", "2501.00002", "2501.00003"]
    assert digest.papers[0].summary == "Summary 1."  # no title fragment of the next row
    assert digest.papers[1].title == "Wrapped Paper 2 with a Long Title"
    assert digest.problems == []


def test_a_short_junk_row_is_reported_and_the_next_wrapped_row_kept() -> None:
    text = HEAD + row(1) + "\n| junk\n" + wrapped(2) + "\n"
    assert ids(text) == ["2501.00001", "2501.00002"]
    assert problems(text) == ["d.md:6: expected 3 cells, found 1"]


def test_a_row_without_its_leading_pipe_is_read() -> None:
    text = HEAD + row(1) + "\n" + row(2)[1:] + "\n" + row(3) + "\n"
    assert ids(text) == ["2501.00001", "2501.00002", "2501.00003"]
    assert problems(text) == []


def test_an_invisible_character_before_the_pipe_does_not_hide_the_row() -> None:
    for mark in ["\u200b", "\ufeff", "\u00a0", "\u2060"]:
        text = HEAD + row(1) + "\n" + mark + row(2) + "\n"
        assert ids(text) == ["2501.00001", "2501.00002"], repr(mark)


def test_a_lone_cr_ends_a_line_and_rows_split_by_it_are_reported_where_they_are() -> None:
    joined = HEAD + row(1) + "\r" + row(2) + "\r" + row(3) + "\n"
    assert ids(joined) == ["2501.00001", "2501.00002", "2501.00003"]
    split = HEAD + row(1) + "\n" + row(2).replace("| Ann", "\r| Ann") + "\n" + row(3) + "\n"
    assert ids(split) == ["2501.00001", "2501.00003"]
    assert problems(split) == [
        "d.md:6: expected 3 cells, found 1",
        "d.md:7: expected 3 cells, found 2",
    ]


def test_a_digest_cut_mid_row_reports_its_last_row() -> None:
    text = HEAD + row(1) + "\n" + row(2)[:-6]  # "| Paper 2 (...)| Ann, Bo | Summar"
    assert ids(text) == ["2501.00001"]
    assert problems(text) == ["d.md:6: the digest ends inside this row (no closing '|')"]


def test_a_last_row_without_a_closing_pipe_is_kept_when_no_row_closes() -> None:
    text = HEAD + row(1, tail="") + "\n" + row(2, tail="")
    assert ids(text) == ["2501.00001", "2501.00002"]


def test_a_damaged_header_still_reads_the_rows_and_says_so() -> None:
    text = HEAD.replace("| Summary |", "| Summ") + row(1) + "\n" + row(2) + "\n"
    digest = parse_digest(text, "d.md")
    assert [p.summary for p in digest.papers] == ["Summary 1.", "Summary 2."]
    assert [str(p) for p in digest.problems] == [
        "d.md:4: the table header is damaged; read the columns as Title | Authors | Summary"
    ]


def test_a_damaged_copy_of_a_row_does_not_replace_the_whole_one() -> None:
    text = HEAD + row(1, tail=" and more") + "\n" + row(1) + "\n"
    digest = parse_digest(text, "d.md")
    assert [p.summary for p in digest.papers] == ["Summary 1."]
    assert [str(p) for p in digest.problems] == [
        "d.md:5: arXiv 2501.00001 is listed again, whole, on line 6; kept that one"
    ]


def test_runs_of_blanks_and_brackets_in_a_cell_are_read_as_text() -> None:
    for run in [" " * 20_000, "[" * 20_000, "](" * 10_000, "\\" * 20_000, "[a](" * 5_000]:
        digest = parse_digest(HEAD + row(1, title="Odd " + run + " Title") + "\n", "d.md")
        [paper] = digest.papers
        assert paper.arxiv_id == "2501.00001"
        assert paper.title.startswith("Odd ") and paper.title.endswith(" Title")


def test_invalid_utf8_is_replaced_and_reported_on_each_line_it_is_on() -> None:
    data = (HEAD + row(1) + "\n" + row(2) + "\n" + row(3) + "\n").encode()
    data = data.replace(b"Paper 1", b"Paper \xff1").replace(b"Summary 3", b"Summary \xc3(3")
    digest = read_markdown(data, "d.md")
    assert [p.arxiv_id for p in digest.papers] == ["2501.00001", "2501.00002", "2501.00003"]
    assert digest.papers[0].title == "Paper \ufffd1"
    assert [str(p) for p in digest.problems] == [
        "d.md:5: invalid UTF-8 (invalid start byte); replaced with U+FFFD",
        "d.md:7: invalid UTF-8 (invalid continuation byte); replaced with U+FFFD",
    ]


async def test_one_invalid_byte_in_a_file_loses_no_row_on_the_command_line_path(
    tmp_path: Path,
) -> None:
    path = tmp_path / "2025-01-06.md"
    path.write_bytes((HEAD + row(1) + "\n" + row(2) + "\n").encode().replace(b"Ann", b"A\xffnn"))
    async with open_store(tmp_path / "p.db") as store:
        report = await ingest_paths(store, [path])
    assert report.new == 2
    assert [str(p) for p in report.problems] == [
        f"{path}:5: invalid UTF-8 (invalid start byte); replaced with U+FFFD",
        f"{path}:6: invalid UTF-8 (invalid start byte); replaced with U+FFFD",
    ]


def test_a_row_above_the_header_is_reported_not_lost_silently() -> None:
    text = row(9) + "\n" + HEAD + row(1) + "\n"
    assert ids(text) == ["2501.00001"]
    assert problems(text) == ["d.md:1: a row above the table's header; not read"]


def test_of_two_rows_for_one_id_the_damaged_copy_loses_wherever_it_is() -> None:
    copy = wrapped(2).split("\n")[1]  # a wrapped row's end, repeated above the row itself
    text = HEAD + row(1) + "\n" + copy + "\n" + wrapped(2) + "\n"
    digest = parse_digest(text, "d.md")
    assert [p.title for p in digest.papers] == ["Paper 1", "Wrapped Paper 2 with a Long Title"]
    assert [str(p) for p in digest.problems] == [
        "d.md:6: arXiv 2501.00002 is listed again, whole, on line 7; kept that one"
    ]
