"""SQL for subscriptions; their delivery ledger is bot/db/ledger.py."""

from __future__ import annotations

from typing import Any

from bot.db.core import Database

FIELDS = (
    "post_time",
    "timezone",
    "weekdays",
    "categories",
    "keywords",
    "authors",
    "layout",
    "match_mode",
    "mention_role",
    "publish",
)
SERVER = 0  # created_by of a subscription whose creator asked to be forgotten


class SubscriptionStore:
    """Rows of subscriptions; the service turns them into records."""

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
        self, guild_id: int, channel_id: int, user_id: int, values: dict[str, Any], created_at: str
    ) -> None:
        await self.db.execute(
            f"INSERT INTO subscriptions (guild_id, channel_id, created_by, created_at, {', '.join(FIELDS)})"
            f" VALUES (?, ?, ?, ?, {', '.join('?' * len(FIELDS))})",
            (guild_id, channel_id, user_id, created_at, *(values[name] for name in FIELDS)),
        )

    async def update(self, subscription_id: int, values: dict[str, Any]) -> None:
        """New settings; a broken subscription that someone edits gets another chance."""
        assignments = ", ".join(f"{name} = ?" for name in FIELDS)
        await self.db.execute(
            f"UPDATE subscriptions SET {assignments}, failures = 0, broken = 0 WHERE id = ?",
            (*(values[name] for name in FIELDS), subscription_id),
        )

    async def delete(self, subscription_id: int) -> None:
        await self.db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))

    async def set_health(
        self,
        subscription_id: int,
        failures: int,
        broken: bool,
        error: str | None = None,
        posted_at: str | None = None,
    ) -> None:
        await self.db.execute(
            "UPDATE subscriptions SET failures = ?, broken = ?, last_error = ?,"
            " last_post_at = coalesce(?, last_post_at) WHERE id = ?",
            (failures, int(broken), error, posted_at, subscription_id),
        )

    async def hand_to_server(self, user_id: int) -> int:
        return await self.db.execute(
            "UPDATE subscriptions SET created_by = ? WHERE created_by = ?", (SERVER, user_id)
        )
