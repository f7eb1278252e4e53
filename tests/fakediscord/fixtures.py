"""The pytest fixture: a fresh, started fake Discord per test, with discord.py pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .client import pointing_discord_at
from .server import FakeDiscord


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord; fails the test on routes it does not know or on its own crash."""
    fake = FakeDiscord()
    await fake.start()
    try:
        with pointing_discord_at(fake.base_url):
            yield fake
    finally:
        await fake.stop()
    unknown = [f"{c.method} {c.path}" for c in fake.unhandled]
    assert not unknown, f"the bot called routes the fake does not implement: {unknown}"
    assert not fake.errors, f"the fake Discord crashed: {fake.errors}"
