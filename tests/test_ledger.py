"""The delivery ledger without Discord: batches planned before posting, late papers, edits in
place, deleted messages left deleted and pending rows adopted, on a real database."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config, DeliveryConfig
from bot.db import Database, PaperStore
from bot.db.ledger import LedgerStore, Planned
from bot.delivery import DeliveryService
from bot.models import Paper
from bot.posting import Outgoing
from bot.subscriptions import SubscriptionService
from tests.helpers import DATA, ingest, late_paper

DAY = date(2025, 3, 20)
LATER = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
BEFORE = datetime(2025, 3, 19, 8, 0, tzinfo=UTC)


class CountingLedger(LedgerStore):
    """The real ledger, counting its writes."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.calls: Counter[str] = Counter()

    async def plan(self, subscription_id: int, day: str, rows: Sequence[Planned], since: str):
        self.calls["plan"] += 1
        await super().plan(subscription_id, day, rows, since)

    async def sent(self, *args, **kwargs) -> None:
        self.calls["sent"] += 1
        await super().sent(*args, **kwargs)


class Recorder:
    """A poster that numbers what it is given; fails once on the item named in ``fail_on``."""

    def __init__(self, fail_on: str | None = None, adopt: dict[str, int] | None = None) -> None:
        self.sent: list[tuple[int, Outgoing, str]] = []
        self.edits: list[tuple[int, int, Outgoing]] = []
        self.searched: list[tuple[int, int | None, str]] = []
        self.gone: set[int] = set()  # message ids a moderator deleted
        self.fail_on = fail_on
        self.adopt = adopt or {}  # arXiv id -> the message found for it in the channel

    def fingerprint(self, message: Outgoing) -> str:
        shown = [(p.title, p.summary, p.authors, p.category) for p in message.papers]
        return hashlib.sha256(repr((message.kind, message.late, shown)).encode()).hexdigest()

    def fits(self, message: Outgoing) -> bool:
        return len(message.papers) <= 3

    async def kind(self, channel_id: int) -> str:
        return "text"

    async def send(self, channel_id: int, message: Outgoing, nonce: str) -> int:
        if message.kind == "paper" and message.papers[0].arxiv_id == self.fail_on:
            self.fail_on = None
            raise RuntimeError("the process dies after Discord took the message")
        self.sent.append((channel_id, message, nonce))
        return 1000 + len(self.sent)

    async def find(self, channel_id: int, after: int | None, message: Outgoing, nonce: str):
        self.searched.append((channel_id, after, nonce))
        return self.adopt.get(message.papers[0].arxiv_id) if message.kind == "paper" else None

    async def edit(self, channel_id: int, message_id: int, message: Outgoing) -> bool:
        if message_id in self.gone:
            return False
        self.edits.append((channel_id, message_id, message))
        return True

    async def thread(self, channel_id: int, message_id: int, name: str) -> int:
        return message_id

    async def forum_post(self, channel_id: int, message: Outgoing, name: str) -> int:
        raise AssertionError("no forum here")

    async def publish(self, channel_id: int, message_id: int) -> None:
        raise AssertionError("nothing to publish")

    async def notify(self, user_id: int, guild_id: int, text: str) -> None:
        raise AssertionError(text)


async def remember(
    message_id: int, channel_id: int, guild_id: int | None, arxiv_ids: Sequence[str]
) -> None:
    return None


Setup = tuple[Database, PaperStore, SubscriptionService]


@pytest.fixture
async def setup(empty_db: Path) -> AsyncIterator[Setup]:
    db = await Database.open(empty_db)
    papers = PaperStore(db)
    await ingest(papers, DATA / "2025-03-20.md")
    subscriptions = SubscriptionService(db, Config(), lambda: BEFORE)
    try:
        yield db, papers, subscriptions
    finally:
        await db.close()


def delivery(
    setup: Setup, poster: Recorder, clock: datetime = LATER, **settings
) -> tuple[DeliveryService, CountingLedger]:
    db, papers, subscriptions = setup
    ledger = CountingLedger(db)
    config = replace(Config(), delivery=replace(DeliveryConfig(), **settings))
    service = DeliveryService(
        ledger, papers, subscriptions, poster, config, lambda: clock, remember
    )
    return service, ledger


