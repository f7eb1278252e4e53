"""The Hugging Face daily-papers API: ``GET {url}?date=YYYY-MM-DD`` returns that day's papers as JSON.

Each item is ``{"paper": {"id", "title", "authors": [{"name"}], "summary", "ai_summary", "upvotes",
"githubRepo", "ai_keywords"}, ...}``. ``ai_summary`` is the short summary (it reads like the
digest's) and ``summary`` the abstract; what is shown follows bot.records.PRECEDENCE. Missing keys are tolerated; an item
without an arXiv id is skipped with a log line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.db.core import DatabaseError
from bot.db.papers import PaperStore
from bot.digest import Digest
from bot.ids import normalize_arxiv_id
from bot.ingest import Reader, ingest_bytes
from bot.models import IngestReport, Paper
from bot.sources.http import Deadline, FetchError, Http, fetch
from bot.sources.url import recent_days

log = logging.getLogger(__name__)


def papers_from_api(items: Any, day: date) -> list[Paper]:
    """Papers from one day's API answer, in its order; unusable items are skipped with one log
    line for the whole answer, however many there are."""
    if not isinstance(items, list):
        raise ValueError(f"expected a JSON list, got {type(items).__name__}")
    papers: list[Paper] = []
    skipped: list[int] = []
    for index, item in enumerate(items, 1):
        paper = _paper(item, day, len(papers) + 1)
        if paper is None:
            skipped.append(index)
        else:
            papers.append(paper)
    if skipped:
        shown = ", ".join(map(str, skipped[:5])) + (", ..." if len(skipped) > 5 else "")
        log.warning(
            "huggingface %s: %d of %d items have no arXiv id or title (items %s); skipped",
            day,
            len(skipped),
            len(items),
            shown,
        )
    return papers


def _paper(item: Any, day: date, position: int) -> Paper | None:
    """One API item as a Paper; any field of the wrong type counts as missing."""
    item = item if isinstance(item, dict) else {}
    raw = item.get("paper") if isinstance(item.get("paper"), dict) else {}
    arxiv_id = normalize_arxiv_id(_text(raw.get("id")))
    title = _text(raw.get("title")) or _text(item.get("title"))
    if arxiv_id is None or not title:
        return None
    authors: list[Any] = raw["authors"] if isinstance(raw.get("authors"), list) else []
    keywords: list[Any] = raw["ai_keywords"] if isinstance(raw.get("ai_keywords"), list) else []
    upvotes = raw.get("upvotes")
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        authors=tuple(
            name for a in authors if isinstance(a, dict) and (name := _text(a.get("name")))
        ),
        summary=_text(raw.get("ai_summary")),
        abstract=_text(raw.get("summary")),
        day=day,
        position=position,
        arxiv_url=f"https://arxiv.org/abs/{arxiv_id}",
        hf_url=f"https://huggingface.co/papers/{arxiv_id}",
        upvotes=upvotes if type(upvotes) is int else None,
        github_repo=_text(raw.get("githubRepo")) or None,
        keywords=tuple(k for k in map(_text, keywords) if k),
    )


def _text(value: Any) -> str:
    """A JSON string with its whitespace folded; anything else is empty."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def reader(day: date) -> Reader:
    """How one day's answer is read: a JSON list of items, every usable one a paper of ``day``."""

    def read(data: bytes, name: str) -> Digest:
        return Digest(day, papers_from_api(json.loads(data), day))

    return read


class HuggingFaceSource:
    """Asks the API for today and the previous ``lookback_days`` days, stored as ``hf:YYYY-MM-DD``."""

    def __init__(
        self,
        url: str,
        papers: PaperStore,
        clock: Callable[[], datetime],
        lookback_days: int,
        http: Http,
    ) -> None:
        self.url = url
        self.papers = papers
        self.clock = clock
        self.lookback_days = lookback_days
        self.http = http
        self.name = "huggingface"

    async def poll(self) -> IngestReport:
        report = IngestReport()
        deadline = Deadline(self.http.poll_seconds)
        for day in recent_days(self.clock, self.lookback_days):
            try:
                await self._poll_day(day, report, deadline)
            except (FetchError, DatabaseError) as error:  # one line each
                report.failures += 1
                log.error("%s", error)
                if not isinstance(error, FetchError) or error.unreachable:
                    break  # the other days would fail alike: next poll
            except (ValueError, UnicodeDecodeError) as error:
                report.failures += 1
                log.error("%s %s: unreadable answer: %s", self.name, day, error)
            except Exception:
                report.failures += 1
                log.exception("%s %s could not be ingested", self.name, day)
        return report

    async def _poll_day(self, day: date, report: IngestReport, deadline: Deadline) -> None:
        url = f"{self.url}?date={day.isoformat()}"
        fetched = await fetch(self.http, url, source=self.name, deadline=deadline)
        if fetched.status != 200:
            log.info("%s: %s answered HTTP %d", self.name, url, fetched.status)
            return
        await ingest_bytes(
            self.papers,
            fetched.body,
            name=url,
            key=f"hf:{day.isoformat()}",
            report=report,
            read=reader(day),
        )
