"""The fake Discord's own tests run a throwaway bot (``toy_bot``) against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fakediscord import FakeDiscord, running
from tests.test_fakediscord.toy_bot import Lab, Seen, make_bot


@pytest.fixture
async def lab(fake_discord: FakeDiscord) -> AsyncIterator[Lab]:
    guild = fake_discord.add_guild(name="Research Lab")
    channel = guild.add_channel("papers")
    alice = fake_discord.add_user("alice")
    guild.add_member(alice)
    seen = Seen()
    bot = make_bot(seen)
    async with running(bot, fake_discord):
        yield Lab(fake_discord, bot, guild, channel, alice, seen)
