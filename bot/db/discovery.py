"""SQL behind the forgiving and discovering parts of search: the index's own vocabulary (typo
corrections, singular/plural forms), title suggestions, and the top papers of a period."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from bot.db.core import Database, chunks
from bot.db.papers import PAPER_COLUMNS, PaperStore
from bot.models import PaperRow

FTS_COLUMNS = ("title", "summary", "authors", "category", "abstract")  # papers_fts, in order
TOP_WALK = 2000  # papers walked from the most upvoted down before scanning the period instead


def top_sql(
    since: date, until: date, guild_id: int | None, weight: float, limit: int, walk: int
) -> tuple[str, list[Any]]:
    """(paper id, bookmarks in ``guild_id``) of the period's ``limit`` best papers, best first.

    Score: upvotes + ``weight`` x bookmarks. Only two kinds of paper can make the top: one of
    the ``limit`` most upvoted papers of the period (ties: the higher id), or one bookmarked in
    this server: a paper of neither kind has at least ``limit`` papers scoring as much, ahead
    of it on the tie-breaks. The most upvoted are found by walking the papers_by_upvotes index
    down, ``walk`` papers at most, keeping those listed in the period (cheap when the period
    is recent or popular); only when that walk finds fewer than ``limit`` does the query read
    every paper listed in the period (otherwise ``short`` is one false row, and the CROSS JOIN
    keeps it the outer loop, so the listings are not read at all).
    """
    span = [since.isoformat(), until.isoformat()]
    in_period = "EXISTS (SELECT 1 FROM listings l WHERE l.paper_id = {0} AND l.day BETWEEN ? AND ?)"
    up = "coalesce(p.upvotes, 0)"
    return (
        "WITH walked AS (SELECT id FROM (SELECT p.id AS id FROM papers p INDEXED BY"
        f" papers_by_upvotes ORDER BY {up} DESC, p.id DESC LIMIT ?) w"
        f" WHERE {in_period.format('w.id')} LIMIT ?),"
        " saved AS (SELECT b.paper_id AS id, count(*) AS n FROM bookmarks b WHERE b.guild_id = ?"
        f" AND {in_period.format('b.paper_id')} GROUP BY b.paper_id),"
        " short AS (SELECT count(*) < ? AS yes FROM walked),"
        " listed AS (SELECT DISTINCT l.paper_id AS id FROM short CROSS JOIN listings l"
        " WHERE short.yes AND l.day BETWEEN ? AND ?),"
        " candidates AS (SELECT id FROM walked UNION SELECT id FROM saved"
        " UNION SELECT id FROM listed)"
        " SELECT c.id, coalesce(s.n, 0) AS saves FROM candidates c JOIN papers p ON p.id = c.id"
        f" LEFT JOIN saved s ON s.id = c.id ORDER BY {up} + ? * coalesce(s.n, 0) DESC, {up} DESC,"
        " c.id DESC LIMIT ?",
        [walk, *span, limit, guild_id, *span, limit, *span, weight, limit],
    )


def like_sql(
    match: str, fields: Mapping[str, float], leave_out: int, limit: int
) -> tuple[str, list[Any]]:
    """(id) of the ``limit`` best matches of ``match`` by bm25 alone, ``fields`` weighted as
    given (the other columns 0), but the paper ``leave_out``; ties: the newer listing, then the
    lower id. Every match is scored (no recency window): the caller keeps to words of known,
    modest document counts (25 words in 2,000+ papers each took 4 s at 1M papers).
    """
    weights = ", ".join(str(float(fields.get(name, 0.0))) for name in FTS_COLUMNS)
    return (
        "WITH best AS (SELECT rowid AS id, bm25(papers_fts, "
        + weights
        + ") AS score FROM papers_fts WHERE papers_fts MATCH ? AND rowid != ?"
        " ORDER BY score LIMIT ?)"
        " SELECT best.id FROM best ORDER BY best.score,"
        " (SELECT max(day) FROM listings l WHERE l.paper_id = best.id) DESC, best.id LIMIT ?",
        [match, leave_out, 4 * limit, limit],
    )


def _quoted(word: str) -> str:
    return '"' + word.replace('"', "") + '"'


class DiscoveryStore:
    def __init__(self, db: Database, papers: PaperStore) -> None:
        self.db = db
        self.papers = papers

    async def document_counts(self, words: Iterable[str], cap: int) -> dict[str, int]:
        """How many papers hold each word, counted up to ``cap``; absent words are left out.

        Each count reads at most ``cap`` entries of the word's posting list, so a batch of a few
        hundred mostly absent words (typo candidates) costs milliseconds even at 1M papers.
        (fts5vocab's counts read whole posting lists; its IN lookups scan: 3-6x slower here.)
        """
        counts: dict[str, int] = {}
        for part in chunks(sorted(set(words))):
            rows = await self.db.fetchall(
                f"WITH wanted (word, phrase) AS (VALUES {', '.join('(?, ?)' for _ in part)})"
                " SELECT word, (SELECT count(*) FROM (SELECT 1 FROM papers_fts"
                " WHERE papers_fts MATCH wanted.phrase LIMIT ?)) FROM wanted",
                [*(value for word in part for value in (word, _quoted(word))), cap],
            )
            counts.update((row[0], row[1]) for row in rows if row[1])
        return counts

    async def existing(self, words: Sequence[str]) -> set[str]:
        """Which of ``words`` occur in the index; costs one posting-list seek each, however common."""
        found: set[str] = set()
        for part in chunks(words, 100):
            probes = " UNION ALL ".join(
                "SELECT ? WHERE EXISTS (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ?)"
                for _ in part
            )
            params = [value for word in part for value in (word, _quoted(word))]
            found.update(row[0] for row in await self.db.fetchall(probes, params))
        return found

    async def text_of(self, arxiv_id: str) -> tuple[int, str, str, str] | None:
        """(row id, title, summary, abstract) of one paper (the abstract "" when unknown)."""
        row = await self.db.fetchone(
            "SELECT id, title, summary, coalesce(abstract, '') FROM papers WHERE arxiv_id = ?",
            (arxiv_id,),
        )
        return (row[0], row[1], row[2], row[3]) if row else None

    async def like(
        self, match: str, fields: Mapping[str, float], leave_out: int, limit: int
    ) -> list[int]:
        """Ids of the ``limit`` papers (but ``leave_out``) matching ``match`` best by bm25 alone,
        each of ``fields`` weighted so, the others not at all (see like_sql)."""
        rows = await self.db.fetchall(*like_sql(match, fields, leave_out, limit))
        return [row[0] for row in rows]

    async def paper_count(self) -> int:
        return int(await self.db.fetchval("SELECT coalesce(max(id), 0) FROM papers"))

    async def titles(self, match: str, limit: int) -> list[str]:
        """Titles of the newest matches of ``match`` (a safe FTS5 expression)."""
        rows = await self.db.fetchall(
            "SELECT p.title FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid"
            " WHERE papers_fts MATCH ? ORDER BY papers_fts.rowid DESC LIMIT ?",
            (match, limit),
        )
        return [row[0] for row in rows]

    async def top(
        self,
        since: date,
        until: date,
        guild_id: int | None,
        bookmark_weight: float,
        limit: int,
    ) -> list[tuple[PaperRow, int]]:
        """Papers listed in [since, until], by upvotes + weight x bookmarks made in ``guild_id``
        (ties: more upvotes, then the newer row).

        Returns each paper with its bookmark count in that server (0 without a server).
        See top_sql for how it avoids reading every listed paper.
        """
        records = await self.db.fetchall(
            *top_sql(since, until, guild_id, bookmark_weight, limit, max(TOP_WALK, 20 * limit))
        )
        if not records:
            return []
        saves = {record[0]: record[1] for record in records}
        ids = list(saves)
        rows = await self.papers.rows(
            f"WITH wanted (id, n) AS (VALUES {', '.join('(?, ?)' for _ in ids)})"
            f" SELECT {PAPER_COLUMNS} FROM wanted JOIN papers p ON p.id = wanted.id"
            " ORDER BY wanted.n",
            [value for n, paper_id in enumerate(ids) for value in (paper_id, n)],
        )
        by_id = dict(zip(ids, rows, strict=True))
        return [(by_id[paper_id], saves[paper_id]) for paper_id in ids]
