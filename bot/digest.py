"""Parse a daily digest (markdown) into Paper records.

Pure: text in, papers and problems out. Every variant of the archive is read the same way: find the
day, find the table header (whatever its columns), then read one logical row per paper, joining lines
that wrap. A row that cannot be read becomes a Problem (``file:line: reason``); the others are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from bot.ids import arxiv_id_in
from bot.models import Paper, Problem

DAY_HEADING = re.compile(r"^\s*#+\s*Papers\s+for\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
# 2025/03/19.md, 2025-03-19.md, .../2025/03-19.md: the day a file is for when it has no heading.
DAY_IN_PATH = re.compile(r"(\d{4})[/-](\d{2})[/-](\d{2})(?:\.md)?$")
SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
LINK = re.compile(r"\[([^\]]*)\]\((\S+?)\)")
# "(Read more on [arXiv](..) or [HuggingFace](..))" and "- read more on [arXiv](..) ...".
READ_MORE = re.compile(r"\s*(?:\(|[-–—]\s*)?read more\b.*$", re.IGNORECASE | re.DOTALL)
SPACES = re.compile(r"\s+")

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


@dataclass(slots=True)
class Digest:
    day: date | None
    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def day_from_path(path: str) -> date | None:
    match = DAY_IN_PATH.search(PurePath(path).as_posix())
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def parse_digest(text: str, source: str = "<digest>") -> Digest:
    """Read every paper row of one digest; unreadable rows become problems, never exceptions."""
    lines = text.splitlines()
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
    header_index, columns = header
    seen: dict[str, int] = {}
    for position, (lineno, row) in enumerate(_rows(lines, header_index + 1, len(columns)), 1):
        try:
            paper = _paper(row, columns, day, position)
        except ValueError as error:
            digest.problems.append(Problem(source, lineno, str(error)))
            continue
        if paper.arxiv_id in seen:
            digest.problems.append(
                Problem(
                    source,
                    lineno,
                    f"arXiv {paper.arxiv_id} already listed on line "
                    f"{seen[paper.arxiv_id]}; kept the first",
                )
            )
            continue
        seen[paper.arxiv_id] = lineno
        digest.papers.append(paper)
    return digest


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


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip().replace("\\|", "|") for cell in UNESCAPED_PIPE.split(text)]


def _find_header(lines: list[str]) -> tuple[int, list[str | None]] | None:
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            continue
        names = [COLUMNS.get(cell.lower().strip("* ")) for cell in _cells(line)]
        if "title" in names:
            return index, names
    return None


def _rows(lines: list[str], start: int, width: int) -> Iterator[tuple[int, str]]:
    """Yield (line number, logical row text), joining lines that wrap inside a row.

    A row starts at a line beginning with '|' and is complete once it holds all its cells; lines
    that follow an incomplete row (blank lines included) are the rest of it.
    """
    index = start
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.lstrip().startswith("|"):
            continue
        if all(SEPARATOR_CELL.match(cell) for cell in _cells(line) if cell):
            continue
        lineno, parts = index, [line.strip()]
        while _pipes(" ".join(parts)) < width + 1 and index < len(lines):
            following = lines[index]
            if following.lstrip().startswith("|") and _pipes(" ".join(parts)) > 1:
                # A new row, or the rest of this one split before a cell border: a wrapped row
                # continues with '|' only when the two together still fit in one row.
                if _pipes(" ".join([*parts, following])) > width + 1:
                    break
            elif following.lstrip().startswith("|"):
                break
            parts.append(following.strip())
            index += 1
        yield lineno, " ".join(part for part in parts if part)


def _pipes(text: str) -> int:
    return len(UNESCAPED_PIPE.findall(text))


def _paper(row: str, columns: list[str | None], day: date, position: int) -> Paper:
    cells = _cells(row)
    if len(cells) < len(columns):
        raise ValueError(f"expected {len(columns)} cells, found {len(cells)}")
    if len(cells) > len(columns):
        # An unescaped '|' inside the summary: give the extra cells back to it.
        cells = _merge_overflow(cells, columns)
    fields = {name: cell for name, cell in zip(columns, cells, strict=True) if name}
    title_cell = fields.get("title", "")
    links = {text.strip().lower(): url for text, url in LINK.findall(title_cell)}
    links.update({text.strip().lower(): url for text, url in LINK.findall(fields.get("link", ""))})
    title = SPACES.sub(" ", LINK.sub(r"\1", READ_MORE.sub("", title_cell))).strip()
    if not title:
        raise ValueError("empty title")
    urls = list(links.values())
    arxiv_id = next(filter(None, map(arxiv_id_in, urls)), None) or arxiv_id_in(row)
    if arxiv_id is None:
        raise ValueError(f"no arXiv id in row for {title[:60]!r}")
    hf_url = next((url for url in urls if "huggingface.co" in url), None)
    arxiv_url = next((url for url in urls if "arxiv.org" in url), None)
    authors = tuple(
        name for name in (a.strip() for a in fields.get("authors", "").split(",")) if name
    )
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        authors=authors,
        summary=SPACES.sub(" ", fields.get("summary", "")).strip(),
        day=day,
        position=position,
        category=SPACES.sub(" ", fields.get("category", "")).strip() or None,
        arxiv_url=arxiv_url or f"https://arxiv.org/abs/{arxiv_id}",
        hf_url=hf_url or f"https://huggingface.co/papers/{arxiv_id}",
    )


def _merge_overflow(cells: list[str], columns: list[str | None]) -> list[str]:
    extra = len(cells) - len(columns)
    if "summary" not in columns:
        raise ValueError(f"expected {len(columns)} cells, found {len(cells)}")
    at = columns.index("summary")
    return [*cells[:at], " | ".join(cells[at : at + extra + 1]), *cells[at + extra + 1 :]]
