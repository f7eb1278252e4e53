"""SQL that reads papers: the lookups the search service builds on. Writes live in db/ingest.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.db import ingest as writes
from bot.db.core import Database, marks
from bot.models import IngestResult, Paper, PaperRow
from bot.records import RECORD_COLUMNS
from bot.text import fold, name_matches, name_terms

# See search_sql. At 1M papers a window of 2000 cost 26 / 191 ms p50 / p99, 500: 19 / 111.
RANK_WINDOW = 500
PAPER_COLUMNS = "p.id, p.arxiv_id, " + ", ".join(f"p.{name}" for name in RECORD_COLUMNS)


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search besides its words."""

    author_ids: Sequence[int] | None = None
    categories: Sequence[str] | None = None  # tags, any of them (see bot.taxonomy)
    prefixes: Sequence[str] = ()  # archives: 'cs.' matches every cs.* tag
    since: date | None = None
    until: date | None = None

    def sql(self) -> tuple[list[str], list[Any]]:
        """WHERE clauses over ``papers p`` and their parameters."""
        where: list[str] = []
        params: list[Any] = []
        if self.author_ids is not None:
            where.append(
                "p.id IN (SELECT paper_id FROM paper_authors WHERE author_id IN"
                f" ({marks(len(self.author_ids))}))"
            )
            params.extend(self.author_ids)
        if self.categories is not None or self.prefixes:
            tags = list(self.categories or ())
            likes = "".join(" OR tag LIKE ? ESCAPE '\\'" for _ in self.prefixes)
            where.append(
                f"p.id IN (SELECT paper_id FROM paper_tags WHERE tag IN ({marks(len(tags))}){likes})"
            )
            params.extend(tags)
            params.extend(_like_prefix(prefix) for prefix in self.prefixes)
        if self.since is not None or self.until is not None:
            where.append(
                "EXISTS (SELECT 1 FROM listings l WHERE l.paper_id = p.id AND l.day BETWEEN ? AND ?)"
            )
            params.extend(
                [(self.since or date.min).isoformat(), (self.until or date.max).isoformat()]
            )
        return where, params


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(match: str, filters: Filters) -> tuple[str, list[Any]]:
    """FROM ... WHERE for the FTS rows matching ``match`` and the filters."""
    where, params = filters.sql()
    if not where:  # join papers only to filter: without filters the planner walks the index alone
        return "FROM papers_fts WHERE papers_fts MATCH ?", [match]
    clauses = "".join(f" AND {clause}" for clause in where)
    return (
        f"FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid WHERE papers_fts MATCH ?{clauses}",
        [match, *params],
    )


def window_sql(match: str, filters: Filters) -> tuple[str, list[Any]]:
    """The rowid of the RANK_WINDOW-th newest match (None when fewer match): the ranking floor."""
    matching, params = _matching(match, filters)
    return (
        f"SELECT papers_fts.rowid {matching} ORDER BY papers_fts.rowid DESC LIMIT 1 OFFSET ?",
        [*params, RANK_WINDOW - 1],
    )


