"""SQL for papers: ingesting a day's digest and the lookups the search service builds on."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.db.core import Database
from bot.digest import Paper

# See PaperStore.search. At 1M papers a window of 2000 cost 26 / 191 ms p50 / p99, 500: 19 / 111.
RANK_WINDOW = 500
CHUNK = 500  # SQLite allows 32766 parameters; smaller IN lists keep plans cheap.
PAPER_FIELDS = (
    "title",
    "summary",
    "authors",
    "category",
    "arxiv_url",
    "hf_url",
    "upvotes",
    "github_repo",
    "keywords",
)
PAPER_COLUMNS = "p.id, p.arxiv_id, " + ", ".join(f"p.{name}" for name in PAPER_FIELDS)


def fold(text: str) -> str:
    """Lower-case without accents: how author names are compared ('Germán' == 'german')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if c.isprintable() and not unicodedata.combining(c))
    return " ".join("".join(kept).split())


@dataclass(frozen=True, slots=True)
class PaperRow:
    """A stored paper with every day that listed it, as the search service hands it out."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    summary: str
    category: str | None
    arxiv_url: str
    hf_url: str | None
    days: tuple[date, ...]
    upvotes: int | None = None
    github_repo: str | None = None
    keywords: tuple[str, ...] = ()
    title_marked: str | None = None  # the title with matched terms marked, for search hits
    snippet: str | None = None  # a piece of the summary with matched terms marked

    def as_dict(self) -> dict[str, Any]:
        return {
            "arxiv_id": self.arxiv_id,
            "title": self.title,
            "authors": list(self.authors),
            "category": self.category,
            "summary": self.summary,
            "days": [day.isoformat() for day in self.days],
            "arxiv_url": self.arxiv_url,
            "hf_url": self.hf_url,
            "upvotes": self.upvotes,
            "github_repo": self.github_repo,
            "keywords": list(self.keywords),
            **({"snippet": self.snippet} if self.snippet is not None else {}),
        }


@dataclass(frozen=True, slots=True)
class IngestResult:
    papers: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: bool = False  # the file was byte-for-byte what was ingested before


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _values(paper: Paper) -> tuple[Any, ...]:
    return (
        paper.title,
        paper.summary,
        ", ".join(paper.authors),
        paper.category,
        paper.arxiv_url,
        paper.hf_url,
        paper.upvotes,
        paper.github_repo,
        ", ".join(paper.keywords),
    )


class PaperStore:
    """Papers, authors and listings. Every method is one short statement or one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def source_hash(self, key: str) -> str | None:
        return await self.db.fetchval("SELECT sha256 FROM sources WHERE key = ?", (key,))

    async def ingest(
        self, day: date, papers: Sequence[Paper], source: str, sha256: str | None = None
    ) -> IngestResult:
        """Store one day's papers from one source, all or nothing.

        A paper is stored once by arXiv id; its fields come from the latest day that lists it.
        Papers this source listed for this day before but no longer lists lose that listing.
        When ``sha256`` matches what this source held last time, nothing is written.
        """
        if sha256 is not None and await self.source_hash(source) == sha256:
            return IngestResult(papers=len(papers), unchanged=len(papers), skipped=True)
        iso = day.isoformat()
        async with self.db.transaction() as connection:
            existing = await self._existing([paper.arxiv_id for paper in papers])
            inserts, updates, changed_ids = [], [], []
            unchanged = 0
            for paper in papers:
                values = _values(paper)
                row = existing.get(paper.arxiv_id)
                if row is None:
                    inserts.append((paper.arxiv_id, *values, iso))
                elif (
                    tuple(row[name] for name in PAPER_FIELDS) != values and iso >= row["source_day"]
                ):
                    updates.append((*values, iso, row["id"]))
                    changed_ids.append(paper.arxiv_id)
                else:
                    unchanged += 1
            fields = ", ".join(PAPER_FIELDS)
            last_id = await self.db.fetchval("SELECT coalesce(max(id), 0) FROM papers")
            await connection.executemany(
                f"INSERT INTO papers (arxiv_id, {fields}, source_day)"
                f" VALUES ({_marks(len(PAPER_FIELDS) + 2)})",
                inserts,
            )
            await connection.execute(
                "INSERT INTO papers_fts (rowid, title, summary, authors, category)"
                " SELECT id, title, summary, authors, coalesce(category, '') FROM papers WHERE id > ?",
                (last_id,),
            )
            assignments = ", ".join(f"{name} = ?" for name in (*PAPER_FIELDS, "source_day"))
            await connection.executemany(f"UPDATE papers SET {assignments} WHERE id = ?", updates)
            ids = await self._ids([paper.arxiv_id for paper in papers])
            authored = [paper for paper in papers if paper.arxiv_id not in existing]
            authored += [paper for paper in papers if paper.arxiv_id in set(changed_ids)]
            await self._write_authors(connection, authored, ids)
            removed = await self._write_listings(connection, iso, papers, ids, source)
            if sha256 is not None:
                await connection.execute(
                    "INSERT INTO sources (key, day, sha256) VALUES (?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET day = excluded.day, sha256 = excluded.sha256",
                    (source, iso, sha256),
                )
        return IngestResult(
            papers=len(papers),
            new=len(inserts),
            updated=len(updates),
            unchanged=unchanged,
            removed=removed,
        )

    async def _existing(self, arxiv_ids: Sequence[str]) -> dict[str, Any]:
        found = {}
        for chunk in _chunks(arxiv_ids):
            rows = await self.db.fetchall(
                f"SELECT p.source_day, {PAPER_COLUMNS} FROM papers p"
                f" WHERE p.arxiv_id IN ({_marks(len(chunk))})",
                chunk,
            )
            found.update({row["arxiv_id"]: row for row in rows})
        return found

    async def _ids(self, arxiv_ids: Sequence[str]) -> dict[str, int]:
        ids = {}
        for chunk in _chunks(arxiv_ids):
            rows = await self.db.fetchall(
                f"SELECT arxiv_id, id FROM papers WHERE arxiv_id IN ({_marks(len(chunk))})", chunk
            )
            ids.update({row[0]: row[1] for row in rows})
        return ids

    async def _write_authors(
        self, connection: Any, papers: list[Paper], ids: dict[str, int]
    ) -> None:
        if not papers:
            return
        names = list(dict.fromkeys(name for paper in papers for name in paper.authors))
        last_id = await self.db.fetchval("SELECT coalesce(max(id), 0) FROM authors")
        await connection.executemany(
            "INSERT INTO authors (name, folded) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            [(name, fold(name)) for name in names],
        )
        await connection.execute(
            "INSERT INTO authors_fts (rowid, folded) SELECT id, folded FROM authors WHERE id > ?",
            (last_id,),
        )
        author_ids: dict[str, int] = {}
        for chunk in _chunks(names):
            rows = await self.db.fetchall(
                f"SELECT name, id FROM authors WHERE name IN ({_marks(len(chunk))})", chunk
            )
            author_ids.update({row[0]: row[1] for row in rows})
        paper_ids = [ids[paper.arxiv_id] for paper in papers]
        await connection.executemany(
            "DELETE FROM paper_authors WHERE paper_id = ?", [(pid,) for pid in paper_ids]
        )
        await connection.executemany(
            "INSERT INTO paper_authors (paper_id, position, author_id) VALUES (?, ?, ?)",
            [
                (ids[paper.arxiv_id], position, author_ids[name])
                for paper in papers
                for position, name in enumerate(paper.authors, 1)
            ],
        )

    async def _write_listings(
        self, connection: Any, iso: str, papers: Sequence[Paper], ids: dict[str, int], source: str
    ) -> int:
        listed = {ids[paper.arxiv_id] for paper in papers}
        before = await self.db.fetchall(
            "SELECT paper_id FROM listings WHERE day = ? AND source = ?", (iso, source)
        )
        gone = [(iso, row[0]) for row in before if row[0] not in listed]
        await connection.executemany("DELETE FROM listings WHERE day = ? AND paper_id = ?", gone)
        await connection.executemany(
            "INSERT INTO listings (day, paper_id, position, source) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (day, paper_id) DO UPDATE SET position = excluded.position,"
            " source = excluded.source"
            " WHERE position IS NOT excluded.position OR source IS NOT excluded.source",
            [(iso, ids[paper.arxiv_id], paper.position, source) for paper in papers],
        )
        return len(gone)

    # Reads. Each returns PaperRow objects with their authors and days filled in.

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[PaperRow]:
        """Run a query selecting PAPER_COLUMNS (plus optional title_marked, snippet) as rows."""
        records = await self.db.fetchall(sql, params)
        if not records:
            return []
        paper_ids = [record["id"] for record in records]
        authors: dict[int, list[str]] = {pid: [] for pid in paper_ids}
        days: dict[int, list[date]] = {pid: [] for pid in paper_ids}
        marks = _marks(len(paper_ids))
        for row in await self.db.fetchall(
            "SELECT pa.paper_id, a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
            f" WHERE pa.paper_id IN ({marks}) ORDER BY pa.paper_id, pa.position",
            paper_ids,
        ):
            authors[row[0]].append(row[1])
        for row in await self.db.fetchall(
            f"SELECT paper_id, day FROM listings WHERE paper_id IN ({marks}) ORDER BY paper_id, day",
            paper_ids,
        ):
            days[row[0]].append(date.fromisoformat(row[1]))
        keys = records[0].keys()
        return [
            PaperRow(
                arxiv_id=record["arxiv_id"],
                title=record["title"],
                authors=tuple(authors[record["id"]]),
                summary=record["summary"],
                category=record["category"],
                arxiv_url=record["arxiv_url"],
                hf_url=record["hf_url"],
                days=tuple(days[record["id"]]),
                upvotes=record["upvotes"],
                github_repo=record["github_repo"],
                keywords=tuple(k for k in record["keywords"].split(", ") if k),
                title_marked=record["title_marked"] if "title_marked" in keys else None,
                snippet=record["snippet"] if "snippet" in keys else None,
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
        category: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 10,
        offset: int = 0,
        marks: tuple[str, str] = ("**", "**"),
    ) -> list[PaperRow]:
        """Papers matching an FTS5 expression (already made safe) and the filters.

        Ranked by bm25 with the title weighted far above the summary, ties broken by row id, so
        pages never shuffle; filter-only queries list the newest first. bm25 has to score every
        row it ranks, so a broad query ("model") would score most of the corpus: ranking runs
        over the newest RANK_WINDOW matches (exact whenever a query matches fewer), found by
        walking the index in rowid order, which FTS5 does without scoring. Scores keep their
        corpus-wide statistics. Snippets are made only for the rows of the page.
        """
        where, params = [], []
        if author_ids is not None:
            where.append(
                f"p.id IN (SELECT paper_id FROM paper_authors WHERE author_id IN"
                f" ({_marks(len(author_ids))}))"
            )
            params.extend(author_ids)
        if category is not None:
            where.append("p.category = ? COLLATE NOCASE")
            params.append(category)
        if since is not None or until is not None:
            where.append(
                "EXISTS (SELECT 1 FROM listings l WHERE l.paper_id = p.id AND l.day BETWEEN ? AND ?)"
            )
            params.extend([(since or date.min).isoformat(), (until or date.max).isoformat()])
        if match is None:
            sql = (
                f"SELECT {PAPER_COLUMNS} FROM papers p"
                f" {'WHERE ' + ' AND '.join(where) if where else ''}"
                " ORDER BY (SELECT max(day) FROM listings l WHERE l.paper_id = p.id) DESC,"
                " p.arxiv_id LIMIT ? OFFSET ?"
            )
            return await self.rows(sql, [*params, limit, offset])
        # Join papers only to filter: without filters the planner walks the index alone.
        matching = "FROM papers_fts WHERE papers_fts MATCH ?"
        if where:
            matching = (
                "FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid"
                f" WHERE papers_fts MATCH ?{''.join(f' AND {clause}' for clause in where)}"
            )
        window, window_params = "", []
        if offset + limit <= RANK_WINDOW:
            floor = await self.db.fetchval(
                f"SELECT papers_fts.rowid {matching} ORDER BY papers_fts.rowid DESC LIMIT 1 OFFSET ?",
                [match, *params, RANK_WINDOW - 1],
            )
            if floor is not None:
                window, window_params = " AND papers_fts.rowid >= ?", [floor]
        sql = (
            "WITH top AS (SELECT papers_fts.rowid AS id, bm25(papers_fts, 10.0, 1.0, 4.0, 2.0) AS score"
            f" {matching}{window} ORDER BY score, papers_fts.rowid LIMIT ? OFFSET ?)"
            f" SELECT {PAPER_COLUMNS},"
            " highlight(papers_fts, 0, ?, ?) AS title_marked,"
            " snippet(papers_fts, 1, ?, ?, '…', 24) AS snippet"
            # CROSS JOIN keeps this order: probe the index for each top row, never rescan it.
            " FROM top CROSS JOIN papers_fts CROSS JOIN papers p"
            " WHERE papers_fts MATCH ? AND papers_fts.rowid = top.id AND p.id = top.id"
            " ORDER BY top.score, top.id"
        )
        return await self.rows(
            sql, [match, *params, *window_params, limit, offset, *marks, *marks, match]
        )

    async def find_authors(self, folded: str, limit: int = 5000) -> list[tuple[int, str]]:
        """(id, name) of authors whose folded name contains every word of ``folded``."""
        words = folded.split()
        if not words:
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
            rows = await self.db.fetchall(
                "SELECT id, name, folded FROM authors WHERE folded >= ? AND folded < ? LIMIT ?",
                (folded, folded + "\U0010ffff", limit),
            )
        return [(row[0], row[1]) for row in rows if all(word in row[2] for word in words)]

    async def author_names(self, prefix: str, limit: int = 25) -> list[tuple[str, int]]:
        """Author names for autocomplete, most prolific first, with their paper counts."""
        found = await self.find_authors(fold(prefix)) if prefix.strip() else None
        if found is not None and not found:
            return []
        where = f"WHERE pa.author_id IN ({_marks(len(found))})" if found else ""
        rows = await self.db.fetchall(
            "SELECT a.name, count(*) AS n FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
            f" {where} GROUP BY pa.author_id ORDER BY n DESC, a.name LIMIT ?",
            [*(author_id for author_id, _ in found or ()), limit],
        )
        return [(row[0], row[1]) for row in rows]

    async def categories(self) -> list[tuple[str, int]]:
        rows = await self.db.fetchall(
            "SELECT category, count(*) FROM papers WHERE category IS NOT NULL"
            " GROUP BY category COLLATE NOCASE ORDER BY count(*) DESC, category"
        )
        return [(row[0], row[1]) for row in rows]

    async def day(self, day: date) -> list[PaperRow]:
        return await self.rows(
            f"SELECT {PAPER_COLUMNS} FROM listings l JOIN papers p ON p.id = l.paper_id"
            " WHERE l.day = ? ORDER BY l.position, p.arxiv_id",
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
            " (SELECT max(day) FROM listings) AS last, (SELECT count(*) FROM listings) AS listings"
        )
        return dict(row) if row else {}
