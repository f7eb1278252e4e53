"""SQL behind the forgiving and discovering parts of search: the index's own vocabulary (typo
corrections, singular/plural forms), title suggestions, and the top papers of a period."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from bot.db.core import Database, chunks
from bot.db.papers import PAPER_COLUMNS, PaperStore
from bot.models import PaperRow


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

    async def text_of(self, arxiv_id: str) -> tuple[int, str, str] | None:
        """(row id, title, summary) of one paper."""
        row = await self.db.fetchone(
            "SELECT id, title, summary FROM papers WHERE arxiv_id = ?", (arxiv_id,)
        )
        return (row[0], row[1], row[2]) if row else None

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
        """Papers listed in [since, until], by upvotes + weight x bookmarks made in ``guild_id``.

        Returns each paper with its bookmark count in that server (0 without a server).
        """
        records = await self.db.fetchall(
            "WITH listed AS (SELECT DISTINCT paper_id FROM listings WHERE day BETWEEN ? AND ?),"
            " scored AS (SELECT p.id AS id, coalesce(p.upvotes, 0) AS up,"
            " (SELECT count(*) FROM bookmarks b WHERE b.paper_id = p.id AND b.guild_id = ?) AS saves"
            " FROM listed JOIN papers p ON p.id = listed.paper_id)"
            " SELECT id, saves FROM scored ORDER BY up + ? * saves DESC, up DESC, id DESC LIMIT ?",
            (since.isoformat(), until.isoformat(), guild_id, bookmark_weight, limit),
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
