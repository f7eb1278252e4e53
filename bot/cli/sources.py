"""``python -m bot poll`` and ``python -m bot enrich``: the sources and arXiv completion, now."""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.cli.common import open_store
from bot.config import Config

if TYPE_CHECKING:
    from bot.enrich import Enricher
    from bot.sources import Source


def add_parsers(commands: Any) -> None:
    commands.add_parser(
        "poll", help="poll every configured source once now, arXiv completion included"
    ).set_defaults(handler=poll)
    enrich_ = commands.add_parser("enrich", help="complete stored papers from the arXiv API now")
    enrich_.add_argument("--limit", type=_positive, help="at most this many papers (default: all)")
    enrich_.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    enrich_.set_defaults(handler=enrich)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return value


def _now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def _wired(
    config: Config, *, create: bool = False
) -> AsyncIterator[tuple[list[Source], Enricher | None]]:
    """The sources and arXiv completion as the bot builds them, on the configured database
    (which only ``poll``, like ``ingest``, may create).

    The network stack is imported here, not at the top: every other command starts without it
    (aiohttp alone costs ~0.15 s of each ``python -m bot`` run)."""
    import aiohttp

    from bot.db.sources import SourceState
    from bot.enrich import build_enricher
    from bot.sources import build_sources
    from bot.sources.http import http_from

    async with open_store(config, create=create) as papers, aiohttp.ClientSession() as session:
        http = http_from(session, config.sources)
        sources = build_sources(config, papers, SourceState(papers.db), http, _now)
        yield sources, build_enricher(config, papers, http, _now)


async def poll(config: Config, args: argparse.Namespace) -> int:
    """One poll of every configured source, as the scheduler runs it; prints what it did.
    Exit 1 when a source or arXiv could not be reached (the log line says why)."""
    async with _wired(config, create=True) as (sources, enricher):
        if not sources and enricher is None:
            print("No source is configured: see [sources] in config.example.toml.", file=sys.stderr)
            return 1
        from bot.enrich import poll_once

        reports, completed = await poll_once(sources, enricher)
    for name, report in reports.items():
        print(f"{name}: {report.summary()}")
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
    if completed is not None:
        print(f"arxiv: {completed.summary()}")
    elif enricher is None:
        print("arxiv: off ([sources] arxiv = false)")
    failed = any(report.failures for report in reports.values())
    return 1 if failed or (completed is not None and completed.error) else 0


def _bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    end = "\n" if done >= total else ""
    print(
        f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total} papers",
        end=end,
        file=sys.stderr,
    )


async def enrich(config: Config, args: argparse.Namespace) -> int:
    """Complete pending papers from arXiv now, with a progress bar on a terminal."""
    async with _wired(config) as (_, enricher):
        if enricher is None:
            print("error: arXiv completion is off ([sources] arxiv = false)", file=sys.stderr)
            return 1
        pending = await enricher.pending()
        if not pending:
            print("Every paper is complete (or waiting to ask arXiv again).")
            return 0
        show_bar = not args.quiet and sys.stderr.isatty()
        report = await enricher.run(limit=args.limit, progress=_bar if show_bar else None)
        if show_bar and report.asked < min(pending, args.limit or pending):
            print(file=sys.stderr)  # the bar stopped short: end its line
        left = await enricher.pending()
    print(f"{report.summary()}; {left} still pending")
    return 1 if report.error else 0
