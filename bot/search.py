"""The search service: what people type, turned into safe queries over the store.

User text never reaches FTS5 as syntax. ``parse_query`` keeps three things from it (words, "quoted
phrases" and -excluded words, plus a trailing * for a prefix) and rebuilds an expression in which every
term is a quoted string, so quotes, NEAR, AND, brackets, emoji or 10 KB of text can only ever match
or not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.db.papers import PaperStore
from bot.errors import UserError
from bot.ids import normalize_arxiv_id
from bot.models import Page, PaperRow
from bot.taxonomy import label, resolve
from bot.text import fold, trim

MAX_TERMS = 16
MAX_LIMIT = 100
WORD = re.compile(r"\w+")
TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


class SearchError(UserError):
    """A request the service cannot answer as asked; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: phrases that must all match, phrases that must not."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def fts(self) -> str | None:
        """The FTS5 expression, or None when nothing is left to match on."""
        if not self.include:
            return None
        expression = " AND ".join(self.include)
        if self.exclude:
            expression = f"({expression}) NOT ({' OR '.join(self.exclude)})"
        return expression


def _phrase(text: str, prefix: bool) -> str | None:
    words = WORD.findall(text)
    if not words:
        return None
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def parse_query(text: str) -> Query:
    include: list[str] = []
    exclude: list[str] = []
    for match in TERM.finditer(text):
        quoted_neg, quoted, bare_neg, bare = match.groups()
        if quoted is not None:
            phrase, negative = _phrase(quoted, prefix=False), bool(quoted_neg)
        else:
            phrase = _phrase(bare, prefix=bare.endswith("*") and len(WORD.findall(bare)) == 1)
            negative = bool(bare_neg)
        if phrase is None:
            continue
        target = exclude if negative else include
        if phrase not in target and len(include) + len(exclude) < MAX_TERMS:
            target.append(phrase)
    return Query(tuple(include), tuple(exclude))


def nothing_to_search(text: str, *, filtered: bool) -> str | None:
    """Why ``text`` (with or without filters) cannot be searched, or None when it can."""
    query = parse_query(text)
    if query.fts() is not None or (filtered and not text.strip()):
        return None
    shown = text.strip()[:80]
    if query.exclude:
        return f"'{shown}' only excludes; add a word to look for, like: model {shown}"
    if shown:
        return f"nothing to search for in '{shown}'; use words, \"a phrase\" or prefix*"
    return 'nothing to search for: give words, "a phrase" or prefix*, or a filter'


def parse_arxiv_id(text: str) -> str:
    """The bare arXiv id in an id or arXiv / Hugging Face URL; SearchError when there is none."""
    arxiv_id = normalize_arxiv_id(text)
    if arxiv_id is None:
        raise SearchError(
            f"'{trim(text, 60)}' is not an arXiv id; try 2503.14456, arXiv:2503.14456v2 or a link"
        )
    return arxiv_id


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date, or a SearchError saying what was wrong with it."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise SearchError(
            f"'{trim(text, 60)}' is not a date; use YYYY-MM-DD, like 2025-03-19"
        ) from None


class SearchService:
    """Keyword search and lookups by author, category, day and arXiv id."""

    def __init__(self, papers: PaperStore) -> None:
        self.papers = papers

    async def search(
        self,
        text: str,
        *,
        author: str | None = None,
        category: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 10,
        offset: int = 0,
        highlight: tuple[str, str] = ("**", "**"),
    ) -> Page:
        """Ranked keyword search; filters narrow it. An empty query with filters lists newest first.

        Matched terms are put between ``highlight`` in titles and snippets."""
        if since and until and since > until:
            raise SearchError(f"'since' ({since}) is after 'until' ({until})")
        limit = max(1, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        query = parse_query(text)
        match = query.fts()
        if match is None and (text.strip() or not any((author, category, since, until))):
            return Page([], offset, limit, False)  # nothing searchable was typed, or nothing at all
        author_ids = None
        if author:
            author_ids = [
                author_id for author_id, _ in await self.papers.find_authors(fold(author))
            ]
            if not author_ids:
                return Page([], offset, limit, False)
        wanted = resolve(category) if category else None
        rows = await self.papers.search(
            match,
            author_ids=author_ids,
            categories=wanted.tags if wanted else None,
            prefixes=wanted.prefixes if wanted else (),
            since=since,
            until=until,
            limit=limit + 1,
            offset=offset,
            highlight=highlight,
        )
        return Page(rows[:limit], offset, limit, len(rows) > limit)

    async def by_author(self, name: str, *, limit: int = 10, offset: int = 0) -> Page:
        """Papers by anyone whose name (or username) contains ``name``, newest first."""
        if not fold(name):
            return Page([], offset, limit, False)
        return await self.search("", author=name, limit=limit, offset=offset)

    async def by_category(self, name: str, *, limit: int = 10, offset: int = 0) -> Page:
        if not name.strip():
            return Page([], offset, limit, False)
        return await self.search("", category=name, limit=limit, offset=offset)

    async def categories(self) -> list[tuple[str, int]]:
        """Every category (arXiv codes and topic labels) with its paper count, largest first."""
        return await self.papers.categories()

    async def category_choices(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """(shown, value) for autocomplete: "cs.CL: Computation and Language (123)", "cs.CL";
        what was typed matches a code, a name or a topic label, in any case."""
        wanted = fold(typed.removesuffix("*"))
        found = []
        for tag, count in await self.papers.categories():
            shown = label(tag)
            if wanted in fold(shown):
                found.append((f"{shown} ({count})", tag))
        return found[:limit]

    async def authors(self, prefix: str, limit: int = 25) -> list[tuple[str, int]]:
        """Author names matching what has been typed so far, for autocomplete."""
        return await self.papers.author_names(prefix, limit)

    async def day(self, day: date | None = None) -> tuple[date | None, list[PaperRow]]:
        """The papers of ``day`` in digest order; with no day, the latest day there is."""
        day = day or await self.papers.latest_day()
        if day is None:
            return None, []
        return day, await self.papers.day(day)

    async def nearest_days(self, day: date) -> tuple[date | None, date | None]:
        """The closest days with papers before and after ``day`` (None where there is none)."""
        days = await self.papers.days()
        before = [d for d in days if d < day]
        after = [d for d in days if d > day]
        return (before[-1] if before else None), (after[0] if after else None)

    async def show(self, text: str) -> PaperRow | None:
        """One paper by arXiv id or arXiv / Hugging Face URL; SearchError when it is neither."""
        return await self.papers.get(parse_arxiv_id(text))

    async def random(self) -> PaperRow | None:
        return await self.papers.random()
