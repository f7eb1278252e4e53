"""Bookmarks: what each person saved, and exports of it. A user only ever reaches their own."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.db.bookmarks import BookmarkStore
from bot.db.core import Database
from bot.db.papers import PaperStore
from bot.errors import UserError
from bot.ids import arxiv_ids_in, normalize_arxiv_id
from bot.models import Page, Saved

log = logging.getLogger(__name__)
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


NOTE_LIMIT = 300  # characters: a short note, not a review
LINKS_LIMIT = 25  # papers saved from one message at most


class PaperFetcher(Protocol):
    """Fetches papers the archive lacks (the arXiv source) and stores them.

    ``fetch`` returns the ids that are stored afterwards; ids arXiv does not know are left out.
    """

    async def fetch(self, arxiv_ids: Sequence[str]) -> Sequence[str]: ...


@dataclass(frozen=True)
class LinkResult:
    """What "Bookmark papers" did with the papers a message links."""

    saved: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # not in the archive, and could not be fetched
    fetched: tuple[str, ...] = ()
    fetch_failed: str = ""
    beyond: int = 0  # papers past LINKS_LIMIT, left alone

    def describe(self) -> str:
        if not (self.saved or self.already or self.missing):
            return "That message links no arXiv or Hugging Face paper."
        parts = []
        if self.saved:
            parts.append(
                f"Saved {len(self.saved)} paper(s) to your bookmarks: {', '.join(self.saved)}."
            )
        if self.already:
            parts.append(f"Already bookmarked: {', '.join(self.already)}.")
        if self.missing:
            why = f" ({self.fetch_failed})" if self.fetch_failed else ""
            parts.append(f"Not found on arXiv{why}: {', '.join(self.missing)}.")
        if self.beyond:
            parts.append(f"I read the first {LINKS_LIMIT} papers; {self.beyond} more were left.")
        return " ".join(parts)


class BookmarkService:
    def __init__(
        self,
        db: Database,
        papers: PaperStore,
        clock: Callable[[], datetime],
        fetcher: PaperFetcher | None = None,
    ) -> None:
        self.store = BookmarkStore(db, papers)
        self.papers = papers
        self.clock = clock
        self.fetcher = fetcher

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
        return Page([saved.paper for saved in rows[:limit]], offset, limit, len(rows) > limit)

    async def marked(
        self, user_id: int, *, limit: int = 10, offset: int = 0, unread: bool = False
    ) -> tuple[list[Saved], bool]:
        """One page of bookmarks with their read state and notes, and whether more follow."""
        rows = await self.store.saved(user_id, limit + 1, offset, unread=unread)
        return rows[:limit], len(rows) > limit

    async def bookmark_links(self, user_id: int, text: str) -> LinkResult:
        """Save every paper ``text`` links; papers the archive lacks are fetched first."""
        linked = arxiv_ids_in(text)
        wanted = linked[:LINKS_LIMIT]
        known = {arxiv_id for arxiv_id in wanted if await self.papers.get(arxiv_id) is not None}
        absent = [arxiv_id for arxiv_id in wanted if arxiv_id not in known]
        fetched: set[str] = set()
        failed = ""
        if absent and self.fetcher is None:
            failed = "fetching from arXiv is not set up"
        elif absent and self.fetcher is not None:
            try:
                fetched = set(await self.fetcher.fetch(absent)) & set(absent)
            except Exception as error:  # a network failure must not lose the papers we have
                log.warning("fetching %d papers for a bookmark failed: %s", len(absent), error)
                failed = f"arXiv did not answer: {error}"
        saved: list[str] = []
        already: list[str] = []
        for arxiv_id in wanted:
            if arxiv_id in known or arxiv_id in fetched:
                (saved if await self.add(user_id, arxiv_id) else already).append(arxiv_id)
        missing = tuple(a for a in absent if a not in fetched)
        beyond = len(linked) - len(wanted)
        return LinkResult(
            tuple(saved), tuple(already), missing, tuple(sorted(fetched)), failed, beyond
        )

    async def mark(self, user_id: int, paper: str, read: bool) -> str:
        """Mark a bookmark read or unread; the answer says what happened."""
        arxiv_id = self._id(paper)
        when = self.clock().astimezone(UTC).isoformat() if read else None
        if not await self.store.set_read(user_id, arxiv_id, when):
            raise UserError(f"arXiv {arxiv_id} is not in your bookmarks.")
        return f"Marked arXiv {arxiv_id} as {'read' if read else 'unread'}."

    async def note(self, user_id: int, paper: str) -> tuple[str, str]:
        """(arXiv id, its current note) of one of the user's bookmarks."""
        arxiv_id = self._id(paper)
        note = await self.store.note(user_id, arxiv_id)
        if note is None:
            raise UserError(f"arXiv {arxiv_id} is not in your bookmarks; bookmark it first.")
        return arxiv_id, note

    async def set_note(self, user_id: int, arxiv_id: str, note: str) -> str:
        note = " ".join(note.split())
        if len(note) > NOTE_LIMIT:
            raise UserError(f"A note is at most {NOTE_LIMIT} characters; yours has {len(note)}.")
        if not await self.store.set_note(user_id, arxiv_id, note):
            raise UserError(f"arXiv {arxiv_id} is no longer in your bookmarks.")
        return (
            f"Saved your note on arXiv {arxiv_id}."
            if note
            else f"Removed your note on arXiv {arxiv_id}."
        )

    @staticmethod
    def _id(paper: str) -> str:
        arxiv_id = normalize_arxiv_id(paper)
        if arxiv_id is None:
            raise UserError(f"{paper.strip()[:100]!r} is not an arXiv id or link.")
        return arxiv_id

    async def clear(self, user_id: int) -> int:
        return await self.store.clear(user_id)

    async def forget_user(self, user_id: int) -> tuple[int, int]:
        """Delete the user's bookmarks (their notes and read marks with them): (bookmarks, notes)."""
        notes = await self.store.notes(user_id)
        return await self.store.clear(user_id), notes

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


