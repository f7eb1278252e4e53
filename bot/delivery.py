"""Daily delivery: which days a subscription is owed, and posting them exactly once.

The protocol, per message owed (a day's header, its thread, each paper, a compact list):
1. The ledger row is written as ``pending`` with a nonce derived from (channel, day, item) BEFORE
   anything is sent.
2. The message is posted with that nonce and ``enforce_nonce`` (discord.py sets it with a nonce):
   Discord answers a repeated nonce from the same author in the same channel with the message it
   already created instead of a new one, for a few minutes.
3. The row becomes ``sent`` with the message id.
A crash between 1 and 3 leaves the row ``pending``; the next run posts it again with the same
nonce and gets the original message back, so nothing is doubled and nothing is lost. A thread
cannot carry a nonce, but a thread started from a message has that message's id, so re-creating
it is answered "already created" and the id is known. The dedupe window is Discord's: a crash
followed by more than a few minutes of downtime can double the one message that was in flight.
A day is marked delivered once all its messages are sent; catch-up posts the days not marked.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bot.config import Config
from bot.db.ledger import Ledger, LedgerStore
from bot.db.papers import PaperStore
from bot.models import PaperRow
from bot.subscriptions import Subscription, SubscriptionService

log = logging.getLogger(__name__)
# Channels delivered at once. A channel takes 5 messages per 5 s, so filling the global 50/s
# needs more than 50 channels in flight; the bound only keeps memory and DB writes in check.
FAN_OUT = 100


class ChannelUnavailable(Exception):
    """Discord refuses the channel (deleted, or a permission is missing); the message says which."""


class DeliveryInterrupted(Exception):
    """Discord failed for a while (5xx, 429 past discord.py's retries): try again next run."""


@dataclass(frozen=True)
class Outgoing:
    """One message of a day's delivery, described without Discord (the edge renders it).

    ``header`` and ``compact`` carry the day's papers (the header shows their count), ``paper``
    one paper, ``skipped`` a plain ``text`` note.
    """

    kind: str  # header | paper | compact | skipped
    day: date
    papers: tuple[PaperRow, ...] = ()
    text: str = ""


class Poster(Protocol):
    """What delivery posts through: the Discord edge in the bot, a recorder in tests."""

    async def send(self, channel_id: int, message: Outgoing, nonce: str) -> int: ...

    async def thread(self, channel_id: int, message_id: int, name: str) -> int: ...

    async def notify(self, user_id: int, guild_id: int, text: str) -> None: ...


class Remember(Protocol):
    """Called with each posted message that shows papers, so reactions on it can bookmark them."""

    async def __call__(
        self, message_id: int, channel_id: int, guild_id: int | None, arxiv_ids: Sequence[str]
    ) -> None: ...


@dataclass
class DeliveryReport:
    days: list[date] = field(default_factory=list)
    messages: int = 0
    skipped_days: int = 0
    failed: str | None = None
    interrupted: bool = False  # Discord failed for a while: worth retrying soon, the same day


def nonce(channel_id: int, day: date, item: str) -> str:
    """Discord nonces are at most 25 characters; the same item always gets the same one."""
    return hashlib.sha256(f"{channel_id}:{day}:{item}".encode()).hexdigest()[:25]


@dataclass(frozen=True)
class Step:
    """One message owed: its ledger owner (a subscription id or a user id), the id its nonce is
    derived from (the channel, or the person), its day, its item and its posting order."""

    owner: int
    scope: int
    day: date
    item: str
    position: int


async def once(
    ledger: Ledger,
    step: Step,
    act: Callable[[str], Awaitable[int]],
    record: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """The exactly-once step, for channels and direct messages alike: read the item's row; if not
    sent, write it pending, act with its nonce, then in one transaction ``record`` what the
    message shows and write it sent with the id the act returned. A pending row is acted on again
    with the nonce it was first given; a crash anywhere leaves nothing half-recorded."""
    key = step.day.isoformat()
    entry = await ledger.entry(step.owner, key, step.item)
    if entry is not None and entry.state == "sent" and entry.message_id is not None:
        return entry.message_id
    stamp = entry.nonce if entry is not None else nonce(step.scope, step.day, step.item)
    if entry is None:
        await ledger.pending(step.owner, key, step.item, step.position, stamp)
    message_id = await act(stamp)
    async with ledger.transaction():
        if record is not None:
            await record(message_id)
        await ledger.sent(step.owner, key, step.item, message_id)
    return message_id


class DeliveryService:
    def __init__(
        self,
        ledger: LedgerStore,
        papers: PaperStore,
        subscriptions: SubscriptionService,
        poster: Poster,
        config: Config,
        clock: Callable[[], datetime],
        remember: Remember,
    ) -> None:
        self.ledger = ledger
        self.papers = papers
        self.subscriptions = subscriptions
        self.poster = poster
        self.config = config
        self.clock = clock
        self.remember = remember

    async def due_days(self, subscription: Subscription, now: datetime) -> list[date]:
        """Days with papers, from the subscription's creation day, whose post time has passed."""
        zone = subscription.zone
        local_now = now.astimezone(zone)
        since = subscription.created_at.astimezone(zone).date()
        done = await self.ledger.delivered_days(subscription.id)
        return [
            day
            for day in await self.papers.days(since=since, until=local_now.date())
            if day.isoformat() not in done
            and datetime.combine(day, subscription.post_time, zone) <= local_now
        ]

    async def deliver(
        self, subscription: Subscription, now: datetime | None = None
    ) -> DeliveryReport:
        """Post every day owed to this subscription; failures are counted, never raised."""
        report = DeliveryReport()
        due = await self.due_days(subscription, now or self.clock())
        limit = self.config.delivery.catch_up_days
        skipped, due = (due[:-limit], due[-limit:]) if limit and len(due) > limit else ([], due)
        try:
            if skipped:
                await self._skip(subscription, skipped, due[0], report)
            for day in due:
                await self._day(subscription, day, report)
        except ChannelUnavailable as error:
            report.failed = str(error)
            await self._failed(subscription, str(error))
        except DeliveryInterrupted as error:
            # Not the channel's fault: no failed day; pending rows are re-posted next run.
            report.failed, report.interrupted = str(error), True
            log.warning("delivery to channel %s interrupted: %s", subscription.channel_id, error)
        else:
            await self.subscriptions.record_success(subscription)
        return report

    async def deliver_all(self, now: datetime | None = None) -> dict[int, DeliveryReport]:
        """Every active subscription at once (bounded): one failing channel never holds up another."""
        gate = asyncio.Semaphore(FAN_OUT)

        async def one(subscription: Subscription) -> tuple[int, DeliveryReport]:
            async with gate:
                return subscription.channel_id, await self.deliver(subscription, now)

        subscriptions = await self.subscriptions.all_active()
        return dict(await asyncio.gather(*(one(s) for s in subscriptions)))

    async def _skip(
        self, subscription: Subscription, skipped: list[date], first: date, report: DeliveryReport
    ) -> None:
        text = (
            f"paperboy was away: {len(skipped)} older day(s) of papers were skipped "
            f"({skipped[0]} to {skipped[-1]}). Use /paper day to read them."
        )
        await self._post(
            subscription,
            subscription.channel_id,
            Outgoing("skipped", first, text=text),
            "skipped",
            0,
        )
        for day in skipped:
            await self.ledger.mark_day(subscription.id, day.isoformat(), 0)
        report.skipped_days = len(skipped)

    async def _day(self, subscription: Subscription, day: date, report: DeliveryReport) -> None:
        papers = tuple(paper for paper in await self.papers.day(day) if subscription.matches(paper))
        if papers:
            channel = subscription.channel_id
            if subscription.layout == "compact":
                await self._post(
                    subscription, channel, Outgoing("compact", day, papers), "compact", 1
                )
            else:
                header = Outgoing("header", day, papers)
                header_id = await self._post(subscription, channel, header, "header", 1)
                target = channel
                if subscription.layout == "thread":
                    target = await self._once(
                        subscription,
                        day,
                        "thread",
                        2,
                        lambda nonce: self.poster.thread(channel, header_id, f"Papers for {day}"),
                    )
                for position, paper in enumerate(papers, 3):
                    message = Outgoing("paper", day, (paper,))
                    await self._post(subscription, target, message, paper.arxiv_id, position)
            report.messages += 1 + len(papers)
        await self.ledger.mark_day(subscription.id, day.isoformat(), len(papers))
        report.days.append(day)

    async def _post(
        self,
        subscription: Subscription,
        channel_id: int,
        message: Outgoing,
        item: str,
        position: int,
    ) -> int:
        """Post ``message`` once; a message showing papers is remembered for reactions, in the
        transaction that marks it sent (so a sent post is always bookmarkable)."""

        async def send(nonce: str) -> int:
            return await self.poster.send(channel_id, message, nonce)

        async def record(message_id: int) -> None:
            if message.kind in ("paper", "compact"):
                arxiv_ids = [paper.arxiv_id for paper in message.papers]
                await self.remember(message_id, channel_id, subscription.guild_id, arxiv_ids)

        return await self._once(subscription, message.day, item, position, send, record)

    async def _once(
        self,
        subscription: Subscription,
        day: date,
        item: str,
        position: int,
        act: Callable[[str], Awaitable[int]],
        record: Callable[[int], Awaitable[None]] | None = None,
    ) -> int:
        step = Step(subscription.id, subscription.channel_id, day, item, position)
        return await once(self.ledger, step, act, record)

    async def _failed(self, subscription: Subscription, reason: str) -> None:
        updated = await self.subscriptions.record_failure(subscription)
        log.warning(
            "subscription in channel %s failed (%d in a row): %s",
            subscription.channel_id,
            updated.failures,
            reason,
        )
        if updated.broken and not subscription.broken:
            await self.poster.notify(
                subscription.created_by,
                subscription.guild_id,
                f"{reason}. I stopped posting papers to <#{subscription.channel_id}> after "
                f"{updated.failures} failed days. Fix that, then run /subscription edit in that "
                "channel to resume.",
            )
