"""SQL for the delivery ledgers: every message owed to a channel or a person, and days handled.

``LedgerStore`` (channels, keyed by subscription) and ``DmLedgerStore`` (people, keyed by user id)
share the table shape and the basic statements (``Ledger``: bot/posting.py ``once`` uses them for
DMs). Channels add batches planned ahead, where each message lives, what it shows (a fingerprint,
for edits in place) and whether a moderator deleted it (bot/delivery.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from bot.db.core import Database

ENTRY_COLUMNS = (
    "day, item, kind, batch, position, nonce, state, message_id, channel_id, fingerprint,"
    " pending_since, deleted"
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One message owed for a day: ``pending`` until Discord has it, then ``sent`` with its id.

    ``kind`` says what it is (header, thread, paper, listed, compact, more, skipped); ``listed``
    rows are papers shown inside a compact list, whose ``message_id`` is the list's.
    """

    nonce: str
    state: str
    message_id: int | None
    item: str = ""
    kind: str = "paper"
    batch: int = 0
    position: int = 0
    day: str = ""
    channel_id: int | None = None
    fingerprint: str | None = None
    pending_since: str | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Planned:
    """A row to write pending before anything of its batch is posted."""

    item: str
    kind: str
    batch: int
    position: int
    nonce: str


def _entry(row: Sequence) -> Entry:
    return Entry(
        nonce=row[5],
        state=row[6],
        message_id=row[7],
        item=row[1],
        kind=row[2],
        batch=row[3],
        position=row[4],
        day=row[0],
        channel_id=row[8],
        fingerprint=row[9],
        pending_since=row[10],
        deleted=bool(row[11]),
    )


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

    async def delivered(self, subscription_id: int) -> dict[str, int]:
        """Days handled for a subscription: day -> papers posted (-1: skipped by catch-up)."""
        rows = await self.db.fetchall(
            "SELECT day, papers FROM delivered_days WHERE subscription_id = ?", (subscription_id,)
        )
        return {row[0]: row[1] for row in rows}

    async def mark_day(self, subscription_id: int, day: str, papers: int) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO delivered_days (subscription_id, day, papers) VALUES (?, ?, ?)",
            (subscription_id, day, papers),
        )

    async def entry(self, owner: int, day: str, item: str) -> Entry | None:
        row = await self.db.fetchone(
            f"SELECT {ENTRY_COLUMNS} FROM deliveries"
            " WHERE subscription_id = ? AND day = ? AND item = ?",
            (owner, day, item),
        )
        return _entry(row) if row else None

    async def day_entries(self, subscription_id: int, day: str) -> list[Entry]:
        """Every row of one day, in posting order."""
        rows = await self.db.fetchall(
            f"SELECT {ENTRY_COLUMNS} FROM deliveries WHERE subscription_id = ? AND day = ?"
            " ORDER BY position, item",
            (subscription_id, day),
        )
        return [_entry(row) for row in rows]

    async def plan(
        self, subscription_id: int, day: str, rows: Sequence[Planned], since: str
    ) -> None:
        """Write a batch's rows pending, all or none, before any of them is posted."""
        await self.db.executemany(
            "INSERT OR IGNORE INTO deliveries (subscription_id, day, item, kind, batch, position,"
            " nonce, state, pending_since) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            [
                (subscription_id, day, r.item, r.kind, r.batch, r.position, r.nonce, since)
                for r in rows
            ],
        )

    async def sent(
        self,
        owner: int,
        day: str,
        item: str,
        message_id: int,
        channel_id: int | None = None,
        fingerprint: str | None = None,
        listed: Sequence[str] = (),
    ) -> None:
        """The row is on Discord as ``message_id``; so are the ``listed`` papers it shows."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE deliveries SET state = 'sent', message_id = ?,"
                " channel_id = coalesce(?, channel_id), fingerprint = coalesce(?, fingerprint)"
                " WHERE subscription_id = ? AND day = ? AND item = ?",
                (message_id, channel_id, fingerprint, owner, day, item),
            )
            await connection.executemany(
                "UPDATE deliveries SET state = 'sent', message_id = ?, channel_id = ?"
                " WHERE subscription_id = ? AND day = ? AND item = ?",
                [(message_id, channel_id, owner, day, paper) for paper in listed],
            )

    async def grown(
        self,
        subscription_id: int,
        day: str,
        compact: str,
        fingerprint: str | None,
        items: Sequence[str],
        message_id: int,
        channel_id: int,
    ) -> None:
        """A compact list now shows ``items`` too (edited to ``fingerprint``; None: it was
        deleted, and is marked so), in one transaction."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE deliveries SET fingerprint = coalesce(?, fingerprint), deleted = ?"
                " WHERE subscription_id = ? AND day = ? AND item = ?",
                (fingerprint, int(fingerprint is None), subscription_id, day, compact),
            )
            await connection.executemany(
                "UPDATE deliveries SET state = 'sent', message_id = ?, channel_id = ?"
                " WHERE subscription_id = ? AND day = ? AND item = ?",
                [(message_id, channel_id, subscription_id, day, item) for item in items],
            )

    async def shown(self, subscription_id: int, day: str, item: str, fingerprint: str) -> None:
        await self.db.execute(
            "UPDATE deliveries SET fingerprint = ? WHERE subscription_id = ? AND day = ? AND item = ?",
            (fingerprint, subscription_id, day, item),
        )

    async def deleted(self, subscription_id: int, day: str, item: str) -> None:
        """A moderator removed the message: leave it removed (never edited, never re-posted)."""
        await self.db.execute(
            "UPDATE deliveries SET deleted = 1 WHERE subscription_id = ? AND day = ? AND item = ?",
            (subscription_id, day, item),
        )

    async def editable(self, subscription_id: int, since: str) -> list[Entry]:
        """Sent messages showing papers (one paper, or a compact list, with the papers listed in
        it) of days from ``since``, in posting order."""
        rows = await self.db.fetchall(
            f"SELECT {ENTRY_COLUMNS} FROM deliveries WHERE subscription_id = ? AND day >= ?"
            " AND kind IN ('paper', 'compact', 'listed') AND state = 'sent' AND NOT deleted"
            " ORDER BY day, position",
            (subscription_id, since),
        )
        return [_entry(row) for row in rows]

    async def last_sent_in(self, subscription_id: int, channel_id: int) -> int | None:
        """The newest message this subscription has sent in a channel (or thread)."""
        return await self.db.fetchval(
            "SELECT max(message_id) FROM deliveries WHERE subscription_id = ? AND channel_id = ?"
            " AND state = 'sent' AND kind NOT IN ('thread', 'forum')",
            (subscription_id, channel_id),
        )

    async def pending_count(self) -> int:
        """Messages recorded as owed but not confirmed posted (a crash or an outage mid-post)."""
        return int(
            await self.db.fetchval("SELECT count(*) FROM deliveries WHERE state = 'pending'")
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
