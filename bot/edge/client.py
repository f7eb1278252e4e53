"""The Discord bot: wires the config, the database and the services, then loads the cogs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import discord
from discord.ext import commands

from bot.bookmarks import BookmarkService, PaperFetcher
from bot.config import Config
from bot.db import Database, PaperStore
from bot.db.bookmarks import BookmarkStore
from bot.db.core import SERVING_CACHE_MIB
from bot.db.ledger import DmLedgerStore, LedgerStore
from bot.db.sources import SourceState
from bot.delivery import DeliveryService
from bot.discover import DiscoverService
from bot.edge.ops import OpsServer, count_rate_limits
from bot.edge.poster import DiscordPoster, Pacer
from bot.edge.tree import PaperboyTree
from bot.edge.views import (
    NO_MENTIONS,
    BookmarkButton,
    BookmarkSelect,
    OldPageButton,
    PageButton,
    PageSource,
    RelatedButton,
)
from bot.enrich import build_enricher
from bot.follows import FollowService
from bot.metrics import Metrics
from bot.pages import PageKeys
from bot.personal import PersonalDigest
from bot.privacy import Privacy
from bot.scheduler import Scheduler
from bot.search import SearchService
from bot.sources import build_sources
from bot.sources.http import http_from
from bot.subscriptions import SubscriptionService
from bot.textindex import new_index

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.papers", "cogs.bookmarks", "cogs.subscriptions", "cogs.follows")


def intents() -> discord.Intents:
    """Guilds (channels, permissions) and guild reactions (bookmarks); nothing privileged."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_reactions = True
    return wanted


class Paperboy(commands.Bot):
    """Owns the database and the services; the cogs reach them as typed attributes of the bot."""

    db: Database
    papers: PaperStore
    search: SearchService
    discover: DiscoverService
    bookmarks: BookmarkService
    subscriptions: SubscriptionService
    delivery: DeliveryService
    follows: FollowService
    personal: PersonalDigest
    privacy: Privacy
    scheduler: Scheduler
    pages: PageKeys
    session: aiohttp.ClientSession
    tree: PaperboyTree

    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], datetime] | None = None,
        fetcher: PaperFetcher | None = None,
        pacer: Pacer | None = None,
        **options: Any,
    ) -> None:
        metrics = Metrics()
        options.setdefault("http_trace", count_rate_limits(metrics.rate_limited))
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            tree_cls=PaperboyTree,
            allowed_mentions=NO_MENTIONS,
            **options,
        )
        self.metrics = metrics
        self.ops: OpsServer | None = None
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        self.page_sources: dict[str, PageSource] = {}  # paged lists, registered by the cogs
        # Fetches papers "Bookmark papers" finds that the archive lacks; None: arXiv completion
        # (bot/enrich.py), when [sources] arxiv is on. Tests pass their own.
        self.fetcher: PaperFetcher | None = fetcher
        self.pacer = pacer or Pacer()  # spaces every request delivery makes (bot/edge/poster.py)
        self._services = False  # built in setup_hook; close() may come before (a bad token)
        self._stopped = False

    async def setup_hook(self) -> None:
        """Open the database, build the services, load the cogs, sync commands, start the clock."""
        self.db = await Database.open(
            self.config.database.path, busy_seconds=self.config.database.busy_seconds
        )
        await self.db.limit_cache(SERVING_CACHE_MIB)
        self.papers = PaperStore(self.db)
        # The derived tantivy index opens (or rebuilds from SQLite) in the background; search
        # answers from FTS5 until it is ready.
        self.text_index = new_index(self.db)
        if self.text_index is not None:
            self.text_index.start()
        self.search = SearchService(self.papers, self.clock, self.text_index)
        self.discover = DiscoverService(self.papers, self.text_index)
        self.bookmarks = BookmarkService(self.db, self.papers, self.clock, self.fetcher)
        self.pages = PageKeys(self.db, self.clock)
        self.subscriptions = SubscriptionService(self.db, self.config, self.clock)
        poster = DiscordPoster(self, self.pacer)
        self.delivery = DeliveryService(
            LedgerStore(self.db),
            self.papers,
            self.subscriptions,
            poster,
            self.config,
            self.clock,
            self.bookmarks.remember_message,
            metrics=self.metrics,
            weekly=self.discover.week,
        )
        self.follows = FollowService(self.db, self.papers, self.config, self.clock)
        dm_ledger = DmLedgerStore(self.db)
        self.personal = PersonalDigest(
            self.follows,
            self.papers,
            BookmarkStore(self.db, self.papers),
            dm_ledger,
            poster,
            self.config,
            self.clock,
        )
        self.privacy = Privacy(self.bookmarks, self.follows, dm_ledger, self.subscriptions)
        self.session = aiohttp.ClientSession()  # the sources' own: discord.py keeps its session
        http = http_from(self.session, self.config.sources)
        sources = build_sources(self.config, self.papers, SourceState(self.db), http, self.clock)
        enricher = build_enricher(self.config, self.papers, http, self.clock)
        self.bookmarks.fetcher = self.fetcher or enricher  # "Bookmark papers" fetches from arXiv
        self.scheduler = Scheduler(
            self.subscriptions,
            self.delivery,
            sources,
            self.config,
            self.clock,
            enricher,
            self.personal,
            metrics=self.metrics,
        )
        self._services = True
        self.add_dynamic_items(
            BookmarkButton, BookmarkSelect, PageButton, OldPageButton, RelatedButton
        )
        await self.load_extensions()
        await self.sync_commands()
        await self.scheduler.start()
        if self.config.ops.listen:
            self.ops = OpsServer(self, self.config.ops.listen)
            await self.ops.start()

    async def load_extensions(self) -> list[str]:
        """Load every cog in EXTENSIONS; one missing or broken cog never keeps the others out."""
        loaded = []
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except commands.ExtensionNotFound:
                log.warning("extension %s not found; its commands are missing", extension)
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

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "logged in as %s (id %s) in %d servers",
            user,
            user.id if user else "?",
            len(self.guilds),
        )

    async def close(self) -> None:
        """Stop the scheduler first (no delivery starts mid-shutdown), then Discord, then the DB.

        discord.py calls close() more than once on the way down: each step runs once.
        """
        stopping = self._services and not self._stopped
        self._stopped = True
        if stopping:
            if self.ops is not None:
                await self.ops.stop()
            await self.scheduler.shutdown()
        await super().close()
        if stopping:
            await self.session.close()
            if self.text_index is not None and self.text_index.task is not None:
                self.text_index.task.cancel()
            await self.db.close()
            log.info("database %s closed", self.db.path)


def create_bot(
    config: Config,
    *,
    clock: Callable[[], datetime] | None = None,
    fetcher: PaperFetcher | None = None,
    pacer: Pacer | None = None,
    **options: Any,
) -> Paperboy:
    """The bot, not yet connected; ``options`` go to commands.Bot (e.g. guild_ready_timeout)."""
    return Paperboy(config, clock=clock, fetcher=fetcher, pacer=pacer, **options)
