"""``search``, ``show`` and ``day``: the papers in the database, as text or JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.common import CliError, bounded, day_arg, open_store, print_papers, when_arg
from bot.cli.record import show_text
from bot.config import Config
from bot.search import MAX_LIMIT, SearchService, nothing_to_search, parse_arxiv_id
from bot.textindex import open_index

MAX_OFFSET = 1_000_000


def add_parsers(commands: Any) -> None:
    search = commands.add_parser(
        "search",
        help="ranked keyword search",
        epilog='A word starting with "-" excludes it: search "model -diffusion" (quotes optional).'
        " Fields: au: ti: cat: id: since: until: (see the README's search syntax).",
    )
    search.add_argument(
        "query",
        nargs="?",
        default="",
        help='words, "exact phrases", -excluded, prefix*, au: ti: cat: id: since: until:',
    )
    search.add_argument("--author", help="only papers by this author (same as au:)")
    search.add_argument("--category", help="only papers in this category (same as cat:)")
    search.add_argument(
        "--since", type=when_arg, help="listed on or after YYYY-MM-DD, or 7d, 2w back (since:)"
    )
    search.add_argument(
        "--until", type=when_arg, help="listed on or before YYYY-MM-DD, or 7d, 2w back (until:)"
    )
    search.add_argument(
        "--exact", action="store_true", help="no typo corrections: search the words as typed"
    )
    search.add_argument(
        "--limit",
        type=bounded(1, MAX_LIMIT),
        default=10,
        help=f"how many results, 1 to {MAX_LIMIT} (default 10)",
    )
    search.add_argument(
        "--offset", type=bounded(0, MAX_OFFSET), default=0, help="skip this many results"
    )
    search.set_defaults(handler=_search, extra_words=True)

    show = commands.add_parser("show", help="one paper by arXiv id or URL, every field")
    show.add_argument("arxiv_id", help="2503.14456, arXiv:2503.14456v2 or an arXiv/HF link")
    show.set_defaults(handler=_show)

    day = commands.add_parser("day", help="the papers of one day (default: the latest)")
    day.add_argument("day", nargs="?", type=day_arg, help="YYYY-MM-DD")
    day.set_defaults(handler=_day)

    for sub in (search, show, day):
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")


async def _search(config: Config, args: argparse.Namespace) -> int:
    filtered = any((args.author, args.category, args.since, args.until))
    why_not = nothing_to_search(args.query, filtered=filtered)
    if why_not:
        raise CliError(why_not)
    async with open_store(config, readonly=True) as papers:
        # The bot's index when it is there and whole; a one-shot command never builds one.
        index = await open_index(papers.db, rebuilds=False)
        service = SearchService(papers, index=index)
        page = await service.search(
            args.query,
            author=args.author,
            category=args.category,
            since=args.since,
            until=args.until,
            limit=args.limit,
            offset=args.offset,
            correct=not args.exact,
        )
    if page.corrected is not None:
        print(
            f"Showing results for {page.corrected}; search instead for {args.query} with --exact",
            file=sys.stderr,
        )
    if not page.items and not args.json:
        print("No papers found.", file=sys.stderr)
    print_papers(page.items, args.json)
    if page.has_more and not args.json:
        print(f"more: --offset {page.offset + page.limit}", file=sys.stderr)
    return 0


async def _show(config: Config, args: argparse.Namespace) -> int:
    parse_arxiv_id(args.arxiv_id)  # a typo is named before a missing database
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
        search = SearchService(papers)
        day, rows = await search.day(args.day)
        if day is None:
            raise CliError(f"the database {config.database.path} holds no papers yet; run ingest")
        if not rows:
            before, after = await search.nearest_days(day)
            near = " and ".join(d.isoformat() for d in (before, after) if d)
            raise CliError(f"no papers for {day}; the nearest days with papers: {near}")
    print_papers(rows, args.json, heading=f"Papers for {day}")
    return 0
