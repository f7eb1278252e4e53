"""`python -m bot run`: a missing or rejected token is a clear message and a failing exit."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.edge.runner import BAD_TOKEN, run
from fakediscord import FakeDiscord
from tests.cli import cli


def test_without_a_token_it_explains_how_to_get_one(tmp_path: Path) -> None:
    result = cli("run", cwd=tmp_path, PAPERBOY_DB=str(tmp_path / "p.db"))
    assert result.returncode == 2
    assert "paperboy needs a Discord bot token to run." in result.stderr
    assert "export DISCORD_TOKEN=" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def fake_in_a_thread(monkeypatch):
    """A fake Discord on its own loop, so the bot's own asyncio.run() can talk to it."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    fake: list[FakeDiscord] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        fake.append(FakeDiscord())
        loop.run_until_complete(fake[0].start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(5)
    import discord

    monkeypatch.setattr(discord.http.Route, "BASE", f"{fake[0].base_url}/api/v10")
    yield fake[0]
    asyncio.run_coroutine_threadsafe(fake[0].stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def test_a_rejected_token_is_a_message_not_a_traceback(fake_in_a_thread, tmp_path, capsys) -> None:
    config = load_config(env={"DISCORD_TOKEN": "revoked", "PAPERBOY_DB": str(tmp_path / "p.db")})
    assert isinstance(config, Config)
    assert run(config) == 1
    assert capsys.readouterr().err.strip() == BAD_TOKEN
    assert [call.status for call in fake_in_a_thread.calls] == [401]
