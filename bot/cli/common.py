"""What the command families share: the one-line error, the store, the paper listing."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import TYPE_CHECKING

from bot.config import Config
from bot.db import Database, PaperStore
from bot.models import PaperRow
from bot.search import SearchError, parse_day

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 1."""


def day_arg(text: str) -> date:
    try:
        return parse_day(text)
    except SearchError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


@asynccontextmanager
async def open_store(config: Config, *, readonly: bool = False) -> AsyncIterator[PaperStore]:
    """The store on the configured file; ``readonly`` for commands that only read it (they then
    work on a read-only file, and never wait for another process's write lock)."""
    database = await Database.open(
        config.database.path, readonly=readonly, busy_seconds=config.database.busy_seconds
    )
    try:
        yield PaperStore(database)
    finally:
        await database.close()


def print_papers(papers: Sequence[PaperRow], as_json: bool, heading: str | None = None) -> None:
    if as_json:
        print(json.dumps([paper.as_dict() for paper in papers], ensure_ascii=False, indent=2))
        return
    if heading:
        print(heading)
    for number, paper in enumerate(papers, 1):
        days = ", ".join(day.isoformat() for day in paper.days)
        category = f"  [{paper.category}]" if paper.category else ""
        print(
            f"{number}. {paper.title_marked or paper.title}  ({paper.arxiv_id}; {days}){category}"
        )
        if paper.authors:
            print(f"   {', '.join(paper.authors)}")
        print(f"   {paper.snippet or paper.summary[:240]}")
        print(f"   {paper.arxiv_url}  {paper.hf_url or ''}".rstrip())
