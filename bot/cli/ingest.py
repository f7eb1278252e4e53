"""``python -m bot ingest PATH...``: digest files or folders into the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, open_store
from bot.config import Config
from bot.ingest import digest_files, ingest_paths


def add_parsers(commands: Any) -> None:
    ingest = commands.add_parser("ingest", help="read digest files or folders into the database")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="digest files or folders of them")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ingest.epilog = "exit status: 0 when every file was read whole, 1 when there were problems"
    ingest.set_defaults(handler=_ingest)


def _progress(index: int, total: int, path: Path) -> None:
    width = 30
    filled = width * index // total
    bar = "#" * filled + "-" * (width - filled)
    end = "\n" if index == total else ""
    print(f"\r[{bar}] {index}/{total} files  {path.name[:40]:<40}", end=end, file=sys.stderr)


async def _ingest(config: Config, args: argparse.Namespace) -> int:
    """Exit 0 only when every file was read whole; 1 when any row or file had a problem."""
    if not digest_files(args.paths):
        raise CliError(f"no digest files (*.md) in {', '.join(args.paths)}")
    show_bar = not args.quiet and sys.stderr.isatty()
    async with open_store(config, create=True) as papers:
        report = await ingest_paths(papers, args.paths, _progress if show_bar else None)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    print(report.summary())
    return 0 if report.clean else 1
