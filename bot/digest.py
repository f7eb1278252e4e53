"""Parse a daily digest (markdown) into Paper records.

Pure: text in, papers and problems out, in time linear in the text whatever it holds. Every variant
of the archive is read the same way: find the day, find the table header (whatever its columns),
then read one logical row per paper, joining lines that wrap. A row that cannot be read becomes a
Problem (``file:line: reason``); the others are kept. Lines are counted as an editor counts them:
CRLF, LF and a lone CR each end one.

How rows are told apart (the rules that keep one broken row from eating a good one):
- a line starting with ``|`` (after blanks and invisible characters) always starts a new row;
- a row that does not yet hold all its cells takes the following lines as its rest, except a line
  with its own arXiv link once the row already has one (that line is a row without a leading pipe);
- any other line that looks like a row (it holds a ``|`` or an arXiv link) is a row of its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import PurePath

from bot.cells import body as _body
from bot.cells import cells as _cells
from bot.cells import ends_with_pipe as _ends_with_pipe
from bot.cells import row_paper
from bot.ids import arxiv_id_in
from bot.models import Paper, Problem

DAY_HEADING = re.compile(r"^\s*#+\s*Papers\s+for\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
# 2025/03/19.md, 2025-03-19.md, .../2025/03-19.md: the day a file is for when it has no heading.
DAY_IN_PATH = re.compile(r"(\d{4})[/-](\d{2})[/-](\d{2})(?:\.md)?$")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
HEADER_WORD = re.compile(r"[A-Za-z][\w ]{0,40}")  # an unknown column may be named, not garbled

# Header words mapped to the field they hold.
COLUMNS = {
    "title": "title",
    "paper": "title",
    "authors": "authors",
    "author": "authors",
    "summary": "summary",
    "abstract": "summary",
    "category": "category",
    "categories": "category",
    "link": "link",
    "links": "link",
}


Shape = tuple[bool, bool, bool, int]  # what wins between two rows of an id (see parse_digest)


@dataclass(slots=True)
class Digest:
    day: date | None
    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    """One logical row being gathered: its first line, its text and what it holds so far."""

    lineno: int
    piped: bool  # it began with '|' as a row should
    parts: list[str] = field(default_factory=list)
    pipes: int = 0  # the '|' it holds, counting a missing leading one
    has_id: bool = False
    closed: bool = False  # its last line ends with an unescaped '|'
    end: int = 0  # the index of its last line

    def __post_init__(self) -> None:
        self.pipes = 0 if self.piped else 1

    def add(self, text: str, index: int, has_id: bool) -> None:
        self.parts.append(text)
        self.pipes += _pipes(text)
        self.has_id = self.has_id or has_id
        self.closed = _ends_with_pipe(text)
        self.end = index

    @property
    def rowlike(self) -> bool:
        """Anything but prose: it holds a cell border or an arXiv link."""
        return self.has_id or self.pipes > (0 if self.piped else 1)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def day_from_path(path: str) -> date | None:
    match = DAY_IN_PATH.search(PurePath(path).as_posix())
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor shows them (CRLF, LF or a lone CR end a line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # LINE_BREAK, faster


def parse_digest(text: str, source: str = "<digest>") -> Digest:
    """Read every paper row of one digest; unreadable rows become problems, never exceptions."""
    lines = split_lines(text)
    day, bad_heading = _find_day(lines, source)
    digest = Digest(day=day)
    if bad_heading is not None:
        digest.problems.append(bad_heading)
    if day is None:
        if bad_heading is None:
            digest.problems.append(
                Problem(
                    source, 1, "no '## Papers for YYYY-MM-DD' heading and no date in the file name"
                )
            )
        return digest
    header = _find_header(lines)
    if header is None:
        digest.problems.append(Problem(source, 1, "no table with a Title column"))
        return digest
    header_index, columns, guessed = header
    if guessed is not None:
        digest.problems.append(replace(guessed, source=source))
    above = header_index if guessed is None else header_index + 1  # a guessed "header" is a row
    digest.problems.extend(
        Problem(source, number, "a row above the table's header; not read")
        for number, line in enumerate(lines[:above], 1)
        if arxiv_id_in(line) is not None
    )
    rows = list(_rows(lines, header_index + 1, len(columns)))
    kept: dict[str, tuple[int, Paper, Shape]] = {}  # arXiv id -> (line, paper, its row's shape)
    for number, row in enumerate(rows):
        if number == len(rows) - 1 and _cut_off(row, rows, lines):
            reason = "the digest ends inside this row (no closing '|')"
            digest.problems.append(Problem(source, row.lineno, reason))
            continue
        try:
            paper = row_paper(row.text, columns, day, len(kept) + 1)
        except ValueError as error:
            digest.problems.append(Problem(source, row.lineno, str(error)))
            continue
        # How much a row looks like the archive's, most telling first: between and closed by
        # pipes and not followed by a wrapped row's stray end (a sign it took another row's
        # end); exactly its cells; no replaced bytes; as few lines as can hold it.
        after = rows[number + 1] if number + 1 < len(rows) else None
        stray = (
            after is not None
            and not after.piped
            and after.has_id
            and arxiv_id_in(after.text) != paper.arxiv_id  # a copy of its own end proves nothing
        )
        text = row.text
        shape = (
            row.piped and row.closed and not stray,
            _pipes(text) == len(columns) + 1,
            "\ufffd" not in text,  # no byte lost to invalid UTF-8
            -len(row.parts),  # not split by a stray line break
        )
        dropped = _keep(kept, (row.lineno, paper, shape))
        if dropped:
            digest.problems.append(replace(dropped, source=source))
    ordered = sorted(kept.values(), key=lambda entry: entry[0])
    digest.problems.sort(key=lambda problem: problem.line)
    digest.papers = [
        paper if paper.position == at else replace(paper, position=at)
        for at, (_, paper, _) in enumerate(ordered, 1)
    ]
    return digest


def _keep(
    kept: dict[str, tuple[int, Paper, Shape]], entry: tuple[int, Paper, Shape]
) -> Problem | None:
    """Keep the first row listing an id, unless a later one has a better shape (a damaged row
    that happens to hold the id loses to the whole one); say which was dropped."""
    lineno, paper, shape = entry
    first = kept.get(paper.arxiv_id)
    if first is None:
        kept[paper.arxiv_id] = entry
        return None
    if shape > first[2]:
        kept[paper.arxiv_id] = entry
        reason = f"arXiv {paper.arxiv_id} is listed again, whole, on line {lineno}; kept that one"
        return Problem("", first[0], reason)
    reason = f"arXiv {paper.arxiv_id} already listed on line {first[0]}; kept the first"
    return Problem("", lineno, reason)


def _find_day(lines: list[str], source: str) -> tuple[date | None, Problem | None]:
    """The heading's day, else the file name's; a heading whose date is impossible is a problem
    (and the file name's day, if any, is used instead)."""
    for lineno, line in enumerate(lines, 1):
        match = DAY_HEADING.match(line)
        if match:
            try:
                return date.fromisoformat(match.group(1)), None
            except ValueError:
                fallback = day_from_path(source)
                instead = f"; used {fallback} from the file name" if fallback else ""
                reason = f"the heading's date {match.group(1)} is not a real date{instead}"
                return fallback, Problem(source, lineno, reason)
    return day_from_path(source), None


def _find_header(lines: list[str]) -> tuple[int, list[str | None], Problem | None] | None:
    """The header line and its columns. A table whose header is lost or damaged is still read,
    with the archive's usual columns and a problem saying so; text with no table at all is None."""
    titled = next((i for i, line in enumerate(lines) if "title" in _names(_body(line))), -1)
    for index, line in enumerate(lines):
        body = _body(line)
        if "|" not in body:
            continue
        if arxiv_id_in(body) is not None:
            if index < titled:
                continue  # a row above the header (parse_digest reports it)
            return _usual_columns(lines, _row_start(lines, index), 0, "no table header")
        if _separator(body):
            below = next((_body(line) for line in lines[index + 1 :] if line.strip()), "")
            if "title" in _names(below):
                continue  # the separator landed above its header
            width = _row_width(lines, index + 1) or len(_cells(body))
            return _usual_columns(lines, index + 1, width, "no table header above it")
        cells = _cells(body)
        names = _names(body)
        if "title" not in names:
            continue
        below = next((_body(line) for line in lines[index + 1 :] if line.strip()), "")
        named = [name for name in names if name]
        # Unknown columns are fine when named by a word in a closed header line; a header cut
        # short or garbled is read with the usual columns instead.
        plain = _ends_with_pipe(body) and all(
            name or HEADER_WORD.fullmatch(cell) for name, cell in zip(names, cells, strict=True)
        )
        rows = _row_width(lines, index + 1)
        whole = len(named) == len(names)
        # The rows outvote the separator, and the separator the header, on how wide the table is.
        wide = rows or (len(_cells(below)) if _separator(below) else 0)
        if len(named) == len(set(named)) > 1 and (whole or plain) and wide in (0, len(names)):
            return index, names, None
        width = rows or (len(_cells(below)) if _separator(below) else len(names))
        return _usual_columns(lines, index + 1, width, "the table header is damaged")
    return None


def _names(body: str) -> list[str | None]:
    """The field each cell of a header line names (None: a column paperboy does not read)."""
    return [COLUMNS.get(cell.lower().strip("* ")) for cell in _cells(body)]


def _row_width(lines: list[str], start: int) -> int:
    """The cell count most of the first rows agree on (0 when they do not agree)."""
    counts: Counter[int] = Counter()
    text = ""
    for line in lines[start : start + 200]:
        body = _body(line)
        if body.startswith("|"):
            text = body
        elif text and body:
            text += " " + body
        if text and _ends_with_pipe(body) and arxiv_id_in(body):
            counts[len(_cells(text))] += 1
            text = ""
            if counts.total() == 9:
                break
    if not counts:
        return 0
    width, seen = counts.most_common(1)[0]
    return width if seen * 3 >= counts.total() * 2 else 0


def _row_start(lines: list[str], index: int) -> int:
    """Where the row ending at ``index`` starts: back over the lines a wrapped row is made of."""
    start = index
    while start > 0 and (body := _body(lines[start - 1])) and not body.startswith("|"):
        start -= 1
    if (
        start > 0
        and (body := _body(lines[start - 1])).startswith("|")
        and not _ends_with_pipe(body)
    ):
        start -= 1
    return start


def _separator(body: str) -> bool:
    return "-" in body and not body.strip("|:- \t")


def _usual_columns(
    lines: list[str], start: int, width: int, why: str
) -> tuple[int, list[str | None], Problem]:
    """The archive's layouts: Title | Authors | Summary, with Category first or Link last when
    the table is four wide (the first row says which)."""
    columns: list[str | None] = ["title", "authors", "summary"]
    first = _cells(next((_body(line) for line in lines[start:] if arxiv_id_in(line)), ""))
    if (width or len(first)) == 4:
        second = len(first) > 1 and arxiv_id_in(first[1]) and not arxiv_id_in(first[0])
        columns = ["category", *columns] if second else [*columns, "link"]
    shown = " | ".join(name.title() for name in columns if name)
    return start - 1, columns, Problem("", start + 1, f"{why}; read the columns as {shown}")


def _rows(lines: list[str], start: int, width: int) -> Iterator[_Row]:
    """Every logical row after the header, by the rules in the module docstring; prose is left out."""
    header = _body(lines[start - 1]) if start > 0 else None
    row: _Row | None = None
    for index in range(start, len(lines)):
        body = _body(lines[index])
        if not body:
            continue  # a blank line neither ends a row nor adds to it
        has_id = arxiv_id_in(body) is not None
        if body.startswith("|"):
            if body == header or not body.strip("|:- \t"):  # cells with nothing to read too
                if row is not None and row.rowlike:
                    yield row
                row = None
                continue  # the header repeated, or the separator
        elif row is not None and row.pipes < width + 1 and not (row.has_id and has_id):
            row.add(body, index, has_id)
            continue
        if row is not None and row.rowlike:
            yield row
        row = _Row(index + 1, piped=body.startswith("|"))
        row.add(body, index, has_id)
    if row is not None and row.rowlike:
        yield row


def _cut_off(row: _Row, rows: list[_Row], lines: list[str]) -> bool:
    """The file ends (no final newline) inside a last row with no closing '|', where every other
    row closes: the digest was cut off mid-row."""
    if row.closed or row.end != len(lines) - 1:
        return False
    others = rows[:-1]
    return bool(others) and all(other.closed for other in others)


def _pipes(text: str) -> int:
    return text.count("|") - text.count("\\|")
