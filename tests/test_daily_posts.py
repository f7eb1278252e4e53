"""What a subscribed channel receives, end to end: layouts, owed days, exactly once, catch-up.

The real bot, a real database and the fake Discord; faults on Discord's side are in
test_delivery_faults.py, the slash commands that manage subscriptions in test_subscriptions_cog.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from tests.delivering import NEXT_DAY, posted, subscribe
from tests.fakediscord import SEND_MESSAGES, is_ephemeral, overwrite


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


async def test_the_compact_menu_bookmarks_the_picked_papers(world) -> None:
    subscription, _ = await subscribe(world, layout="compact")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    last = posted(world)[-1]
    options = last["components"][0]["components"][0]["options"]
    picked = [options[0]["value"]]
    ix = await world.fake.select(last, "paperboy:bookmark-select", picked, user=world.alice)
    reply = await ix.reply()
    assert reply["content"] == "Saved 1 of 1 papers to your bookmarks." and is_ephemeral(reply)
    page = await world.bot.bookmarks.saved(world.alice.id)
    assert [paper.arxiv_id for paper in page.items] == picked


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
    world.channel.overwrites.append(overwrite(world.guild.bot_role, deny=SEND_MESSAGES))
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


async def test_catch_up_posts_at_most_catch_up_days_and_one_line_for_the_rest(world) -> None:
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
