"""The real bot on a real database file, running against the fake Discord, with a small world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.config import Config, DatabaseConfig
from bot.edge.client import Paperboy, create_bot
from tests.fakediscord import Channel, Driver, FakeDiscord, Guild, User
from tests.fakediscord.fixtures import running
from tests.helpers import DATA, SEEDS, ingest, offline, open_store


@dataclass
class World:
    bot: Paperboy
    fake: FakeDiscord
    drive: Driver
    guild: Guild
    channel: Channel
    alice: User
    bob: User
    config: Config


@pytest.fixture
async def paper_db(tmp_path: Path) -> Path:
    path = tmp_path / "paperboy.db"
    async with open_store(path) as store:
        await ingest(store, SEEDS, DATA / "2025-03-20.md")
    return path


@pytest.fixture
def bot_config(paper_db: Path) -> Config:
    # No source polling in tests unless a test asks for it: the seeds folder is the default.
    return replace(Config(), database=DatabaseConfig(path=str(paper_db)), sources=offline())


@pytest.fixture
async def world(fake_discord: FakeDiscord, bot_config: Config) -> AsyncIterator[World]:
    guild = fake_discord.add_guild()
    channel = fake_discord.add_channel(guild, "papers")
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    guild.add_member(alice)
    guild.add_member(bob)
    bot = create_bot(bot_config, guild_ready_timeout=0.05)
    async with running(bot):
        yield World(
            bot,
            fake_discord,
            Driver(fake_discord, guild, channel),
            guild,
            channel,
            alice,
            bob,
            bot_config,
        )
