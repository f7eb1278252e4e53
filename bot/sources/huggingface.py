"""The Hugging Face daily-papers API: ``GET {url}?date=YYYY-MM-DD`` returns that day's papers as JSON.

Each item is ``{"paper": {"id", "title", "authors": [{"name"}], "summary", "ai_summary", "upvotes",
"githubRepo", "ai_keywords"}, ...}``. The summary stored is ``ai_summary`` when there is one (it
reads like the digest's summaries), else the abstract. Missing keys are tolerated; an item
without an arXiv id is skipped with a log line.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bot.db.papers import PaperStore
from bot.digest import Paper
from bot.ids import normalize_arxiv_id
from bot.ingest import IngestReport
from bot.sources.http import FetchError, fetch
from bot.sources.url import recent_days

log = logging.getLogger(__name__)


def papers_from_api(items: Any, day: date) -> list[Paper]:
    """Papers from one day's API answer, in its order; unusable items are logged and skipped."""
    if not isinstance(items, list):
        raise ValueError(f"expected a JSON list, got {type(items).__name__}")
    papers: list[Paper] = []
    for item in items:
        paper = item.get("paper") if isinstance(item, dict) else None
        paper = paper if isinstance(paper, dict) else {}
        arxiv_id = normalize_arxiv_id(str(paper.get("id") or ""))
        title = " ".join(str(paper.get("title") or (item or {}).get("title") or "").split())
        if arxiv_id is None or not title:
            log.warning("huggingface %s: skipped an item without an arXiv id or title", day)
            continue
        authors = tuple(
            str(author["name"]).strip()
            for author in paper.get("authors") or []
            if isinstance(author, dict) and str(author.get("name") or "").strip()
        )
        github = paper.get("githubRepo")
        papers.append(
            Paper(
                arxiv_id=arxiv_id,
                title=title,
                authors=authors,
                summary=" ".join(
                    str(paper.get("ai_summary") or paper.get("summary") or "").split()
                ),
                day=day,
                position=len(papers) + 1,
                arxiv_url=f"https://arxiv.org/abs/{arxiv_id}",
                hf_url=f"https://huggingface.co/papers/{arxiv_id}",
                upvotes=paper.get("upvotes") if isinstance(paper.get("upvotes"), int) else None,
                github_repo=github if isinstance(github, str) and github else None,
                keywords=tuple(
                    str(k) for k in paper.get("ai_keywords") or [] if isinstance(k, str)
                ),
            )
        )
    return papers


class HuggingFaceSource:
    def __init__(
        self,
        url: str,
        papers: PaperStore,
        clock: Callable[[], datetime],
        lookback_days: int,
        **http,
    ) -> None:
        self.url = url
        self.papers = papers
        self.clock = clock
        self.lookback_days = lookback_days
        self.http = http
        self.name = "huggingface"

    async def poll(self) -> IngestReport:
        report = IngestReport()
        for day in recent_days(self.clock, self.lookback_days):
            try:
                await self._poll_day(day, report)
            except FetchError as error:
                log.error("%s", error)
            except (ValueError, UnicodeDecodeError) as error:
                log.error("%s %s: unreadable answer: %s", self.name, day, error)
            except Exception:
                log.exception("%s %s could not be ingested", self.name, day)
        return report

    async def _poll_day(self, day: date, report: IngestReport) -> None:
        url = f"{self.url}?date={day.isoformat()}"
        fetched = await fetch(url=url, source=self.name, **self.http)
        if fetched.status != 200:
            log.info("%s: %s answered HTTP %d", self.name, url, fetched.status)
            return
        papers = papers_from_api(json.loads(fetched.body), day)
        if papers:
            sha256 = hashlib.sha256(fetched.body).hexdigest()
            report.add(await self.papers.ingest(day, papers, f"hf:{day.isoformat()}", sha256))
