"""The Discord bot: wires the config, the database and the services, then loads the cogs."""

from __future__ import annotations

import asyncio
import inspect
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
from bot.delivery import DeliveryService
from bot.poster import BookmarkSelect, DiscordPoster
from bot.scheduler import Scheduler
from bot.search import SearchService
from bot.subscriptions import SubscriptionService
from bot.views import BookmarkButton
from cogs.errors import on_app_command_error

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.papers", "cogs.bookmarks", "cogs.subscriptions")

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
        self.scheduler: Any = None  # the subscriptions engineer's Scheduler, set in setup_hook
        self._stopped = False

    async def setup_hook(self) -> None:
        """Open the database, build the services, load the cogs, sync commands, start the clock."""
        self.db = await Database.open(self.config.database.path)
        self.papers = PaperStore(self.db)
        self.search = SearchService(self.papers)
        self.bookmarks = BookmarkService(self.db, self.papers, self.clock)  # BookmarkService
        # Other services: one line each here, marked with a comment naming the service.
        self.subscriptions = SubscriptionService(self.db, self.config, self.clock)  # subscriptions
        self.delivery = DeliveryService(  # delivery
            self.db,
            self.papers,
            self.subscriptions,
            DiscordPoster(self),
            self.config,
            self.clock,
            self.bookmarks.remember_message,
        )
        self.scheduler = Scheduler(
            self.subscriptions, self.delivery, self.papers, self.config, self.clock
        )
        self.tree.on_error = on_app_command_error
        self.add_dynamic_items(BookmarkButton, BookmarkSelect)  # delivery: compact menu
        await self.load_extensions()
        await self.sync_commands()
        await _maybe_await(getattr(self.scheduler, "start", None))

    async def load_extensions(self) -> list[str]:
        """Load every cog in EXTENSIONS; one missing or broken cog never keeps the others out."""
        loaded = []
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except commands.ExtensionNotFound:
                log.warning("extension %s does not exist yet; its commands are missing", extension)
            except commands.ExtensionFailed:
                log.exception("extension %s failed to load; its commands are missing", extension)
            else:
                loaded.append(extension)
        return loaded

    async def sync_commands(self) -> None:
        """Register the slash commands: in the dev guild when set (instant), else globally."""
        guild = discord.Object(self.config.bot.dev_guild) if self.config.bot.dev_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info(
            "synced %d commands %s", len(synced), f"to guild {guild.id}" if guild else "globally"
        )

    async def close(self) -> None:
        """Stop the scheduler first (no delivery starts mid-shutdown), then Discord, then the DB."""
        if self.scheduler is not None and not self._stopped:
            self._stopped = True
            await _maybe_await(getattr(self.scheduler, "shutdown", None))
        await super().close()
        database, self.db = self.db, None  # discord.py calls close() again: once is enough
        if database is not None:
            await database.close()


async def _maybe_await(method: Callable[[], Any] | None) -> None:
    """Call a start/shutdown that may be sync (APScheduler) or async (a wrapper)."""
    if method is not None:
        result = method()
        if inspect.isawaitable(result):
            await result


def create_bot(
    config: Config, *, clock: Callable[[], datetime] | None = None, **options: Any
) -> Paperboy:
    """The bot, not yet connected; ``options`` go to commands.Bot (e.g. guild_ready_timeout)."""
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
