"""/subscribe, /unsubscribe, /subscriptions and /subscription edit through the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from bot.config import BotConfig
from bot.edge.client import Paperboy
from fakediscord import (
    EMBED_LINKS,
    MANAGE_CHANNELS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    Channel,
    FakeDiscord,
    Guild,
    User,
    overwrite,
)
from tests.fixtures_bot import RunBot


@dataclass
class Lab:
    bot: Paperboy
    fake: FakeDiscord
    guild: Guild
    papers: Channel
    no_threads: Channel
    muted: Channel
    editor: User  # has the manager role
    mod: User  # has Manage Channels
    guest: User  # has neither


@pytest.fixture
async def lab(fake_discord: FakeDiscord, run_bot: RunBot) -> AsyncIterator[Lab]:
    """Roles, members and overwrites are set before the bot connects, as the bot caches them."""
    guild = fake_discord.add_guild()
    me = guild.bot_role
    papers = guild.add_channel("papers")
    no_threads = guild.add_channel(
        "quiet", overwrites=[overwrite(me, deny=SEND_MESSAGES_IN_THREADS)]
    )
    muted = guild.add_channel("muted", overwrites=[overwrite(me, deny=SEND_MESSAGES | EMBED_LINKS)])
    editor, mod, guest = (fake_discord.add_user(name) for name in ("ed", "mo", "gu"))
    guild.add_member(editor, guild.add_role("Paper Editors"))
    guild.add_member(mod, permissions=MANAGE_CHANNELS)
    guild.add_member(guest)
    async with run_bot(bot=replace(BotConfig(), manager_role="Paper Editors")) as bot:
        yield Lab(bot, fake_discord, guild, papers, no_threads, muted, editor, mod, guest)


async def run(lab: Lab, path: str, user: User, **options: Any) -> str:
    """The reply's text, after checking only the asker could see it."""
    ix = await lab.fake.slash(path, user=user, **options)
    reply = await ix.reply()
    assert ix.ephemeral, reply
    return reply["content"]


def next_post(lab: Lab, sub: Any) -> int:
    return int(sub.next_post(lab.bot.clock()).timestamp())


async def test_a_member_without_manage_channels_is_refused_and_nothing_is_saved(lab: Lab) -> None:
    text = await run(lab, "subscribe", lab.guest, time="08:00")
    assert text == (
        f"Only members with Manage Channels in <#{lab.papers.id}> or the Paper Editors role"
        " can change its subscription."
    )
    assert await lab.bot.subscriptions.in_guild(lab.guild.id) == []
    assert lab.bot.scheduler.jobs.get_job(f"subscription:{lab.papers.id}") is None


async def test_the_manager_role_may_subscribe_and_the_job_is_scheduled(lab: Lab) -> None:
    text = await run(
        lab, "subscribe", lab.editor, time="07:30", timezone="Europe/Paris", keywords="goose"
    )
    sub = await lab.bot.subscriptions.get(lab.papers.id)
    assert text == (
        f"Subscribed <#{lab.papers.id}>: 07:30 Europe/Paris, Mon, Tue, Wed, Thu, Fri;"
        f" thread layout; keywords: goose. Next post <t:{next_post(lab, sub)}:F>."
    )
    assert sub.created_by == lab.editor.id and sub.guild_id == lab.guild.id
    job = lab.bot.scheduler.jobs.get_job(f"subscription:{lab.papers.id}")
    assert str(job.trigger.timezone) == "Europe/Paris"


@pytest.mark.parametrize(
    ("option", "answer"),
    [
        ({"time": "25:99"}, "'25:99' is not a time; use HH:MM, like 09:00"),
        (
            {"timezone": "Mars/Base"},
            "'Mars/Base' is not an IANA timezone, like Europe/Paris or UTC",
        ),
    ],
)
async def test_bad_input_is_explained_and_nothing_is_saved(
    lab: Lab, option: dict[str, str], answer: str
) -> None:
    assert await run(lab, "subscribe", lab.mod, **option) == answer
    assert await lab.bot.subscriptions.get(lab.papers.id) is None


async def test_missing_bot_permissions_are_named_exactly(lab: Lab) -> None:
    text = await run(lab, "subscribe", lab.mod, channel=lab.muted)
    assert text == f"I can't post in <#{lab.muted.id}>: missing Send Messages and Embed Links."
    text = await run(lab, "subscribe", lab.mod, channel=lab.no_threads)
    assert text == f"I can't post in <#{lab.no_threads.id}>: missing Send Messages in Threads."
    assert await lab.bot.subscriptions.in_guild(lab.guild.id) == []
    # Thread permissions matter only for the thread layout.
    text = await run(lab, "subscribe", lab.mod, channel=lab.no_threads, layout="channel")
    assert text.startswith(f"Subscribed <#{lab.no_threads.id}>: 09:00 UTC")
    assert (await lab.bot.subscriptions.get(lab.no_threads.id)).layout == "channel"


