"""SQL for bookmarks and for the message-to-paper mapping that reactions rely on."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.core import Database, marks
from bot.db.papers import PAPER_COLUMNS, PaperStore
from bot.models import Saved

_PAPER = "paper_id = (SELECT id FROM papers WHERE arxiv_id = ?)"
VERSION = "json_extract(p.details, '$.version')"  # the latest arXiv version (bot/records.py)


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
        """Save a paper; the code link and version it has now are what change notices compare."""
        changed = await self.db.execute(
            "INSERT OR IGNORE INTO bookmarks (user_id, paper_id, created_at, seen_code, seen_version)"
            f" SELECT ?, id, ?, github_repo, {VERSION} FROM papers p WHERE arxiv_id = ?",
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

    async def saved(
        self, user_id: int, limit: int, offset: int, *, unread: bool = False
    ) -> list[Saved]:
        """The user's papers, newest bookmark first, with when each was saved, read and its note:
        one query for the page, so a bookmark removed meanwhile is simply not on it."""
        only = " AND b.read_at IS NULL" if unread else ""
        records = await self.db.fetchall(
            f"SELECT {PAPER_COLUMNS}, b.created_at AS bookmarked_at, b.read_at AS read_at,"
            " b.note AS note FROM bookmarks b JOIN papers p ON p.id = b.paper_id"
            f" WHERE b.user_id = ?{only} ORDER BY b.created_at DESC, p.arxiv_id LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        rows = await self.papers.hydrate(records)
        return [
            Saved(row, record["bookmarked_at"], record["read_at"], record["note"])
            for row, record in zip(rows, records, strict=True)
        ]

    async def known(self, arxiv_id: str) -> bool:
        return await self.papers.get(arxiv_id) is not None

    async def set_read(self, user_id: int, arxiv_id: str, read_at: str | None) -> bool:
        """Mark one bookmark read (at ``read_at``) or unread (None); False: not bookmarked."""
        return (
            await self.db.execute(
                f"UPDATE bookmarks SET read_at = ? WHERE user_id = ? AND {_PAPER}",
                (read_at, user_id, arxiv_id),
            )
            > 0
        )

    async def set_note(self, user_id: int, arxiv_id: str, note: str) -> bool:
        return (
            await self.db.execute(
                f"UPDATE bookmarks SET note = ? WHERE user_id = ? AND {_PAPER}",
                (note, user_id, arxiv_id),
            )
            > 0
        )

    async def note(self, user_id: int, arxiv_id: str) -> str | None:
        """The bookmark's note ('' when none), or None when the paper is not bookmarked."""
        value = await self.db.fetchval(
            f"SELECT note FROM bookmarks WHERE user_id = ? AND {_PAPER}", (user_id, arxiv_id)
        )
        return None if value is None else str(value)

    async def notes(self, user_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT count(*) FROM bookmarks WHERE user_id = ? AND note != ''", (user_id,)
            )
        )

    async def changes(self) -> list[tuple[int, str, str]]:
        """(user, arXiv id, what changed) for the bookmarks of people who asked to hear of
        changes: a code link that is new or different, an arXiv version above the one seen."""
        # A bookmark saved before arXiv told its version takes the first version known as seen.
        await self.db.execute(
            f"UPDATE bookmarks SET seen_version = (SELECT {VERSION} FROM papers p"
            " WHERE p.id = paper_id) WHERE seen_version IS NULL"
        )
        rows = await self.db.fetchall(
            f"SELECT b.user_id, p.arxiv_id, p.github_repo, b.seen_code, {VERSION}, b.seen_version"
            " FROM readers r JOIN bookmarks b ON b.user_id = r.user_id"
            " JOIN papers p ON p.id = b.paper_id WHERE r.notify_changes AND r.paused IS NULL"
            " AND ((coalesce(p.github_repo, '') != '' AND p.github_repo IS NOT b.seen_code)"
            f" OR {VERSION} > coalesce(b.seen_version, {VERSION}))"
            " ORDER BY b.user_id, b.created_at"
        )
        found = []
        for user_id, arxiv_id, code, seen_code, version, seen_version in rows:
            if code and code != seen_code:
                found.append((user_id, arxiv_id, f"code: {code}"))
            if version is not None and seen_version is not None and version > seen_version:
                found.append((user_id, arxiv_id, f"new arXiv version v{version}"))
        return found

    async def seen(self, user_id: int, arxiv_ids: Sequence[str] | None = None) -> None:
        """The person has heard of these bookmarks' current code links and versions (None: all)."""
        which = (
            f" AND paper_id IN (SELECT id FROM papers WHERE arxiv_id IN ({marks(len(arxiv_ids))}))"
            if arxiv_ids is not None
            else ""
        )
        await self.db.execute(
            "UPDATE bookmarks SET"
            " seen_code = (SELECT github_repo FROM papers WHERE id = paper_id),"
            f" seen_version = (SELECT {VERSION} FROM papers p WHERE p.id = paper_id)"
            f" WHERE user_id = ?{which}",
            (user_id, *(arxiv_ids or ())),
        )

    async def count(self, user_id: int) -> int:
        return await self.db.fetchval(
            "SELECT count(*) FROM bookmarks WHERE user_id = ?", (user_id,)
        )

    async def clear(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM bookmarks WHERE user_id = ?", (user_id,))