async def subscribed(setup: Setup, layout: str = "channel"):
    subscription, _ = await setup[2].subscribe(1, 10, 99, layout=layout)
    return subscription


def kinds(poster: Recorder) -> list[str]:
    return [message.kind for _, message, _ in poster.sent]


async def test_a_day_is_planned_in_one_write_and_each_message_marked_sent_once(setup) -> None:
    poster = Recorder()
    service, ledger = delivery(setup, poster)
    await service.deliver(await subscribed(setup), LATER)
    assert kinds(poster) == ["header", "paper", "paper"]
    assert ledger.calls == Counter({"plan": 1, "sent": 3})


async def test_a_second_run_writes_nothing_and_posts_nothing(setup) -> None:
    subscription = await subscribed(setup)
    first, _ = delivery(setup, Recorder())
    await first.deliver(subscription, LATER)
    await setup[0].execute("DELETE FROM delivered_days")  # as if the run died before marking
    poster = Recorder()
    again, ledger = delivery(setup, poster)
    await again.deliver(subscription, LATER)
    assert poster.sent == [] and poster.edits == []
    assert ledger.calls == Counter()


async def test_a_message_left_pending_is_posted_again_with_the_same_nonce(setup) -> None:
    subscription = await subscribed(setup)
    [first_paper, *_] = await setup[1].day(DAY)
    crashing = Recorder(fail_on=first_paper.arxiv_id)
    service, _ = delivery(setup, crashing)
    with pytest.raises(RuntimeError):
        await service.deliver(subscription, LATER)
    pending = await LedgerStore(setup[0]).entry(
        subscription.id, DAY.isoformat(), first_paper.arxiv_id
    )
    assert pending is not None and pending.state == "pending"
    poster = Recorder()
    retry, _ = delivery(setup, poster)
    await retry.deliver(subscription, LATER)
    nonces = {m.papers[0].arxiv_id: nonce for _, m, nonce in poster.sent if m.kind == "paper"}
    assert nonces[first_paper.arxiv_id] == pending.nonce
    assert poster.searched == []  # within the nonce window Discord's dedupe is trusted


async def test_past_the_nonce_window_a_pending_message_is_adopted_from_the_channel(setup) -> None:
    subscription = await subscribed(setup)
    [first_paper, second] = await setup[1].day(DAY)
    service, _ = delivery(setup, Recorder(fail_on=first_paper.arxiv_id))
    with pytest.raises(RuntimeError):
        await service.deliver(subscription, LATER)
    poster = Recorder(adopt={first_paper.arxiv_id: 5555})
    later = LATER + timedelta(hours=2)
    retry, _ = delivery(setup, poster, clock=later, nonce_window_seconds=60)
    await retry.deliver(subscription, later)
    header = await LedgerStore(setup[0]).entry(subscription.id, DAY.isoformat(), "header")
    # Read after the last message sent; the next row, not found, ends the search: messages go
    # out in order, so nothing after a missing one was posted.
    assert [(after, channel) for channel, after, _ in poster.searched] == [
        (header.message_id, 10),
        (5555, 10),
    ]
    adopted = await LedgerStore(setup[0]).entry(
        subscription.id, DAY.isoformat(), first_paper.arxiv_id
    )
    assert (adopted.state, adopted.message_id) == ("sent", 5555)
    assert [m.papers[0].arxiv_id for _, m, _ in poster.sent] == [second.arxiv_id]


async def test_a_late_paper_is_posted_under_a_more_line_and_nothing_else_again(setup) -> None:
    subscription = await subscribed(setup, "thread")
    first, _ = delivery(setup, Recorder())
    await first.deliver(subscription, LATER)
    await late_paper(setup[1])
    poster = Recorder()
    again, _ = delivery(setup, poster)
    report = await again.deliver(subscription, LATER + timedelta(hours=1))
    assert kinds(poster) == ["more", "paper"]
    [(thread, more, _), (target, paper, _)] = poster.sent
    assert thread == target == 1001  # the day's thread: the header's id
    assert [p.arxiv_id for p in more.papers] == ["2503.77777"] and report.late == 1
    assert paper.papers[0].title == "Late Arrival"


