"""The parser made of every command family, and ``main()``: one line on stderr for any error."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace

from bot.cli import db, ingest, papers, sources
from bot.cli.common import CliError
from bot.config import Config, ConfigError, load_config
from bot.db import DatabaseError
from bot.ingest import IngestError
from bot.search import SearchError

FAMILIES = (ingest, papers, sources, db)


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
    for family in FAMILIES:
        family.add_parsers(commands)
    return parser


def _run(config: Config) -> int:
    from bot.edge.client import run  # imports discord: only the bot itself needs it

    return run(config)


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
