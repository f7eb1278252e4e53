"""Message context menus and members' messages, as the real discord.py client meets them."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from fakediscord import FakeDiscord, running
from tests.test_fakediscord.toy_bot import Seen, make_bot


def bot_with_menu(got: list[discord.Message]) -> discord.Client:
    bot = make_bot(Seen())

    async def keep(interaction: discord.Interaction, message: discord.Message) -> None:
        got.append(message)
        await interaction.response.send_message(f"kept {message.id}", ephemeral=True)

    bot.tree.add_command(app_commands.ContextMenu(name="Keep this", callback=keep))
    return bot


async def test_a_message_command_hands_over_the_target_with_its_content(
    fake_discord: FakeDiscord,
) -> None:
    guild = fake_discord.add_guild()
    channel = guild.add_channel("papers")
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    guild.add_member(alice)
    guild.add_member(bob)
    got: list[discord.Message] = []
    async with running(bot_with_menu(got), fake_discord):
        [menu] = [c for c in fake_discord.commands[None] if c["name"] == "Keep this"]
        assert menu["type"] == 3 and menu["description"] == ""
        said = await fake_discord.say(channel, "read arxiv.org/abs/2503.14456", user=bob)
        assert fake_discord.messages(channel) == [said]
        ix = await fake_discord.message_command("Keep this", said, user=alice)
        reply = await ix.reply()
        assert ix.ephemeral and reply["content"] == f"kept {said['id']}"
        assert ix.data["target_id"] == said["id"]
        assert reply["interaction_metadata"]["target_message_id"] == said["id"]
        [message] = got
        assert message.content == "read arxiv.org/abs/2503.14456"  # no Message Content intent
        assert message.author.id == bob.id and message.channel.id == channel.id


async def test_an_unknown_menu_names_the_ones_synced(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild()
    channel = guild.add_channel("papers")
    alice = fake_discord.add_user("alice")
    guild.add_member(alice)
    async with running(bot_with_menu([]), fake_discord):
        said = await fake_discord.say(channel, "hello", user=alice)
        with pytest.raises(AssertionError, match=r"no 'Save' menu .* synced \['Keep this'\]"):
            await fake_discord.message_command("Save", said, user=alice)
        with pytest.raises(AssertionError, match="was never synced"):
            await fake_discord.slash("Keep this", user=alice)  # a menu is not a slash command


async def test_closed_dms_answer_403_50007_as_discord_does(fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild().add_channel("papers")
    hermit = fake_discord.add_user("hermit", accepts_dms=False)
    async with running(bot_with_menu([]), fake_discord) as bot:
        channel = await bot.create_dm(discord.Object(hermit.id))
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("your digest")
        assert (refused.value.status, refused.value.code) == (403, 50007)
        assert refused.value.text == "Cannot send messages to this user"
        hermit.accepts_dms = True
        await channel.send("your digest")
    assert [m["content"] for m in fake_discord.dms(hermit)] == ["your digest"]
