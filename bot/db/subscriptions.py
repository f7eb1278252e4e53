"""SQL for subscriptions and for the delivery ledger."""

from __future__ import annotations

from typing import Any

from bot.db.core import Database

FIELDS = ("post_time", "timezone", "weekdays", "categories", "keywords", "authors", "layout")


class SubscriptionStore:
    """Rows of subscriptions (and the delivery ledger); the service turns them into records."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_channel(self, channel_id: int) -> Any:
        return await self.db.fetchone(
            "SELECT * FROM subscriptions WHERE channel_id = ?", (channel_id,)
        )

    async def in_guild(self, guild_id: int) -> list[Any]:
        return await self.db.fetchall(
            "SELECT * FROM subscriptions WHERE guild_id = ? ORDER BY id", (guild_id,)
        )

    async def active(self) -> list[Any]:
        return await self.db.fetchall("SELECT * FROM subscriptions WHERE NOT broken ORDER BY id")

    async def insert(
        self, guild_id: int, channel_id: int, user_id: int, values: dict[str, str], created_at: str
    ) -> None:
        await self.db.execute(
            f"INSERT INTO subscriptions (guild_id, channel_id, created_by, created_at, {', '.join(FIELDS)})"
            f" VALUES (?, ?, ?, ?, {', '.join('?' * len(FIELDS))})",
            (guild_id, channel_id, user_id, created_at, *(values[name] for name in FIELDS)),
        )

    async def update(self, subscription_id: int, values: dict[str, str]) -> None:
        """New settings; a broken subscription that someone edits gets another chance."""
        assignments = ", ".join(f"{name} = ?" for name in FIELDS)
        await self.db.execute(
            f"UPDATE subscriptions SET {assignments}, failures = 0, broken = 0 WHERE id = ?",
            (*(values[name] for name in FIELDS), subscription_id),
        )

    async def delete(self, subscription_id: int) -> None:
        await self.db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))

    async def set_health(self, subscription_id: int, failures: int, broken: bool) -> None:
        await self.db.execute(
            "UPDATE subscriptions SET failures = ?, broken = ? WHERE id = ?",
            (failures, int(broken), subscription_id),
        )

    # The ledger.

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

    async def ledger(self, subscription_id: int, day: str) -> dict[str, Any]:
        rows = await self.db.fetchall(
            "SELECT item, nonce, state, message_id FROM deliveries WHERE subscription_id = ? AND day = ?",
            (subscription_id, day),
        )
        return {row["item"]: row for row in rows}

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
            "UPDATE deliveries SET state = 'sent', message_id = ? WHERE subscription_id = ? AND day = ? AND item = ?",
            (message_id, subscription_id, day, item),
        )
