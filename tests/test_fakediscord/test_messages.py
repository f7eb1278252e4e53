"""Messages, reactions, threads, DMs and permissions as the bot meets them through REST."""

from __future__ import annotations

import discord
import pytest

from fakediscord import (
    SEND_MESSAGES,
    VIEW_CHANNEL,
    FakeDiscord,
    overwrite,
    running,
)
from tests.test_fakediscord.toy_bot import Lab, Seen, make_bot, text


async def test_reactions_reach_the_raw_listeners(lab: Lab) -> None:
    reply = await (await lab.fake.slash("paper search", user=lab.alice, query="goose")).reply()
    assert await lab.fake.react(reply, "🔖", user=lab.alice)
    await lab.fake.wait_for(lambda: len(lab.seen.reactions) == 1)
    assert reply["reactions"][0]["count"] == 1
    assert await lab.fake.unreact(reply["id"], "🔖", user=lab.alice)
    await lab.fake.wait_for(lambda: len(lab.seen.reactions) == 2)
    assert lab.seen.reactions == [("add", lab.alice.id, "🔖"), ("remove", lab.alice.id, "🔖")]


async def test_the_bots_own_reaction_is_recorded(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("hello")
    await sent.add_reaction("✅")
    (stored,) = lab.fake.messages(lab.channel)
    assert stored["reactions"][0]["me"] and stored["reactions"][0]["emoji"]["name"] == "✅"


async def test_the_bot_removes_a_users_reaction(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("vote")
    assert await lab.fake.react(sent.id, "👍", user=lab.alice)
    await sent.remove_reaction("👍", discord.Object(lab.alice.id))
    await lab.fake.wait_for(lambda: len(lab.seen.reactions) == 2)
    assert lab.fake.messages(lab.channel)[0]["reactions"] == []


async def test_a_thread_is_created_from_a_message_and_announced(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("today's digest")
    thread = await sent.create_thread(name="Discussion")
    assert thread.id == sent.id and thread.parent_id == lab.channel.id
    await lab.fake.wait_for(lambda: lab.bot.get_channel(thread.id) is not None)
    await thread.send("first!")
    assert [m["content"] for m in lab.fake.messages(thread.id)] == ["first!"]


async def test_a_private_thread_without_a_message(lab: Lab) -> None:
    thread = await lab.bot.get_channel(lab.channel.id).create_thread(name="Reading group")
    assert thread.type is discord.ChannelType.private_thread
    assert lab.fake.channels[thread.id].parent_id == lab.channel.id


async def test_a_dm_is_delivered_and_listed_per_user(lab: Lab) -> None:
    user = await lab.bot.fetch_user(lab.alice.id)
    await user.send("your daily digest")
    assert [m["content"] for m in lab.fake.dms(lab.alice)] == ["your daily digest"]


async def test_a_closed_dm_is_forbidden(lab: Lab) -> None:
    hermit = lab.fake.add_user("hermit", accepts_dms=False)
    with pytest.raises(discord.Forbidden) as refused:
        await (await lab.bot.fetch_user(hermit.id)).send("hi")
    assert refused.value.code == 50007


async def test_a_repeated_nonce_returns_the_first_message(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    first = await channel.send("digest 2025-03-20", nonce="delivery-42")
    again = await channel.send("digest 2025-03-20", nonce="delivery-42")
    other = await channel.send("digest 2025-03-21", nonce="delivery-43")
    assert again.id == first.id != other.id
    assert [m["content"] for m in lab.fake.messages(lab.channel)] == [
        "digest 2025-03-20",
        "digest 2025-03-21",
    ]
    repeated = lab.fake.calls[-2].body  # discord.py asks Discord to enforce the nonce
    assert (repeated["nonce"], repeated["enforce_nonce"]) == ("delivery-42", True)
    assert lab.fake.stats["nonce_dedupes"] == 1


async def test_permission_overwrites_reach_the_bot_cache_and_the_rest_side(
    fake_discord: FakeDiscord,
) -> None:
    guild = fake_discord.add_guild()
    hidden = guild.add_channel("staff", overwrites=[overwrite(guild.everyone, deny=VIEW_CHANNEL)])
    muted = guild.add_channel("news", overwrites=[overwrite(guild.bot_role, deny=SEND_MESSAGES)])
    async with running(make_bot(Seen()), fake_discord) as bot:
        me = bot.get_guild(guild.id).me
        assert not bot.get_channel(hidden.id).permissions_for(me).view_channel
        assert not bot.get_channel(muted.id).permissions_for(me).send_messages
        with pytest.raises(discord.Forbidden) as unseen:
            await bot.http.send_message(hidden.id, params=text("hi"))
        with pytest.raises(discord.Forbidden) as silent:
            await bot.http.send_message(muted.id, params=text("hi"))
    assert (unseen.value.code, silent.value.code) == (50001, 50013)


async def test_a_deleted_channel_is_unknown_and_the_bot_hears_of_it(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    await lab.fake.delete_channel(lab.channel)
    await lab.fake.wait_for(lambda: lab.bot.get_channel(lab.channel.id) is None)
    with pytest.raises(discord.NotFound) as gone:
        await channel.send("hello?")
    assert gone.value.code == 10003
