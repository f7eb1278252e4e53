"""A digest URL per day, e.g. .../archive/{yyyy}/{mm}/{dd}.md, polled with conditional GETs."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from bot.db.papers import PaperStore
from bot.db.sources import SourceState
from bot.digest import parse_digest
from bot.ingest import IngestReport
from bot.sources.http import FetchError, fetch

log = logging.getLogger(__name__)


def day_url(template: str, day: date) -> str:
    """The template filled for one day: {yyyy}, {mm}, {dd} or {date} (YYYY-MM-DD)."""
    return template.format(
        yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", dd=f"{day.day:02d}", date=day.isoformat()
    )


def recent_days(clock: Callable[[], datetime], lookback_days: int) -> list[date]:
    """Today (by the clock) and the ``lookback_days`` before it, oldest first; weekends included."""
    today = clock().date()
    return [today - timedelta(days=back) for back in range(lookback_days, -1, -1)]


class UrlTemplateSource:
    """Asks for today and the previous ``lookback_days`` days; 404 means "not published yet"."""

    def __init__(
        self,
        template: str,
        papers: PaperStore,
        clock: Callable[[], datetime],
        lookback_days: int,
        **http,
    ) -> None:
        self.template = template
        self.papers = papers
        self.state = SourceState(papers.db)
        self.clock = clock
        self.lookback_days = lookback_days
        self.http = http
        self.name = f"url {template}"

    async def poll(self) -> IngestReport:
        report = IngestReport()
        for day in recent_days(self.clock, self.lookback_days):
            url = day_url(self.template, day)
            try:
                await self._poll_day(url, report)
            except FetchError as error:
                log.error("%s", error)
            except Exception:
                log.exception("%s: %s could not be ingested", self.name, url)
        return report

    async def _poll_day(self, url: str, report: IngestReport) -> None:
        etag, modified = await self.state.validators(url)
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        fetched = await fetch(url=url, headers=headers, source=self.name, **self.http)
        if fetched.status == 304:
            log.debug("%s: %s unchanged", self.name, url)
        elif fetched.status == 404:
            log.debug("%s: %s not published yet", self.name, url)
        elif fetched.status != 200:
            log.error("%s: %s answered HTTP %d", self.name, url, fetched.status)
        else:
            await self._ingest(url, fetched.body, report)
        # Recorded only once the body is stored: a crash before it means a full fetch next time.
        await self.state.record(
            url, fetched.status, fetched.etag, fetched.last_modified, self.clock().isoformat()
        )

    async def _ingest(self, url: str, body: bytes, report: IngestReport) -> None:
        """Store the digest at ``url``; a body with no readable paper never replaces a good day."""
        digest = parse_digest(body.decode("utf-8", errors="replace"), url)
        report.problems.extend(digest.problems)
        for problem in digest.problems:
            log.warning("%s: %s", self.name, problem)
        if digest.day is None or (digest.problems and not digest.papers):
            report.files += 1
            log.error("%s: %s holds no readable paper; what was stored is kept", self.name, url)
            return
        sha256 = hashlib.sha256(body).hexdigest()
        report.add(await self.papers.ingest(digest.day, digest.papers, url, sha256))
