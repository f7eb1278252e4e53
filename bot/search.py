"""The search service: what people type, turned into safe, forgiving, ranked queries.

The syntax (words, "phrases", -exclusions, prefix*, au: ti: cat: id: since: until:) is parsed by
bot.query; the slash command's and the CLI's options mean exactly what the same fields typed in
the query mean. On top of the parsed query the service adds:

- singular/plural forms: a plain word also matches its other number ("transformer" finds
  "transformers"), but only forms that occur in the index; quoted words stay exact;
- typo corrections: a query with fewer than FEW hits is retried with each unknown or very rare
  word replaced by the most common index word one edit away (a letter deleted, added, changed or
  two swapped), when that retry finds more; the page then says what it searched for
  (bot.spelling);
- ranking: bm25 (title weighted above authors above the summary) times a recency bonus of up
  to RECENCY_BOOST, half of it RECENCY_HALF_LIFE days before the newest digest day, exact over
  every match, by the derived tantivy index (bot.textindex). Without it (tantivy not
  importable, the index still rebuilding, a query shape it lacks) FTS5 ranks as
  bot.db.papers.ranked_sql does, broad queries within their newest RANK_WINDOW matches.

On the index, a search makes one round trip to SQLite in the common case (the page's rows;
author filters add theirs): freshness, the newest day, word forms and correction counts come
from the index, and matched terms are marked in Python (bot.highlight) as FTS5 would mark them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.db import searchlog
from bot.db.discovery import DiscoveryStore
from bot.db.papers import Filters, PaperStore
from bot.ids import normalize_arxiv_id
from bot.models import Page, PaperRow
from bot.query import Query, SearchError, parse_day, parse_query, parse_when
from bot.spelling import FEW, existing_forms, query_forms
from bot.spelling import corrections as spelling_corrections
from bot.taxonomy import label, resolve
from bot.text import fold, trim
from bot.textindex import TextIndex

__all__ = [
    "MAX_LIMIT",
    "SearchError",
    "SearchService",
    "nothing_to_search",
    "parse_arxiv_id",
    "parse_day",
    "parse_query",
]

MAX_LIMIT = 100


def nothing_to_search(text: str, *, filtered: bool, today: date | None = None) -> str | None:
    """Why ``text`` (with or without filters) cannot be searched, or None when it can.

    Fields typed in ``text`` (au:, since: ...) count as filters; a bad field raises SearchError.
    """
    query = parse_query(text, today or datetime.now(UTC).date())
    rest = text
    for typed in query.fields:
        rest = rest.replace(typed, "", 1)
    if query.fts() is not None or ((filtered or query.has_filters) and not rest.strip()):
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


class SearchService:
    """Keyword search and lookups by author, category, day and arXiv id."""

    def __init__(
        self,
        papers: PaperStore,
        clock: Callable[[], datetime] | None = None,
        index: TextIndex | None = None,
    ) -> None:
        self.papers = papers
        self.index = index  # the derived tantivy index; None or not ready: FTS5 ranks
        self.discovery = DiscoveryStore(papers.db, papers)
        self.clock = clock or (lambda: datetime.now(UTC))

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def when(self, text: str) -> date:
        """A since/until value as the options take it: YYYY-MM-DD, or 7d, 2w, 3m, 1y back."""
        return parse_when(text, self.today())

    def parse(
        self,
        text: str,
        *,
        author: str | None = None,
        category: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Query:
        """The query typed, with the options folded in: an option means what its field means."""
        query = parse_query(text, self.today())
        if author and fold(author):
            query = replace(query, authors=(*query.authors, author))
        if category and category.strip():
            category = category.strip()
            if query.category and query.category.casefold() != category.casefold():
                raise SearchError(
                    f"two categories asked for ({query.category}, {category}); a paper has one"
                )
            query = replace(query, category=category)
        if since:
            query = replace(query, since=max(since, query.since or since))
        if until:
            query = replace(query, until=min(until, query.until or until))
        if query.since and query.until and query.since > query.until:
            raise SearchError(f"'since' ({query.since}) is after 'until' ({query.until})")
        return query

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
        correct: bool = True,
        highlight: tuple[str, str] = ("**", "**"),
    ) -> Page:
        """Ranked keyword search; filters narrow it. An empty query with filters lists newest first.

        With ``correct``, a first page with fewer than FEW hits may come back for a corrected
        query instead; ``Page.corrected`` then holds that query's text (search it, with
        ``correct=False``, for the next pages). Matched terms are put between ``highlight`` in
        titles and snippets.
        """
        limit = max(1, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        query = self.parse(text, author=author, category=category, since=since, until=until)
        page = await self.run(query, limit, offset, highlight)
        if not correct or offset or len(page.items) >= FEW or not query.terms:
            return page
        corrections = await self.corrections(query)
        if not corrections:
            return page
        better = query.corrected(corrections)
        retry = await self.run(better, limit, offset, highlight)
        if len(retry.items) <= len(page.items):
            return page
        return replace(retry, corrected=better.text())

    async def run(
        self,
        query: Query,
        limit: int,
        offset: int,
        highlight: tuple[str, str] = ("**", "**"),
    ) -> Page:
        """One page of ``query`` as it stands (no corrections)."""
        empty = Page([], offset, limit, False)
        filters = await self.filters(query)
        if filters is None:
            return empty  # an author nobody is
        if not query.terms:
            if query.excluded or not query.has_filters:
                return empty  # nothing searchable was typed, or nothing at all
            rows = await self.papers.listing(filters, limit + 1, offset)
            return Page(rows[:limit], offset, limit, len(rows) > limit)
        exact = await self.exact(query, filters, limit, offset, highlight)
        if exact is not None:
            return exact
        match = query.fts(await self.variants(query))
        assert match is not None  # there are terms
        rows = await self.papers.ranked(match, filters, limit + 1, offset, highlight)
        return Page(rows[:limit], offset, limit, len(rows) > limit)

    async def serving(self) -> TextIndex | None:
        """The derived index when it can answer now (in step with SQLite), else None (FTS5)."""
        if self.index is None or not await self.index.sync():
            return None
        return self.index

    async def exact(
        self,
        query: Query,
        filters: Filters,
        limit: int,
        offset: int,
        highlight: tuple[str, str],
    ) -> Page | None:
        """One page ranked exactly by the derived index; None when it cannot answer (FTS5 then).
        Only the page's rows are read and marked (one more id tells whether there are more)."""
        index = await self.serving()
        if index is None:
            return None
        variants = index.variants(query)
        compiled = index.compile(query, variants, filters)
        if compiled is None:
            return None
        try:
            ids = index.ranked_ids(compiled, index.newest, offset + limit + 1)[offset:]
        except LookupError:
            return None
        except (OSError, ValueError) as error:
            index.broken(error)
            return None
        marker = index.marker(query, variants, highlight)
        rows = await searchlog.page(self.papers.db, ids[:limit], marker.marks)
        return Page(rows, offset, limit, len(ids) > limit)

    async def filters(self, query: Query) -> Filters | None:
        """The store's filters for ``query``; None when an author it names matches nobody."""
        groups = []
        for name in query.authors:
            found = await self.author_ids(name)
            if not found:
                return None
            groups.append(found)
        excluded = [found for name in query.not_authors for found in await self.author_ids(name)]
        wanted = resolve(query.category) if query.category else None
        return Filters(
            author_ids=groups[0] if groups else None,
            categories=wanted.tags if wanted else None,
            prefixes=wanted.prefixes if wanted else (),
            since=query.since,
            until=query.until,
            more_author_ids=groups[1:],
            not_author_ids=excluded,
            arxiv_ids=query.arxiv_ids,
        )

    async def author_ids(self, name: str) -> list[int]:
        """Authors whose name (or username) contains every word of ``name``."""
        if not fold(name):
            return []
        return [author_id for author_id, _ in await self.papers.find_authors(fold(name))]

    async def variants(self, query: Query) -> dict[str, list[str]]:
        """For each plain word of ``query``, its other singular/plural forms that the index holds."""
        candidates = query_forms(query)
        forms = sorted({form for found in candidates.values() for form in found})
        return existing_forms(candidates, await self.discovery.existing(forms))

    async def corrections(self, query: Query) -> dict[str, str]:
        """Plain words of ``query`` that look like typos, each with the word to try instead
        (bot.spelling), counted in the derived index's vocabulary when it serves, else FTS5's."""
        index = await self.serving()
        if index is not None:
            try:
                return await spelling_corrections(query, index.document_counts)
            except LookupError:  # a rebuild began: FTS5's counts then
                pass
        return await spelling_corrections(query, self.discovery.document_counts)

    async def by_author(self, name: str, *, limit: int = 10, offset: int = 0) -> Page:
        """Papers by anyone whose name (or username) contains ``name``, newest first."""
        if not fold(name):
            return Page([], offset, limit, False)
        return await self.run(Query(authors=(name,)), limit, offset)

    async def by_category(self, name: str, *, limit: int = 10, offset: int = 0) -> Page:
        if not name.strip():
            return Page([], offset, limit, False)
        return await self.run(Query(category=name.strip()), limit, offset)

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
