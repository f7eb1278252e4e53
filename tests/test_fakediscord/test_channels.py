"""Forum posts, announcement crossposts, edits and history reads, answered as Discord documents them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
import pytest

from fakediscord import (
    ANNOUNCEMENT,
    FORUM,
    READ_MESSAGE_HISTORY,
    Channel,
    FakeDiscord,
    overwrite,
    running,
)
from tests.test_fakediscord.toy_bot import Seen, make_bot


@dataclass
class Kinds:
    fake: FakeDiscord
    bot: discord.Client
    text: Channel
    news: Channel
    forum: Channel


@pytest.fixture
async def kinds(fake_discord: FakeDiscord) -> AsyncIterator[Kinds]:
    guild = fake_discord.add_guild()
    text = guild.add_channel("papers")
    news = guild.add_channel("news", type=ANNOUNCEMENT)
    forum = guild.add_channel("forum", type=FORUM, tags=["cs.CL", "cs.LG"])
    bot = make_bot(Seen())
    async with running(bot, fake_discord):
        yield Kinds(fake_discord, bot, text, news, forum)


async def test_the_bot_sees_a_forum_with_its_tags_and_an_announcement_channel(kinds) -> None:
    forum = kinds.bot.get_channel(kinds.forum.id)
    assert isinstance(forum, discord.ForumChannel)
    assert [tag.name for tag in forum.available_tags] == ["cs.CL", "cs.LG"]
    news = kinds.bot.get_channel(kinds.news.id)
    assert isinstance(news, discord.TextChannel) and news.is_news()


async def test_a_forum_post_is_a_thread_whose_starter_message_has_its_id(kinds) -> None:
    forum = kinds.bot.get_channel(kinds.forum.id)
    tag = next(t for t in forum.available_tags if t.name == "cs.LG")
    created = await forum.create_thread(
        name="Papers for 2025-03-20", content="hi", applied_tags=[tag]
    )
    assert created.thread.id == created.message.id
    assert created.thread.parent_id == kinds.forum.id
    assert kinds.fake.channels[created.thread.id].applied_tags == [str(tag.id)]
    await created.thread.send("inside")
    assert [m["content"] for m in kinds.fake.messages(created.thread.id)] == ["hi", "inside"]


async def test_a_forum_takes_no_plain_message_and_no_unknown_tag(kinds) -> None:
    forum = kinds.bot.get_partial_messageable(kinds.forum.id)
    with pytest.raises(discord.HTTPException) as refused:
        await forum.send("hello")
    assert refused.value.code == 40058
    channel = kinds.bot.get_channel(kinds.forum.id)
    with pytest.raises(discord.HTTPException) as unknown:
        await channel.create_thread(name="x", content="y", applied_tags=[discord.Object(1)])
    assert unknown.value.code == 10087


async def test_a_crosspost_publishes_once_and_only_in_announcement_channels(kinds) -> None:
    sent = await kinds.bot.get_channel(kinds.news.id).send("news")
    published = await sent.publish()
    assert published is None and kinds.fake.messages(kinds.news)[0]["flags"] & 1
    with pytest.raises(discord.HTTPException) as again:
        await sent.publish()
    assert again.value.code == 40033
    plain = await kinds.bot.get_channel(kinds.text.id).send("plain")
    with pytest.raises(discord.HTTPException) as wrong:
        await plain.publish()
    assert wrong.value.code == 50024
    assert kinds.fake.stats["crossposts"] == 1


async def test_an_edit_replaces_what_the_message_shows(kinds) -> None:
    sent = await kinds.bot.get_channel(kinds.text.id).send("draft", embed=discord.Embed(title="a"))
    await sent.edit(content="final", embed=discord.Embed(title="b"))
    [stored] = kinds.fake.messages(kinds.text)
    assert (stored["content"], stored["embeds"][0]["title"]) == ("final", "b")
    assert stored["edited_timestamp"] is not None
    kinds.fake.channels[kinds.text.id].messages.clear()  # a moderator deleted it
    with pytest.raises(discord.NotFound) as gone:
        await sent.edit(content="again")
    assert gone.value.code == 10008


async def test_history_after_a_message_is_oldest_first_and_carries_no_nonce(kinds) -> None:
    channel = kinds.bot.get_channel(kinds.text.id)
    first = await channel.send("one", nonce="n1")
    await channel.send("two", nonce="n2")
    await channel.send("three", nonce="n3")
    after = [m async for m in channel.history(after=first, oldest_first=True)]
    assert [m.content for m in after] == ["two", "three"]
    assert [m.nonce for m in after] == [None, None]
    newest = [m.content async for m in channel.history(limit=2)]
    assert newest == ["three", "two"]


async def test_history_without_read_message_history_is_empty(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild()
    blind = guild.add_channel(
        "blind", overwrites=[overwrite(guild.bot_role, deny=READ_MESSAGE_HISTORY)]
    )
    bot = make_bot(Seen())
    async with running(bot, fake_discord):
        channel = bot.get_channel(blind.id)
        await channel.send("kept")
        assert [m async for m in channel.history()] == []


async def test_the_nonce_window_is_the_fakes_to_set(kinds) -> None:
    channel = kinds.bot.get_channel(kinds.text.id)
    first = await channel.send("once", nonce="same")
    assert (await channel.send("once", nonce="same")).id == first.id
    kinds.fake.nonce_window = 0.0
    assert (await channel.send("once", nonce="same")).id != first.id
