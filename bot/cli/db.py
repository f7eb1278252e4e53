"""``python -m bot db ACTION``: database maintenance."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import open_store
from bot.config import Config


def add_parsers(commands: Any) -> None:
    db = commands.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("info", help="schema version and counts").set_defaults(handler=_info)


async def _info(config: Config, args: argparse.Namespace) -> int:
    async with open_store(config) as papers:
        version = await papers.db.schema_version()
        counts = await papers.counts()
    print(f"database: {config.database.path}")
    print(f"schema version: {version}")
    for key, value in counts.items():
        print(f"{key}: {value if value is not None else '-'}")
    return 0
