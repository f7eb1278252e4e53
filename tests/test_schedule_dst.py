"""`next_post` (shown to people) and `Scheduler.fire_due` (the cron logic the tests drive) answer
from the trigger APScheduler runs, so they agree on DST change days too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config, parse_hhmm
from bot.db.core import Database
from bot.follows import Reader
from bot.schedule import weekly
from bot.scheduler import Scheduler
from bot.subscriptions import SubscriptionService
from tests.test_subscriptions import FakeDelivery

EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"
# Zone -> its 2026 spring-forward day (a 30-minute change for Lord Howe).
SPRING = {
    "Europe/Paris": date(2026, 3, 29),
    "America/New_York": date(2026, 3, 8),
    "America/Santiago": date(2026, 9, 6),
    "Australia/Lord_Howe": date(2026, 10, 4),
}
TIMES = ["00:00", "00:30", "01:30", "02:00", "02:30", "03:00", "23:30"]


@pytest.fixture
async def scheduler(empty_db: Path) -> AsyncIterator[Scheduler]:
    db = await Database.open(empty_db)
    created = datetime(2026, 1, 1, tzinfo=UTC)
    service = SubscriptionService(db, Config(), lambda: created)
    scheduler = Scheduler(service, FakeDelivery(), [], service.config, service.clock)  # type: ignore[arg-type]
    try:
        yield scheduler
    finally:
        await db.close()


@pytest.mark.parametrize("zone", SPRING)
async def test_next_post_is_the_moment_fire_due_fires_around_the_spring_forward_day(
    scheduler: Scheduler, zone: str
) -> None:
    service = scheduler.subscriptions
    subs = [
        (await service.subscribe(1, 100 + n, 9, time=t, timezone=zone, weekdays=EVERY_DAY))[0]
        for n, t in enumerate(TIMES)
    ]
    day = datetime.combine(SPRING[zone], time(0), tzinfo=ZoneInfo(zone))
    for hours in range(-24, 48, 3):
        since = (day + timedelta(hours=hours)).astimezone(UTC)
        for sub in subs:
            when = sub.next_post(since)
            assert when > since
            just_before = await scheduler.fire_due(since, when - timedelta(microseconds=1))
            at = await scheduler.fire_due(since, when)
            assert sub.channel_id not in just_before, (sub.post_time, since, when)
            assert sub.channel_id in at, (sub.post_time, since, when)


async def test_a_post_time_skipped_by_the_clock_change_still_posts_that_day(
    scheduler: Scheduler,
) -> None:
    paris = ZoneInfo("Europe/Paris")
    sub, _ = await scheduler.subscriptions.subscribe(
        1, 10, 9, time="02:30", timezone="Europe/Paris", weekdays=EVERY_DAY
    )
    saturday = datetime(2026, 3, 28, 12, tzinfo=UTC)
    when = sub.next_post(saturday)
    assert when.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 summer time
    assert when.astimezone(paris).date() == date(2026, 3, 29)
    sunday_noon = datetime(2026, 3, 29, 12, tzinfo=UTC)
    assert await scheduler.fire_due(saturday, sunday_noon) == [10]


@pytest.mark.parametrize("zone", SPRING)
def test_a_personal_digest_is_announced_for_when_a_channel_at_that_time_posts(zone: str) -> None:
    """Readers and channels share one schedule: on a spring-forward day, a 02:30 digest that
    does not exist locally is announced for the moment the channel's job fires, not skipped."""
    created = datetime(2026, 1, 1, tzinfo=UTC)
    start = datetime.combine(SPRING[zone], time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    for text in TIMES:
        reader = Reader(9, parse_hhmm(text), zone, tuple(EVERY_DAY.split(",")), created)
        trigger = weekly(reader.weekdays, reader.post_time, reader.zone)
        fired = trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
        assert reader.next_post(start) == fired
