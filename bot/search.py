"""The search service: what people type, turned into safe, forgiving, ranked queries.

The syntax (words, "phrases", -exclusions, prefix*, au: ti: cat: id: since: until:) is parsed by
bot.query; the slash command's and the CLI's options mean exactly what the same fields typed in
the query mean. On top of the parsed query the service adds:

- singular/plural forms: a plain word also matches its other number ("transformer" finds
  "transformers"), but only forms that occur in the index; quoted words stay exact;
- typo corrections: a query with fewer than FEW hits is retried with each unknown or very rare
  word replaced by the most common index word one edit away (a letter deleted, added, changed or
  two swapped), when that retry finds more; the page then says what it searched for;
- ranking: bm25 (title weighted above authors above the summary) times a recency bonus of up
  to RECENCY_BOOST, half of it RECENCY_HALF_LIFE days before the newest digest day, exact over
  every match, by the derived tantivy index (bot.textindex). Without it (tantivy not
  importable, the index still rebuilding, a query shape it lacks) FTS5 ranks as
  bot.db.papers.ranked_sql does, broad queries within their newest RANK_WINDOW matches.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.db.discovery import DiscoveryStore
from bot.db.papers import Filters, PaperStore
from bot.db.searchlog import marked_sql
from bot.ids import normalize_arxiv_id
from bot.models import Page, PaperRow
from bot.query import Query, SearchError, parse_day, parse_query, parse_when
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
FEW = 3  # fewer hits than this and the query is retried with typo corrections
# Longer words are not corrected: no real word is this long, and the candidates one edit away
# grow with the length times the alphabet (a 10 KB "word" took 40 s and gigabytes).
LONGEST_TYPO = 30
CORRECTION_FACTOR = 20  # a correction must be this many times more common than the typed word
COUNT_CAP = 500  # word counts stop here: enough to compare, cheap for common words
LETTERS = string.ascii_lowercase


def plural_forms(word: str) -> list[str]:
    """The other grammatical number of an English word, as candidates (the index says which exist)."""
    if len(word) < 3 or not word.isalpha():
        return []
    if word.endswith("ies") and len(word) > 4:
        return [word[:-3] + "y"]
    if word.endswith(("ss", "us", "is")):
        return [word + "es"]
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return [word[:-2], word[:-1]]
    if word.endswith("s"):
        return [word[:-1]]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    if word.endswith(("x", "z", "ch", "sh")):
        return [word + "es"]
    return [word + "s"]


def slip(typed: str, meant: str) -> float:
    """How much likelier than a plain one-letter slip typing ``typed`` for ``meant`` is.

    First letters are rarely wrong; a doubled letter typed once (or once typed twice) is the
    commonest slip, then two swapped letters.
    """
    weight = 1.0 if typed[:1] == meant[:1] else 0.05
    if len(typed) != len(meant):
        longer, shorter = (typed, meant) if len(typed) > len(meant) else (meant, typed)
        at = next(
            (i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b),
            len(shorter),
        )
        if at > 0 and longer[at] == longer[at - 1]:
            weight *= 10
    elif sorted(typed) == sorted(meant):
        weight *= 4
    return weight


def one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    return (deletes | swaps | changes | inserts) - {word}


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
        variants = await self.variants(query)
        match = query.fts(variants)
        assert match is not None  # there are terms
        exact = await self.exact(query, variants, filters, limit + 1, offset, match, highlight)
        rows = (
            exact
            if exact is not None
            else await self.papers.ranked(match, filters, limit + 1, offset, highlight)
        )
        return Page(rows[:limit], offset, limit, len(rows) > limit)

    async def exact(
        self,
        query: Query,
        variants: dict[str, list[str]],
        filters: Filters,
        limit: int,
        offset: int,
        match: str,
        highlight: tuple[str, str],
    ) -> list[PaperRow] | None:
        """One page ranked exactly by the derived index; None when it cannot answer (FTS5 then)."""
        if self.index is None or not await self.index.sync():
            return None
        compiled = self.index.compile(query, variants, filters)
        if compiled is None:
            return None
        newest = await self.papers.latest_day()
        try:
            ids = self.index.ranked_ids(compiled, newest, offset + limit)[offset:]
        except LookupError:
            return None
        except (OSError, ValueError) as error:
            self.index.broken(error)
            return None
        return await self.papers.rows(*marked_sql(ids, match, highlight)) if ids else []

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
        wanted = {
            term.words[0]: plural_forms(fold(term.words[0])) for term in query.terms if term.bare
        }
        existing = await self.discovery.existing(
            sorted({f for forms in wanted.values() for f in forms})
        )
        return {
            word: [form for form in forms if form in existing]
            for word, forms in wanted.items()
            if any(form in existing for form in forms)
        }

    async def corrections(self, query: Query) -> dict[str, str]:
        """Plain words of ``query`` that look like typos, each with the index word to try instead.

        Candidates are the index's words one edit away, weighed by how many papers hold them
        (counted up to COUNT_CAP) times how likely that slip is (see ``slip``).
        """
        words = {
            term.words[0]: fold(term.words[0])
            for term in query.terms
            if term.bare and 3 <= len(term.words[0]) <= LONGEST_TYPO and term.words[0].isalpha()
        }
        if not words:
            return {}
        own = await self.discovery.document_counts(words.values(), COUNT_CAP)
        # A word many papers use is no typo; only rare or unknown ones get candidates.
        rare = {w: f for w, f in words.items() if own.get(f, 0) * CORRECTION_FACTOR < COUNT_CAP}
        edits = {word: one_edit(folded) for word, folded in rare.items()}
        counts = own | await self.discovery.document_counts(set().union(*edits.values()), COUNT_CAP)
        corrections = {}
        for word, folded in rare.items():
            known = [
                (counts[edit] * slip(folded, edit), edit) for edit in edits[word] if edit in counts
            ]
            if not known:
                continue
            _, best = min(known, key=lambda pair: (-pair[0], pair[1]))
            if counts[best] >= max(1, CORRECTION_FACTOR * counts.get(folded, 0)):
                corrections[word] = best
        return corrections

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
