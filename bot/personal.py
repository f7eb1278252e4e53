"""The personal digest: each reader's new papers by direct message, at their time, exactly once.

A reader is due when it is one of their weekdays, past their time, and papers were listed after
the last day their digest covered. Their papers are the ones first listed in those days that match
any of their follows, each once with every follow it matched, in messages of at most
``PER_MESSAGE`` papers. Each message goes through the same ledger step as channel posts
(bot/delivery.py ``once``), and its ledger item names the papers it carries, so a re-run after a
crash re-posts a pending message with its nonce and never lists a paper in a second message.
Catch-up is bounded like channels: at most ``catch_up_days`` listing days, the older ones named in
one line. Discord error 50007 (the person's DMs are closed) pauses the digest instead of
retrying it every day; their next command tells them why and how to resume.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Protocol

from bot.config import Config
from bot.db.bookmarks import BookmarkStore
from bot.db.ledger import DmLedgerStore
from bot.db.papers import PaperStore
from bot.delivery import FAN_OUT
from bot.follows import FollowService, Reader
from bot.matching import Follow, Matcher
from bot.models import PaperRow
from bot.posting import DeliveryInterrupted, Step, once

log = logging.getLogger(__name__)
PER_MESSAGE = 10  # papers per DM: ten lines with reasons stay well inside an embed's 4096
MAX_PARTS = 5  # DMs per digest at most; a bigger day is summed up in one line at the end
DMS_CLOSED = 50007  # Discord's "Cannot send messages to this user"


class DirectMessagesClosed(Exception):
    """Discord refuses to deliver to this person: 50007 (their DMs are closed to the bot) or
    another 403 that would refuse every retry as well. ``reason`` is said to them."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code, self.text = code, text

    @property
    def reason(self) -> str:
        if self.code == DMS_CLOSED:
            return (
                "I could not send you a direct message (Discord error 50007: your DMs are "
                "closed to me)"
            )
        return f"Discord refused my direct message to you (error {self.code}: {self.text})"


@dataclass(frozen=True)
class DigestPart:
    """One message of a personal digest: papers with why each matched, and an optional note."""

    first_day: date
    last_day: date
    matches: tuple[tuple[PaperRow, tuple[str, ...]], ...]
    part: int
    note: str = ""


@dataclass(frozen=True)
class ChangeNotice:
    """Bookmarked papers that changed: (paper, what changed) pairs."""

    changes: tuple[tuple[PaperRow, str], ...]


class DirectPoster(Protocol):
    """What the personal digest sends through: the Discord edge in the bot, a recorder in tests.

    Raises DirectMessagesClosed when Discord refuses the person (403: 50007 and the like), and
    bot.delivery.DeliveryInterrupted when Discord fails for a while (5xx, 429 past retries).
    """

    async def direct(self, user_id: int, message: DigestPart | ChangeNotice, nonce: str) -> int: ...


@dataclass
class DigestReport:
    days: list[date] = field(default_factory=list)
    papers: int = 0
    messages: int = 0
    skipped_days: int = 0
    paused: bool = False
    failed: str | None = None


def ids_item(prefix: str, keys: Sequence[str]) -> str:
    return f"{prefix}:{','.join(keys)}"


def item_ids(item: str) -> list[str]:
    return [key for key in item.split(":", 1)[1].split(",") if key]


