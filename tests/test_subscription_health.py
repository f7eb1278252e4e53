"""Delivery health and subscription settings in Discord: /subscriptions pages and visibility,
failures in words, /subscription test, match all|any and -word, roles, publish, forum checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import pytest

from bot.models import PaperRow
from bot.subscriptions import Filters
from fakediscord import (
    ANNOUNCEMENT,
    FORUM,
    MANAGE_CHANNELS,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    FakeDiscord,
    Guild,
    User,
    overwrite,
)
from tests.delivering import NEXT_DAY, SUBSCRIBED
from tests.fixtures_bot import RunBot
from tests.helpers import custom_id


@dataclass
class Server:
    bot: object
    fake: FakeDiscord
    guild: Guild
    channels: list[Channel]
    secret: Channel
    forum: Channel
    news: Channel
    mod: User
    guest: User


@pytest.fixture
async def server(fake_discord: FakeDiscord, run_bot: RunBot) -> AsyncIterator[Server]:
    guild = fake_discord.add_guild()
    channels = [guild.add_channel(f"papers-{n}") for n in range(12)]
    secret = guild.add_channel("secret", overwrites=[overwrite(guild.everyone, deny=VIEW_CHANNEL)])
    forum = guild.add_channel(
        "forum", type=FORUM, overwrites=[overwrite(guild.bot_role, deny=1 << 38)]
    )
    news = guild.add_channel("news", type=ANNOUNCEMENT)
    mod, guest = fake_discord.add_user("mod"), fake_discord.add_user("guest")
    guild.add_member(mod, permissions=MANAGE_CHANNELS | VIEW_CHANNEL)
    guild.add_member(guest)
    async with run_bot() as bot:
        yield Server(bot, fake_discord, guild, channels, secret, forum, news, mod, guest)


async def reply(server: Server, path: str, user: User, **options) -> dict:
    ix = await server.fake.slash(path, user=user, channel=server.channels[0], **options)
    answer = await ix.reply()
    assert ix.ephemeral, answer
    return answer


async def test_the_listing_pages_and_shows_only_channels_the_member_can_see(server) -> None:
    service = server.bot.subscriptions
    for channel in [*server.channels, server.secret]:
        await service.subscribe(server.guild.id, channel.id, server.mod.id)
    first = await reply(server, "subscriptions", server.guest)
    assert first["embeds"][0]["footer"]["text"] == "Page 1 of 3"
    first_page = first["embeds"][0]["description"]  # the fake edits the message dict in place
    assert first_page.count("\n\n") == 4  # five channels a page
    turned = await server.fake.click(first, custom_id(first, "Next"), user=server.guest)
    second = (await turned.response())["data"]
    page = second["embeds"][0]
    assert page["footer"]["text"] == "Page 2 of 3"
    assert f"<#{server.channels[5].id}>" in page["description"]
    last = await server.fake.click(first, custom_id(second, "Next"), user=server.guest)
    third = (await last.response())["data"]["embeds"][0]["description"]
    pages = [first_page, page["description"], third]
    assert not any(f"<#{server.secret.id}>" in text for text in pages)  # hidden from the guest
    assert sum(text.count("<#") for text in pages) == 12
    mods = await reply(server, "subscriptions", server.mod)
    assert mods["embeds"][0]["footer"]["text"] == "Page 1 of 3"  # 13 channels for the mod


async def test_health_shows_failures_and_the_last_error_then_the_last_post(server) -> None:
    service = server.bot.subscriptions
    service.clock = lambda: SUBSCRIBED
    channel = server.channels[0]
    subscription, _ = await service.subscribe(
        server.guild.id, channel.id, server.mod.id, layout="channel"
    )
    channel.overwrites.append(overwrite(server.guild.bot_role, deny=SEND_MESSAGES))
    await server.bot.delivery.deliver(subscription, NEXT_DAY)
    text = (await reply(server, "subscriptions", server.mod))["embeds"][0]["description"]
    assert "last post never yet" in text
    assert (
        f"1 failed day in a row; last error: I can't post in <#{channel.id}>: Missing Permissions"
        in text
    )
    channel.overwrites.clear()
    service.clock = lambda: NEXT_DAY
    await server.bot.delivery.deliver(await service.get(channel.id), NEXT_DAY)
    text = (await reply(server, "subscriptions", server.mod))["embeds"][0]["description"]
    assert f"last post <t:{int(NEXT_DAY.timestamp())}:R>" in text
    assert "failed" not in text and "last error" not in text


async def test_subscription_test_previews_privately_and_saves_nothing(server) -> None:
    server.bot.clock = lambda: NEXT_DAY
    answer = await reply(server, "subscription test", server.mod, keywords="zebras")
    lines = answer["content"].splitlines()
    assert (
        lines[0] == "In the last 14 days (2 with papers) these filters would have posted 1 paper:"
    )
    assert "**2025-03-20** · 1: A New Paper About Zebras" in lines
    assert "**2025-03-19** · 0" in lines
    assert await server.bot.subscriptions.in_guild(server.guild.id) == []
    assert server.fake.messages(server.channels[0]) == []
    none = await reply(
        server, "subscription test", server.mod, keywords="zebras,goose", match="all"
    )
    assert none["content"].splitlines()[0].endswith("would have posted 0 papers:")
    excluded = await reply(
        server, "subscription test", server.mod, authors="zoe", keywords="-stripes"
    )
    assert excluded["content"].splitlines()[0].endswith("would have posted 0 papers:")


async def test_publish_is_refused_outside_announcement_channels(server) -> None:
    answer = await reply(server, "subscribe", server.mod, publish=True)
    assert answer["content"] == (
        f"Only an announcement channel can publish; <#{server.channels[0].id}> is not one."
    )
    saved = await reply(
        server, "subscribe", server.mod, options={"channel": server.news}, publish=True
    )
    assert saved["content"].startswith(f"Subscribed <#{server.news.id}>:")
    assert "; published." in saved["content"]
    assert (await server.bot.subscriptions.get(server.news.id)).publish


async def test_a_forum_names_what_it_needs(server) -> None:
    answer = await reply(server, "subscribe", server.mod, options={"channel": server.forum})
    assert answer["content"] == (
        f"I can't post in the forum <#{server.forum.id}>: missing Send Messages in Threads."
    )


async def test_a_role_to_mention_is_saved_and_cleared_with_everyone(server) -> None:
    readers = server.guild.add_role("Readers")
    await server.fake.dispatch(
        "GUILD_ROLE_CREATE", {"guild_id": str(server.guild.id), "role": readers.payload()}
    )
    await server.fake.wait_for(lambda: server.bot.get_guild(server.guild.id).get_role(readers.id))
    saved = await reply(server, "subscribe", server.mod, role=readers, match="all", keywords="x")
    assert f"mentions <@&{readers.id}>" in saved["content"] and "matching all" in saved["content"]
    sub = await server.bot.subscriptions.get(server.channels[0].id)
    assert (sub.mention_role, sub.match_mode) == (readers.id, "all")
    await reply(server, "subscription edit", server.mod, role=server.guild.everyone)
    assert (await server.bot.subscriptions.get(server.channels[0].id)).mention_role is None


def paper(title: str, summary: str = "", authors: tuple[str, ...] = ()) -> PaperRow:
    return PaperRow(arxiv_id="1", title=title, summary=summary, authors=authors)


def test_match_all_needs_every_keyword_and_author_and_any_needs_one() -> None:
    both = Filters(keywords=("goose", "state"), authors=("Zoe",), match_mode="all")
    assert both.matches(paper("Goose state", authors=("Zoë Müller",)))
    assert not both.matches(paper("Goose only", authors=("Zoë Müller",)))
    assert not both.matches(paper("Goose state", authors=("Ada",)))
    either = Filters(keywords=("goose", "state"), authors=("Zoe",))
    assert either.matches(paper("Only a goose")) and not either.matches(paper("Nothing"))


def test_minus_words_exclude_and_words_match_at_their_start() -> None:
    gans = Filters(keywords=("gan", "-medical"))
    assert gans.matches(paper("GANs for images"))
    assert not gans.matches(paper("GANs for medical images"))
    assert not gans.matches(paper("An organ atlas"))  # "gan" inside a word is no match
    only_minus = Filters(keywords=("-vision",))
    assert only_minus.matches(paper("Language")) and not only_minus.matches(paper("Vision models"))


def test_preview_covers_fourteen_days() -> None:
    from bot.delivery import PREVIEW_DAYS

    assert PREVIEW_DAYS == 14 and date(2025, 3, 20)


async def test_a_role_that_cannot_be_mentioned_needs_mention_all_roles(
    fake_discord: FakeDiscord, run_bot: RunBot
) -> None:
    guild = fake_discord.add_guild(bot_permissions=(1 << 50) - 1 & ~(1 << 3) & ~(1 << 17))
    guild.add_channel("papers")
    quiet = guild.add_role("Quiet")  # not mentionable, and the bot may not mention all roles
    async with run_bot():
        ix = await fake_discord.slash("subscribe", user=fake_discord.owner, role=quiet)
        answer = await ix.reply()
    assert answer["content"].endswith(": missing Mention All Roles.")
