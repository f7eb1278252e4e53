"""Where digests come from: the seeds folder, a URL per day, the Hugging Face daily-papers API.
(The arXiv API completes the papers they list: see bot.enrich.)

Each source has a ``name`` and ``poll()``, which ingests whatever is new and returns a report. A
source never raises out of ``poll()``: a failure is logged and reported, and the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.config import Config
from bot.db.core import DatabaseError
from bot.db.papers import PaperStore
from bot.db.sources import SourceState
from bot.models import IngestReport
from bot.sources.folder import FolderSource
from bot.sources.http import Http
from bot.sources.huggingface import HuggingFaceSource
from bot.sources.url import UrlTemplateSource

log = logging.getLogger(__name__)


class Source(Protocol):
    """What the scheduler polls: ``poll()`` ingests what is new and never raises."""

    name: str

    async def poll(self) -> IngestReport: ...


def build_sources(
    config: Config,
    papers: PaperStore,
    state: SourceState,
    http: Http,
    clock: Callable[[], datetime],
) -> list[Source]:
    """The sources the config turns on, in a stable order; built once, polled many times.

    ``clock`` (aware UTC) decides which days "today" and the lookback are.
    """
    settings = config.sources
    found: list[Source] = []
    if settings.folder:
        found.append(FolderSource(settings.folder, papers))
    if settings.url_template:
        found.append(
            UrlTemplateSource(
                settings.url_template, papers, state, clock, settings.lookback_days, http
            )
        )
    if settings.huggingface:
        found.append(
            HuggingFaceSource(settings.huggingface_url, papers, clock, settings.lookback_days, http)
        )
    return found


async def poll_all(sources: Sequence[Source]) -> dict[str, IngestReport]:
    """Poll every source; one failing, even against its contract, never stops the next."""
    reports: dict[str, IngestReport] = {}
    for source in sources:
        try:
            reports[source.name] = await source.poll()
        except DatabaseError as error:  # busy or read-only: one line, the next poll tries again
            log.error("source %s: %s", source.name, error)
            reports[source.name] = IngestReport()
        except Exception:
            log.exception("source %s failed; the other sources are still polled", source.name)
            reports[source.name] = IngestReport(failures=1)
    return reports
