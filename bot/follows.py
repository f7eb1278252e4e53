"""Follows: what each person wants in their own daily digest, and when they want it.

Everything here is keyed by the person's user id and reached only with it: nobody can read or
change another person's follows or settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import WEEKDAYS, Config, parse_hhmm, parse_weekdays, parse_zone
from bot.db.core import Database
from bot.db.follows import FollowStore
from bot.db.papers import PaperStore
from bot.errors import UserError
from bot.matching import KINDS, WORD, Follow
from bot.schedule import next_fire, weekly
from bot.search import parse_query
from bot.text import fold

FOLLOW_LIMIT = 50
VALUE_LIMIT = 100  # characters: a name, a phrase or a saved search


class FollowError(UserError):
    """A follow or a setting that cannot be saved; the message tells the person what to change."""


@dataclass(frozen=True)
class Reader:
    """One person's digest settings: their time, timezone and weekdays, and its state."""

    user_id: int
    post_time: time
    timezone: str
    weekdays: tuple[str, ...]
    created_at: datetime
    delivered_through: date | None = None
    paused: str | None = None
    notify_changes: bool = False

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def posts_on(self, moment: datetime) -> bool:
        """Whether ``moment`` (in the person's zone) is one of their weekdays, past their time."""
        local = moment.astimezone(self.zone)
        return WEEKDAYS[local.weekday()] in self.weekdays and local.time() >= self.post_time

    def next_post(self, now: datetime) -> datetime:
        """The next moment after ``now`` this person's digest is due (DST days included)."""
        return next_fire(weekly(self.weekdays, self.post_time, self.zone), now, self.zone)

    def describe(self) -> str:
        days = ", ".join(day.title() for day in self.weekdays)
        state = f" (paused: {self.paused})" if self.paused else ""
        return f"{self.post_time:%H:%M} {self.timezone}, {days}{state}"