def search_sql(
    match: str | None,
    filters: Filters,
    floor: int | None,
    limit: int,
    offset: int,
    highlight: tuple[str, str] = ("**", "**"),
) -> tuple[str, list[Any]]:
    """The query for one page of a search, and its parameters.

    Ranked by bm25 with the title weighted far above the summary, ties broken by row id, so
    pages never shuffle; filter-only queries (``match`` None) list the newest first. bm25 has to
    score every row it ranks, so a broad query ("model") would score most of the corpus: with a
    ``floor`` (see window_sql) ranking runs over the newest RANK_WINDOW matches only, found by
    walking the index in rowid order, which FTS5 does without scoring. Scores keep their
    corpus-wide statistics. Snippets are made only for the rows of the page.
    """
    if match is None:
        where, params = filters.sql()
        return (
            f"SELECT {PAPER_COLUMNS} FROM papers p"
            f" {'WHERE ' + ' AND '.join(where) if where else ''}"
            " ORDER BY (SELECT max(day) FROM listings l WHERE l.paper_id = p.id) DESC,"
            " p.arxiv_id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    matching, params = _matching(match, filters)
    window, window_params = ("", []) if floor is None else (" AND papers_fts.rowid >= ?", [floor])
    return (
        "WITH top AS (SELECT papers_fts.rowid AS id, bm25(papers_fts, 10.0, 1.0, 4.0, 2.0) AS score"
        f" {matching}{window} ORDER BY score, papers_fts.rowid LIMIT ? OFFSET ?)"
        f" SELECT {PAPER_COLUMNS},"
        " highlight(papers_fts, 0, ?, ?) AS title_marked,"
        " snippet(papers_fts, 1, ?, ?, '…', 24) AS snippet"
        # CROSS JOIN keeps this order: probe the index for each top row, never rescan it.
        " FROM top CROSS JOIN papers_fts CROSS JOIN papers p"
        " WHERE papers_fts MATCH ? AND papers_fts.rowid = top.id AND p.id = top.id"
        " ORDER BY top.score, top.id",
        [*params, *window_params, limit, offset, *highlight, *highlight, match],
    )


class PaperStore:
    """Papers, authors and listings. Every method is one short statement or one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def source_hash(self, key: str) -> str | None:
        return await writes.source_hash(self.db, key)

    async def ingest(
        self, day: date, papers: Sequence[Paper], source: str, sha256: str | None = None
    ) -> IngestResult:
        """Store one day's papers from one source (see bot.db.ingest.ingest)."""
        return await writes.ingest(self.db, day, papers, source, sha256)

    # Reads. Each returns PaperRow objects with their authors and days filled in.

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[PaperRow]:
        """Run a query selecting PAPER_COLUMNS (plus optional title_marked, snippet) as rows."""
        return await self.hydrate(await self.db.fetchall(sql, params))

    async def hydrate(self, records: Sequence[Any]) -> list[PaperRow]:
        """Records holding PAPER_COLUMNS as rows, with their authors and days filled in."""
        if not records:
            return []
        paper_ids = [record["id"] for record in records]
        authors: dict[int, list[str]] = {pid: [] for pid in paper_ids}
        days: dict[int, list[date]] = {pid: [] for pid in paper_ids}
        placeholders = marks(len(paper_ids))
        for row in await self.db.fetchall(
            "SELECT pa.paper_id, a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
            f" WHERE pa.paper_id IN ({placeholders}) AND pa.alias = 0"
            " ORDER BY pa.paper_id, pa.position",
            paper_ids,
        ):
            authors[row[0]].append(row[1])
        for row in await self.db.fetchall(
            f"SELECT DISTINCT paper_id, day FROM listings WHERE paper_id IN ({placeholders})"
            " ORDER BY paper_id, day",
            paper_ids,
        ):
            days[row[0]].append(date.fromisoformat(row[1]))
        keys = records[0].keys()
        return [
            _paper_row(
                record,
                tuple(authors[record["id"]]),
                tuple(days[record["id"]]),
                record["title_marked"] if "title_marked" in keys else None,
                record["snippet"] if "snippet" in keys else None,
            )
            for record in records
        ]

    async def get(self, arxiv_id: str) -> PaperRow | None:
        found = await self.rows(
            f"SELECT {PAPER_COLUMNS} FROM papers p WHERE p.arxiv_id = ?", (arxiv_id,)
        )
        return found[0] if found else None

    async def search(
        self,
        match: str | None,
        *,
        author_ids: Sequence[int] | None = None,
        categories: Sequence[str] | None = None,
        prefixes: Sequence[str] = (),
        since: date | None = None,
        until: date | None = None,
        limit: int = 10,
        offset: int = 0,
        highlight: tuple[str, str] = ("**", "**"),
    ) -> list[PaperRow]:
        """Papers matching an FTS5 expression (already made safe) and the filters; see search_sql."""
        filters = Filters(author_ids, categories, prefixes, since, until)
        floor = None
        if match is not None and offset + limit <= RANK_WINDOW:
            floor = await self.db.fetchval(*window_sql(match, filters))
        return await self.rows(*search_sql(match, filters, floor, limit, offset, highlight))

    async def find_authors(self, folded: str, limit: int = 5000) -> list[tuple[int, str]]:
        """(id, name) of authors matching a typed name: every word part of the name, every
        initial starting one of its names, in any order ("Y. LeCun", "lecun, yann")."""
        words, initials = name_terms(folded)
        if not words and not initials:
            return []
        long_words = [word for word in words if len(word) >= 3]
        if long_words:
            match = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
            rows = await self.db.fetchall(
                "SELECT a.id, a.name, a.folded FROM authors_fts JOIN authors a ON a.id = authors_fts.rowid"
                " WHERE authors_fts MATCH ? LIMIT ?",
                (match, limit),
            )
        else:
            start = " ".join(words) if words else initials[0]
            rows = await self.db.fetchall(
                "SELECT id, name, folded FROM authors WHERE folded >= ? AND folded < ? LIMIT ?",
                (start, start + "\U0010ffff", limit),
            )
        return [(row[0], row[1]) for row in rows if name_matches(words, initials, row[2])]

    async def author_names(self, prefix: str, limit: int = 25) -> list[tuple[str, int]]:
        """Author names for autocomplete, most prolific first, with their paper counts."""
        found = await self.find_authors(fold(prefix)) if prefix.strip() else None
        if found is not None and not found:
            return []
        where = f"WHERE pa.author_id IN ({marks(len(found))})" if found else ""
        rows = await self.db.fetchall(
            "SELECT a.name, count(*) AS n FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
            f" {where} GROUP BY pa.author_id ORDER BY n DESC, a.name LIMIT ?",
            [*(author_id for author_id, _ in found or ()), limit],
        )
        return [(row[0], row[1]) for row in rows]

    async def categories(self) -> list[tuple[str, int]]:
        """Every tag (arXiv category or digest topic label) with its paper count."""
        rows = await self.db.fetchall(
            "SELECT min(tag), count(*) FROM paper_tags GROUP BY tag ORDER BY count(*) DESC, min(tag)"
        )
        return [(row[0], row[1]) for row in rows]

    async def day(self, day: date) -> list[PaperRow]:
        """One day's papers: the digest's order first, then papers only Hugging Face listed, in
        its order (positions are kept per source, so they never collide)."""
        return await self.rows(
            f"SELECT {PAPER_COLUMNS} FROM papers p JOIN ("
            "  SELECT paper_id, min((kind != 'digest') * 1000000000 + position) AS rank"
            "  FROM listings WHERE day = ? GROUP BY paper_id"
            ") l ON l.paper_id = p.id ORDER BY l.rank, p.arxiv_id",
            (day.isoformat(),),
        )

    async def days(self, since: date | None = None, until: date | None = None) -> list[date]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT day FROM listings WHERE day BETWEEN ? AND ? ORDER BY day",
            ((since or date.min).isoformat(), (until or date.max).isoformat()),
        )
        return [date.fromisoformat(row[0]) for row in rows]

    async def latest_day(self) -> date | None:
        value = await self.db.fetchval("SELECT max(day) FROM listings")
        return date.fromisoformat(value) if value else None

    async def random(self) -> PaperRow | None:
        found = await self.rows(
            f"SELECT {PAPER_COLUMNS} FROM papers p WHERE p.id >="
            " (SELECT abs(random()) % (max(id) - min(id) + 1) + min(id) FROM papers)"
            " ORDER BY p.id LIMIT 1"
        )
        return found[0] if found else None

    async def counts(self) -> dict[str, Any]:
        row = await self.db.fetchone(
            "SELECT (SELECT count(*) FROM papers) AS papers, (SELECT count(*) FROM authors) AS authors,"
            " (SELECT count(DISTINCT day) FROM listings) AS days, (SELECT min(day) FROM listings) AS first,"
            " (SELECT max(day) FROM listings) AS last, (SELECT count(*) FROM listings) AS listings,"
            " (SELECT count(*) FROM arxiv_checks WHERE status = 'found') AS arxiv_completed,"
            " (SELECT count(*) FROM arxiv_checks WHERE status = 'unknown') AS arxiv_unknown"
        )
        return dict(row) if row else {}


def _paper_row(
    record: Any,
    authors: tuple[str, ...],
    days: tuple[date, ...],
    title_marked: str | None,
    snippet: str | None,
) -> PaperRow:
    details = json.loads(record["details"] or "{}")
    return PaperRow(
        arxiv_id=record["arxiv_id"],
        title=record["title"],
        authors=authors,
        summary=record["summary"],
        abstract=record["abstract"],
        category=record["category"],
        arxiv_url=record["arxiv_url"],
        hf_url=record["hf_url"],
        days=days,
        upvotes=record["upvotes"],
        github_repo=record["github_repo"],
        keywords=tuple(details.get("keywords", ())),
        title_marked=title_marked,
        snippet=snippet,
        primary_category=record["primary_category"],
        categories=tuple(details.get("categories", ())),
        published=details.get("published"),
        updated=details.get("updated"),
        version=details.get("version"),
        doi=details.get("doi"),
        journal_ref=details.get("journal_ref"),
        comment=details.get("comment"),
        affiliations=tuple(tuple(a) for a in details.get("affiliations", ())),
        sources=tuple(details.get("sources", ())),
    )
