"""``python -m bot db ACTION``: database maintenance."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import open_store, require_database
from bot.config import Config
from bot.db import maintenance


def add_parsers(commands: Any) -> None:
    db = commands.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("info", help="schema version and counts").set_defaults(handler=_info)
    backup = actions.add_parser(
        "backup", help="a consistent copy, safe while the bot runs (SQLite online backup)"
    )
    backup.add_argument(
        "path", metavar="PATH", help="the new file, or a folder for paperboy-YYYYMMDD-HHMMSS.db"
    )
    backup.set_defaults(handler=_backup)
    actions.add_parser(
        "vacuum", help="reclaim free space and merge the search index (safe while the bot runs)"
    ).set_defaults(handler=_vacuum)


async def _info(config: Config, args: argparse.Namespace) -> int:
    async with open_store(config) as papers:
        version = await papers.db.schema_version()
        counts = await papers.counts()
    print(f"database: {config.database.path}")
    print(f"schema version: {version}")
    for key, value in counts.items():
        print(f"{key}: {value if value is not None else '-'}")
    return 0


async def _backup(config: Config, args: argparse.Namespace) -> int:
    source = require_database(config)
    target = Path(args.path)
    if target.is_dir():
        target = target / f"paperboy-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
    result = await maintenance.backup(source, target)
    print(f"backed up {source} to {result.path}: {result.papers} papers, {_mb(result.size)}")
    return 0


async def _vacuum(config: Config, args: argparse.Namespace) -> int:
    path = require_database(config)
    result = await maintenance.vacuum(path)
    print(f"vacuumed {path}: {_mb(result.before)} -> {_mb(result.after)}")
    return 0


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
