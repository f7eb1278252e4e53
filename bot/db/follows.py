"""SQL for readers: what each person follows and their personal digest settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.db.core import Database, chunks, marks

READER_FIELDS = ("post_time", "timezone", "weekdays")


class FollowStore:
    """Rows of follows and readers; the service turns them into records."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, user_id: int, kind: str, value: str, folded: str, created_at: str
    ) -> int | None:
        """The new follow's id, or None when the person already follows that."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO follows (user_id, kind, value, folded, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (user_id, kind, value, folded, created_at),
            )
            return cursor.lastrowid if cursor.rowcount else None

    async def count(self, user_id: int) -> int:
        return int(
            await self.db.fetchval("SELECT count(*) FROM follows WHERE user_id = ?", (user_id,))
        )

    async def of(self, user_id: int) -> list[Any]:
        return await self.db.fetchall(
            "SELECT id, kind, value FROM follows WHERE user_id = ? ORDER BY kind, folded",
            (user_id,),
        )

    async def remove(self, user_id: int, follow_id: int) -> Any:
        """The removed row (kind, value), or None: only the owner's own follows can go."""
        async with self.db.transaction():
            row = await self.db.fetchone(
                "SELECT kind, value FROM follows WHERE id = ? AND user_id = ?", (follow_id, user_id)
            )
            if row is not None:
                await self.db.execute("DELETE FROM follows WHERE id = ?", (follow_id,))
            return row

    async def of_many(self, user_ids: Sequence[int]) -> list[Any]:
        """(user_id, kind, value) of the given people, for matching a day's papers."""
        rows: list[Any] = []
        for chunk in chunks(user_ids):
            rows += await self.db.fetchall(
                "SELECT user_id, kind, value FROM follows"
                f" WHERE user_id IN ({marks(len(chunk))}) ORDER BY user_id, id",
                chunk,
            )
        return rows

    async def vocabulary(self, prefix: str, limit: int = 25) -> list[Any]:
        """(word, papers) of indexed words starting with ``prefix``, most common first."""
        return await self.db.fetchall(
            "SELECT term, doc FROM papers_vocab WHERE term >= ? AND term < ?"
            " ORDER BY doc DESC, term LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        )

    # Readers.

    async def reader(self, user_id: int) -> Any:
        return await self.db.fetchone("SELECT * FROM readers WHERE user_id = ?", (user_id,))

    async def ensure_reader(
        self, user_id: int, values: dict[str, str], delivered_through: str, created_at: str
    ) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO readers"
            " (user_id, post_time, timezone, weekdays, delivered_through, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, *(values[name] for name in READER_FIELDS), delivered_through, created_at),
        )

    async def set_schedule(self, user_id: int, values: dict[str, str]) -> None:
        await self.db.execute(
            "UPDATE readers SET post_time = ?, timezone = ?, weekdays = ? WHERE user_id = ?",
            (*(values[name] for name in READER_FIELDS), user_id),
        )

    async def readers(self) -> list[Any]:
        """Every reader who follows something and whose digest is not paused."""
        return await self.db.fetchall(
            "SELECT * FROM readers r WHERE paused IS NULL"
            " AND EXISTS (SELECT 1 FROM follows f WHERE f.user_id = r.user_id) ORDER BY user_id"
        )

    async def set_paused(self, user_id: int, reason: str | None) -> None:
        """Pause with a reason (the person is not told yet), or resume with None."""
        await self.db.execute(
            "UPDATE readers SET paused = ?, told = 0 WHERE user_id = ?", (reason, user_id)
        )

    async def take_pause_notice(self, user_id: int) -> str | None:
        """Why the digest is paused, once: the first caller after the pause gets it."""
        async with self.db.transaction():
            reason = await self.db.fetchval(
                "SELECT paused FROM readers WHERE user_id = ? AND paused IS NOT NULL AND NOT told",
                (user_id,),
            )
            if reason is not None:
                await self.db.execute("UPDATE readers SET told = 1 WHERE user_id = ?", (user_id,))
            return reason

    async def set_delivered_through(self, user_id: int, day: str) -> None:
        await self.db.execute(
            "UPDATE readers SET delivered_through = max(coalesce(delivered_through, ''), ?)"
            " WHERE user_id = ?",
            (day, user_id),
        )

    async def set_notify(self, user_id: int, on: bool) -> None:
        await self.db.execute(
            "UPDATE readers SET notify_changes = ? WHERE user_id = ?", (int(on), user_id)
        )

    async def forget(self, user_id: int) -> tuple[int, int]:
        """Delete the person's follows and settings: (follows, settings rows) deleted."""
        async with self.db.transaction():
            follows = await self.db.execute("DELETE FROM follows WHERE user_id = ?", (user_id,))
            readers = await self.db.execute("DELETE FROM readers WHERE user_id = ?", (user_id,))
        return follows, readers
