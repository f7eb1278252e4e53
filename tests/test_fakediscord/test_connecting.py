"""Connecting: login, intents, synced commands, RESUME, and what the fake records."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord.ext import commands

from fakediscord import FakeDiscord, pointing_discord_at, running
from tests.test_fakediscord.toy_bot import Lab, Seen, make_bot


async def test_the_bot_logs_in_and_its_intents_are_recorded(lab: Lab) -> None:
    assert lab.bot.is_ready()
    assert lab.bot.user.id == lab.fake.bot_user.id
    intents = discord.Intents._from_value(lab.fake.identify_intents)
    assert intents.guilds and intents.guild_reactions and not intents.message_content
    cached = lab.bot.get_guild(lab.guild.id)
    assert cached.name == "Research Lab"
    assert [c.name for c in cached.text_channels] == ["papers"]
    assert cached.me.guild_permissions.send_messages


async def test_a_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    bot = make_bot(Seen())
    with pytest.raises(discord.LoginFailure):
        async with running(bot, fake_discord, token="not-the-token"):
            pass
    assert fake_discord.calls[0].status == 401


async def test_the_synced_commands_are_stored_with_ids(lab: Lab) -> None:
    (paper,) = lab.fake.commands[None]
    assert paper["name"] == "paper" and paper["id"]
    subcommands = {o["name"]: o for o in paper["options"]}
    assert set(subcommands) == {"search", "author", "share", "note", "export"}
    query, author, limit = subcommands["search"]["options"]
    assert (query["name"], query["required"], query["description"]) == (
        "query",
        True,
        "Words to look for",
    )
    assert author["required"] is False and limit["type"] == 4 and limit["max_value"] == 10


async def test_with_message_intents_the_bot_hears_its_own_posts(fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild().add_channel("papers")
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
    async with running(bot, fake_discord):
        channel = next(iter(bot.get_all_channels()))
        heard = asyncio.ensure_future(bot.wait_for("message", timeout=5))
        sent = await channel.send("hello")
        assert (await heard).id == sent.id and sent.author == bot.user


async def test_after_a_reconnect_request_the_bot_resumes_and_gets_missed_events(lab: Lab) -> None:
    sent = await lab.bot.get_channel(lab.channel.id).send("digest")
    await lab.fake.gateway.request_reconnect()
    assert not await lab.fake.react(sent.id, "🔖", user=lab.alice)  # queued, not yet delivered
    await lab.fake.wait_for(lambda: lab.fake.gateway.resumes == 1)
    await lab.fake.wait_for(lambda: lab.seen.reactions == [("add", lab.alice.id, "🔖")])
    assert [f["op"] for f in lab.fake.gateway.received].count(2) == 1  # resumed, not re-identified


async def test_unknown_routes_are_recorded_for_the_fixture_to_fail_on(lab: Lab) -> None:
    with pytest.raises(discord.NotFound):
        await lab.bot.http.request(
            discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=lab.guild.id)
        )
    assert [(c.method, c.path) for c in lab.fake.unhandled] == [
        ("GET", f"/guilds/{lab.guild.id}/bans")
    ]
    lab.fake.unhandled.clear()  # the fixture would fail this test otherwise


async def test_next_message_and_next_call_await_what_the_bot_does(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    task = asyncio.create_task(channel.send("scheduled digest"))
    posted = await lab.fake.next_message(lab.channel)
    call = await lab.fake.next_call("POST", "/channels/{channel_id}/messages")
    await task
    assert posted["content"] == call.body["content"] == "scheduled digest"


def test_pointing_discord_at_a_fake_is_undone_on_exit() -> None:
    real_base, real_gateway = (
        discord.http.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    with pointing_discord_at("http://127.0.0.1:4567"):
        assert discord.http.Route.BASE == "http://127.0.0.1:4567/api/v10"
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:4567/"
    assert real_base == discord.http.Route.BASE
    assert real_gateway == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
