"""arXiv completion: every stored paper gets arXiv's full record (authors, abstract, categories,
dates, version, DOI) in batches, newest papers first.

A poll completes the papers it just stored before anything is delivered; a database that predates
this is completed in the background after start, and by ``python -m bot enrich``. Without network
nothing is lost: the papers stay pending and are completed by a later run. Only one batch is in
flight at a time, so the poll and the background backfill never ask for the same ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config import Config
from bot.db.arxiv import ArxivStore
from bot.db.papers import PaperStore
from bot.models import IngestReport
from bot.sources import Source, poll_all
from bot.sources.arxiv import ArxivClient, ArxivError
from bot.sources.http import FetchError, Http

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (papers asked so far, papers pending at the start)


@dataclass
class EnrichReport:
    asked: int = 0
    completed: int = 0  # arXiv answered for them
    unknown: int = 0  # arXiv does not know them (asked again days later)
    changed: int = 0  # shown records that now read differently
    error: str | None = None  # why the run stopped early (network, arXiv down)

    def summary(self) -> str:
        stopped = f"; stopped: {self.error}" if self.error else ""
        return (
            f"{self.asked} papers asked: {self.completed} completed from arXiv,"
            f" {self.unknown} unknown to arXiv{stopped}"
        )


class Enricher:
    """Completes pending papers from arXiv, ``batch`` ids per request."""

    def __init__(
        self,
        store: ArxivStore,
        client: ArxivClient,
        clock: Callable[[], datetime],
        batch: int = 100,
    ) -> None:
        self.store = store
        self.client = client
        self.clock = clock
        self.batch = batch
        self._lock = asyncio.Lock()

    async def pending(self) -> int:
        return await self.store.pending_count(self.clock())

    async def run(self, limit: int | None = None, progress: Progress | None = None) -> EnrichReport:
        """Complete up to ``limit`` pending papers (all of them when None), newest first."""
        report = EnrichReport()
        total = await self.pending()
        if limit is not None:
            total = min(total, limit)
        while limit is None or report.asked < limit:
            size = self.batch if limit is None else min(self.batch, limit - report.asked)
            async with self._lock:
                now = self.clock()
                ids = await self.store.pending(now, size)
                if not ids:
                    break
                try:
                    lookup = await self.client.lookup(ids)
                except (FetchError, ArxivError) as error:
                    report.error = str(error)
                    log.warning("arxiv completion stopped, pending papers wait: %s", error)
                    break
                found = {arxiv_id: entry.fields() for arxiv_id, entry in lookup.found.items()}
                report.changed += await self.store.record(found, lookup.unknown, now)
            report.asked += len(ids)
            report.completed += len(lookup.found)
            report.unknown += len(lookup.unknown)
            if progress:
                progress(report.asked, max(total, report.asked))
        if report.asked:
            log.info("arxiv: %s", report.summary())
        return report

    async def fetch(self, arxiv_ids: Sequence[str]) -> list[str]:
        """Fetch papers the archive lacks (a bookmarked link) and store them; the ids arXiv
        knows. Shares the lock, so the request interval arXiv asks for holds. Raises FetchError
        or ArxivError when arXiv cannot be asked: the caller says so and keeps the rest."""
        found: list[str] = []
        for start in range(0, len(arxiv_ids), self.batch):
            ids = list(arxiv_ids[start : start + self.batch])
            async with self._lock:
                lookup = await self.client.lookup(ids)
                fields = {arxiv_id: entry.fields() for arxiv_id, entry in lookup.found.items()}
                await self.store.record(fields, lookup.unknown, self.clock())
            found += [arxiv_id for arxiv_id in ids if arxiv_id in fields]
        return found


def build_enricher(
    config: Config, papers: PaperStore, http: Http, clock: Callable[[], datetime]
) -> Enricher | None:
    """arXiv completion as the config sets it ([sources] arxiv*); None when turned off."""
    settings = config.sources
    if not settings.arxiv:
        return None
    client = ArxivClient(settings.arxiv_url, http, settings.arxiv_interval_seconds)
    return Enricher(ArxivStore(papers.db), client, clock, settings.arxiv_batch)


async def poll_once(
    sources: Sequence[Source], enricher: Enricher | None
) -> tuple[dict[str, IngestReport], EnrichReport | None]:
    """One poll as the scheduler runs it: every source, then arXiv for the papers they brought
    (plus one batch of the backlog), so new papers are complete before they are delivered."""
    reports = await poll_all(sources)
    if enricher is None:
        return reports, None
    new = sum(report.new for report in reports.values())
    try:
        return reports, await enricher.run(limit=new + enricher.batch)
    except Exception:  # completion must never cost the poll its delivery
        log.exception("arxiv completion failed; the papers stay pending")
        return reports, None
