"""Ingest digest files into the store: the one path the CLI and the folder source share."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.db.papers import IngestResult, PaperStore
from bot.digest import Problem, parse_digest

log = logging.getLogger(__name__)


class IngestError(Exception):
    """A path given to ingest does not exist or holds no digest."""


@dataclass
class IngestReport:
    files: int = 0
    skipped_files: int = 0
    papers: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)

    def add(self, result: IngestResult) -> None:
        self.files += 1
        self.skipped_files += result.skipped
        self.papers += result.papers
        self.new += result.new
        self.updated += result.updated
        self.unchanged += result.unchanged
        self.removed += result.removed

    def summary(self) -> str:
        skipped = f" ({self.skipped_files} unchanged since last time)" if self.skipped_files else ""
        return (
            f"{self.files} files{skipped}, {self.papers} papers: {self.new} new,"
            f" {self.updated} updated, {self.unchanged} unchanged, {self.removed} removed;"
            f" {len(self.problems)} problems"
        )


def digest_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every digest named: files as given, folders searched for *.md, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    return found


async def ingest_text(
    papers: PaperStore,
    text: str,
    source: str,
    report: IngestReport,
    sha256: str | None = None,
    key: str | None = None,
) -> None:
    """Parse one digest and store its readable rows; its problems go into the report.

    ``source`` names the digest in problems; ``key`` (default: ``source``) identifies it in the store.
    """
    digest = parse_digest(text, source)
    report.problems.extend(digest.problems)
    if digest.day is None or (digest.problems and not digest.papers):
        report.files += 1  # nothing readable (an error page, say): keep the day as it was stored
        return
    report.add(await papers.ingest(digest.day, digest.papers, key or source, sha256))


async def ingest_file(papers: PaperStore, path: Path, report: IngestReport) -> None:
    key = str(path.resolve())
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as error:
        report.problems.append(Problem(str(path), 1, f"cannot read: {error.strerror or error}"))
        return
    except UnicodeDecodeError as error:
        report.problems.append(Problem(str(path), 1, f"not UTF-8 text ({error.reason})"))
        return
    sha256 = hashlib.sha256(data).hexdigest()
    if await papers.source_hash(key) == sha256:
        report.files += 1
        report.skipped_files += 1
        return  # byte for byte what was ingested last time: skip even the parse
    await ingest_text(papers, text, str(path), report, sha256, key)


async def ingest_paths(
    papers: PaperStore,
    paths: Iterable[str | Path],
    progress: Callable[[int, int, Path], None] | None = None,
) -> IngestReport:
    files = digest_files(paths)
    report = IngestReport()
    for index, path in enumerate(files, 1):
        await ingest_file(papers, path, report)
        if progress:
            progress(index, len(files), path)
    log.info("ingest: %s", report.summary())
    return report
