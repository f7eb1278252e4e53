"""Subscriptions and daily delivery end to end: the real bot, a real database, the fake Discord."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.scheduler import trigger
from tests.fakediscord import is_ephemeral, overwrite

SUBSCRIBED = datetime(2025, 3, 19, 8, 0, tzinfo=UTC)  # before the 09:00 post of the 19th
NEXT_DAY = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)  # after the 09:00 post of the 20th


async def subscribe(world, **options):
    world.bot.subscriptions.clock = lambda: SUBSCRIBED
    return await world.bot.subscriptions.subscribe(
        world.guild.id, world.channel.id, world.fake.owner.id, **options
    )


def posted(world, channel=None) -> list[dict]:
    return [
        m
        for m in world.fake.messages(channel or world.channel)
        if m["author"]["id"] == str(world.fake.bot_user.id)
    ]


async def test_subscribe_needs_manage_channels(world) -> None:
    refused = await (await world.fake.slash("subscribe", user=world.alice)).reply()
    assert is_ephemeral(refused)
    assert (
        refused["content"]
        == f"Only members with Manage Channels in <#{world.channel.id}> can change its subscription."
    )
    assert await world.bot.subscriptions.get(world.channel.id) is None


async def test_subscribe_saves_schedules_and_says_when(world) -> None:
    ix = await world.fake.slash(
        "subscribe", user=world.fake.owner, time="07:30", timezone="Europe/Paris", layout="channel"
    )
    reply = await ix.reply()
    assert reply["content"].startswith(
        f"Subscribed <#{world.channel.id}>: 07:30 Europe/Paris, Mon, Tue, Wed, Thu, Fri; channel layout. Next post <t:"
    )
    job = world.bot.scheduler.jobs.get_job(f"subscription:{world.channel.id}")
    assert job is not None and str(job.trigger.timezone) == "Europe/Paris"
    listing = await (await world.fake.slash("subscriptions", user=world.alice)).reply()
    assert listing["content"].startswith(f"<#{world.channel.id}>: 07:30 Europe/Paris")
    gone = await (await world.fake.slash("unsubscribe", user=world.fake.owner)).reply()
    assert gone["content"] == f"<#{world.channel.id}> will get no more papers."
    assert world.bot.scheduler.jobs.get_job(f"subscription:{world.channel.id}") is None


async def test_missing_bot_permissions_are_named(world, fake_discord) -> None:
    world.channel.overwrites.append(overwrite(world.guild.bot_role, deny=(1 << 11) | (1 << 14)))
    await fake_discord.dispatch("CHANNEL_UPDATE", world.channel.payload())
    reply = await (
        await world.fake.slash("subscribe", user=world.fake.owner, layout="channel")
    ).reply()
    assert (
        reply["content"]
        == f"I can't post in <#{world.channel.id}>: missing Send Messages and Embed Links."
    )


async def test_a_bad_timezone_is_refused_clearly(world) -> None:
    reply = await (
        await world.fake.slash("subscribe", user=world.fake.owner, timezone="Mars/Base")
    ).reply()
    assert reply["content"] == "'Mars/Base' is not an IANA timezone, like Europe/Paris or UTC"


async def test_timezone_autocomplete(world) -> None:
    choices = await world.fake.autocomplete(
        "subscribe", focused="timezone", user=world.fake.owner, timezone="paris"
    )
    assert [c["value"] for c in choices] == ["Europe/Paris"]


async def test_channel_layout_posts_each_owed_day_once(world) -> None:
    subscription, _ = await subscribe(world, layout="channel")
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert report.days == [date(2025, 3, 19), date(2025, 3, 20)]
    messages = posted(world)
    assert messages[0]["content"] == "**Papers for 2025-03-19** · 22 papers"
    assert (
        messages[1]["embeds"][0]["title"]
        == 'RWKV-7 "Goose" with Expressive Dynamic State Evolution'
    )
    assert messages[23]["content"] == "**Papers for 2025-03-20** · 2 papers"
    assert len(messages) == 1 + 22 + 1 + 2
    again = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert again.days == [] and len(posted(world)) == len(messages)


async def test_thread_layout_puts_the_papers_in_a_thread_named_after_the_day(world) -> None:
    subscription, _ = await subscribe(world, keywords="zebras")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    [header] = posted(world)
    assert header["content"] == "**Papers for 2025-03-20** · 1 paper"
    thread = world.fake.channels[int(header["id"])]
    assert thread.name == "Papers for 2025-03-20"
    assert [m["embeds"][0]["title"] for m in posted(world, thread)] == ["A New Paper About Zebras"]


async def test_compact_layout_is_one_message(world) -> None:
    subscription, _ = await subscribe(world, layout="compact", authors="zoe")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    [message] = posted(world)
    assert (
        message["embeds"][0]["description"]
        == "1. [A New Paper About Zebras](https://arxiv.org/abs/2503.99999)"
    )


async def test_before_the_post_time_nothing_is_owed(world) -> None:
    subscription, _ = await subscribe(world, layout="channel")
    report = await world.bot.delivery.deliver(
        subscription, datetime(2025, 3, 19, 8, 30, tzinfo=UTC)
    )
    assert report.days == [] and posted(world) == []


async def test_a_crash_mid_day_resumes_without_duplicates_or_gaps(world, monkeypatch) -> None:
    subscription, _ = await subscribe(world, layout="channel")
    ledger = world.bot.delivery.ledger
    real_sent = ledger.sent
    calls = 0

    async def crash_after_five(*args):
        nonlocal calls
        calls += 1
        if calls == 5:
            raise RuntimeError("killed after posting, before the ledger knew")
        await real_sent(*args)

    monkeypatch.setattr(ledger, "sent", crash_after_five)
    with pytest.raises(RuntimeError):
        await world.bot.delivery.deliver(subscription, NEXT_DAY)
    monkeypatch.setattr(ledger, "sent", real_sent)
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    nonces = [m["nonce"] for m in posted(world)]
    assert len(nonces) == len(set(nonces)) == 2 + 22 + 2  # two headers and every paper, once each


async def test_a_forbidden_channel_breaks_after_three_days_and_tells_the_subscriber(
    world, fake_discord
) -> None:
    await subscribe(world, layout="channel")
    world.channel.overwrites.append(overwrite(world.guild.bot_role, deny=1 << 11))
    for _ in range(3):
        report = await world.bot.delivery.deliver(
            await world.bot.subscriptions.get(world.channel.id), NEXT_DAY
        )
        assert report.failed and "I can't post in" in report.failed
    broken = await world.bot.subscriptions.get(world.channel.id)
    assert (broken.failures, broken.broken) == (3, True)
    [note] = fake_discord.dms(world.fake.owner)
    assert "I stopped posting papers to" in note["content"]
    assert "run /subscription edit in that channel to resume" in note["content"]


def test_the_trigger_follows_the_timezone_across_dst_and_skips_weekends() -> None:
    from datetime import time

    from bot.subscriptions import Subscription

    paris = Subscription(
        1,
        1,
        1,
        1,
        time(9, 0),
        "Europe/Paris",
        ("mon", "tue", "wed", "thu", "fri"),
        (),
        (),
        (),
        "thread",
        SUBSCRIBED,
    )
    cron = trigger(paris)
    friday = datetime(2025, 3, 28, 9, 30, tzinfo=UTC)  # DST starts in Paris on Sunday the 30th
    after = cron.get_next_fire_time(None, friday)
    assert after.isoformat() == "2025-03-31T09:00:00+02:00"  # Monday, 07:00 UTC
    assert paris.next_post(friday).isoformat() == "2025-03-31T09:00:00+02:00"


async def test_catch_up_posts_at_most_catch_up_days_and_one_line_for_the_rest(world) -> None:
    from dataclasses import replace

    config = world.bot.delivery.config
    world.bot.delivery.config = replace(config, delivery=replace(config.delivery, catch_up_days=1))
    subscription, _ = await subscribe(world, layout="channel")
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert (report.days, report.skipped_days) == ([date(2025, 3, 20)], 1)
    messages = posted(world)
    assert messages[0]["content"].startswith(
        "paperboy was away: 1 older day(s) of papers were skipped (2025-03-19"
    )
    assert messages[1]["content"] == "**Papers for 2025-03-20** · 2 papers"
    assert (await world.bot.delivery.deliver(subscription, NEXT_DAY)).days == []
