"""Ingest: the one path every source takes from fetched bytes to stored papers.

Files, URL-template digests and Hugging Face answers all go through ``ingest_bytes``: bytes
identical to what the same source key held last time are skipped before parsing; anything else is
read into a Digest (its problems reported as file:line), and a body with no readable paper never
replaces a day that was stored.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from bot.db.papers import PaperStore
from bot.digest import Digest, parse_digest
from bot.models import IngestReport, IngestResult, Problem

log = logging.getLogger(__name__)

Reader = Callable[[bytes, str], Digest]
LINE_BREAK = re.compile(rb"\r\n|\r|\n")  # as bot.digest counts lines
MAX_ENCODING_PROBLEMS = 20  # (body, name for problems) -> what it lists


class IngestError(Exception):
    """A path given to ingest does not exist or holds no digest."""


def decode(data: bytes, name: str) -> tuple[str, list[Problem]]:
    """UTF-8 text (a BOM dropped); invalid bytes become U+FFFD and each line holding some is
    reported (lines counted as the parser counts them; a flood is summed up after a few)."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems: list[Problem] = []
    bad_lines = 0
    for lineno, line in enumerate(LINE_BREAK.split(data.removeprefix(codecs.BOM_UTF8)), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            bad_lines += 1
            if bad_lines <= MAX_ENCODING_PROBLEMS:
                reason = f"invalid UTF-8 ({error.reason}); replaced with U+FFFD"
                problems.append(Problem(name, lineno, reason))
    if bad_lines > MAX_ENCODING_PROBLEMS:
        more = bad_lines - MAX_ENCODING_PROBLEMS
        problems.append(Problem(name, problems[-1].line, f"and {more} more lines of invalid UTF-8"))
    return data.decode("utf-8-sig", errors="replace"), problems


def read_markdown(data: bytes, name: str) -> Digest:
    """A markdown digest, however it was fetched."""
    text, problems = decode(data, name)
    digest = parse_digest(text, name)
    digest.problems[:0] = problems
    return digest


async def ingest_bytes(
    papers: PaperStore,
    data: bytes,
    *,
    name: str,
    key: str,
    report: IngestReport,
    read: Reader = read_markdown,
    day: date | None = None,
) -> bool:
    """Store what ``data`` lists under the source ``key``; True when it is now what is stored.

    ``name`` locates problems (a path or URL). False means nothing was stored from it: nothing
    readable, or not the ``day`` it was fetched for (reported); what was stored before is kept,
    and callers should not remember the body as seen. Parsing runs in a worker thread, so a large
    body never holds up the event loop.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    if await papers.source_hash(key) == sha256:
        report.add(IngestResult(skipped=True))
        return True
    digest = await asyncio.to_thread(read, data, name)
    report.problems.extend(digest.problems)
    if day is not None and digest.day is not None and digest.day != day:
        reason = f"the digest is for {digest.day}, not {day} as its address says; nothing stored"
        report.problems.append(Problem(name, 1, reason))
        report.unreadable += 1
        return False
    if digest.day is None or not digest.papers:
        report.unreadable += 1
        return False
    report.add(await papers.ingest(digest.day, digest.papers, key, sha256))
    return True


def log_problems(
    logger: logging.Logger, name: str, problems: list[Problem], most: int = 10
) -> None:
    """One warning per problem, up to ``most``, then one line for the rest: a hostile body of a
    million broken rows costs a few log lines."""
    for problem in problems[:most]:
        logger.warning("%s: %s", name, problem)
    if len(problems) > most:
        logger.warning(
            "%s: and %d more problems in %s", name, len(problems) - most, problems[0].source
        )


def digest_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every digest named: files as given, folders searched for *.md, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        if not str(raw).strip():
            raise IngestError("an empty path was given; name a digest file or a folder")
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or folder")
    return found


async def ingest_file(papers: PaperStore, path: Path, report: IngestReport) -> None:
    try:
        data = path.read_bytes()
    except OSError as error:
        report.problems.append(Problem(str(path), 1, f"cannot read: {error.strerror or error}"))
        return
    await ingest_bytes(papers, data, name=str(path), key=str(path.resolve()), report=report)


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
    changed = report.new or report.updated or report.removed or not report.clean
    log.log(logging.INFO if changed else logging.DEBUG, "ingest: %s", report.summary())
    return report
