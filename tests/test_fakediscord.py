"""The fake Discord itself, driven by the real bot."""

from __future__ import annotations

import discord
import pytest

from bot.client import create_bot
from tests.fakediscord.fixtures import running


async def test_the_bot_logs_in_identifies_with_few_intents_and_syncs(world) -> None:
    intents = discord.Intents._from_value(world.fake.identify["intents"])
    assert intents.guilds and intents.guild_reactions
    assert not (intents.message_content or intents.members or intents.presences)
    names = {command["name"] for command in world.fake.commands[None]}
    assert names == {"paper", "bookmarks"}
    assert world.bot.get_guild(world.guild.id).name == "Research Lab"


async def test_a_rejected_token_fails_login(fake_discord, bot_config) -> None:
    bot = create_bot(bot_config)
    with pytest.raises(discord.LoginFailure):
        async with running(bot, token="wrong"):
            pass
    await bot.close()


async def test_every_command_and_option_has_a_description(world) -> None:
    def walk(options, path):
        for option in options:
            assert option.get("description"), f"{path} {option['name']} has no description"
            walk(option.get("options", []), f"{path} {option['name']}")

    for command in world.fake.commands[None]:
        assert command["description"], command["name"]
        walk(command.get("options", []), command["name"])


async def test_unknown_options_are_refused_by_the_schema(world) -> None:
    with pytest.raises(AssertionError, match="has no option 'colour'"):
        await world.drive.slash("paper search", user=world.alice, query="x", colour="red")
