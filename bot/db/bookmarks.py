"""SQL for bookmarks and for the message-to-paper mapping that reactions rely on."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.core import Database
from bot.db.papers import PAPER_COLUMNS, PaperStore
from bot.models import PaperRow


class BookmarkStore:
    def __init__(self, db: Database, papers: PaperStore) -> None:
        self.db = db
        self.papers = papers

    async def remember(
        self,
        message_id: int,
        channel_id: int,
        guild_id: int | None,
        arxiv_ids: Sequence[str],
        replace: bool = False,
    ) -> None:
        """Map the message to these papers (``replace``: to these only), in one transaction."""
        async with self.db.transaction() as connection:
            if replace:
                await connection.execute(
                    "DELETE FROM paper_messages WHERE message_id = ?", (message_id,)
                )
            await connection.executemany(
                "INSERT OR IGNORE INTO paper_messages (message_id, paper_id, channel_id, guild_id)"
                " SELECT ?, id, ?, ? FROM papers WHERE arxiv_id = ?",
                [(message_id, channel_id, guild_id, arxiv_id) for arxiv_id in arxiv_ids],
            )

    async def papers_for_message(self, message_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT p.arxiv_id FROM paper_messages m JOIN papers p ON p.id = m.paper_id"
            " WHERE m.message_id = ? ORDER BY p.arxiv_id",
            (message_id,),
        )
        return [row[0] for row in rows]

    async def add(self, user_id: int, arxiv_id: str, created_at: str) -> bool:
        changed = await self.db.execute(
            "INSERT OR IGNORE INTO bookmarks (user_id, paper_id, created_at)"
            " SELECT ?, id, ? FROM papers WHERE arxiv_id = ?",
            (user_id, created_at, arxiv_id),
        )
        return changed > 0

    async def remove(self, user_id: int, arxiv_id: str) -> bool:
        changed = await self.db.execute(
            "DELETE FROM bookmarks WHERE user_id = ?"
            " AND paper_id = (SELECT id FROM papers WHERE arxiv_id = ?)",
            (user_id, arxiv_id),
        )
        return changed > 0

    async def saved(self, user_id: int, limit: int, offset: int) -> list[tuple[PaperRow, str]]:
        """The user's papers, newest bookmark first, with when each was saved: one query for
        the page, so a bookmark removed meanwhile is simply not on it."""
        records = await self.db.fetchall(
            f"SELECT {PAPER_COLUMNS}, b.created_at AS bookmarked_at FROM bookmarks b"
            " JOIN papers p ON p.id = b.paper_id WHERE b.user_id = ?"
            " ORDER BY b.created_at DESC, p.arxiv_id LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        rows = await self.papers.hydrate(records)
        return [(row, record["bookmarked_at"]) for row, record in zip(rows, records, strict=True)]

    async def known(self, arxiv_id: str) -> bool:
        return await self.papers.get(arxiv_id) is not None

    async def count(self, user_id: int) -> int:
        return await self.db.fetchval(
            "SELECT count(*) FROM bookmarks WHERE user_id = ?", (user_id,)
        )

    async def clear(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM bookmarks WHERE user_id = ?", (user_id,))
