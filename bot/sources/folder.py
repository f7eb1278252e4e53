"""The seeds folder: a digest file that is new or changed is ingested."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.db.core import DatabaseError
from bot.db.papers import PaperStore
from bot.ingest import IngestError, ingest_paths, log_problems
from bot.models import IngestReport

log = logging.getLogger(__name__)


class FolderSource:
    """Every *.md under the folder; files byte-identical to last time are skipped by their hash."""

    def __init__(self, folder: str | Path, papers: PaperStore) -> None:
        self.folder = Path(folder)
        self.papers = papers
        self.name = f"folder {self.folder}"

    async def poll(self) -> IngestReport:
        try:
            report = await ingest_paths(self.papers, [self.folder])
        except (IngestError, OSError, DatabaseError) as error:
            log.error("%s: %s", self.name, error)
            return IngestReport(failures=1)
        log_problems(log, self.name, report.problems)  # each reads file:line: reason
        return report
