"""SQL for the HTTP validators of polled sources."""

from __future__ import annotations

from bot.db.core import Database


class SourceState:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def validators(self, url: str) -> tuple[str | None, str | None]:
        row = await self.db.fetchone(
            "SELECT etag, last_modified FROM source_state WHERE url = ?", (url,)
        )
        return (row[0], row[1]) if row else (None, None)

    async def record(
        self, url: str, status: int, etag: str | None, last_modified: str | None, when: str
    ) -> None:
        await self.db.execute(
            "INSERT INTO source_state (url, etag, last_modified, status, checked_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = coalesce(excluded.etag, etag),"
            " last_modified = coalesce(excluded.last_modified, last_modified),"
            " status = excluded.status, checked_at = excluded.checked_at",
            (url, etag, last_modified, status, when),
        )
