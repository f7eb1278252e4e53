"""What the command families share: the one-line error, the store, the paper listing."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config
from bot.db import Database, PaperStore
from bot.models import PaperRow
from bot.query import parse_when
from bot.search import SearchError, parse_day
from bot.text import trim

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

SUMMARY = 240  # characters of summary per paper in a listing; `show` prints it whole
MARKED = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
BOLD, PLAIN = "\033[1m", "\033[0m"


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 1."""


def day_arg(text: str) -> date:
    try:
        return parse_day(text)
    except SearchError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def when_arg(text: str) -> date:
    """An argparse type for --since/--until: YYYY-MM-DD, or 7d, 2w, 3m, 1y back from today (UTC)."""
    try:
        return parse_when(text, datetime.now(UTC).date())
    except SearchError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def bounded(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, else a message saying so."""

    def number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range; use {low} to {high}")
        return value

    return number


def require_database(config: Config) -> Path:
    """The database file, which must exist: only ``ingest`` (and the bot) may create one."""
    path = Path(config.database.path)
    if not path.is_file():
        raise CliError(f"no database at {path}; run `python -m bot ingest` first")
    return path


@asynccontextmanager
async def open_store(
    config: Config, *, create: bool = False, readonly: bool = False
) -> AsyncIterator[PaperStore]:
    """The migrated store; a missing file is refused unless ``create`` (ingest). ``readonly``
    for commands that only read it: they work on a read-only file or folder, and never wait
    for another process's write lock."""
    if not create:
        require_database(config)
    database = await Database.open(
        config.database.path, readonly=readonly, busy_seconds=config.database.busy_seconds
    )
    try:
        yield PaperStore(database)
    finally:
        await database.close()


def emphasis(text: str, terminal: bool) -> str:
    """``**matched**`` words in bold on a terminal, plain when piped or redirected."""
    return MARKED.sub(lambda m: f"{BOLD}{m.group(1)}{PLAIN}" if terminal else m.group(1), text)


def print_papers(papers: Sequence[PaperRow], as_json: bool, heading: str | None = None) -> None:
    """Numbered papers, each summary cut between words (``show`` prints a paper whole)."""
    if as_json:
        print(json.dumps([paper.as_dict() for paper in papers], ensure_ascii=False, indent=2))
        return
    terminal = sys.stdout.isatty()
    if heading:
        print(heading)
    for number, paper in enumerate(papers, 1):
        days = ", ".join(day.isoformat() for day in paper.days)
        category = f"  [{paper.category}]" if paper.category else ""
        title = emphasis(paper.title_marked or paper.title, terminal)
        print(f"{number}. {title}  ({paper.arxiv_id}; {days}){category}")
        if paper.authors:
            print(f"   {', '.join(paper.authors)}")
        print(f"   {emphasis(trim(paper.snippet or paper.summary, SUMMARY), terminal)}")
        print(f"   {paper.arxiv_url}  {paper.hf_url or ''}".rstrip())
