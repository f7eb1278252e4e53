"""Subscriptions and their schedule on a real database file, without Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config, DeliveryConfig, parse_weekdays
from bot.db.core import Database
from bot.db.papers import PaperStore
from bot.delivery import DeliveryReport
from bot.models import PaperRow
from bot.scheduler import Scheduler, trigger
from bot.sources.folder import FolderSource
from bot.subscriptions import Subscription, SubscriptionError, SubscriptionService
from tests.helpers import DATA, offline

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(
    2026, 3, 27, 7, 0, tzinfo=UTC
)  # a Friday, two days before Paris moves to summer time


class FakeDelivery:
    """Records what the scheduler asks to deliver."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, datetime]] = []
        self.rounds: list[datetime | None] = []

    async def deliver_all(self, now: datetime | None = None) -> dict[int, DeliveryReport]:
        self.rounds.append(now)
        return {}

    async def deliver(self, subscription: Subscription, now: datetime) -> DeliveryReport:
        self.calls.append((subscription.channel_id, now))
        return DeliveryReport()


@pytest.fixture
async def service(empty_db: Path) -> AsyncIterator[SubscriptionService]:
    db = await Database.open(empty_db)
    config = replace(Config(), delivery=DeliveryConfig(timezone="Europe/Paris"))
    try:
        yield SubscriptionService(db, config, lambda: NOW)
    finally:
        await db.close()


def paper(**fields: object) -> PaperRow:
    values: dict[str, object] = {
        "arxiv_id": "2503.00001",
        "title": "Sparse Goose",
        "authors": ("Ada Lovelace",),
        "summary": "",
        "category": "cs.CL",
        "arxiv_url": "https://arxiv.org/abs/2503.00001",
        "hf_url": None,
        "days": (),
    }
    return PaperRow(**{**values, **fields})  # type: ignore[arg-type]


async def test_defaults_come_from_config_and_created_at_is_utc(
    service: SubscriptionService,
) -> None:
    sub, new = await service.subscribe(1, 10, 99)
    assert new
    assert (sub.post_time, sub.timezone, sub.weekdays) == (
        time(9),
        "Europe/Paris",
        ("mon", "tue", "wed", "thu", "fri"),
    )
    assert sub.layout == "thread" and sub.created_at == NOW and sub.created_by == 99


async def test_one_subscription_per_channel_resubscribing_updates_it(
    service: SubscriptionService,
) -> None:
    first, _ = await service.subscribe(1, 10, 99, time="08:00")
    second, new = await service.subscribe(1, 10, 98, time="18:30", keywords="goose, duck")
    assert not new and second.id == first.id and second.post_time == time(18, 30)
    assert second.keywords == ("goose", "duck")
    assert [s.channel_id for s in await service.in_guild(1)] == [10]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"time": "9am"}, "'9am' is not a time; use HH:MM"),
        ({"timezone": "Mars/Olympus"}, "'Mars/Olympus' is not an IANA timezone"),
        ({"weekdays": "mon,funday"}, "weekdays must be some of mon"),
        ({"layout": "poster"}, "layout must be one of thread, channel, compact"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message_and_saves_nothing(
    service: SubscriptionService, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(SubscriptionError, match=message):
        await service.subscribe(1, 10, 99, **fields)
    assert await service.in_guild(1) == []


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("mon-fri", ("mon", "tue", "wed", "thu", "fri")),
        ("sat-mon", ("mon", "sat", "sun")),  # a range may wrap past Sunday
        ("Monday, Wednesday", ("mon", "wed")),
        ("tues thu-thu", ("tue", "thu")),
    ],
)
def test_weekdays_take_ranges_and_day_names(typed: str, days: tuple[str, ...]) -> None:
    assert parse_weekdays(typed) == days


@pytest.mark.parametrize("typed", ["mon-", "mo-fr", "monx", "fri-funday", ""])
def test_weekdays_refuse_what_is_no_day_rather_than_guess(typed: str) -> None:
    with pytest.raises(ValueError, match="weekdays must be some of mon"):
        parse_weekdays(typed)


async def test_edit_changes_only_what_is_given_and_clears_broken(
    service: SubscriptionService,
) -> None:
    sub, _ = await service.subscribe(1, 10, 99, time="07:15", authors="Lovelace", layout="compact")
    for _ in range(3):
        sub = await service.record_failure(sub)
    assert sub.broken and await service.all_active() == []
    edited = await service.edit(10, weekdays="sat,sun")
    assert edited.weekdays == ("sat", "sun") and edited.post_time == time(7, 15)
    assert edited.authors == ("Lovelace",) and edited.layout == "compact"
    assert not edited.broken and edited.failures == 0
    with pytest.raises(SubscriptionError, match="not subscribed"):
        await service.edit(11, time="10:00")


async def test_matches_any_filter_and_no_filter_matches_everything(
    service: SubscriptionService,
) -> None:
    everything, _ = await service.subscribe(1, 10, 99)
    assert everything.matches(paper(category="q-bio"))
    picky, _ = await service.subscribe(1, 11, 99, categories="cs.LG", keywords="goose")
    assert picky.matches(paper(category="cs.LG", title="Other"))
    assert picky.matches(paper(category="q-bio", title="A GOOSE"))
    assert not picky.matches(paper(category="q-bio", title="Ducks"))
    by_author, _ = await service.subscribe(1, 12, 99, authors="lovelace")
    assert by_author.matches(paper()) and not by_author.matches(paper(authors=("Alan Turing",)))


