"""Delivery spaces its requests under Discord's global limit (50 a second) instead of collecting
429s. The other tests run the bot unpaced (the fake has no global limit); here the spacing is
checked on a clock the test holds, so nothing waits for real."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.edge.client import create_bot
from bot.edge.poster import Pacer
from fakediscord import FakeDiscord
from tests.delivering import NEXT_DAY, SUBSCRIBED
from tests.fixtures_bot import RunBot


class Sleeps(list[float]):
    """A sleep that only notes how long it was asked to wait."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_a_request_waits_only_when_it_comes_sooner_than_the_rate_allows() -> None:
    now, sleeps = [10.0], Sleeps()
    pacer = Pacer(per_second=10, clock=lambda: now[0], sleep=sleeps)
    await pacer.wait()  # the first goes at once
    await pacer.wait()  # the next waits its tenth of a second
    await pacer.wait()  # and the one after that, two tenths (its slot is after the second's)
    now[0] = 11.0  # a quiet second: the slots are free again
    await pacer.wait()
    now[0] = 11.05  # half a slot later: waits the other half
    await pacer.wait()
    assert sleeps == pytest.approx([0.1, 0.2, 0.05])


def test_the_bot_paces_under_the_global_limit_unless_told_otherwise() -> None:
    assert 1 / create_bot(Config()).pacer.spacing < 50
    assert create_bot(Config(), pacer=Pacer(per_second=5)).pacer.spacing == 0.2


async def test_every_request_a_delivery_makes_waits_its_turn(
    fake_discord: FakeDiscord, run_bot: RunBot
) -> None:
    guild = fake_discord.add_guild()
    channel = guild.add_channel("papers")
    sleeps = Sleeps()
    pacer = Pacer(per_second=40, clock=lambda: 100.0, sleep=sleeps)  # time stands still
    async with run_bot(pacer=pacer) as bot:
        bot.subscriptions.clock = lambda: SUBSCRIBED
        subscription, _ = await bot.subscriptions.subscribe(
            guild.id, channel.id, fake_discord.owner.id, layout="channel"
        )
        before = len(fake_discord.calls)
        report = await bot.delivery.deliver(subscription, NEXT_DAY)
        made = fake_discord.calls[before:]
    assert report.failed is None
    assert [call.method for call in made] == ["POST"] * (1 + 22 + 1 + 2)  # two days' posts
    assert sleeps == pytest.approx([n / 40 for n in range(1, len(made))])