class PersonalDigest:
    def __init__(
        self,
        follows: FollowService,
        papers: PaperStore,
        bookmarks: BookmarkStore,
        ledger: DmLedgerStore,
        poster: DirectPoster,
        config: Config,
        clock: Callable[[], datetime],
    ) -> None:
        self.follows = follows
        self.papers = papers
        self.bookmarks = bookmarks
        self.ledger = ledger
        self.poster = poster
        self.config = config
        self.clock = clock

    async def due_days(
        self, reader: Reader, now: datetime, listed: Sequence[date] | None = None
    ) -> list[date]:
        """Listing days after the last one covered whose post moment (their zone) has passed.

        ``listed``: the listing days, when the caller read them once for many readers.
        """
        local = now.astimezone(reader.zone)
        start = reader.delivered_through or reader.created_at.astimezone(reader.zone).date()
        if listed is None:
            listed = await self.papers.days(since=start, until=local.date())
        return [
            day
            for day in listed[bisect.bisect_right(listed, start) :]
            if day <= local.date() and datetime.combine(day, reader.post_time, reader.zone) <= local
        ]

    async def deliver_due(self, now: datetime | None = None) -> dict[int, DigestReport]:
        """Every reader due now (bounded fan-out); the day's papers are read and matched once."""
        now = now or self.clock()
        readers = [r for r in await self.follows.readers() if r.posts_on(now)]
        if not readers:
            return {}
        since = min(r.delivered_through or r.created_at.date() for r in readers)
        listed = await self.papers.days(since=since - timedelta(days=1))
        plans = {r.user_id: await self.due_days(r, now, listed) for r in readers}
        due = [r for r in readers if plans[r.user_id]]
        follows = await self.follows.of_many([r.user_id for r in due])
        matchers: dict[tuple[date, ...], Matcher] = {}
        gate = asyncio.Semaphore(FAN_OUT)

        async def one(reader: Reader) -> tuple[int, DigestReport]:
            days = self._bounded(plans[reader.user_id])[1]
            if tuple(days) not in matchers:
                matchers[tuple(days)] = Matcher(await self._new_papers(days))
            async with gate:
                report = await self.deliver(
                    reader,
                    now,
                    follows[reader.user_id],
                    matchers[tuple(days)],
                    plans[reader.user_id],
                )
            return reader.user_id, report

        results = [await one(r) for r in due[:1]]  # the first builds the shared matcher
        results += await asyncio.gather(*(one(r) for r in due[1:]))
        reports = dict(results)
        log.info(
            "personal digests: %d people due, %d messages, %d paused, %d interrupted",
            len(reports),
            sum(r.messages for r in reports.values()),
            sum(r.paused for r in reports.values()),
            sum(r.failed is not None for r in reports.values()),
        )
        return reports

    def _bounded(self, days: list[date]) -> tuple[list[date], list[date]]:
        limit = self.config.delivery.catch_up_days
        return (days[:-limit], days[-limit:]) if limit and len(days) > limit else ([], days)

    async def _new_papers(self, days: Sequence[date]) -> list[PaperRow]:
        """Papers first listed on one of ``days``, each once, in listing order."""
        seen: dict[str, PaperRow] = {}
        first = days[0] if days else date.max
        for day in days:
            for paper in await self.papers.day(day):
                if paper.arxiv_id not in seen and (not paper.days or paper.days[0] >= first):
                    seen[paper.arxiv_id] = paper
        return list(seen.values())

    async def deliver(
        self,
        reader: Reader,
        now: datetime | None = None,
        follows: Sequence[Follow] | None = None,
        matcher: Matcher | None = None,
        due: list[date] | None = None,
    ) -> DigestReport:
        """Send the reader what is owed to them; failures are reported, never raised."""
        report = DigestReport()
        if due is None:
            due = await self.due_days(reader, now or self.clock())
        skipped, days = self._bounded(due)
        if not days:
            return report
        if follows is None:
            follows = await self.follows.following(reader.user_id)
        matcher = matcher or Matcher(await self._new_papers(days))
        matches = {paper.arxiv_id: (paper, why) for paper, why in matcher.for_person(follows)}
        note = ""
        if skipped:
            span = f"{skipped[0]}" + (f" to {skipped[-1]}" if len(skipped) > 1 else "")
            note = (
                f"{len(skipped)} older day(s) ({span}) are not in this digest: it catches up"
                f" {len(days)} day(s) at most. Use /paper day to read them."
            )
            report.skipped_days = len(skipped)
        key = days[-1]
        try:
            await self._send(reader, days, matches, note, report)
        except DirectMessagesClosed as refused:
            await self.follows.pause(reader.user_id, refused.reason)
            log.info("paused the digest of user %s: %s", reader.user_id, refused)
            report.paused = True
            return report
        except DeliveryInterrupted as error:  # Discord failed for a while: the next tick retries
            log.warning("digest to user %s interrupted: %s", reader.user_id, error)
            report.failed = str(error)
            return report
        await self.follows.delivered(reader.user_id, key)
        report.days = days
        return report

    async def _send(
        self,
        reader: Reader,
        days: list[date],
        matches: dict[str, tuple[PaperRow, tuple[str, ...]]],
        note: str,
        report: DigestReport,
    ) -> None:
        key = days[-1]
        owed = await self.ledger.items(reader.user_id, key.isoformat(), "digest")
        planned = [item_ids(item) for item, _ in owed]
        placed = {arxiv_id for ids in planned for arxiv_id in ids}
        rest = [arxiv_id for arxiv_id in matches if arxiv_id not in placed]
        room = max(0, MAX_PARTS - len(planned)) * PER_MESSAGE
        planned += [rest[n : n + PER_MESSAGE] for n in range(0, min(len(rest), room), PER_MESSAGE)]
        if len(rest) > room:
            more = (
                f"…and {len(rest) - room} more matching papers: narrow your follows (/following)."
            )
            note = f"{note}\n{more}".strip()
        for position, ids in enumerate(planned, 1):
            part = DigestPart(
                days[0],
                key,
                tuple(matches[i] for i in ids if i in matches),
                position,
                note if position == len(planned) else "",
            )
            step = Step(reader.user_id, reader.user_id, key, ids_item("digest", ids), position)
            await once(self.ledger, step, partial(self.poster.direct, reader.user_id, part))
            report.messages += 1
            report.papers += len(part.matches)

    async def set_notify(self, user_id: int, on: bool) -> str:
        """Opt in or out of change notices; opting in starts from what the bookmarks are now."""
        await self.follows.set_notify(user_id, on)
        if on:
            await self.bookmarks.seen(user_id)
            return (
                "I will DM you when one of your bookmarked papers gets a code link or a new "
                "arXiv version. Stop with /bookmarks notify enabled:False."
            )
        return "No more change notices for your bookmarks."

    async def notify_changes(self, now: datetime | None = None) -> dict[int, int]:
        """DM each opted-in reader their bookmarks that gained a code link; changes per person."""
        day = (now or self.clock()).date()
        by_user: dict[int, list[tuple[str, str]]] = {}
        for user_id, arxiv_id, what in await self.bookmarks.changes():
            by_user.setdefault(user_id, []).append((arxiv_id, what))
        sent: dict[int, int] = {}
        for user_id, changes in by_user.items():
            changes = changes[:PER_MESSAGE]
            papers = {p.arxiv_id: p for p in await self._papers([a for a, _ in changes])}
            notice = ChangeNotice(tuple((papers[a], w) for a, w in changes if a in papers))
            keys = [f"{a}={w}" for a, w in changes]
            step = Step(user_id, user_id, day, ids_item("changes", keys), 0)
            try:
                await once(self.ledger, step, partial(self.poster.direct, user_id, notice))
            except DirectMessagesClosed as refused:
                await self.follows.pause(user_id, refused.reason)
                continue
            except DeliveryInterrupted as error:  # the next poll tries again
                log.warning("change notice to user %s interrupted: %s", user_id, error)
                continue
            await self.bookmarks.seen(user_id, [a for a, _ in changes])
            sent[user_id] = len(changes)
        return sent

    async def _papers(self, arxiv_ids: Sequence[str]) -> list[PaperRow]:
        found = []
        for arxiv_id in arxiv_ids:
            paper = await self.papers.get(arxiv_id)
            if paper is not None:
                found.append(paper)
        return found
