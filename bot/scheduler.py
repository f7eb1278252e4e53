"""APScheduler in the bot's event loop: a cron job per subscription, a poll job for the sources.

Jobs carry only the channel id and read the subscription fresh when they fire, so edits and failure
counts are never stale. Jobs are rebuilt from the database at start (then owed days are caught
up) and changed at once when a subscription is saved or removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.delivery import DeliveryService
from bot.enrich import Enricher, EnrichReport, poll_once
from bot.metrics import Metrics
from bot.personal import PersonalDigest
from bot.sources import Source
from bot.subscriptions import Subscription, SubscriptionService

log = logging.getLogger(__name__)
RETRY_FIRST = timedelta(minutes=1)  # an interrupted delivery is retried after this, then doubling
RETRY_MOST = timedelta(hours=1)  # ...up to this between tries, while the local day lasts


def trigger(subscription: Subscription) -> CronTrigger:
    """The trigger the subscription's job runs on (see Subscription.trigger)."""
    return subscription.trigger()


class Scheduler:
    """Owns the APScheduler in the bot's loop; started after the cogs load, shut down on close."""

    def __init__(
        self,
        subscriptions: SubscriptionService,
        delivery: DeliveryService,
        sources: Sequence[Source],
        config: Config,
        clock: Callable[[], datetime],
        enricher: Enricher | None = None,
        personal: PersonalDigest | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.subscriptions = subscriptions
        self.personal = personal
        self.delivery = delivery
        self.sources = sources
        self.config = config
        self.clock = clock
        self.enricher = enricher
        self.jobs = AsyncIOScheduler(timezone=UTC)
        self.polled = False
        self.backfill: asyncio.Task[EnrichReport | None] | None = None
        self.metrics = metrics or Metrics()
        subscriptions.on_change(self.changed)

    async def start(self) -> None:
        self.jobs.start()
        for subscription in await self.subscriptions.all_active():
            self.schedule(subscription)
        self.jobs.add_job(
            self.poll,
            "interval",
            minutes=self.config.sources.poll_minutes,
            id="poll",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
        )
        if self.personal is not None:
            # One job for every reader: each minute, whoever's time has come gets their digest.
            self.jobs.add_job(
                self.personal.deliver_due,
                "cron",
                minute="*",
                id="readers",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=300,
            )
        log.info("scheduler started with %d jobs", len(self.jobs.get_jobs()))
        if self.enricher is not None:  # papers stored before arXiv completion existed
            self.backfill = asyncio.create_task(
                self._backfill(self.enricher), name="arxiv-backfill"
            )

    @staticmethod
    async def _backfill(enricher: Enricher) -> EnrichReport | None:
        """Complete every pending paper from arXiv; a failure is logged, never raised."""
        try:
            return await enricher.run()
        except Exception:
            log.exception("arxiv backfill failed; the papers stay pending for later polls")
            return None

    async def shutdown(self) -> None:
        if self.backfill is not None and not self.backfill.done():
            self.backfill.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.backfill
        if self.jobs.running:
            self.jobs.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler stops in a call_soon: let it run now
            log.info("scheduler stopped")

    def schedule(self, subscription: Subscription) -> None:
        self.jobs.add_job(
            self.fire,
            trigger(subscription),
            args=[subscription.channel_id],
            id=f"subscription:{subscription.channel_id}",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )

    def changed(self, kind: str, subscription: Subscription) -> None:
        job_id = f"subscription:{subscription.channel_id}"
        if kind == "removed" or subscription.broken:
            if self.jobs.get_job(job_id):
                self.jobs.remove_job(job_id)
        else:
            self.schedule(subscription)

    async def fire(self, channel_id: int, attempt: int = 0) -> None:
        """Deliver what the channel is owed; ``attempt`` counts retries after an interruption."""
        subscription = await self.subscriptions.get(channel_id)
        if subscription is not None and not subscription.broken:
            now = self.clock()
            report = await self.delivery.deliver(subscription, now)
            if report.interrupted:
                self.retry_later(subscription, now, attempt + 1)
            elif self.jobs.get_job(f"retry:{channel_id}"):
                self.jobs.remove_job(f"retry:{channel_id}")  # delivered: nothing left to retry

    def retry_later(self, subscription: Subscription, now: datetime, attempt: int) -> None:
        """After a 5xx or a 429 past retries, try the channel again with backoff (1, 2, 4 ...
        minutes, at most an hour apart) while the day it failed on lasts in its timezone; after
        that its next scheduled post (or the next poll that brings papers) completes it."""
        delay = min(RETRY_MOST, RETRY_FIRST * 2 ** (attempt - 1))
        when = now + delay
        zone = subscription.zone
        job_id = f"retry:{subscription.channel_id}"
        if when.astimezone(zone).date() != now.astimezone(zone).date():
            log.warning(
                "delivery to channel %s still interrupted after %d retries; no more today",
                subscription.channel_id,
                attempt - 1,
            )
            return
        self.jobs.add_job(
            self.fire,
            "date",
            run_date=when,
            args=[subscription.channel_id, attempt],
            id=job_id,
            replace_existing=True,
            misfire_grace_time=int(RETRY_MOST.total_seconds()),
        )
        log.info("delivery to channel %s: retry %d at %s", subscription.channel_id, attempt, when)

    async def fire_due(self, since: datetime, now: datetime) -> list[int]:
        """Run the cron logic for (since, now] with a chosen clock: the channels delivered to."""
        fired = []
        for subscription in await self.subscriptions.all_active():
            when = trigger(subscription).get_next_fire_time(None, since + timedelta(microseconds=1))
            if when is not None and when <= now:
                await self.delivery.deliver(subscription, now)
                fired.append(subscription.channel_id)
        return fired

    async def poll(self) -> None:
        """Poll the sources; new papers go out at once to subscriptions whose time has passed.

        (A late digest still posts today: the delivery posts every day that is due and not sent;
        papers that joined a posted day go out too, and changed ones are edited in place, also
        when only arXiv completion changed what a paper shows.)
        """
        reports, completion = await poll_once(self.sources, self.enricher)
        for name, report in reports.items():
            self.metrics.polled(name, not report.failures, report.new, self.clock())
        fresh = any(report.new or report.updated for report in reports.values())
        fresh = fresh or bool(completion and completion.changed)
        if fresh or not self.polled:  # the first poll says what it found, even nothing
            found = "; ".join(
                f"{name}: {r.new} new, {r.updated} updated" + (" (failed)" if r.failures else "")
                for name, r in reports.items()
            )
            log.info("papers ingested: %s", found or "no source is configured")
        if fresh or not self.polled:  # the first poll also catches up after a restart
            self.polled = True
            now = self.clock()
            delivered = await self.delivery.deliver_all(now)
            for channel_id, outcome in delivered.items():
                subscription = await self.subscriptions.get(channel_id)
                if outcome.interrupted and subscription is not None:
                    self.retry_later(subscription, now, 1)
            if self.personal is not None:
                await self.personal.notify_changes(now)