async def test_next_post_skips_the_weekend_and_follows_summer_time(
    service: SubscriptionService,
) -> None:
    sub, _ = await service.subscribe(1, 10, 99)
    # Friday 07:00 UTC is 08:00 in Paris: today at 09:00 CET is 08:00 UTC.
    assert sub.next_post(NOW) == datetime(2026, 3, 27, 9, tzinfo=PARIS)
    assert sub.next_post(NOW).astimezone(UTC).hour == 8
    # After that: Monday, when Paris is on summer time, so 07:00 UTC.
    after = sub.next_post(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    assert after == datetime(2026, 3, 30, 9, tzinfo=PARIS)
    assert after.astimezone(UTC) == datetime(2026, 3, 30, 7, tzinfo=UTC)


async def test_cron_trigger_fires_at_local_time_on_weekdays_across_dst(
    service: SubscriptionService,
) -> None:
    sub, _ = await service.subscribe(1, 10, 99, time="09:00", timezone="Europe/Paris")
    cron = trigger(sub)
    fires, previous = [], None
    moment = NOW
    for _ in range(3):
        moment = cron.get_next_fire_time(previous, moment)
        fires.append(moment.astimezone(UTC))
        previous = moment
        moment = moment.replace(microsecond=1)
    assert fires == [
        datetime(2026, 3, 27, 8, tzinfo=UTC),  # Friday, winter time
        datetime(2026, 3, 30, 7, tzinfo=UTC),  # Monday, summer time; the weekend skipped
        datetime(2026, 3, 31, 7, tzinfo=UTC),
    ]


@pytest.fixture
async def scheduler(service: SubscriptionService) -> AsyncIterator[Scheduler]:
    delivery = FakeDelivery()
    scheduler = Scheduler(service, delivery, [], service.config, service.clock)  # type: ignore[arg-type]
    scheduler.jobs.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.jobs.shutdown(wait=False)


async def test_saving_editing_and_removing_change_the_job_at_once(
    service: SubscriptionService, scheduler: Scheduler
) -> None:
    await service.subscribe(1, 10, 99, time="09:00")
    job = scheduler.jobs.get_job("subscription:10")
    assert job is not None and str(job.trigger.timezone) == "Europe/Paris"
    await service.edit(10, time="17:45", timezone="America/New_York", weekdays="sat")
    job = scheduler.jobs.get_job("subscription:10")
    assert job.trigger.get_next_fire_time(None, NOW) == datetime(
        2026, 3, 28, 17, 45, tzinfo=ZoneInfo("America/New_York")
    )
    await service.unsubscribe(10)
    assert scheduler.jobs.get_job("subscription:10") is None


async def test_fire_due_delivers_only_subscriptions_whose_time_came(
    service: SubscriptionService, scheduler: Scheduler
) -> None:
    await service.subscribe(1, 10, 99, time="09:00")  # 08:00 UTC on that Friday
    await service.subscribe(1, 11, 99, time="12:00")  # 11:00 UTC
    await service.subscribe(1, 12, 99, time="08:30", weekdays="sat")
    later = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    assert await scheduler.fire_due(NOW, later) == [10]
    assert scheduler.delivery.calls == [(10, later)]  # type: ignore[attr-defined]
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert sorted(await scheduler.fire_due(later, saturday)) == [11, 12]


async def test_a_poll_delivers_when_it_brings_new_papers_or_after_a_restart(
    tmp_path: Path, service: SubscriptionService
) -> None:
    folder = tmp_path / "digests"
    folder.mkdir()
    config = replace(service.config, sources=offline(folder))
    delivery = FakeDelivery()
    papers = PaperStore(service.store.db)
    sources = [FolderSource(folder, papers)]
    scheduler = Scheduler(service, delivery, sources, config, service.clock)  # type: ignore[arg-type]
    await scheduler.poll()  # nothing new, but the first poll catches up
    await scheduler.poll()  # nothing new: no delivery round
    assert delivery.rounds == [NOW]
    (folder / "2025-03-20.md").write_text((DATA / "2025-03-20.md").read_text())
    await scheduler.poll()
    assert delivery.rounds == [NOW, NOW]
    assert (await papers.counts())["days"] == 1


async def test_start_rebuilds_a_job_for_each_active_subscription(
    service: SubscriptionService,
) -> None:
    await service.subscribe(1, 10, 99, time="06:15")
    broken, _ = await service.subscribe(1, 11, 99)
    await service.store.set_health(broken.id, 3, True)
    config = replace(service.config, sources=offline())
    delivery = FakeDelivery()
    scheduler = Scheduler(service, delivery, [], config, service.clock)  # type: ignore[arg-type]
    await scheduler.start()
    try:
        jobs = {job.id: job for job in scheduler.jobs.get_jobs()}
        assert set(jobs) == {"poll", "subscription:10"}
        assert jobs["subscription:10"].misfire_grace_time == 6 * 3600
        assert jobs["subscription:10"].coalesce
    finally:
        await scheduler.shutdown()
    assert not scheduler.jobs.running
