"""The bot core: what it asks Discord for, where it syncs, how it starts and stops, its errors."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import discord

from bot.config import BotConfig
from bot.db import Database, DatabaseError
from bot.db.core import CACHE_MIB, SERVING_CACHE_MIB
from bot.edge import client
from fakediscord import is_ephemeral


async def test_it_asks_for_guilds_and_reactions_and_nothing_privileged(world) -> None:
    intents = discord.Intents._from_value(world.fake.identify_intents)
    assert intents.guilds and intents.guild_reactions
    assert not (intents.message_content or intents.members or intents.presences)
    assert not intents.guild_messages  # commands and reactions need no message events


async def test_the_bot_keeps_a_small_page_cache_and_bulk_ingest_a_large_one(
    world, tmp_path
) -> None:
    assert await world.bot.db.fetchval("PRAGMA cache_size") == -1024 * SERVING_CACHE_MIB
    bulk = await Database.open(tmp_path / "bulk.db")  # what `python -m bot ingest` opens
    try:
        assert await bulk.fetchval("PRAGMA cache_size") == -1024 * CACHE_MIB
        assert CACHE_MIB > SERVING_CACHE_MIB
    finally:
        await bulk.close()


async def test_commands_sync_to_the_dev_guild_when_one_is_set(fake_discord, run_bot) -> None:
    guild = fake_discord.add_guild()
    async with run_bot(bot=BotConfig(dev_guild=guild.id)):
        assert "paper" in [c["name"] for c in fake_discord.commands.get(guild.id, [])]
        assert fake_discord.commands.get(None, []) == []


async def test_a_missing_cog_is_a_warning_and_the_rest_load(
    fake_discord, run_bot, monkeypatch, caplog
) -> None:
    fake_discord.add_guild()
    monkeypatch.setattr(client, "EXTENSIONS", ("cogs.papers", "cogs.nonexistent"))
    with caplog.at_level(logging.WARNING, logger="bot.edge.client"):
        async with run_bot() as bot:
            assert list(bot.extensions) == ["cogs.papers"]
    assert "extension cogs.nonexistent not found" in caplog.text


async def test_the_clock_reaches_the_services(fake_discord, run_bot) -> None:
    fake_discord.add_guild()
    noon = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
    async with run_bot(clock=lambda: noon) as bot:
        assert bot.clock() == noon and bot.bookmarks.clock() == noon


class RecordingScheduler:
    """Stands in for the scheduler: notes when it was stopped and whether the DB was still open."""

    def __init__(self, bot, inner) -> None:
        self.bot, self.inner, self.stops = bot, inner, []

    async def shutdown(self) -> None:
        self.stops.append(not self.bot.db.closed and not self.bot.is_closed())
        await self.inner.shutdown()


async def test_close_stops_the_scheduler_first_then_the_database_once(world) -> None:
    scheduler = RecordingScheduler(world.bot, world.bot.scheduler)
    world.bot.scheduler = scheduler
    await world.bot.close()
    await world.bot.close()  # discord.py closes again on the way out: harmless
    assert scheduler.stops == [True]  # once, while Discord and the database were still up
    assert world.bot.db.closed


async def test_a_database_failure_asks_to_retry_and_the_bot_keeps_working(
    world, monkeypatch, caplog
) -> None:
    async def down(*args, **kwargs):
        raise DatabaseError("database is locked")

    real = world.bot.search.random
    monkeypatch.setattr(world.bot.search, "random", down)
    with caplog.at_level(logging.ERROR, logger="bot.edge.tree"):
        reply = await (await world.fake.slash("paper random", user=world.alice)).reply()
    assert is_ephemeral(reply)
    assert (
        reply["content"]
        == "The paper archive is not answering right now; please try again in a minute."
    )
    assert (
        f"/paper random (user {world.alice.id}, guild {world.guild.id}): database failed"
        in caplog.text
    )
    monkeypatch.setattr(world.bot.search, "random", real)
    assert (await (await world.fake.slash("paper random", user=world.alice)).reply())["embeds"]
    again = await (
        await world.fake.slash("paper show", user=world.alice, paper="2503.14456")
    ).reply()
    assert again["embeds"][0]["url"] == "https://arxiv.org/abs/2503.14456"


async def test_a_failing_bookmark_button_apologises_privately(world, monkeypatch) -> None:
    shown = await (
        await world.fake.slash("paper show", user=world.alice, paper="2503.14456")
    ).reply()

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(world.bot.bookmarks, "add", broken)
    answer = await (
        await world.fake.click(shown, "paperboy:bookmark:2503.14456", user=world.bob)
    ).reply()
    assert is_ephemeral(answer) and answer["content"].startswith("Something went wrong on my side")
