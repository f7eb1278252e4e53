"""SQL for page queries too long to ride in a button's custom id."""

from __future__ import annotations

from bot.db.core import Database


class PageQueryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def key(self, kind: str, args: str, created_at: str) -> int:
        """The row id for this query, made once: the same query always gets the same id."""
        await self.db.execute(
            "INSERT OR IGNORE INTO page_queries (kind, args, created_at) VALUES (?, ?, ?)",
            (kind, args, created_at),
        )
        return int(
            await self.db.fetchval(
                "SELECT id FROM page_queries WHERE kind = ? AND args = ?", (kind, args)
            )
        )

    async def args(self, kind: str, query_id: int) -> str | None:
        value = await self.db.fetchval(
            "SELECT args FROM page_queries WHERE kind = ? AND id = ?", (kind, query_id)
        )
        return None if value is None else str(value)
