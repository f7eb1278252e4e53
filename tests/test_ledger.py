"""The delivery ledger's exactly-once step, counted on a real database without Discord."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import Config
from bot.db import Database, PaperStore
from bot.db.ledger import Entry, LedgerStore
from bot.delivery import DeliveryService, Outgoing
from bot.subscriptions import SubscriptionService
from tests.helpers import DATA, ingest

DAY = date(2025, 3, 20)
LATER = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
BEFORE = datetime(2025, 3, 19, 8, 0, tzinfo=UTC)


class CountingLedger(LedgerStore):
    """The real ledger, counting each call per item."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.calls: Counter[tuple[str, str]] = Counter()

    async def entry(self, subscription_id: int, day: str, item: str) -> Entry | None:
        self.calls["read", item] += 1
        return await super().entry(subscription_id, day, item)

    async def pending(
        self, subscription_id: int, day: str, item: str, position: int, nonce: str
    ) -> None:
        self.calls["write", item] += 1
        await super().pending(subscription_id, day, item, position, nonce)

    async def sent(self, subscription_id: int, day: str, item: str, message_id: int) -> None:
        self.calls["write", item] += 1
        await super().sent(subscription_id, day, item, message_id)


class Recorder:
    """A poster that numbers what it is given; fails once on the item named in ``fail_on``."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.sent: list[tuple[int, Outgoing, str]] = []
        self.fail_on = fail_on

    async def send(self, channel_id: int, message: Outgoing, nonce: str) -> int:
        if message.kind == "paper" and message.papers[0].arxiv_id == self.fail_on:
            self.fail_on = None
            raise RuntimeError("the process dies after Discord took the message")
        self.sent.append((channel_id, message, nonce))
        return 1000 + len(self.sent)

    async def thread(self, channel_id: int, message_id: int, name: str) -> int:
        return message_id

    async def notify(self, user_id: int, guild_id: int, text: str) -> None:
        raise AssertionError(text)


async def remember(
    message_id: int, channel_id: int, guild_id: int | None, arxiv_ids: Sequence[str]
) -> None:
    return None


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[Database, PaperStore, SubscriptionService]]:
    db = await Database.open(tmp_path / "ledger.db")
    papers = PaperStore(db)
    await ingest(papers, DATA / "2025-03-20.md")
    subscriptions = SubscriptionService(db, Config(), lambda: BEFORE)
    await subscriptions.subscribe(1, 10, 99, layout="channel")
    try:
        yield db, papers, subscriptions
    finally:
        await db.close()


def delivery(
    db: Database, papers: PaperStore, subscriptions: SubscriptionService, poster: Recorder
) -> tuple[DeliveryService, CountingLedger]:
    ledger = CountingLedger(db)
    service = DeliveryService(
        ledger, papers, subscriptions, poster, Config(), lambda: LATER, remember
    )
    return service, ledger


async def test_one_paper_costs_one_ledger_read_and_two_writes(setup) -> None:
    db, papers, subscriptions = setup
    poster = Recorder()
    service, ledger = delivery(db, papers, subscriptions, poster)
    [subscription] = await subscriptions.all_active()
    await service.deliver(subscription, LATER)
    posted = [m.papers[0].arxiv_id for _, m, _ in poster.sent if m.kind == "paper"]
    assert posted, "the day has papers"
    for arxiv_id in posted:
        assert (ledger.calls["read", arxiv_id], ledger.calls["write", arxiv_id]) == (1, 2)


async def test_a_second_run_reads_each_item_once_and_posts_nothing(setup) -> None:
    db, papers, subscriptions = setup
    [subscription] = await subscriptions.all_active()
    first, _ = delivery(db, papers, subscriptions, Recorder())
    await first.deliver(subscription, LATER)
    await db.execute("DELETE FROM delivered_days")  # as if the run died before marking the day
    poster = Recorder()
    again, ledger = delivery(db, papers, subscriptions, poster)
    await again.deliver(subscription, LATER)
    assert poster.sent == []
    assert all(kind == "read" for kind, _ in ledger.calls)


async def test_a_message_left_pending_is_posted_again_with_the_same_nonce(setup) -> None:
    db, papers, subscriptions = setup
    [subscription] = await subscriptions.all_active()
    [first_paper, *_] = await papers.day(DAY)
    crashing = Recorder(fail_on=first_paper.arxiv_id)
    service, _ = delivery(db, papers, subscriptions, crashing)
    with pytest.raises(RuntimeError):
        await service.deliver(subscription, LATER)
    pending = await LedgerStore(db).entry(subscription.id, DAY.isoformat(), first_paper.arxiv_id)
    assert pending is not None and pending.state == "pending"
    poster = Recorder()
    retry, _ = delivery(db, papers, subscriptions, poster)
    await retry.deliver(subscription, LATER)
    nonces = {m.papers[0].arxiv_id: nonce for _, m, nonce in poster.sent if m.kind == "paper"}
    assert nonces[first_paper.arxiv_id] == pending.nonce
