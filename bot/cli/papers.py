"""``search``, ``show`` and ``day``: the papers in the database, as text or JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.common import CliError, day_arg, open_store, print_papers
from bot.cli.record import show_text
from bot.config import Config
from bot.search import SearchService, paper_id


def add_parsers(commands: Any) -> None:
    search = commands.add_parser("search", help="ranked keyword search")
    search.add_argument("query", help='words, "exact phrases", -excluded, prefix*')
    search.add_argument("--author", help="only papers by this author (part of a name is enough)")
    search.add_argument("--category", help="only papers in this category")
    search.add_argument("--since", type=day_arg, help="listed on or after YYYY-MM-DD")
    search.add_argument("--until", type=day_arg, help="listed on or before YYYY-MM-DD")
    search.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    search.add_argument("--offset", type=int, default=0, help="skip this many results")
    search.set_defaults(handler=_search)

    show = commands.add_parser("show", help="one paper by arXiv id or URL")
    show.add_argument("arxiv_id", help="2503.14456, arXiv:2503.14456v2 or an arXiv/HF link")
    show.set_defaults(handler=_show)

    day = commands.add_parser("day", help="the papers of one day (default: the latest)")
    day.add_argument("day", nargs="?", type=day_arg, help="YYYY-MM-DD")
    day.set_defaults(handler=_day)

    for sub in (search, show, day):
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")


async def _search(config: Config, args: argparse.Namespace) -> int:
    async with open_store(config, readonly=True) as papers:
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
    print_papers(page.items, args.json)
    return 0


async def _show(config: Config, args: argparse.Namespace) -> int:
    paper_id(args.arxiv_id)  # a typo is named before any file is opened
    async with open_store(config, readonly=True) as papers:
        paper = await SearchService(papers).show(args.arxiv_id)
    if paper is None:
        raise CliError(f"no paper {args.arxiv_id} in {config.database.path}")
    if args.json:
        print_papers([paper], as_json=True)
    else:
        print(show_text(paper))
    return 0


async def _day(config: Config, args: argparse.Namespace) -> int:
    async with open_store(config, readonly=True) as papers:
        day, rows = await SearchService(papers).day(args.day)
    if day is None:
        raise CliError(f"the database {config.database.path} holds no papers yet; run ingest")
    if not rows and not args.json:
        print(f"No papers for {day}.", file=sys.stderr)
    print_papers(rows, args.json, heading=f"Papers for {day}")
    return 0
