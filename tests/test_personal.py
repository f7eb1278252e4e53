"""The personal digest's own rules on a real database, with a poster that records (no Discord)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import Config
from bot.db import Database, PaperStore
from bot.db.bookmarks import BookmarkStore
from bot.db.ledger import DmLedgerStore
from bot.follows import FollowService
from bot.models import Paper
from bot.personal import ChangeNotice, DigestPart, PersonalDigest
from bot.posting import DeliveryInterrupted, Step, nonce, once

DAY = date(2025, 3, 20)
BEFORE = datetime(2025, 3, 20, 8, tzinfo=UTC)
AFTER = datetime(2025, 3, 20, 10, tzinfo=UTC)


@dataclass
class Recorder:
    sent: list[tuple[int, DigestPart | ChangeNotice]] = field(default_factory=list)
    fail_after: int | None = None

    async def direct(self, user_id: int, message: DigestPart | ChangeNotice, nonce: str) -> int:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise DeliveryInterrupted("Discord answered 503")
        self.sent.append((user_id, message))
        return len(self.sent)


def papers(count: int, start: int = 0) -> list[Paper]:
    return [
        Paper(arxiv_id=f"2503.{n:05d}", title=f"Zebra study {n}", day=DAY, position=n)
        for n in range(start, start + count)
    ]


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[PersonalDigest, PaperStore, Recorder]]:
    db = await Database.open(tmp_path / "p.db")
    store = PaperStore(db)
    recorder = Recorder()
    follows = FollowService(db, store, Config(), lambda: BEFORE)
    digest = PersonalDigest(
        follows,
        store,
        BookmarkStore(db, store),
        DmLedgerStore(db),
        recorder,
        Config(),
        lambda: AFTER,
    )
    try:
        yield digest, store, recorder
    finally:
        await db.close()


def listed(recorder: Recorder) -> list[str]:
    return [
        paper.arxiv_id
        for _, part in recorder.sent
        if isinstance(part, DigestPart)
        for paper, _ in part.matches
    ]


async def test_a_big_day_takes_a_few_messages_and_says_how_many_more(setup) -> None:
    digest, store, recorder = setup
    await store.ingest(DAY, papers(57), "test")
    await digest.follows.follow(1, "keyword", "zebra")
    report = (await digest.deliver_due(AFTER))[1]
    assert report.messages == 5 and report.papers == 50
    assert [len(part.matches) for _, part in recorder.sent] == [10] * 5
    assert len(set(listed(recorder))) == 50
    last = recorder.sent[-1][1]
    assert isinstance(last, DigestPart) and last.note.startswith("…and 7 more matching papers")
    assert all(not part.note for _, part in recorder.sent[:-1])


async def test_an_interrupted_digest_resumes_without_listing_a_paper_twice(setup) -> None:
    digest, store, recorder = setup
    await store.ingest(DAY, papers(25), "test")
    await digest.follows.follow(1, "keyword", "zebra")
    recorder.fail_after = 1
    assert (await digest.deliver_due(AFTER))[1].failed == "Discord answered 503"
    first = listed(recorder)
    # Papers arrive late for the same day before the retry; the plan of what was sent holds.
    await store.ingest(DAY, papers(25) + papers(5, start=100), "test")
    recorder.fail_after = None
    report = (await digest.deliver_due(AFTER))[1]
    assert report.failed is None
    everything = listed(recorder)
    assert everything[:10] == first
    assert sorted(everything) == sorted({p.arxiv_id for p in papers(25) + papers(5, start=100)})
    assert await digest.deliver_due(AFTER) == {}  # the day is done


async def test_people_get_only_what_they_follow(setup) -> None:
    digest, store, recorder = setup
    await store.ingest(DAY, papers(3), "test")
    await digest.follows.follow(1, "keyword", "zebra")
    await digest.follows.follow(2, "keyword", "giraffe")
    reports = await digest.deliver_due(AFTER)
    assert reports[1].papers == 3 and reports[2].papers == 0
    assert {user for user, _ in recorder.sent} == {1}


async def test_dms_take_the_channels_exactly_once_step(setup) -> None:
    digest, _, _ = setup
    ledger, acted = digest.ledger, []

    async def act(stamp: str) -> int:
        acted.append(stamp)
        return 42

    step = Step(7, 7, DAY, "digest:2503.00001", 1)
    assert await once(ledger, step, act) == 42
    assert await once(ledger, step, act) == 42  # sent: read, not acted on again
    assert acted == [nonce(7, DAY, "digest:2503.00001")]
    crashed = Step(7, 7, DAY, "digest:2503.00002", 2)
    await ledger.pending(7, DAY.isoformat(), crashed.item, 2, "kept-nonce")
    assert await once(ledger, crashed, act) == 42
    assert acted[-1] == "kept-nonce"  # a pending row is posted again with its first nonce
    assert await ledger.items(7, DAY.isoformat(), "digest") == [
        ("digest:2503.00001", "sent"),
        ("digest:2503.00002", "sent"),
    ]
