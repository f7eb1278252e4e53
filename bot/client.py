"""The Discord bot: wires the config, the database and the services, then loads the cogs."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import discord
from discord.ext import commands

from bot.bookmarks import BookmarkService
from bot.config import Config
from bot.db import Database, DatabaseError, PaperStore
from bot.search import SearchService
from bot.views import BookmarkButton

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.errors", "cogs.papers", "cogs.bookmarks")

NO_TOKEN = """\
paperboy needs a Discord bot token to run.
  1. Open https://discord.com/developers/applications and pick (or create) your application.
  2. Bot -> Reset Token, and copy it.
  3. export DISCORD_TOKEN=<the token>   (or set token in the [bot] section of config.toml)
Then run `python -m bot run` again."""

BAD_TOKEN = """\
Discord rejected the bot token. It may have been reset or copied incompletely:
get a new one under Bot -> Reset Token at https://discord.com/developers/applications
and put it in DISCORD_TOKEN (or [bot] token in config.toml)."""


def intents() -> discord.Intents:
    """Guilds (channels, permissions) and guild reactions (bookmarks); nothing privileged."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_reactions = True
    return wanted


class Paperboy(commands.Bot):
    """Owns the database and the services; the cogs reach them as attributes of the bot."""

    def __init__(
        self, config: Config, *, clock: Callable[[], datetime] | None = None, **options: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned, intents=intents(), help_command=None, **options
        )
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        self.db: Database | None = None

    async def setup_hook(self) -> None:
        self.db = await Database.open(self.config.database.path)
        self.papers = PaperStore(self.db)
        self.search = SearchService(self.papers)
        self.bookmarks = BookmarkService(self.db, self.papers, self.clock)
        self.add_dynamic_items(BookmarkButton)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild = discord.Object(self.config.bot.dev_guild) if self.config.bot.dev_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info(
            "synced %d commands %s", len(synced), f"to guild {guild.id}" if guild else "globally"
        )

    async def close(self) -> None:
        await super().close()
        database, self.db = (
            self.db,
            None,
        )  # close() runs twice (discord.py calls it too): once is enough
        if database is not None:
            await database.close()


def create_bot(
    config: Config, *, clock: Callable[[], datetime] | None = None, **options: Any
) -> Paperboy:
    return Paperboy(config, clock=clock, **options)


def run(config: Config) -> int:
    """`python -m bot run`: start the bot; a missing or rejected token is a message, not a traceback."""
    if not config.bot.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=getattr(logging, config.bot.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    async def main() -> None:
        async with create_bot(config) as bot:
            await bot.start(config.bot.token)

    try:
        asyncio.run(main())
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return 1
    except DatabaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        log.info("stopped")
    return 0
