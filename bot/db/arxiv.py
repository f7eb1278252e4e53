"""SQL for arXiv completion: which papers still need it, and storing what arXiv said."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db.core import Database, chunks, marks
from bot.db.records import store_values
from bot.records import ARXIV, Value

MAX_RETRY_DAYS = 30

# Papers never asked for, and ids arXiv did not know whose retry time has come; newest first, so
# the papers a poll just stored are completed before the backlog.
PENDING = (
    " FROM papers p WHERE NOT EXISTS (SELECT 1 FROM arxiv_checks c WHERE c.paper_id = p.id"
    " AND (c.status = 'found' OR c.retry_after > ?))"
)


def retry_after(now: datetime, misses: int) -> str:
    """When an id arXiv did not know is asked again: 1, 2, 4 ... days later, at most 30."""
    return _utc(now + timedelta(days=min(MAX_RETRY_DAYS, 2 ** max(0, misses - 1))))


def _utc(moment: datetime) -> str:
    """ISO 8601 in UTC, so times compare as strings whatever zone the clock reports in."""
    return moment.astimezone(UTC).isoformat()


class ArxivStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def pending(self, now: datetime, limit: int) -> list[str]:
        rows = await self.db.fetchall(
            f"SELECT p.arxiv_id{PENDING} ORDER BY p.id DESC LIMIT ?", (_utc(now), limit)
        )
        return [row[0] for row in rows]

    async def pending_count(self, now: datetime) -> int:
        return int(await self.db.fetchval(f"SELECT count(*){PENDING}", (_utc(now),)))

    async def record(
        self, found: Mapping[str, dict[str, Any]], unknown: Sequence[str], now: datetime
    ) -> int:
        """Store arXiv's values of the papers ``found`` (arXiv id -> fields) and note the
        ``unknown`` ids; return how many shown records changed."""
        stamp = _utc(now)
        incoming = {
            arxiv_id: {
                (ARXIV, name): Value(value, str(fields.get("updated") or stamp), "arxiv")
                for name, value in fields.items()
            }
            for arxiv_id, fields in found.items()
        }
        async with self.db.transaction() as connection:
            stored = await store_values(self.db, connection, incoming, now.date().isoformat())
            await connection.executemany(
                "INSERT INTO arxiv_checks (paper_id, status, misses, checked_at, retry_after)"
                " VALUES (?, 'found', 0, ?, NULL) ON CONFLICT (paper_id) DO UPDATE SET"
                " status = 'found', misses = 0, checked_at = excluded.checked_at, retry_after = NULL",
                [(stored.ids[arxiv_id], stamp) for arxiv_id in found],
            )
            misses = await self._misses(unknown)
            await connection.executemany(
                "INSERT INTO arxiv_checks (paper_id, status, misses, checked_at, retry_after)"
                " VALUES (?, 'unknown', ?, ?, ?) ON CONFLICT (paper_id) DO UPDATE SET"
                " status = 'unknown', misses = excluded.misses, checked_at = excluded.checked_at,"
                " retry_after = excluded.retry_after",
                [
                    (paper_id, count + 1, stamp, retry_after(now, count + 1))
                    for paper_id, count in misses.values()
                ],
            )
        return len(stored.changed)

    async def _misses(self, arxiv_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """arXiv id -> (paper id, misses so far) for stored papers."""
        found: dict[str, tuple[int, int]] = {}
        for chunk in chunks(arxiv_ids):
            for row in await self.db.fetchall(
                "SELECT p.arxiv_id, p.id, coalesce(c.misses, 0) FROM papers p"
                " LEFT JOIN arxiv_checks c ON c.paper_id = p.id"
                f" WHERE p.arxiv_id IN ({marks(len(chunk))})",
                chunk,
            ):
                found[row[0]] = (row[1], row[2])
        return found