class FollowService:
    """Saves follows (at most ``limit`` a person) and digest settings; suggests values."""

    def __init__(
        self,
        db: Database,
        papers: PaperStore,
        config: Config,
        clock: Callable[[], datetime],
        limit: int = FOLLOW_LIMIT,
    ) -> None:
        self.store = FollowStore(db)
        self.papers = papers
        self.config = config
        self.clock = clock
        self.limit = limit

    async def follow(self, user_id: int, kind: str, value: str) -> Follow:
        """Save a follow; FollowError when it is empty, malformed, a duplicate or over the limit."""
        if kind not in KINDS:
            raise FollowError(f"You can follow one of: {', '.join(KINDS)}.")
        value = " ".join(value.split())
        if not value:
            raise FollowError(f"Tell me which {kind} to follow.")
        if len(value) > VALUE_LIMIT:
            raise FollowError(f"A {kind} to follow is at most {VALUE_LIMIT} characters.")
        if kind == "search" and not parse_query(value).include:
            raise FollowError(
                f'The search {value!r} has no words to look for; try words or a "phrase".'
            )
        if not WORD.search(fold(value)):
            raise FollowError(f"{value!r} has no letters or digits to match on.")
        count = await self.store.count(user_id)
        if count >= self.limit:
            raise FollowError(
                f"You already follow {self.limit} things, the most paperboy keeps for one person. "
                "Remove one with /unfollow (or the buttons of /following) first."
            )
        await self.ensure_reader(user_id)
        if count == 0:  # following again after a while: new papers from today, no catch-up
            await self.store.set_delivered_through(user_id, self._yesterday().isoformat())
        follow_id = await self.store.add(
            user_id, kind, value, fold(value), self.clock().astimezone(UTC).isoformat()
        )
        if follow_id is None:
            raise FollowError(f"You already follow {kind}: {value}.")
        return Follow(follow_id, kind, value)

    async def unfollow(self, user_id: int, follow_id: int) -> Follow | None:
        """The removed follow, or None when the person has no follow with that id."""
        row = await self.store.remove(user_id, follow_id)
        return Follow(follow_id, row["kind"], row["value"]) if row else None

    async def following(self, user_id: int) -> list[Follow]:
        return [
            Follow(row["id"], row["kind"], row["value"]) for row in await self.store.of(user_id)
        ]

    async def of_many(self, user_ids: list[int]) -> dict[int, list[Follow]]:
        found: dict[int, list[Follow]] = {user_id: [] for user_id in user_ids}
        for row in await self.store.of_many(user_ids):
            found[row[0]].append(Follow(0, row[1], row[2]))
        return found

    async def suggestions(self, kind: str, current: str) -> list[tuple[str, str]]:
        """(label, value) autocomplete choices from the database for a kind of follow."""
        if kind == "author":
            return [(f"{n} ({c})", n) for n, c in await self.papers.author_names(current)]
        if kind == "category":
            wanted = fold(current)
            return [
                (f"{name} ({count})", name)
                for name, count in await self.papers.categories()
                if wanted in fold(name)
            ][:25]
        if kind != "keyword":
            return []  # a saved search is the person's own words
        *before, last = WORD.findall(fold(current)) or [""]
        if len(last) < 2:
            return []  # one letter would scan much of the index for little help
        head = " ".join([*before, ""])
        return [
            (f"{head}{word} ({count} papers)", f"{head}{word}")
            for word, count in await self.store.vocabulary(last)
        ]

    # Settings.

    def _values(self, time_: str | None, timezone: str | None, weekdays: Any) -> dict[str, str]:
        defaults = self.config.delivery
        try:
            post_time = parse_hhmm(time_ or defaults.post_time)
            zone = parse_zone(timezone or defaults.timezone)
            days = parse_weekdays(weekdays or defaults.weekdays)
        except ValueError as error:
            raise FollowError(str(error)) from None
        return {"post_time": f"{post_time:%H:%M}", "timezone": zone.key, "weekdays": ",".join(days)}

    async def ensure_reader(self, user_id: int) -> Reader:
        """The person's settings, created with the defaults on first use.

        A new reader's digest starts with the papers listed from today on (in their zone).
        """
        found = await self.reader(user_id)
        if found is not None:
            return found
        values = self._values(None, None, None)
        yesterday = self._yesterday().isoformat()
        created = self.clock().astimezone(UTC).isoformat()
        await self.store.ensure_reader(user_id, values, yesterday, created)
        reader = await self.reader(user_id)
        assert reader is not None
        return reader

    def _yesterday(self) -> date:
        """The day before today in the default zone: a new digest covers days after it."""
        return self.clock().astimezone(self.config.zone).date() - timedelta(days=1)

    async def settings(
        self,
        user_id: int,
        time_: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
    ) -> Reader:
        """Change only what is given; the rest keeps its value."""
        current = await self.ensure_reader(user_id)
        values = self._values(
            time_ or f"{current.post_time:%H:%M}",
            timezone or current.timezone,
            weekdays or current.weekdays,
        )
        await self.store.set_schedule(user_id, values)
        updated = await self.reader(user_id)
        assert updated is not None
        return updated

    async def reader(self, user_id: int) -> Reader | None:
        row = await self.store.reader(user_id)
        return reader_from(row) if row else None

    async def readers(self) -> list[Reader]:
        """Everyone whose digest is on: they follow something and it is not paused."""
        return [reader_from(row) for row in await self.store.readers()]

    async def pause(self, user_id: int, reason: str) -> None:
        await self.store.set_paused(user_id, reason)

    async def resume(self, user_id: int) -> bool:
        """Resume a paused digest; False when it was not paused."""
        reader = await self.reader(user_id)
        if reader is None or reader.paused is None:
            return False
        await self.store.set_paused(user_id, None)
        return True

    async def pause_notice(self, user_id: int) -> str | None:
        """Why the person's digest is paused and how to resume, once after each pause."""
        reason = await self.store.take_pause_notice(user_id)
        if reason is None:
            return None
        return (
            f"Your daily paper digest is paused: {reason}. Allow direct messages from this "
            "server's members (Privacy Settings), then run /follow resume."
        )

    async def delivered(self, user_id: int, day: date) -> None:
        await self.store.set_delivered_through(user_id, day.isoformat())

    async def set_notify(self, user_id: int, on: bool) -> None:
        await self.ensure_reader(user_id)
        await self.store.set_notify(user_id, on)

    async def forget(self, user_id: int) -> tuple[int, int]:
        return await self.store.forget(user_id)


def reader_from(row: Any) -> Reader:
    through = row["delivered_through"]
    return Reader(
        user_id=row["user_id"],
        post_time=parse_hhmm(row["post_time"]),
        timezone=row["timezone"],
        weekdays=tuple(day for day in row["weekdays"].split(",") if day),
        created_at=datetime.fromisoformat(row["created_at"]),
        delivered_through=date.fromisoformat(through) if through else None,
        paused=row["paused"],
        notify_changes=bool(row["notify_changes"]),
    )
