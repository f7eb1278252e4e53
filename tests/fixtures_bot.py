"""The real bot on a real database file, running against the fake Discord.

``run_bot`` is the one way a test starts paperboy: seed the fake first (guilds, roles, members,
channel overwrites: the bot caches them from GUILD_CREATE), then ``async with run_bot() as bot``.
``world`` is the common case built on it: one guild, #papers, members alice and bob.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.bookmarks import PaperFetcher
from bot.config import Config, DatabaseConfig
from bot.edge.client import Paperboy, create_bot
from bot.edge.poster import Pacer
from fakediscord import Channel, FakeDiscord, Guild, User, running
from tests.helpers import offline

RunBot = Callable[..., AbstractAsyncContextManager[Paperboy]]
Clock = Callable[[], datetime]


@dataclass
class World:
    """The common world: guild "Research Lab" with #papers (where commands run by default)."""

    bot: Paperboy
    fake: FakeDiscord
    guild: Guild
    channel: Channel
    alice: User
    bob: User
    config: Config


@pytest.fixture
def bot_config(paper_db: Path) -> Config:
    # No source polling in tests unless a test asks for it: the seeds folder is the default.
    return replace(Config(), database=DatabaseConfig(path=str(paper_db)), sources=offline())


@pytest.fixture
def run_bot(fake_discord: FakeDiscord, bot_config: Config) -> RunBot:
    """``async with run_bot(clock=..., **changes) as bot``: paperboy connected and READY.

    ``changes`` replace sections of ``bot_config`` (``bot=BotConfig(manager_role="Editors")``,
    ``database=DatabaseConfig(path=...)``); ``clock`` is the bot's clock, ``fetcher`` what
    fetches papers the archive lacks, ``pacer`` what spaces delivery's requests (none by default:
    the fake has no global limit; tests/test_pacing.py tests the real spacing). Closed on exit.
    """

    @asynccontextmanager
    async def run(
        *,
        clock: Clock | None = None,
        fetcher: PaperFetcher | None = None,
        pacer: Pacer | None = None,
        **changes: Any,
    ) -> AsyncIterator[Paperboy]:
        config = replace(bot_config, **changes)
        pacer = pacer or Pacer(per_second=math.inf)
        bot = create_bot(
            config, clock=clock, fetcher=fetcher, pacer=pacer, guild_ready_timeout=0.05
        )
        async with running(bot, fake_discord):
            yield bot

    return run


@pytest.fixture
async def world(fake_discord: FakeDiscord, run_bot: RunBot) -> AsyncIterator[World]:
    guild = fake_discord.add_guild()
    channel = guild.add_channel("papers")
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    guild.add_member(alice)
    guild.add_member(bob)
    async with run_bot() as bot:
        yield World(bot, fake_discord, guild, channel, alice, bob, bot.config)
