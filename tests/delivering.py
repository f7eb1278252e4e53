"""Shared by the delivery tests: subscribe the world's channel at a fixed moment, read the posts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.subscriptions import Subscription
from fakediscord import Channel
from tests.fixtures_bot import World

SUBSCRIBED = datetime(2025, 3, 19, 8, 0, tzinfo=UTC)  # before the 09:00 post of the 19th
NEXT_DAY = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)  # after the 09:00 post of the 20th


async def subscribe(world: World, **options: Any) -> tuple[Subscription, bool]:
    """Subscribe #papers as the guild owner, at SUBSCRIBED: 2025-03-19 and -20 are owed by NEXT_DAY."""
    world.bot.subscriptions.clock = lambda: SUBSCRIBED
    return await world.bot.subscriptions.subscribe(
        world.guild.id, world.channel.id, world.fake.owner.id, **options
    )


def posted(world: World, channel: Channel | None = None) -> list[dict[str, Any]]:
    """What the bot posted in ``channel`` (default #papers), oldest first."""
    return [
        m
        for m in world.fake.messages(channel or world.channel)
        if m["author"]["id"] == str(world.fake.bot_user.id)
    ]


async def crash_mid_day_then_resume(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Deliver NEXT_DAY to a channel subscription, killed after the 5th message was posted but
    before the ledger knew; deliver again; return the nonces of every message now posted."""
    subscription, _ = await subscribe(world, layout="channel")
    ledger = world.bot.delivery.ledger
    real_sent, calls = ledger.sent, 0

    async def crash_after_five(*args: Any) -> None:
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
    return [m["nonce"] for m in posted(world)]
