"""What a subscribed channel receives, end to end: layouts, owed days, exactly once, catch-up.

The real bot, a real database and the fake Discord; faults on Discord's side are in
test_delivery_faults.py, the slash commands that manage subscriptions in test_subscriptions_cog.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from fakediscord import SEND_MESSAGES, is_ephemeral, overwrite
from tests.delivering import NEXT_DAY, crash_mid_day_then_resume, posted, subscribe


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
    nonces = await crash_mid_day_then_resume(world, monkeypatch)
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


async def test_a_weekly_subscription_posts_the_weeks_top_on_its_last_weekday(world) -> None:
    # 2025-03-20 is a Thursday: the last of mon-thu, so its post ends with the week's top papers.
    subscription, _ = await subscribe(
        world, layout="channel", weekdays="mon,tue,wed,thu", weekly=True
    )
    assert subscription.weekly and "weekly recap Thu" in subscription.describe()
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    messages = posted(world)
    recap = messages[-1]["embeds"][0]
    assert recap["title"] == "Top papers of the week, 2025-03-14 to 2025-03-20"
    assert recap["description"].startswith("**1. [")
    titles = [m["embeds"][0].get("title", "") for m in messages if m.get("embeds")]
    assert sum(title.startswith("Top papers") for title in titles) == 1
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert len(posted(world)) == len(messages)  # exactly once


async def test_no_recap_unless_asked_or_before_the_last_weekday(world) -> None:
    subscription, _ = await subscribe(
        world, layout="channel", weekdays="mon,tue,wed,thu,fri", weekly=True
    )
    await world.bot.delivery.deliver(subscription, NEXT_DAY)  # Wednesday and Thursday only
    titles = [m["embeds"][0].get("title", "") for m in posted(world) if m.get("embeds")]
    assert not any(title.startswith("Top papers") for title in titles)
    plain = replace(subscription, weekly=False)
    assert not plain.recap_day(date(2025, 3, 21)) and subscription.recap_day(date(2025, 3, 21))