def bibtex(saved: Sequence[Saved]) -> str:
    """@misc entries Zotero imports as arXiv preprints: eprint, archivePrefix, primaryClass, url;
    ``note`` carries the person's own note and read state."""
    entries = []
    for mark in saved:
        paper, when = mark.paper, mark.bookmarked_at
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
        note = f"Bookmarked with paperboy on {when[:10]}"
        note += f"; read {mark.read_at[:10]}" if mark.read_at else "; unread"
        note += f". {mark.note}" if mark.note else ""
        fields.append(("note", bibtex_text(note)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


CSV_COLUMNS = [
    "arxiv_id",
    "title",
    "authors",
    "category",
    "days",
    "arxiv_url",
    "hf_url",
    "bookmarked_at",
    "read_at",
    "note",
]


def as_csv(saved: Sequence[Saved]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for mark in saved:
        paper = mark.paper
        writer.writerow(
            [
                paper.arxiv_id,
                paper.title,
                "; ".join(paper.authors),
                paper.category or "",
                " ".join(day.isoformat() for day in paper.days),
                paper.arxiv_url,
                paper.hf_url or "",
                mark.bookmarked_at,
                mark.read_at or "",
                mark.note,
            ]
        )
    return out.getvalue()


def markdown(saved: Sequence[Saved]) -> str:
    """A task list of linked titles (ticked when read), each note quoted below its paper;
    brackets in a title are escaped so its link stays whole."""
    lines = ["# My paperboy bookmarks", ""]
    for mark in saved:
        paper = mark.paper
        title = re.sub(r"([\\\[\]])", r"\\\1", paper.title)
        authors = f" — {', '.join(paper.authors)}" if paper.authors else ""
        hf = f" · [Hugging Face]({paper.hf_url})" if paper.hf_url else ""
        box = "[x]" if mark.read_at else "[ ]"
        lines.append(
            f"- {box} [{title}]({paper.arxiv_url}){authors} ([arXiv]({paper.arxiv_url}){hf})"
        )
        if mark.note:
            lines.append(f"  > {mark.note}")
    return "\n".join(lines) + "\n"
