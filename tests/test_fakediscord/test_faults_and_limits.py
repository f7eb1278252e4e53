"""Injected faults and Discord-like rate limits, as discord.py experiences them."""

from __future__ import annotations

import asyncio

import discord
import pytest

from fakediscord import (
    RateLimits,
)
from tests.test_fakediscord.toy_bot import Lab, text


async def test_injected_faults_surface_as_discord_errors(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    lab.fake.fail_next("POST", "/channels/{channel_id}/messages", 403)
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("one")
    lab.fake.fail_next("POST", r"/channels/\d+/messages", 404, code=10003)
    with pytest.raises(discord.NotFound):
        await channel.send("two")
    await channel.send("three")
    assert forbidden.value.code == 50013
    assert [m["content"] for m in lab.fake.messages(lab.channel)] == ["three"]
    assert [c.status for c in lab.fake.calls[-3:]] == [403, 404, 200]


async def test_an_injected_429_is_waited_out_and_the_post_succeeds(lab: Lab) -> None:
    lab.fake.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.05)
    await lab.bot.get_channel(lab.channel.id).send("patient")
    assert lab.fake.stats["429"] == 1
    assert [c.status for c in lab.fake.calls[-2:]] == [429, 200]
    assert [m["content"] for m in lab.fake.messages(lab.channel)] == ["patient"]


async def test_a_channel_bucket_answers_429_and_discord_py_waits_it_out(lab: Lab) -> None:
    channel = lab.bot.get_channel(lab.channel.id)
    await channel.send("before the limits")  # discord.py now believes the bucket is roomy
    limits = RateLimits(global_per_second=50, channel_messages=2, channel_window=0.1)
    lab.fake.set_rate_limits(limits)
    await asyncio.gather(*(channel.send(f"post {n}") for n in range(4)))
    refused = [c for c in lab.fake.calls if c.status == 429]
    assert refused and lab.fake.stats["429"] == len(refused)
    posted = [m["content"] for m in lab.fake.messages(lab.channel)]
    assert sorted(posted[1:]) == [f"post {n}" for n in range(4)]


async def test_the_channel_bucket_headers_make_discord_py_pace_itself(lab: Lab) -> None:
    limits = RateLimits(global_per_second=50, channel_messages=2, channel_window=0.1)
    lab.fake.set_rate_limits(limits)
    channel = lab.bot.get_channel(lab.channel.id)
    await asyncio.gather(*(channel.send(f"post {n}") for n in range(5)))
    assert lab.fake.stats["429"] == 0  # it read X-RateLimit-Remaining and waited
    assert len(lab.fake.messages(lab.channel)) == 5


async def test_the_global_limit_answers_429_and_discord_py_retries(lab: Lab) -> None:
    others = [lab.guild.add_channel(f"c{n}") for n in range(4)]
    limits = RateLimits(global_per_second=2, global_window=0.05, channel_messages=5)
    lab.fake.set_rate_limits(limits)
    await asyncio.gather(*(lab.bot.http.send_message(c.id, params=text("hi")) for c in others))
    assert lab.fake.stats["429_global"] >= 1
    assert all(len(lab.fake.messages(c)) == 1 for c in others)
