"""[ops] listen: /healthz and /metrics of the real bot, connected to the fake Discord."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot.config import ConfigError, OpsConfig, load_config
from bot.digest import parse_digest
from fakediscord import FakeDiscord
from tests.cli import cli
from tests.helpers import DATA, ROOT, SEEDS, offline
from tests.test_daily_posts import NEXT_DAY, subscribe


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def value(text: str, name: str) -> float:
    """One sample of the Prometheus text, by its name with labels as printed."""
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in:\n{text}"
    return float(match.group(1))


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


@pytest.fixture
def listen() -> str:
    return f"127.0.0.1:{free_port()}"


async def test_healthz_reports_gateway_database_and_each_sources_last_poll(
    fake_discord: FakeDiscord, run_bot, tmp_path: Path, listen: str
) -> None:
    folder = tmp_path / "digests"
    shutil.copytree(SEEDS, folder)
    guild = fake_discord.add_guild()
    async with run_bot(ops=OpsConfig(listen=listen), sources=offline(folder)) as bot:
        await fake_discord.wait_for(lambda: bot.metrics.last_success, 10, "the first poll")
        status, kind, body = await get(f"http://{listen}/healthz")
        assert status == 200 and kind.startswith("application/json")
        health = json.loads(body)
        assert (health["ok"], health["gateway"], health["database"]) == (True, True, True)
        [(name, when)] = health["sources"].items()
        assert name == f"folder {folder}" and when.startswith("20")
        blocker = sqlite3.connect(bot.config.database.path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        bot.ops.write_check = 0.2
        try:
            status, _, body = await get(f"http://{listen}/healthz")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert status == 503
        assert '"database": false' in body and '"ok": false' in body
        bot.ops.write_check = 10.0
        status, _, body = await get(f"http://{listen}/healthz")
        assert status == 200  # the lock is free again, and no transaction was left open
        await bot.subscriptions.subscribe(guild.id, 1234, fake_discord.owner.id)  # writes work


async def test_metrics_count_polls_papers_posts_429s_and_commands(
    world, fake_discord: FakeDiscord, run_bot, tmp_path: Path, listen: str
) -> None:
    await world.bot.close()  # this test runs its own bot, with [ops] on
    folder = tmp_path / "digests"
    folder.mkdir()
    shutil.copy(DATA / "2025-02-03.md", folder)  # a day the database does not hold yet
    day_file = DATA / "2025-02-03.md"
    fresh = len(parse_digest(day_file.read_text("utf-8"), str(day_file)).papers)
    async with run_bot(ops=OpsConfig(listen=listen), sources=offline(folder)) as bot:
        world.bot = bot
        await fake_discord.wait_for(lambda: bot.metrics.last_success, 10, "the first poll")
        subscription, _ = await subscribe(world, layout="compact")
        fake_discord.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.05)
        await bot.delivery.deliver(subscription, NEXT_DAY)
        await (await fake_discord.slash("paper search", user=world.alice, query="goose")).reply()
        status, kind, text = await get(f"http://{listen}/metrics")
    assert status == 200 and kind.startswith("text/plain; version=")
    source = f'source="folder {folder}"'
    assert value(text, "paperboy_guilds") == 1
    assert value(text, f'paperboy_polls_total{{outcome="ok",{source}}}') == 1
    assert value(text, f"paperboy_papers_ingested_total{{{source}}}") == fresh > 0
    assert value(text, 'paperboy_posts_total{outcome="sent"}') == 2  # one compact message a day
    assert value(text, "paperboy_discord_rate_limited_total") == 1
    assert value(text, "paperboy_deliveries_pending") == 0
    assert value(text, 'paperboy_command_latency_seconds_count{command="paper search"}') == 1
    assert value(text, "paperboy_gateway_latency_seconds") >= 0
    assert 'paperboy_posts_total{outcome="failed"}' not in text  # nothing failed


async def test_the_endpoint_is_off_by_default(run_bot, fake_discord: FakeDiscord) -> None:
    fake_discord.add_guild()
    async with run_bot() as bot:
        assert bot.config.ops.listen == "" and bot.ops is None


@pytest.mark.parametrize("listen", ["9300", "localhost:", "127.0.0.1:99999", ":9300"])
def test_a_bad_listen_address_is_refused(tmp_path: Path, listen: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[ops]\nlisten = "{listen}"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"\[ops\] listen: .* is not host:port"):
        load_config(path, env={})
    assert load_config(env={}).ops == OpsConfig(listen="")  # off by default
    assert load_config(ROOT / "config.example.toml", env={}).ops == OpsConfig(listen="")


async def test_the_health_command_asks_the_running_bot(
    fake_discord: FakeDiscord, run_bot, tmp_path: Path, listen: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[ops]\nlisten = "{listen}"\n', "utf-8")
    fake_discord.add_guild()
    async with run_bot(ops=OpsConfig(listen=listen)):
        healthy = await asyncio.to_thread(cli, "--config", str(config), "health")
    assert healthy.returncode == 0, healthy.stderr
    assert '"ok": true' in healthy.stdout
    down = await asyncio.to_thread(cli, "--config", str(config), "health")
    assert down.returncode == 1
    assert down.stderr.startswith(f"error: nothing answers at http://{listen}/healthz (")
    off = cli("health")
    assert off.returncode == 1 and "[ops] listen is off" in off.stderr