async def test_a_late_paper_of_a_day_older_than_late_papers_days_is_not_posted(setup) -> None:
    subscription = await subscribed(setup)
    first, _ = delivery(setup, Recorder())
    await first.deliver(subscription, LATER)
    await late_paper(setup[1])
    poster = Recorder()
    three_days = LATER + timedelta(days=3)
    again, _ = delivery(setup, poster, clock=three_days, late_papers_days=2)
    await again.deliver(subscription, three_days)
    assert poster.sent == []


async def test_a_late_paper_joins_the_compact_list_by_an_edit_until_it_is_full(setup) -> None:
    subscription = await subscribed(setup, "compact")
    first, _ = delivery(setup, Recorder())
    await first.deliver(subscription, LATER)
    await late_paper(setup[1], "2503.77777")
    poster = Recorder()
    again, _ = delivery(setup, poster)
    await again.deliver(subscription, LATER)
    [(_, message_id, grown)] = poster.edits
    assert message_id == 1001 and len(grown.papers) == 3 and poster.sent == []
    await late_paper(setup[1], "2503.88888")  # a fourth paper: the list (3 at most here) is full
    more = Recorder()
    third, _ = delivery(setup, more)
    await third.deliver(subscription, LATER)
    [(_, extra, _)] = more.sent
    assert (extra.kind, extra.late, [p.arxiv_id for p in extra.papers]) == (
        "compact",
        True,
        ["2503.88888"],
    )


async def test_a_changed_title_edits_its_message_only_and_a_deleted_one_stays_deleted(
    setup,
) -> None:
    subscription = await subscribed(setup)
    first, _ = delivery(setup, Recorder())
    await first.deliver(subscription, LATER)
    [goose, _] = await setup[1].day(DAY)
    changed = Paper(
        arxiv_id=goose.arxiv_id,
        title="RWKV-7 Goose, revised",
        authors=goose.authors,
        summary=goose.summary,
        arxiv_url=goose.arxiv_url,
        day=DAY,
        position=0,
    )
    await setup[1].ingest(DAY + timedelta(days=1), [changed], "next-day")
    poster = Recorder()
    later = LATER + timedelta(days=1)
    again, _ = delivery(setup, poster, clock=later)
    report = await again.deliver(subscription, later)
    [(channel, message_id, message)] = poster.edits
    assert (channel, message_id, message.papers[0].title) == (10, 1002, "RWKV-7 Goose, revised")
    assert report.edits == 1
    # A moderator deletes it, the title changes again: no edit, no re-post, ever.
    await setup[1].ingest(DAY + timedelta(days=2), [replace(changed, title="Third")], "day-3")
    gone = Recorder()
    gone.gone.add(1002)
    third, _ = delivery(setup, gone, clock=later)
    await third.deliver(subscription, later)
    entry = await LedgerStore(setup[0]).entry(subscription.id, DAY.isoformat(), goose.arxiv_id)
    assert entry.deleted and gone.sent == []
    fourth = Recorder()
    last, _ = delivery(setup, fourth, clock=later)
    await last.deliver(subscription, later)
    assert fourth.edits == [] and fourth.sent == []


async def test_no_edit_past_the_edit_window(setup) -> None:
    subscription = await subscribed(setup)
    first, _ = delivery(setup, Recorder())
    await first.deliver(subscription, LATER)
    [goose, _] = await setup[1].day(DAY)
    await setup[1].db.execute(
        "UPDATE papers SET title = 'New' WHERE arxiv_id = ?", (goose.arxiv_id,)
    )
    poster = Recorder()
    late = LATER + timedelta(days=8)
    again, _ = delivery(setup, poster, clock=late, edit_window_days=7)
    await again.deliver(subscription, late)
    assert poster.edits == []
