"""arXiv completion in the scheduler: a poll completes the papers it stores before it delivers
them, and a database from before is backfilled in the background at start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.config import Config, SourcesConfig
from bot.db import Database, PaperStore
from bot.db.arxiv import ArxivStore
from bot.enrich import Enricher
from bot.scheduler import Scheduler
from bot.sources.arxiv import ArxivClient
from bot.sources.folder import FolderSource
from bot.sources.http import Http
from bot.subscriptions import SubscriptionService
from tests.arxiv_standin import StandIn, serve
from tests.helpers import DATA, SEEDS, ingest

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


class SeeingDelivery:
    """Records, at each delivery round, what the store holds for one paper."""

    def __init__(self, papers: PaperStore, arxiv_id: str) -> None:
        self.papers = papers
        self.arxiv_id = arxiv_id
        self.seen: list[tuple[str, ...] | None] = []

    async def deliver_all(self, now: datetime | None = None) -> dict:
        paper = await self.papers.get(self.arxiv_id)
        self.seen.append(paper.sources if paper else None)
        return {}


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[tuple[Database, StandIn, Enricher]]:
    db = await Database.open(tmp_path / "p.db")
    async with serve() as standin, aiohttp.ClientSession() as session:
        client = ArxivClient(standin.url, Http(session, timeout=5, retries=0), interval=0)
        yield db, standin, Enricher(ArxivStore(db), client, lambda: NOW, batch=5)
    await db.close()


async def test_a_poll_completes_new_papers_before_it_delivers_them(tmp_path: Path, parts) -> None:
    db, standin, enricher = parts
    folder = tmp_path / "digests"
    folder.mkdir()
    papers = PaperStore(db)
    config = replace(Config(), sources=SourcesConfig(folder=str(folder)))
    service = SubscriptionService(db, config, lambda: NOW)
    delivery = SeeingDelivery(papers, "2503.99999")
    sources = [FolderSource(folder, papers)]
    scheduler = Scheduler(service, delivery, sources, config, lambda: NOW, enricher)  # type: ignore[arg-type]
    await scheduler.poll()
    (folder / "2025-03-20.md").write_text((DATA / "2025-03-20.md").read_text())
    standin.add([("2503.99999", "A New Paper About Zebras")])
    await scheduler.poll()
    assert delivery.seen == [None, ("arxiv", "digest")]
    assert standin.requests  # and the paper arXiv does not know was asked once, not every poll
    asked = len(standin.requests)
    await scheduler.poll()
    assert len(standin.requests) == asked


async def test_start_backfills_an_existing_database_in_the_background(parts) -> None:
    db, standin, enricher = parts
    papers = PaperStore(db)
    await ingest(papers, SEEDS)
    standin.add((row[0], row[1]) for row in await db.fetchall("SELECT arxiv_id, title FROM papers"))
    config = replace(Config(), sources=SourcesConfig(folder=""))
    service = SubscriptionService(db, config, lambda: NOW)
    delivery = SeeingDelivery(papers, "2503.14456")
    scheduler = Scheduler(service, delivery, [], config, lambda: NOW, enricher)  # type: ignore[arg-type]
    await scheduler.start()
    try:
        assert scheduler.backfill is not None
        report = await asyncio.wait_for(scheduler.backfill, timeout=30)
    finally:
        await scheduler.shutdown()
    counts = await papers.counts()
    assert report.completed > 0 and report.error is None  # the first poll may complete a batch too
    assert counts["arxiv_completed"] == counts["papers"] == 39
    assert await enricher.pending() == 0


async def test_shutdown_cancels_a_backfill_in_progress(parts) -> None:
    db, standin, enricher = parts
    await ingest(PaperStore(db), SEEDS)
    standin.script(503)  # the first answer fails: the backfill is waiting on a retry or done
    config = replace(Config(), sources=SourcesConfig(folder=""))
    service = SubscriptionService(db, config, lambda: NOW)
    scheduler = Scheduler(
        service, SeeingDelivery(PaperStore(db), "x"), [], config, lambda: NOW, enricher
    )  # type: ignore[arg-type]
    await scheduler.start()
    await scheduler.shutdown()
    assert scheduler.backfill is not None and scheduler.backfill.done()


async def test_a_poll_whose_completion_changed_shown_papers_delivers_their_edits(parts) -> None:
    db, standin, enricher = parts
    papers = PaperStore(db)
    await ingest(papers, DATA / "2025-03-20.md")
    config = replace(Config(), sources=SourcesConfig(folder=""))
    service = SubscriptionService(db, config, lambda: NOW)
    delivery = SeeingDelivery(papers, "2503.99999")
    scheduler = Scheduler(service, delivery, [], config, lambda: NOW, enricher)  # type: ignore[arg-type]
    scheduler.polled = True  # past the first poll's catch-up: only news delivers
    standin.add([("2503.99999", "A New Paper About Zebras")])
    await scheduler.poll()  # no source brought anything; the backlog batch completed the paper
    assert delivery.seen == [("arxiv", "digest")]
    await scheduler.poll()
    assert delivery.seen == [("arxiv", "digest")]  # nothing changed since: no delivery round
