"""``python -m bot``: run the bot, ingest digests, and query the database from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import cli_sources
from bot.config import Config, ConfigError, load_config
from bot.db import Database, DatabaseError, PaperStore
from bot.ingest import IngestError, ingest_paths
from bot.models import PaperRow
from bot.search import SearchError, SearchService, parse_day

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 1."""


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except SearchError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="paperboy: the daily AI-paper digest, on Discord and here.",
    )
    parser.add_argument("--config", help="config file (default: $PAPERBOY_CONFIG or ./config.toml)")
    parser.add_argument("--db", help="database file (default: $PAPERBOY_DB or the config's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="start the Discord bot (token from $DISCORD_TOKEN or config)")

    ingest = commands.add_parser("ingest", help="read digest files or folders into the database")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="digest files or folders of them")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    search = commands.add_parser("search", help="ranked keyword search")
    search.add_argument("query", help='words, "exact phrases", -excluded, prefix*')
    search.add_argument("--author", help="only papers by this author (part of a name is enough)")
    search.add_argument("--category", help="only papers in this category")
    search.add_argument("--since", type=_day, help="listed on or after YYYY-MM-DD")
    search.add_argument("--until", type=_day, help="listed on or before YYYY-MM-DD")
    search.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    search.add_argument("--offset", type=int, default=0, help="skip this many results")

    show = commands.add_parser("show", help="one paper by arXiv id or URL")
    show.add_argument("arxiv_id", help="2503.14456, arXiv:2503.14456v2 or an arXiv/HF link")

    day = commands.add_parser("day", help="the papers of one day (default: the latest)")
    day.add_argument("day", nargs="?", type=_day, help="YYYY-MM-DD")

    for sub in (search, show, day):
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")

    cli_sources.add_commands(commands)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("info", help="schema version and counts")
    return parser


@asynccontextmanager
async def _store(config: Config) -> AsyncIterator[PaperStore]:
    database = await Database.open(config.database.path)
    try:
        yield PaperStore(database)
    finally:
        await database.close()


def _progress(index: int, total: int, path: Path) -> None:
    width = 30
    filled = width * index // total
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if index == total else ""
    print(f"\r[{bar}] {index}/{total} files  {path.name[:40]:<40}", end=end, file=sys.stderr)


def _print_papers(papers: Sequence[PaperRow], as_json: bool, heading: str | None = None) -> None:
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


async def _ingest(config: Config, args: argparse.Namespace) -> int:
    show_bar = not args.quiet and sys.stderr.isatty()
    async with _store(config) as papers:
        report = await ingest_paths(papers, args.paths, _progress if show_bar else None)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())
    return 0


async def _search(config: Config, args: argparse.Namespace) -> int:
    async with _store(config) as papers:
        page = await SearchService(papers).search(
            args.query,
            author=args.author,
            category=args.category,
            since=args.since,
            until=args.until,
            limit=args.limit,
            offset=args.offset,
        )
    if not page.items and not args.json:
        print("No papers found.", file=sys.stderr)
    _print_papers(page.items, args.json)
    return 0


async def _show(config: Config, args: argparse.Namespace) -> int:
    async with _store(config) as papers:
        paper = await SearchService(papers).show(args.arxiv_id)
    if paper is None:
        raise CliError(f"no paper {args.arxiv_id} in {config.database.path}")
    if args.json:
        _print_papers([paper], args.json)
    else:
        print(cli_sources.show_text(paper))
    return 0


async def _day_command(config: Config, args: argparse.Namespace) -> int:
    async with _store(config) as papers:
        day, rows = await SearchService(papers).day(args.day)
    if day is None:
        raise CliError(f"the database {config.database.path} holds no papers yet; run ingest")
    if not rows and not args.json:
        print(f"No papers for {day}.", file=sys.stderr)
    _print_papers(rows, args.json, heading=f"Papers for {day}")
    return 0


async def _db_info(config: Config, args: argparse.Namespace) -> int:
    async with _store(config) as papers:
        version = await papers.db.schema_version()
        counts = await papers.counts()
    print(f"database: {config.database.path}")
    print(f"schema version: {version}")
    for key, value in counts.items():
        print(f"{key}: {value if value is not None else '-'}")
    return 0


def _run(config: Config, args: argparse.Namespace) -> int:
    from bot.edge.client import run  # imports discord: only the bot itself needs it

    return run(config)


COMMANDS: dict[str, Callable[[Config, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "ingest": _ingest,
    "search": _search,
    "show": _show,
    "day": _day_command,
    "db": _db_info,
    "poll": cli_sources.poll,
    "enrich": cli_sources.enrich,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = load_config(args.config)
        if args.db:
            config = _with_db(config, args.db)
        if args.command == "run":
            return _run(config, args)
        return asyncio.run(COMMANDS[args.command](config, args))
    except (CliError, ConfigError, DatabaseError, IngestError, SearchError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


def _with_db(config: Config, path: str) -> Config:
    return replace(config, database=replace(config.database, path=path))


if __name__ == "__main__":
    sys.exit(main())
