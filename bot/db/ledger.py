"""SQL for the delivery ledgers: every message owed to a channel or a person, and days handled.

``LedgerStore`` (channels, keyed by subscription) and ``DmLedgerStore`` (people, keyed by user id)
share the table shape and the statements; bot/delivery.py ``once`` is the one step that uses them.
"""

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


class Ledger:
    """What the exactly-once step reads and writes: ``entry``, ``pending`` and ``sent``, each
    taking the owner's key (a subscription id, a user id) first."""

    TABLE, KEY = "deliveries", "subscription_id"  # identifiers, never user text

    def __init__(self, db: Database) -> None:
        self.db = db

    def transaction(self) -> AbstractAsyncContextManager[object]:
        """Writes that stand or fall together with the ledger's (other stores on this database
        join it)."""
        return self.db.transaction()

    async def entry(self, owner: int, day: str, item: str) -> Entry | None:
        row = await self.db.fetchone(
            f"SELECT nonce, state, message_id FROM {self.TABLE}"
            f" WHERE {self.KEY} = ? AND day = ? AND item = ?",
            (owner, day, item),
        )
        return Entry(row[0], row[1], row[2]) if row else None

    async def pending(self, owner: int, day: str, item: str, position: int, nonce: str) -> None:
        await self.db.execute(
            f"INSERT OR IGNORE INTO {self.TABLE} ({self.KEY}, day, item, position, nonce, state)"
            " VALUES (?, ?, ?, ?, ?, 'pending')",
            (owner, day, item, position, nonce),
        )

    async def sent(self, owner: int, day: str, item: str, message_id: int) -> None:
        await self.db.execute(
            f"UPDATE {self.TABLE} SET state = 'sent', message_id = ?"
            f" WHERE {self.KEY} = ? AND day = ? AND item = ?",
            (message_id, owner, day, item),
        )


class LedgerStore(Ledger):
    """The channels' ledger, with the days fully handled for each subscription."""

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


class DmLedgerStore(Ledger):
    """The ledger of direct messages: a person's digests and change notices."""

    TABLE, KEY = "dm_deliveries", "user_id"

    async def items(self, user_id: int, day: str, kind: str) -> list[tuple[str, str]]:
        """(item, state) of the messages of ``kind`` (digest, changes) owed to the person for
        ``day``, in posting order."""
        rows = await self.db.fetchall(
            "SELECT item, state FROM dm_deliveries WHERE user_id = ? AND day = ?"
            " AND substr(item, 1, ?) = ? ORDER BY position",
            (user_id, day, len(kind) + 1, kind + ":"),
        )
        return [(row[0], row[1]) for row in rows]

    async def forget(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM dm_deliveries WHERE user_id = ?", (user_id,))
