"""Where digests come from: the seeds folder, a URL per day, the Hugging Face daily-papers API.

Each source has a ``name`` and ``poll()``, which ingests whatever is new and returns a report. A
source never raises out of ``poll()``: a failure is logged and reported, and the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import aiohttp

from bot.config import Config
from bot.db.papers import PaperStore
from bot.ingest import IngestReport
from bot.sources.folder import FolderSource
from bot.sources.http import Sleep
from bot.sources.huggingface import HuggingFaceSource
from bot.sources.url import UrlTemplateSource

log = logging.getLogger(__name__)


class Source(Protocol):
    """What the scheduler polls: ``poll()`` ingests what is new and never raises."""

    name: str

    async def poll(self) -> IngestReport: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_sources(
    config: Config,
    papers: PaperStore,
    session: aiohttp.ClientSession,
    clock: Callable[[], datetime] | None = None,
    sleep: Sleep | None = None,
) -> list[Source]:
    """The sources the config turns on, in a stable order.

    ``clock`` (aware UTC) decides which days "today" and the lookback are; ``sleep`` is for tests.
    """
    settings = config.sources
    clock = clock or _utc_now
    http = {"session": session, "timeout": settings.timeout_seconds, "retries": settings.retries}
    if sleep is not None:
        http["sleep"] = sleep
    found: list[Source] = []
    if settings.folder:
        found.append(FolderSource(settings.folder, papers))
    if settings.url_template:
        found.append(
            UrlTemplateSource(settings.url_template, papers, clock, settings.lookback_days, **http)
        )
    if settings.huggingface:
        found.append(
            HuggingFaceSource(
                settings.huggingface_url, papers, clock, settings.lookback_days, **http
            )
        )
    return found


async def poll_all(sources: list[Source]) -> dict[str, IngestReport]:
    """Poll every source; one failing, even against its contract, never stops the next."""
    reports: dict[str, IngestReport] = {}
    for source in sources:
        try:
            reports[source.name] = await source.poll()
        except Exception:
            log.exception("source %s failed; the other sources are still polled", source.name)
            reports[source.name] = IngestReport()
    return reports
