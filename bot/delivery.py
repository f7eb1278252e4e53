"""Daily delivery: which days a subscription is owed, and posting them exactly once.

The protocol, per batch of messages (a day's first delivery, or the papers that joined it later):
1. Every message of the batch is written to the ledger as ``pending`` with a nonce derived from
   (channel, day, item), in one transaction, BEFORE anything is sent. A batch is thus fixed
   once planned: a restart finishes that batch, it never re-plans it.
2. Each pending row is posted in order with its nonce and ``enforce_nonce``: Discord answers a
   repeated nonce from the same author in the same channel with the message it already created,
   for a few minutes. A row left pending longer than ``nonce_window_seconds`` is first looked
   for in the channel's messages after the last one sent (by nonce or content) and adopted.
3. The row becomes ``sent`` with the message id and a fingerprint of what the message shows.
A thread cannot carry a nonce, but a thread started from a message has that message's id, so
re-creating it is answered "already created"; a forum post is found among the forum's threads.
A day is marked delivered once its first batch is sent; catch-up posts the days not marked.

A posted day keeps living: papers that join it within ``late_papers_days`` go out under a short
"N more papers" line (a compact list is edited to hold them, or followed by another), and messages
whose fingerprint changed within ``edit_window_days`` are edited in place (see bot/living.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.config import Config
from bot.db.ledger import Entry, LedgerStore, Planned
from bot.db.papers import PaperStore
from bot.living import Editor
from bot.metrics import Metrics
from bot.models import PaperRow
from bot.planning import DayState, members, plan, planned, updated
from bot.posting import (
    ChannelGone,
    ChannelUnavailable,
    DeliveryInterrupted,
    Outgoing,
    Papers,
    Poster,
    Remember,
    Weekly,
    nonce,
    recap,
)
from bot.subscriptions import Filters, Subscription, SubscriptionService

log = logging.getLogger(__name__)
# Channels delivered at once. A channel takes 5 messages per 5 s, so filling the global 50/s
# needs more than 50 channels in flight; the bound only keeps memory and DB writes in check.
FAN_OUT = 100
PREVIEW_DAYS = 14  # /subscription test looks this far back


@dataclass
class DeliveryReport:
    days: list[date] = field(default_factory=list)
    messages: int = 0
    late: int = 0
    edits: int = 0
    skipped_days: int = 0
    failed: str | None = None
    interrupted: bool = False  # Discord failed for a while: worth retrying soon, the same day


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
        metrics: Metrics | None = None,
        weekly: Weekly | None = None,
    ) -> None:
        self.ledger = ledger
        self.papers = papers
        self.subscriptions = subscriptions
        self.poster = poster
        self.config = config
        self.clock = clock
        self.remember = remember
        self.editor = Editor(ledger, poster, remember)
        self.metrics = metrics or Metrics()
        self.weekly = weekly  # the week's top papers, for subscriptions with a weekly recap

    async def owed_days(
        self, subscription: Subscription, now: datetime, papers: Papers | None = None
    ) -> tuple[list[date], list[date]]:
        """(due, living): days with papers from the subscription's creation day whose post time
        has passed and that are not delivered yet; and days delivered (not skipped by catch-up)
        that may still grow, ``late_papers_days`` back from today. One ledger read."""
        zone = subscription.zone
        local_now = now.astimezone(zone)
        since = subscription.created_at.astimezone(zone).date()
        growing = local_now.date() - timedelta(days=self.config.delivery.late_papers_days)
        done = await self.ledger.delivered(subscription.id)
        days = await (papers or Papers(self.papers)).days(since, local_now.date())
        due = [
            day
            for day in days
            if day.isoformat() not in done
            and datetime.combine(day, subscription.post_time, zone) <= local_now
        ]
        living = [day for day in days if day >= growing and done.get(day.isoformat(), -1) >= 0]
        return due, living

    async def preview(
        self, filters: Filters, today: date, days: int = PREVIEW_DAYS
    ) -> list[tuple[date, int, list[str]]]:
        """What ``filters`` would have posted over the last ``days`` days with papers: each
        day's count and its first titles. Nothing is saved or posted."""
        found = []
        for day in await self.papers.days(today - timedelta(days=days - 1), today):
            wanted = [paper for paper in await self.papers.day(day) if filters.matches(paper)]
            found.append((day, len(wanted), [paper.title for paper in wanted[:3]]))
        return found

    async def deliver(
        self, subscription: Subscription, now: datetime | None = None, papers: Papers | None = None
    ) -> DeliveryReport:
        """Post every day owed to this subscription, then the late papers and the edits of the
        days still living; failures are counted, never raised."""
        now = now or self.clock()
        papers = papers or Papers(self.papers)
        report = DeliveryReport()
        due, living = await self.owed_days(subscription, now, papers)
        limit = self.config.delivery.catch_up_days
        skipped, due = (due[:-limit], due[-limit:]) if limit and len(due) > limit else ([], due)
        try:
            kind = await self.poster.kind(subscription.channel_id)
            if skipped:
                await self._skip(subscription, skipped, due[0], kind, papers, report)
            for day in sorted({*due, *living}):
                await self._day(subscription, day, kind, papers, report, owed=day in due)
            today = now.astimezone(subscription.zone).date()
            since = today - timedelta(days=self.config.delivery.edit_window_days)
            report.edits += await self.editor.edit_changed(subscription, since, papers)
        except ChannelUnavailable as error:
            report.failed = str(error)
            await self._failed(subscription, str(error))
        except DeliveryInterrupted as error:
            # Not the channel's fault: no failed day; pending rows are re-posted next run.
            report.failed, report.interrupted = str(error), True
            await self.subscriptions.record_interruption(subscription, str(error))
            log.warning("delivery to channel %s interrupted: %s", subscription.channel_id, error)
        else:
            await self.subscriptions.record_success(subscription, report.messages > 0)
        return report

    async def deliver_all(self, now: datetime | None = None) -> dict[int, DeliveryReport]:
        """Every active subscription at once (bounded): one failing channel never holds up another."""
        gate = asyncio.Semaphore(FAN_OUT)
        papers = Papers(self.papers)

        async def one(subscription: Subscription) -> tuple[int, DeliveryReport]:
            async with gate:
                return subscription.channel_id, await self.deliver(subscription, now, papers)

        subscriptions = await self.subscriptions.all_active()
        return dict(await asyncio.gather(*(one(s) for s in subscriptions)))

    async def _skip(
        self,
        subscription: Subscription,
        skipped: list[date],
        first: date,
        kind: str,
        papers: Papers,
        report: DeliveryReport,
    ) -> None:
        """One note for the days too old to catch up on (none in a forum: no post to hold it)."""
        key, channel = first.isoformat(), subscription.channel_id
        if kind != "forum":
            before = await self.ledger.entry(subscription.id, key, "skipped")
            row = Planned("skipped", "skipped", -1, 0, nonce(channel, first, "skipped"))
            await self.ledger.plan(subscription.id, key, [row], self._stamp())
            text = (
                f"paperboy was away: {len(skipped)} older day(s) of papers were skipped "
                f"({skipped[0]} to {skipped[-1]}). Use /paper day to read them."
            )
            entries = await self.ledger.day_entries(subscription.id, key)
            fresh = set() if before else {"skipped"}
            state = DayState(subscription, first, kind, papers, entries, fresh)
            for entry in entries:
                if entry.item == "skipped" and entry.state == "pending":
                    await self._post(state, entry, Outgoing("skipped", first, text=text), report)
        for day in skipped:
            await self.ledger.mark_day(subscription.id, day.isoformat(), -1)
        report.skipped_days = len(skipped)

    async def _day(
        self,
        subscription: Subscription,
        day: date,
        kind: str,
        papers: Papers,
        report: DeliveryReport,
        owed: bool,
    ) -> None:
        """Plan the day's papers not in the ledger yet as one batch, then post what is pending;
        an ``owed`` day is marked delivered once that is done."""
        key = day.isoformat()
        wanted = [p for p in (await papers.day(day)).values() if subscription.matches(p)]
        entries = await self.ledger.day_entries(subscription.id, key)
        known = {entry.item for entry in entries}
        new = [paper for paper in wanted if paper.arxiv_id not in known]
        rows: list[Planned] = []
        if new:
            last = await self._last_list(day, entries, papers)
            rows = plan(subscription, day, kind, entries, new, last, self.poster.fits)
            stamp = self._stamp()
            await self.ledger.plan(subscription.id, key, rows, stamp)
            entries = [*entries, *(planned(row, key, stamp) for row in rows)]
            if rows[0].batch:
                report.late += len(new)
        state = DayState(subscription, day, kind, papers, entries, {row.item for row in rows})
        await self._post_pending(state, report)
        if owed:
            await self.ledger.mark_day(subscription.id, key, len(wanted))
            report.days.append(day)

    async def _last_list(self, day: date, entries: list[Entry], papers: Papers) -> list[PaperRow]:
        """The papers the day's last compact list shows."""
        lists = [e for e in entries if e.kind == "compact"]
        shown = []
        for entry in entries:
            if lists and entry.kind == "listed" and entry.position > lists[-1].position:
                paper = await papers.get(day, entry.item)
                shown.extend([paper] if paper else [])
        return shown

    async def _post_pending(self, state: DayState, report: DeliveryReport) -> None:
        for index, entry in enumerate(state.entries):
            if entry.state != "pending" or entry.deleted or entry.kind == "listed":
                continue
            message = await self._message(state, entry)
            if message is None:
                await self.ledger.deleted(state.subscription.id, entry.day, entry.item)
                continue
            if entry.kind in ("thread", "forum"):
                thread_id = await self._open(state, entry, message)
                state.entries[index] = updated(entry, message_id=thread_id, state="sent")
                continue
            try:
                message_id = await self._post(state, entry, message, report)
            except ChannelGone:
                if state.target(entry) == state.subscription.channel_id:
                    raise
                log.info("the thread of %s is gone: %s left out", entry.day, entry.item)
                await self.ledger.deleted(state.subscription.id, entry.day, entry.item)
                continue
            state.entries[index] = updated(entry, message_id=message_id, state="sent")
            if entry.kind == "compact":
                self._list(state, entry, message_id)
        for entry in list(state.entries):  # papers that joined a list already posted: edit it
            shown = members(state.entries, entry) if entry.kind == "compact" else []
            if entry.state == "sent" and any(m.state == "pending" for m in shown):
                await self._grow_list(state, entry, report)

    async def _message(self, state: DayState, entry: Entry) -> Outgoing | None:
        """What a row shows now; None when its paper has left the store."""
        day, sub = state.day, state.subscription
        if entry.kind in ("header", "thread", "forum"):
            papers = await self._papers_of(state, [e for e in state.entries if e.batch == 0])
            return Outgoing("header", day, papers, mention_role=sub.mention_role)
        if entry.kind == "more":
            batch = [e for e in state.entries if e.batch == entry.batch]
            return Outgoing("more", day, await self._papers_of(state, batch))
        if entry.kind == "compact":
            papers = await self._papers_of(state, members(state.entries, entry))
            return Outgoing("compact", day, papers, late=entry.item != "compact")
        if entry.kind == "recap":
            return await recap(self.weekly, sub, day)
        paper = await state.papers.get(day, entry.item)
        return None if paper is None else Outgoing("paper", day, (paper,))

    async def _papers_of(self, state: DayState, entries: list[Entry]) -> tuple[PaperRow, ...]:
        found = []
        for entry in entries:
            if entry.kind in ("paper", "listed"):
                paper = await state.papers.get(state.day, entry.item)
                if paper is not None:
                    found.append(paper)
        return tuple(found)

    async def _open(self, state: DayState, entry: Entry, header: Outgoing) -> int:
        """The day's thread: from the header message, or a forum post with the header inside."""
        sub, name = state.subscription, f"Papers for {state.day}"
        if entry.kind == "forum":
            thread_id = await self.poster.forum_post(sub.channel_id, header, name)
        else:
            opener = next(e for e in state.entries if e.kind == "header")
            assert opener.message_id is not None, "the header is posted before its thread"
            thread_id = await self.poster.thread(sub.channel_id, opener.message_id, name)
        await self.ledger.sent(sub.id, entry.day, entry.item, thread_id, sub.channel_id)
        return thread_id

    async def _post(
        self, state: DayState, entry: Entry, message: Outgoing, report: DeliveryReport
    ) -> int:
        """Post one pending row (or adopt it from the channel past the nonce window)."""
        sub, target = state.subscription, state.target(entry)
        message_id = None
        if state.searching and self._stale(entry):
            after = await self.ledger.last_sent_in(sub.id, target)
            message_id = await self.poster.find(target, after, message, entry.nonce)
            if message_id is not None:
                log.info("adopted message %s for %s in %s", message_id, entry.item, target)
            state.searching = message_id is not None
        if entry.item not in state.planned:
            self.metrics.posts.labels("retried").inc()  # pending since an earlier run
        if message_id is None:
            try:
                message_id = await self.poster.send(target, message, entry.nonce)
            except Exception:
                self.metrics.posts.labels("failed").inc()
                raise
            report.messages += 1
        if sub.publish and state.kind == "announcement" and target == sub.channel_id:
            await self.poster.publish(target, message_id)
        fingerprint = state.papers.fingerprint(self.poster, message)
        listed = [e.item for e in members(state.entries, entry)] if entry.kind == "compact" else []
        async with self.ledger.transaction():  # a sent post is always bookmarkable
            if message.kind in ("paper", "compact"):
                ids = [paper.arxiv_id for paper in message.papers]
                await self.remember(message_id, target, sub.guild_id, ids)
            await self.ledger.sent(
                sub.id, entry.day, entry.item, message_id, target, fingerprint, listed
            )
        self.metrics.posts.labels("sent").inc()
        return message_id

    @staticmethod
    def _list(state: DayState, compact: Entry, message_id: int) -> None:
        """The papers a compact list shows are sent with it (the ledger wrote them with it)."""
        items = [e.item for e in members(state.entries, compact)]
        for index, entry in enumerate(state.entries):
            if entry.item in items:
                state.entries[index] = updated(entry, message_id=message_id, state="sent")

    async def _grow_list(self, state: DayState, compact: Entry, report: DeliveryReport) -> None:
        """Late papers joined a compact list already posted: the list is edited to show them.
        Editing twice shows the same, so a restart midway needs no nonce."""
        sub, target = state.subscription, state.target(compact)
        message = await self._message(state, compact)
        assert message is not None and compact.message_id is not None
        fingerprint = None
        if not compact.deleted and await self.poster.edit(target, compact.message_id, message):
            fingerprint = state.papers.fingerprint(self.poster, message)
            report.edits += 1
        items = [e.item for e in members(state.entries, compact)]
        async with self.ledger.transaction():
            if fingerprint is not None:
                ids = [paper.arxiv_id for paper in message.papers]
                await self.remember(compact.message_id, target, sub.guild_id, ids)
            await self.ledger.grown(
                sub.id, compact.day, compact.item, fingerprint, items, compact.message_id, target
            )
        self._list(state, compact, compact.message_id)

    def _stale(self, entry: Entry) -> bool:
        """Pending longer than Discord dedupes nonces: the message may exist without its nonce."""
        if entry.pending_since is None:
            return True
        since = datetime.fromisoformat(entry.pending_since)
        window = timedelta(seconds=self.config.delivery.nonce_window_seconds)
        return self.clock().astimezone(UTC) - since >= window

    def _stamp(self) -> str:
        return self.clock().astimezone(UTC).isoformat()

    async def _failed(self, subscription: Subscription, reason: str) -> None:
        updated = await self.subscriptions.record_failure(subscription, reason)
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
