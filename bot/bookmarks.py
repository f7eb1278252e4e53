"""Bookmarks: what each person saved, and exports of it. A user only ever reaches their own."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.db.bookmarks import BookmarkStore
from bot.db.core import Database
from bot.db.papers import PaperStore
from bot.models import Page, PaperRow

FORMATS = ("bibtex", "csv", "markdown")
# Categories that are arXiv classes (cs.CL, stat.ML, ...) can go into BibTeX's primaryClass.
ARXIV_CLASS = re.compile(
    r"^(cs|math|stat|eess|econ|q-bio|q-fin|physics|astro-ph|cond-mat|nlin)\.[A-Za-z-]+$"
    r"|^(hep-(th|ph|ex|lat)|quant-ph|gr-qc|nucl-(th|ex)|math-ph|astro-ph|cond-mat|physics|nlin)$"
)
# LaTeX specials in BibTeX text: a backslash, ~ and ^ would otherwise be read as commands/accents.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in BIBTEX_ESCAPES))


class BookmarkService:
    def __init__(self, db: Database, papers: PaperStore, clock: Callable[[], datetime]) -> None:
        self.store = BookmarkStore(db, papers)
        self.clock = clock

    async def remember_message(
        self,
        message_id: int,
        channel_id: int,
        guild_id: int | None,
        arxiv_ids: Sequence[str],
        replace: bool = False,
    ) -> None:
        """Note that a message shows these papers, so a reaction on it can bookmark them;
        ``replace``: it shows only these now (a page turned)."""
        await self.store.remember(message_id, channel_id, guild_id, arxiv_ids, replace)

    async def papers_for_message(self, message_id: int) -> list[str]:
        return await self.store.papers_for_message(message_id)

    async def known(self, arxiv_id: str) -> bool:
        """Whether the paper is stored at all (a Bookmark button may outlive its paper)."""
        return await self.store.known(arxiv_id)

    async def add(self, user_id: int, arxiv_id: str) -> bool:
        """Save a paper for a user; False when it was already saved (or is unknown)."""
        return await self.store.add(user_id, arxiv_id, self.clock().isoformat())

    async def remove(self, user_id: int, arxiv_id: str) -> bool:
        return await self.store.remove(user_id, arxiv_id)

    async def saved(self, user_id: int, *, limit: int = 10, offset: int = 0) -> Page:
        """One page of the user's bookmarks, newest first."""
        rows = await self.store.saved(user_id, limit + 1, offset)
        return Page([row for row, _ in rows[:limit]], offset, limit, len(rows) > limit)

    async def clear(self, user_id: int) -> int:
        return await self.store.clear(user_id)

    async def forget_user(self, user_id: int) -> int:
        """Delete everything stored about a user (today: their bookmarks)."""
        return await self.store.clear(user_id)

    async def export(self, user_id: int, fmt: str) -> tuple[str, bytes]:
        """The user's bookmarks as a file: (filename, content)."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        count = await self.store.count(user_id)
        saved = await self.store.saved(user_id, max(count, 1), 0)
        render = {"bibtex": bibtex, "csv": as_csv, "markdown": markdown}[fmt]
        extension = {"bibtex": "bib", "csv": "csv", "markdown": "md"}[fmt]
        return f"bookmarks.{extension}", render(saved).encode("utf-8")


def bibtex_text(text: str) -> str:
    """Escape text for a BibTeX field so Zotero and LaTeX read back exactly these characters."""
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group(0)], text)


def bibtex_key(arxiv_id: str) -> str:
    """Stable and unique per paper: arxiv + the id without punctuation (old ids keep their archive)."""
    return "arxiv" + re.sub(r"\W", "", arxiv_id)


def bibtex(saved: Sequence[tuple[PaperRow, str]]) -> str:
    """@misc entries Zotero imports as arXiv preprints: eprint, archivePrefix, primaryClass, url."""
    entries = []
    for paper, when in saved:
        year = str(paper.days[0].year) if paper.days else "20" + paper.arxiv_id[:2]
        key = bibtex_key(paper.arxiv_id)
        fields = [
            ("title", "{" + bibtex_text(paper.title) + "}"),
            ("author", " and ".join(bibtex_text(name) for name in paper.authors) or "Unknown"),
            ("year", year),
            ("eprint", paper.arxiv_id),
            ("archivePrefix", "arXiv"),
        ]
        if paper.category and ARXIV_CLASS.match(paper.category):
            fields.append(("primaryClass", paper.category))
        fields.append(("url", paper.arxiv_url))
        fields.append(("note", bibtex_text(f"Bookmarked with paperboy on {when[:10]}")))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def as_csv(saved: Sequence[tuple[PaperRow, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["arxiv_id", "title", "authors", "category", "days", "arxiv_url", "hf_url", "bookmarked_at"]
    )
    for paper, when in saved:
        writer.writerow(
            [
                paper.arxiv_id,
                paper.title,
                "; ".join(paper.authors),
                paper.category or "",
                " ".join(day.isoformat() for day in paper.days),
                paper.arxiv_url,
                paper.hf_url or "",
                when,
            ]
        )
    return out.getvalue()


def markdown(saved: Sequence[tuple[PaperRow, str]]) -> str:
    """A bullet list of linked titles; brackets in a title are escaped so its link stays whole."""
    lines = ["# My paperboy bookmarks", ""]
    for paper, _ in saved:
        title = re.sub(r"([\\\[\]])", r"\\\1", paper.title)
        authors = f" — {', '.join(paper.authors)}" if paper.authors else ""
        hf = f" · [Hugging Face]({paper.hf_url})" if paper.hf_url else ""
        lines.append(f"- [{title}]({paper.arxiv_url}){authors} ([arXiv]({paper.arxiv_url}){hf})")
    return "\n".join(lines) + "\n"
