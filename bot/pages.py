"""Queries of paged lists as button custom ids carry them, so pages turn after any restart.

A query (a JSON array) rides in the custom id itself when it fits Discord's 100 characters;
longer ones are stored once and the custom id carries ``#<row id>`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.db.core import Database
from bot.db.pages import PageQueryStore


class PageKeys:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.store = PageQueryStore(db)
        self.clock = clock

    async def encode(self, kind: str, args: list[Any], room: int) -> str:
        """``args`` as a key of at most ``room`` characters."""
        text = json.dumps(args, separators=(",", ":"), ensure_ascii=False)
        if len(text) <= room and not text.startswith("#"):
            return text
        stamp = self.clock().astimezone(UTC).isoformat()
        return f"#{await self.store.key(kind, text, stamp)}"

    async def decode(self, kind: str, key: str) -> list[Any] | None:
        """The args of a key; None when it cannot be read (tampered with, or unknown)."""
        text: str | None = key
        if key.startswith("#"):
            text = await self.store.args(kind, int(key[1:])) if key[1:].isdigit() else None
        try:
            args = json.loads(text) if text is not None else None
        except ValueError:
            return None
        return args if isinstance(args, list) else None