async def test_permissions_taken_away_after_start_are_named(lab: Lab) -> None:
    lab.papers.overwrites.append(overwrite(lab.guild.bot_role, deny=SEND_MESSAGES | EMBED_LINKS))
    await lab.fake.dispatch("CHANNEL_UPDATE", lab.papers.payload())
    await lab.fake.wait_for(
        lambda: (
            not lab.bot.get_channel(lab.papers.id)
            .permissions_for(lab.bot.get_guild(lab.guild.id).me)
            .send_messages
        ),
        what="the bot to see the new overwrite",
    )
    text = await run(lab, "subscribe", lab.mod, layout="channel")
    assert text == f"I can't post in <#{lab.papers.id}>: missing Send Messages and Embed Links."
    assert await lab.bot.subscriptions.get(lab.papers.id) is None


async def test_listing_shows_each_channel_with_its_next_post(lab: Lab) -> None:
    assert await run(lab, "subscriptions", lab.guest) == (
        "No channel here is subscribed yet: try /subscribe."
    )
    await run(lab, "subscribe", lab.mod, time="06:00", weekdays="sat,sun")
    await run(lab, "subscribe", lab.mod, channel=lab.no_threads, layout="compact")
    first, second = await lab.bot.subscriptions.in_guild(lab.guild.id)
    listing = await (await lab.fake.slash("subscriptions", user=lab.guest)).reply()
    assert listing["embeds"][0]["description"].split("\n\n") == [
        f"<#{lab.papers.id}>: 06:00 UTC, Sat, Sun; thread layout\n"
        f"last post never yet; next <t:{next_post(lab, first)}:F>",
        f"<#{lab.no_threads.id}>: 09:00 UTC, Mon, Tue, Wed, Thu, Fri; compact layout\n"
        f"last post never yet; next <t:{next_post(lab, second)}:F>",
    ]
    assert listing["embeds"][0]["footer"]["text"] == "Page 1 of 1"


async def test_edit_replaces_the_job_at_once_and_keeps_other_settings(lab: Lab) -> None:
    await run(lab, "subscribe", lab.mod, time="09:00", authors="Lovelace")
    job_id = f"subscription:{lab.papers.id}"
    before = lab.bot.scheduler.jobs.get_job(job_id).trigger
    text = await run(lab, "subscription edit", lab.editor, timezone="Asia/Tokyo", weekdays="sun")
    sub = await lab.bot.subscriptions.get(lab.papers.id)
    assert text.startswith(f"Updated <#{lab.papers.id}>: 09:00 Asia/Tokyo, Sun; thread layout;")
    assert sub.authors == ("Lovelace",)
    after = lab.bot.scheduler.jobs.get_job(job_id).trigger
    assert str(before.timezone) == "UTC" and str(after.timezone) == "Asia/Tokyo"
    now = lab.bot.clock()
    assert after.get_next_fire_time(None, now) == sub.next_post(now)
    assert sub.next_post(now).weekday() == 6


async def test_editing_an_unsubscribed_channel_says_to_subscribe(lab: Lab) -> None:
    text = await run(lab, "subscription edit", lab.mod, time="10:00")
    assert text == "That channel is not subscribed: use /subscribe first."


async def test_unsubscribe_removes_the_subscription_and_its_job(lab: Lab) -> None:
    await run(lab, "subscribe", lab.mod)
    assert await run(lab, "unsubscribe", lab.guest) == (
        f"Only members with Manage Channels in <#{lab.papers.id}> or the Paper Editors role"
        " can change its subscription."
    )
    assert await run(lab, "unsubscribe", lab.editor) == (
        f"<#{lab.papers.id}> will get no more papers."
    )
    assert await lab.bot.subscriptions.get(lab.papers.id) is None
    assert lab.bot.scheduler.jobs.get_job(f"subscription:{lab.papers.id}") is None
    assert await run(lab, "unsubscribe", lab.editor) == (f"<#{lab.papers.id}> was not subscribed.")


async def test_timezone_autocomplete_filters_what_was_typed(lab: Lab) -> None:
    choices = await lab.fake.autocomplete(
        "subscribe", focused="timezone", user=lab.mod, value="paris"
    )
    assert [c["value"] for c in choices] == ["Europe/Paris"]
    many = await lab.fake.autocomplete("subscribe", focused="timezone", user=lab.mod, value="a")
    assert len(many) == 25 and all("a" in c["value"].casefold() for c in many)


async def test_weekly_recap_is_switched_on_and_off_by_the_commands(lab: Lab) -> None:
    text = await run(lab, "subscribe", lab.mod, weekly=True)
    assert "Mon, Tue, Wed, Thu, Fri (weekly recap Fri)" in text
    assert (await lab.bot.subscriptions.get(lab.papers.id)).weekly
    await run(lab, "subscription edit", lab.mod, time="10:00")  # unset options keep their value
    assert (await lab.bot.subscriptions.get(lab.papers.id)).weekly
    text = await run(lab, "subscription edit", lab.mod, weekly=False)
    assert "weekly recap" not in text
    assert not (await lab.bot.subscriptions.get(lab.papers.id)).weekly
