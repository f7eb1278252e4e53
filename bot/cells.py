"""One row of a digest table: its cells, and the Paper they describe.

Pure and linear in the row's length: no pattern here can backtrack over a run of blanks, '[' or
'|' (see bot/digest.py for how rows are told apart before they get here).
"""

from __future__ import annotations

import re
from datetime import date

from bot.ids import arxiv_id_in
from bot.models import Paper

# Blanks and the invisible characters an editor or a copy-paste can leave before a row's '|'.
LEADING = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
# Neither part may hold a bracket or parenthesis, so a run of '[' or '](' is scanned once.
LINK = re.compile(r"\[([^\[\]]*)\]\(([^\s()\[\]]+)\)")
# "(Read more on [arXiv](..) or [HuggingFace](..))" and "- read more on [arXiv](..) ...".
READ_MORE = re.compile(r"read more\b", re.IGNORECASE)
DASHES = ("-", "–", "—")


def body(line: str) -> str:
    """The line without leading blanks and invisible characters, nor trailing blanks."""
    match = LEADING.match(line)
    return line[match.end() if match else 0 :].rstrip()


def cells(text: str) -> list[str]:
    """The cells of a row line, outer pipes dropped, escaped pipes kept as text."""
    text = body(text)
    if text.startswith("|"):
        text = text[1:]
    if ends_with_pipe(text):
        text = text[:-1]
    parts = UNESCAPED_PIPE.split(text) if "\\|" in text else text.split("|")
    return [cell.strip().replace("\\|", "|") for cell in parts]


def ends_with_pipe(text: str) -> bool:
    return text.endswith("|") and not text.endswith("\\|")


def _fold(text: str) -> str:
    """Runs of whitespace as one space, no blanks at either end."""
    return " ".join(text.split())


def _strip_read_more(text: str) -> str:
    match = READ_MORE.search(text)
    if match is None:
        return text
    head = text[: match.start()].rstrip()
    return head[:-1] if head.endswith(("(", *DASHES)) else head


def row_paper(row: str, columns: list[str | None], day: date, position: int) -> Paper:
    """The paper a row describes, its cells named by ``columns``; ValueError says what is missing."""
    parts = cells(row)
    if len(parts) < len(columns) and not any(columns[len(parts) :]):
        parts += [""] * (len(columns) - len(parts))  # only unnamed columns are missing
    if len(parts) < len(columns):
        raise ValueError(f"expected {len(columns)} cells, found {len(parts)}")
    if len(parts) > len(columns):
        # An unescaped "|" inside the summary: give the extra cells back to it.
        parts = _merge_overflow(parts, columns)
    fields = {name: cell for name, cell in zip(columns, parts, strict=True) if name}
    title_cell = fields.get("title", "")
    links = {text.strip().lower(): url for text, url in LINK.findall(title_cell)}
    links.update({text.strip().lower(): url for text, url in LINK.findall(fields.get("link", ""))})
    title = _fold(LINK.sub(r"\1", _strip_read_more(title_cell)))
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
        summary=_fold(fields.get("summary", "")),
        day=day,
        position=position,
        category=_fold(fields.get("category", "")) or None,
        arxiv_url=arxiv_url or f"https://arxiv.org/abs/{arxiv_id}",
        hf_url=hf_url or f"https://huggingface.co/papers/{arxiv_id}",
    )


def _merge_overflow(cells: list[str], columns: list[str | None]) -> list[str]:
    extra = len(cells) - len(columns)
    if "summary" not in columns:
        raise ValueError(f"expected {len(columns)} cells, found {len(cells)}")
    at = columns.index("summary")
    return [*cells[:at], " | ".join(cells[at : at + extra + 1]), *cells[at + extra + 1 :]]
