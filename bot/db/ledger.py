"""SQL for the delivery ledger: every message owed to a channel, and the days fully handled."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from bot.db.core import Database


@dataclass(frozen=True, slots=True)
class Entry:
    """One message owed for a day: ``pending`` until Discord has it, then ``sent`` with its id."""

    nonce: str
    state: str
    message_id: int | None


class LedgerStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def transaction(self) -> AbstractAsyncContextManager[object]:
        """Writes that stand or fall together with the ledger's (other stores on this database
        join it)."""
        return self.db.transaction()

    async def delivered_days(self, subscription_id: int) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT day FROM delivered_days WHERE subscription_id = ?", (subscription_id,)
        )
        return {row[0] for row in rows}

    async def mark_day(self, subscription_id: int, day: str, papers: int) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO delivered_days (subscription_id, day, papers) VALUES (?, ?, ?)",
            (subscription_id, day, papers),
        )

    async def entry(self, subscription_id: int, day: str, item: str) -> Entry | None:
        row = await self.db.fetchone(
            "SELECT nonce, state, message_id FROM deliveries"
            " WHERE subscription_id = ? AND day = ? AND item = ?",
            (subscription_id, day, item),
        )
        return Entry(row[0], row[1], row[2]) if row else None

    async def pending(
        self, subscription_id: int, day: str, item: str, position: int, nonce: str
    ) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO deliveries (subscription_id, day, item, position, nonce, state)"
            " VALUES (?, ?, ?, ?, ?, 'pending')",
            (subscription_id, day, item, position, nonce),
        )

    async def sent(self, subscription_id: int, day: str, item: str, message_id: int) -> None:
        await self.db.execute(
            "UPDATE deliveries SET state = 'sent', message_id = ?"
            " WHERE subscription_id = ? AND day = ? AND item = ?",
            (message_id, subscription_id, day, item),
        )
