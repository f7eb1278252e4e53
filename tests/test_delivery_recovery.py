"""A delivery Discord interrupts is retried with backoff the same day, and a post marked sent is
always bookmarkable: the real bot against the fake Discord, the scheduler's jobs read, not waited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config
from bot.db.core import Database
from bot.delivery import DeliveryReport
from bot.scheduler import Scheduler
from bot.subscriptions import Subscription, SubscriptionService
from tests.delivering import NEXT_DAY, posted, subscribe

MESSAGES = "/channels/{channel_id}/messages"


def retry_job(world):
    return world.bot.scheduler.jobs.get_job(f"retry:{world.channel.id}")


async def test_an_interrupted_delivery_is_retried_the_same_day_until_it_completes(
    world, fake_discord
) -> None:
    scheduler = world.bot.scheduler
    scheduler.jobs.pause()  # the test runs the retry job itself, at the time it was set for
    await subscribe(world, layout="channel")
    fake_discord.fail_next("POST", MESSAGES, 503)
    scheduler.clock = lambda: NEXT_DAY
    await scheduler.fire(world.channel.id)
    assert posted(world) == []
    job = retry_job(world)
    assert job is not None and job.next_run_time == NEXT_DAY + timedelta(minutes=1)
    fake_discord.fail_next("POST", MESSAGES, 503)  # the first retry fails too: back off further
    scheduler.clock = lambda: NEXT_DAY + timedelta(minutes=1)
    await scheduler.fire(*job.args)
    job = retry_job(world)
    assert tuple(job.args) == (world.channel.id, 2)
    assert job.next_run_time == NEXT_DAY + timedelta(minutes=1 + 2)
    scheduler.clock = lambda: NEXT_DAY + timedelta(minutes=3)
    await scheduler.fire(*job.args)
    assert len(posted(world)) == 1 + 22 + 1 + 2  # both days, each message once
    assert retry_job(world) is None  # done: nothing more to retry
    assert (await world.bot.subscriptions.get(world.channel.id)).failures == 0


async def test_a_poll_round_interrupted_in_one_channel_schedules_its_retry(
    world, fake_discord
) -> None:
    scheduler = world.bot.scheduler
    scheduler.jobs.pause()
    await subscribe(world, layout="channel")
    fake_discord.fail_next("POST", MESSAGES, 503)
    scheduler.clock = lambda: NEXT_DAY
    scheduler.polled = False  # the first poll after a start delivers what is owed
    await scheduler.poll()
    assert retry_job(world).next_run_time == NEXT_DAY + timedelta(minutes=1)


class Interrupted:
    """A delivery that Discord keeps interrupting."""

    def __init__(self) -> None:
        self.calls: list[datetime] = []

    async def deliver(self, subscription: Subscription, now: datetime) -> DeliveryReport:
        self.calls.append(now)
        return DeliveryReport(failed="Discord answered 503", interrupted=True)


async def test_retries_back_off_and_stop_when_the_local_day_ends(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "p.db")
    late = datetime(2025, 3, 20, 19, 0, tzinfo=UTC)  # 20:00 in Paris: four hours of day left
    service = SubscriptionService(db, Config(), lambda: late)
    delivery = Interrupted()
    scheduler = Scheduler(service, delivery, [], service.config, lambda: late)  # type: ignore[arg-type]
    scheduler.jobs.start(paused=True)
    try:
        sub, _ = await service.subscribe(1, 10, 9, timezone="Europe/Paris")
        now, attempt, waits = late, 0, []
        while True:
            scheduler.clock = lambda now=now: now
            await scheduler.fire(sub.channel_id, attempt)
            job = scheduler.jobs.get_job("retry:10")
            if job is None or job.next_run_time <= now:
                break
            waits.append(job.next_run_time - now)
            now, attempt = job.next_run_time, job.args[1]
        assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60]
        assert now.astimezone(sub.zone).hour == 23  # the last try is still on the same day
        assert len(delivery.calls) == 9
    finally:
        scheduler.jobs.shutdown(wait=False)
        await db.close()


async def test_a_crash_before_sent_is_recorded_leaves_nothing_half_done(
    world, fake_discord, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscription, _ = await subscribe(world, layout="channel")
    ledger = world.bot.delivery.ledger
    real_sent = ledger.sent

    async def crash(subscription_id: int, day: str, item: str, *rest: object) -> None:
        if item != "header":
            raise RuntimeError("killed between posting a paper and recording it")
        await real_sent(subscription_id, day, item, *rest)

    monkeypatch.setattr(ledger, "sent", crash)
    with pytest.raises(RuntimeError):
        await world.bot.delivery.deliver(subscription, NEXT_DAY)
    _, paper = posted(world)  # the header, and the paper: posted, not recorded
    assert await world.bot.bookmarks.papers_for_message(int(paper["id"])) == []
    monkeypatch.setattr(ledger, "sent", real_sent)
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    first_paper = posted(world)[1]
    shown = await world.bot.bookmarks.papers_for_message(int(first_paper["id"]))
    assert len(shown) == 1
    entry = await ledger.entry(subscription.id, "2025-03-19", shown[0])
    assert (
        entry is not None and entry.state == "sent" and entry.message_id == int(first_paper["id"])
    )
    assert len(posted(world)) == 1 + 22 + 1 + 2
