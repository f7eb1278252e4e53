"""Delivery when Discord misbehaves, through the real discord.py: a 429, a 5xx in one channel."""

from __future__ import annotations

from tests.delivering import NEXT_DAY, posted, subscribe


async def test_a_429_is_waited_out_and_the_message_posted_once(world, fake_discord) -> None:
    subscription, _ = await subscribe(world, layout="channel")
    fake_discord.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.05)
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert report.failed is None
    contents = [m["content"] for m in posted(world) if m["content"]]
    assert contents == [
        "**Papers for 2025-03-19** · 22 papers",
        "**Papers for 2025-03-20** · 2 papers",
    ]
    assert [c.status for c in fake_discord.calls if c.method == "POST"][:2] == [429, 200]


async def test_a_5xx_interrupts_that_channel_only_and_resumes_without_duplicates(
    world, fake_discord
) -> None:
    other = world.guild.add_channel("other")
    await fake_discord.dispatch("CHANNEL_CREATE", other.payload())
    await subscribe(world, layout="channel")
    world.bot.subscriptions.clock = lambda: NEXT_DAY.replace(day=19, hour=8)
    await world.bot.subscriptions.subscribe(
        world.guild.id, other.id, world.fake.owner.id, layout="compact"
    )
    # 503 is not retried by discord.py: the first channel's run stops at its first message.
    fake_discord.fail_next("POST", f"/channels/{world.channel.id}/messages", 503)
    reports = await world.bot.delivery.deliver_all(NEXT_DAY)
    assert reports[world.channel.id].failed.startswith("Discord answered 503")
    assert reports[other.id].failed is None
    assert len(posted(world, other)) == 2  # one compact message per day
    assert (await world.bot.subscriptions.get(world.channel.id)).failures == 0  # not its fault
    assert posted(world) == []
    again = await world.bot.delivery.deliver_all(NEXT_DAY)
    assert again[world.channel.id].failed is None
    assert len(posted(world)) == 1 + 22 + 1 + 2
    assert len(posted(world, other)) == 2
