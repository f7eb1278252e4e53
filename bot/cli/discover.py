"""``related`` and ``top``: papers like one paper, and the most upvoted and bookmarked of late."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli.common import open_store, print_papers
from bot.config import Config
from bot.discover import BOOKMARK_WEIGHT, DiscoverService
from bot.textindex import open_index


def add_parsers(commands: Any) -> None:
    related = commands.add_parser("related", help="papers like one paper (from title and abstract)")
    related.add_argument("arxiv_id", help="2503.14456, arXiv:2503.14456v2 or an arXiv/HF link")
    related.add_argument("--limit", type=int, default=5, help="how many papers (default 5)")
    related.set_defaults(handler=_related)

    top = commands.add_parser(
        "top",
        help=f"the period's papers by Hugging Face upvotes (+{BOOKMARK_WEIGHT} per bookmark in"
        " a server, on Discord)",
    )
    period = top.add_mutually_exclusive_group()
    for name in ("day", "week", "month"):
        period.add_argument(
            f"--{name}",
            dest="period",
            action="store_const",
            const=name,
            help=f"the last {name} of digests" + (" (default)" if name == "week" else ""),
        )
    top.add_argument("--limit", type=int, default=10, help="how many papers (default 10)")
    top.set_defaults(handler=_top, period="week")

    for sub in (related, top):
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")


async def _related(config: Config, args: argparse.Namespace) -> int:
    async with open_store(config, readonly=True) as papers:
        # The bot's index when it is there and whole; a one-shot command never builds one.
        index = await open_index(papers.db, rebuilds=False)
        paper, similar = await DiscoverService(papers, index).related(
            args.arxiv_id, max(1, min(args.limit, 25))
        )
    if not similar and not args.json:
        print(f"No papers like {paper.arxiv_id} found.", file=sys.stderr)
    print_papers(similar, args.json, heading=f"Papers like {paper.arxiv_id}: {paper.title}")
    return 0


async def _top(config: Config, args: argparse.Namespace) -> int:
    async with open_store(config) as papers:
        first, last, ranked = await DiscoverService(papers).top(
            args.period, None, max(1, min(args.limit, 100))
        )
    if args.json:
        print(json.dumps([paper.as_dict() for paper, _ in ranked], ensure_ascii=False, indent=2))
        return 0
    if first is None:
        print("No digest has been ingested yet.", file=sys.stderr)
        return 0
    span = f"{first}" if first == last else f"{first} to {last}"
    print_papers([paper for paper, _ in ranked], False, heading=f"Top papers, {span}")
    return 0
