"""`python -m bot run` as a service manager runs it: a real subprocess, signals, Discord down.

The bot runs through the production CLI (tests/launch_bot.py --cli only points discord.py at the
fake Discord and shortens the retry backoff), so logging, signal handling and retries are real.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.db import Database
from fakediscord import TOKEN, FakeDiscord

pytestmark = pytest.mark.slow  # each test runs the whole bot as a subprocess (seconds each)

ROOT = Path(__file__).resolve().parent.parent
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR) [\w.]+: ")


class Bot:
    """A `python -m bot run` subprocess whose stderr lines are read as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    async def line_with(self, text: str, timeout: float = 20) -> str:
        async def read() -> str:
            assert self.process.stderr is not None
            while raw := await self.process.stderr.readline():
                self.lines.append(raw.decode().rstrip("\n"))
                if text in self.lines[-1]:
                    return self.lines[-1]
            raise AssertionError(f"exited before {text!r}:\n" + "\n".join(self.lines))

        return await asyncio.wait_for(read(), timeout)

    async def lines_with(self, *texts: str, timeout: float = 20) -> None:
        """Read on until every one of ``texts`` has been seen, in whatever order."""

        async def read() -> None:
            assert self.process.stderr is not None
            while not all(any(t in line for line in self.lines) for t in texts):
                raw = await self.process.stderr.readline()
                if not raw:
                    raise AssertionError(f"exited before {texts!r}:\n" + "\n".join(self.lines))
                self.lines.append(raw.decode().rstrip("\n"))

        await asyncio.wait_for(read(), timeout)

    async def stop(self, number: signal.Signals = signal.SIGTERM) -> int:
        self.process.send_signal(number)
        _, rest = await asyncio.wait_for(self.process.communicate(), 20)
        self.lines += rest.decode().splitlines()
        assert self.process.returncode is not None
        return self.process.returncode


def write_config(tmp_path: Path, log_level: str = "INFO") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[bot]\nlog_level = "{log_level}"\n[database]\npath = "paperboy.db"\n'
        '[sources]\nfolder = ""\nhuggingface = false\narxiv = false\n',
        "utf-8",
    )
    return config


@asynccontextmanager
async def launched(base_url: str, config: Path) -> AsyncIterator[Bot]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOY_")}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.launch_bot", base_url, "--cli", "--config", str(config)),
        "run",
        cwd=ROOT,
        env={**environment, "DISCORD_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)},
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    bot = Bot(process)
    try:
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    server.add_guild()
    yield server
    await server.stop()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_stops_the_bot_cleanly(
    fake: FakeDiscord, tmp_path: Path, number: signal.Signals
) -> None:
    async with launched(fake.base_url, write_config(tmp_path)) as bot:
        await bot.line_with("logged in as")
        assert await bot.stop(number) == 0
    stopping = [
        next(i for i, line in enumerate(bot.lines) if line.endswith(text))
        for text in (
            f"{number.name} received: stopping",
            "scheduler stopped",
            "closed",
            ": stopped",
        )
    ]
    assert stopping == sorted(stopping), bot.lines
    assert f"database {tmp_path / 'paperboy.db'} closed" in bot.lines[stopping[2]]
    assert all(LOG_LINE.match(line) for line in bot.lines), bot.lines  # no traceback
    wal = tmp_path / "paperboy.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed into the database
    database = await Database.open(tmp_path / "paperboy.db")
    assert await database.schema_version() > 0
    await database.close()


async def test_start_up_is_logged_at_info_without_the_voice_warnings(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with launched(fake.base_url, write_config(tmp_path)) as bot:
        await bot.lines_with("logged in as", "papers ingested")
        assert await bot.stop() == 0
    text = "\n".join(bot.lines)
    assert re.search(r"synced \d+ commands globally", text)
    assert re.search(r"scheduler started with \d+ jobs", text)
    assert "papers ingested: no source is configured" in text
    assert f"logged in as {fake.bot_user.name}" in text
    assert "voice" not in text
    assert "apscheduler" not in text  # no line for every job run at INFO


async def test_log_level_in_the_config_is_obeyed(fake: FakeDiscord, tmp_path: Path) -> None:
    async with launched(fake.base_url, write_config(tmp_path, "WARNING")) as bot:
        await fake.wait_for(lambda: fake.identify is not None, 20, "IDENTIFY")
        assert await bot.stop() == 0
    assert [line for line in bot.lines if " INFO " in line] == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_discord_unreachable_is_one_line_per_retry_until_it_comes_up(tmp_path: Path) -> None:
    port = free_port()
    async with launched(f"http://127.0.0.1:{port}", write_config(tmp_path)) as bot:
        first = await bot.line_with("cannot reach Discord")
        second = await bot.line_with("cannot reach Discord")
        assert first.endswith("retrying in 0.05 s") and second.endswith("retrying in 0.1 s")
        fake = FakeDiscord()
        fake.add_guild()
        await fake.start(port)
        try:
            await bot.line_with("logged in as")
            assert await bot.stop() == 0
        finally:
            await fake.stop()
    assert all(LOG_LINE.match(line) for line in bot.lines), bot.lines
    assert "Traceback" not in "\n".join(bot.lines)


async def test_a_taken_ops_port_is_one_line_and_a_failing_exit(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path)
        config.write_text(config.read_text("utf-8") + f'[ops]\nlisten = "127.0.0.1:{port}"\n')
        async with launched(fake.base_url, config) as bot:
            _, rest = await asyncio.wait_for(bot.process.communicate(), 30)
    assert bot.process.returncode == 1
    lines = rest.decode().splitlines()
    assert f"error: [ops] listen: cannot listen on 127.0.0.1:{port}: " in lines[-1]
    assert "Traceback" not in rest.decode() and "cannot reach Discord" not in rest.decode()
