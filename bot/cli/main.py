"""The parser made of every command family, and ``main()``: one line on stderr for any error."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib import metadata
from typing import Any

from bot.cli import db, ingest, invite, ops, papers, sources
from bot.cli.common import CliError
from bot.config import Config, ConfigError, load_config
from bot.db import DatabaseError
from bot.ingest import IngestError
from bot.logs import configure_logging
from bot.search import SearchError

FAMILIES = (ingest, papers, sources, db, invite, ops)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="paperboy: the daily AI-paper digest, on Discord and here.",
    )
    parser.add_argument("--config", help="config file (default: $PAPERBOY_CONFIG or ./config.toml)")
    parser.add_argument("--db", help="database file (default: $PAPERBOY_DB or the config's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument("--version", action="version", version=f"paperboy {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="start the Discord bot (token from $DISCORD_TOKEN or config)")
    for family in FAMILIES:
        family.add_parsers(commands)
    _everywhere(commands)
    return parser


def _everywhere(commands: Any) -> None:
    """--config and --db after the command too (``search x --db p.db``), at every level."""
    for sub in commands.choices.values():
        sub.add_argument("--config", default=argparse.SUPPRESS, help="config file, as above")
        sub.add_argument("--db", default=argparse.SUPPRESS, help="database file, as above")
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        for action in nested:
            _everywhere(action)


def _version() -> str:
    try:
        return metadata.version("paperboy")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse; for ``search``, loose words (``search sequence modeling``, ``search -diffusion``)
    join the query instead of being taken for unknown flags."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "extra_words", False) and not any(w.startswith("--") for w in extra):
        args.query = " ".join([args.query, *extra]).strip()
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _run(config: Config) -> int:
    from bot.edge.runner import run  # imports discord: only the bot itself needs it

    return run(config)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    configure_logging("DEBUG" if args.verbose else "WARNING")
    try:
        config = load_config(args.config)
        if args.db:
            config = _with_db(config, args.db)
        if args.command == "run" and not args.verbose:  # the bot logs at [bot] log_level
            configure_logging(config.bot.log_level)
        if args.command == "run":
            return _run(config)
        result: int = asyncio.run(args.handler(config, args))
        return result
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
