"""A seeded fuzz of real digests: whatever is done to some lines, the rows nobody touched come out
whole, and every row that is dropped is reported at one of its lines.

Each case takes a real digest from the shared corpus and damages one to four lines the ways digests
get damaged (a lost leading or trailing pipe, a truncated, repeated, swapped or joined line, junk
rows, invisible characters, a lone CR, an invalid UTF-8 byte, runs of spaces or brackets, the file
cut mid-row).
Lines are tracked from the original, so "untouched" is exact: a row whose lines all survive as they
were, next to each other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from bot.digest import LINE_BREAK, parse_digest, split_lines
from bot.ingest import read_markdown
from bot.models import Paper

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "daily-ai-papers"
ARCHIVE = sorted(CORPUS.rglob("*.md")) if CORPUS.is_dir() else []
CASES = 10_000
SEED = 20261128

JUNK = [
    "|",
    "| junk",
    "| a | b",
    "junk text with no pipe",
    "| x |",
    "|---|---|",
    "| [[[[ (((( |",
    "  " + " " * 300,
    "\u200b",
]
INVISIBLE = ["\u200b", "\ufeff", "\u00a0", "\u2060", "\u200e"]


@dataclass
class Line:
    text: str
    origin: int | None  # its index in the original digest, None for an inserted line
    touched: bool = False
    bad_byte: int | None = None  # where an invalid UTF-8 byte goes, as a character offset


@dataclass(frozen=True)
class Original:
    text: str
    rows: list[tuple[int, int]]  # (first, last) line index of each table row
    papers: list[Paper]  # the paper of each row, same order


@cache
def original(path: Path) -> Original:
    text = path.read_text(encoding="utf-8")
    lines = split_lines(text)
    rows: list[tuple[int, int]] = []
    in_table = False
    for index, line in enumerate(lines):
        if line.startswith("|"):
            if line.startswith(("| Title", "| Category", "|--")):
                in_table = True
                continue
            rows.append((index, index))
        elif in_table and line.strip() and rows and rows[-1][1] == index - 1:
            rows[-1] = (rows[-1][0], index)  # a wrapped row goes on
    papers = parse_digest(text, str(path)).papers
    assert len(papers) == len(rows), path
    return Original(text, rows, papers)


def fields(paper: Paper) -> tuple[object, ...]:
    """What a row says about its paper (its position aside: rows before it may be gone)."""
    return (
        paper.arxiv_id,
        paper.title,
        paper.authors,
        paper.summary,
        paper.category,
        paper.arxiv_url,
        paper.hf_url,
    )


def mutate(lines: list[Line], rng: random.Random) -> list[Line]:
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        at = rng.randrange(len(lines))
        line = lines[at]
        action = rng.randrange(14)
        if action == 12 and at + 1 < len(lines):  # two lines swapped
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
            lines[at].touched = lines[at + 1].touched = True
            continue
        if action == 13 and at + 1 < len(lines):  # two lines joined (a lost line break)
            line.text += lines.pop(at + 1).text
            line.touched = True
            continue
        if action == 0:
            del lines[at]
            continue
        if action == 1:  # a line repeated, next to itself or anywhere
            where = at + 1 if rng.random() < 0.5 else rng.randrange(len(lines) + 1)
            lines.insert(where, Line(line.text, None))
            continue
        if action == 2:
            lines.insert(at, Line(rng.choice(JUNK), None))
            continue
        if action == 11:  # the file cut mid-line
            del lines[at + 1 :]
        line.touched = True
        cut = rng.randint(0, len(line.text))
        if action == 3:
            line.text = line.text[:cut]
        elif action == 4:
            line.text = line.text.rstrip().removesuffix("|")
        elif action == 5:
            line.text = line.text.lstrip().removeprefix("|")
        elif action == 6:
            line.text = rng.choice(INVISIBLE) + line.text
        elif action == 7:
            line.text = line.text[:cut] + "\r" + line.text[cut:]
        elif action == 8:
            line.text = line.text[:cut] + "|" + line.text[cut:]
        elif action == 9:
            line.bad_byte = cut
        elif action == 10:
            run = rng.choice([" ", "[", "](", "\\", "*"]) * rng.randint(100, 3000)
            line.text = line.text[:cut] + run + line.text[cut:]
        else:
            line.text = line.text[:cut]
    return lines


def encode(lines: list[Line], final_newline: bool) -> tuple[bytes, list[int]]:
    """The damaged file, and the line number (1-based, as the parser counts) each Line starts on."""
    chunks: list[bytes] = []
    starts: list[int] = []
    number = 1
    for line in lines:
        starts.append(number)
        data = line.text.encode()
        if line.bad_byte is not None:
            head = line.text[: line.bad_byte].encode()
            data = head + b"\xff" + data[len(head) :]
        chunks.append(data)
        shown = line.text
        if line.bad_byte is not None:
            shown = shown[: line.bad_byte] + "\ufffd" + shown[line.bad_byte :]
        number += len(LINE_BREAK.findall(shown + "\n"))  # a final CR and the LF are one break
    return b"\n".join(chunks) + (b"\n" if final_newline else b""), starts


def check(path: Path, rng: random.Random) -> list[str]:
    """What went wrong with one damaged copy of ``path``, as readable sentences."""
    source = original(path)
    lines = [Line(text, index) for index, text in enumerate(split_lines(source.text))]
    final_newline = lines[-1].text == ""
    lines = mutate(lines, rng)
    data, starts = encode(lines, final_newline and bool(lines))
    digest = read_markdown(data, path.relative_to(CORPUS).as_posix())  # the day is in it
    found = {paper.arxiv_id: paper for paper in digest.papers}
    titles = {paper.title for paper in digest.papers}
    reported = {problem.line for problem in digest.problems}
    failures: list[str] = []
    where = {line.origin: at for at, line in enumerate(lines) if line.origin is not None}
    for (first, last), paper in zip(source.rows, source.papers, strict=True):
        span = [where.get(index) for index in range(first, last + 1)]
        untouched = (
            None not in span
            and span == list(range(span[0], span[0] + len(span)))  # type: ignore[operator]
            and not any(lines[at].touched or lines[at].bad_byte is not None for at in span)  # type: ignore[index]
        )
        got = found.get(paper.arxiv_id)
        if untouched and (got is None or fields(got) != fields(paper)):
            failures.append(f"untouched row {paper.arxiv_id} (line {first + 1}) lost: {got}")
        if got is not None or paper.title in titles:
            continue  # read, if with a damaged id
        survivors = sorted(at for at in span if at is not None)  # swapped lines: by position
        if not any(paper.arxiv_id in lines[at].text for at in survivors):
            continue  # its link is gone: what is left of it reads as part of another row, or prose
        first = survivors[0]
        while first > 0 and lines[first - 1].origin is None:
            first -= 1  # an inserted line right above can be where the row now starts
        low = starts[first]
        high = starts[survivors[-1]] + lines[survivors[-1]].text.count("\r")
        if not reported & set(range(low, high + 1)):
            failures.append(f"row {paper.arxiv_id} dropped without a problem on lines {low}-{high}")
    return failures


@pytest.mark.slow  # about 20 s of CPU
@pytest.mark.skipif(not ARCHIVE, reason=f"the shared corpus is not at {CORPUS}")
def test_ten_thousand_damaged_digests_lose_no_untouched_row_and_report_every_dropped_one() -> None:
    rng = random.Random(SEED)
    failures: list[str] = []
    for case in range(CASES):
        path = rng.choice(ARCHIVE)
        state = rng.getstate()
        for failure in check(path, rng):
            failures.append(f"case {case} ({path.name}, state hash {hash(state)}): {failure}")
    assert failures == [], f"{len(failures)} failures, first: {failures[:5]}"
