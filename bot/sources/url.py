"""A digest URL per day, e.g. .../archive/{yyyy}/{mm}/{dd}.md, polled with conditional GETs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from bot.db.core import DatabaseError
from bot.db.papers import PaperStore
from bot.db.sources import SourceState
from bot.ingest import ingest_bytes, log_problems
from bot.models import IngestReport
from bot.sources.http import Deadline, FetchError, Http, fetch

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
        state: SourceState,
        clock: Callable[[], datetime],
        lookback_days: int,
        http: Http,
    ) -> None:
        self.template = template
        self.papers = papers
        self.state = state
        self.clock = clock
        self.lookback_days = lookback_days
        self.http = http
        self.name = f"url {template}"

    async def poll(self) -> IngestReport:
        report = IngestReport()
        deadline = Deadline(self.http.poll_seconds)
        for day in recent_days(self.clock, self.lookback_days):
            url = day_url(self.template, day)
            try:
                await self._poll_day(day, url, report, deadline)
            except (FetchError, DatabaseError) as error:  # one line each
                report.failures += 1
                log.error("%s", error)
                if not isinstance(error, FetchError) or error.unreachable:
                    break  # the other days would fail alike: next poll
            except Exception:
                report.failures += 1
                log.exception("%s: %s could not be ingested", self.name, url)
        return report

    async def _poll_day(
        self, day: date, url: str, report: IngestReport, deadline: Deadline
    ) -> None:
        etag, modified = await self.state.validators(url)
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        fetched = await fetch(self.http, url, headers=headers, source=self.name, deadline=deadline)
        stored = False
        if fetched.status == 304:
            log.debug("%s: %s unchanged", self.name, url)
        elif fetched.status == 404:
            log.debug("%s: %s not published yet", self.name, url)
        elif fetched.status != 200:
            log.error("%s: %s answered HTTP %d", self.name, url, fetched.status)
        else:
            seen = len(report.problems)
            stored = await ingest_bytes(
                self.papers, fetched.body, name=url, key=url, report=report, day=day
            )
            log_problems(log, self.name, report.problems[seen:])
            if not stored:
                log.error("%s: %s: nothing stored from it; what was stored is kept", self.name, url)
        # Validators only with stored content: after an error page served with 200, the real
        # digest must not be answered 304. Recorded once the body is stored: a crash before it
        # means a full fetch next time.
        etag, modified = (fetched.etag, fetched.last_modified) if stored else (None, None)
        await self.state.record(url, fetched.status, etag, modified, self.clock().isoformat())
