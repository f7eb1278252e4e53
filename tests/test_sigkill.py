"""SIGKILL mid fan-out: the bot runs as a subprocess, is killed after N posts, restarted, and
every channel still ends with each paper exactly once (no duplicate from a re-post, no gap);
also across many kills, each followed by a downtime longer than Discord's nonce window."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config
from bot.db.core import Database
from bot.db.papers import PaperStore
from bot.subscriptions import SubscriptionService
from fakediscord import Channel, FakeDiscord
from synthetic_corpus import load_vocabulary, synthetic_papers

ROOT = Path(__file__).resolve().parent.parent
CHANNELS, PAPERS = 20, 10


async def seed_database(path: Path, channels: list[Channel], guild_id: int, owner: int) -> set[str]:
    """Today's papers, and subscriptions made yesterday posting at 00:00 UTC: all due on start."""
    today = datetime.now(UTC).date()
    batch = next(synthetic_papers(load_vocabulary(), PAPERS, per_day=PAPERS))
    batch = [replace(paper, day=today) for paper in batch]
    db = await Database.open(str(path))
    try:
        await PaperStore(db).ingest(today, batch, "test")
        yesterday = datetime.now(UTC) - timedelta(days=1)
        service = SubscriptionService(db, Config(), lambda: yesterday)
        for n, channel in enumerate(channels):
            await service.subscribe(
                guild_id,
                channel.id,
                owner,
                time="00:00",
                timezone="UTC",
                weekdays="mon,tue,wed,thu,fri,sat,sun",
                layout="thread" if n % 2 else "channel",
            )
    finally:
        await db.close()
    return {paper.arxiv_url for paper in batch}


async def launch(fake: FakeDiscord, path: Path, *extra: float) -> asyncio.subprocess.Process:
    """The bot as a subprocess; ``extra``: its clock offset and nonce window (see launch_bot)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.launch_bot",
        fake.base_url,
        str(path),
        *(str(value) for value in extra),
        cwd=ROOT,
    )


def paper_posts(fake: FakeDiscord) -> Counter[tuple[int, str]]:
    """(subscribed channel, paper URL) for every paper message, threads counted in their parent."""
    seen: Counter[tuple[int, str]] = Counter()
    for message in fake.created:
        if message["author"]["id"] != str(fake.bot_user.id) or not message.get("embeds"):
            continue
        channel = fake.channel(message["channel_id"])
        root = channel.parent_id or channel.id
        seen[(int(root), message["embeds"][0].get("url", ""))] += 1
    return seen


async def finish_then_kill(
    fake: FakeDiscord,
    bot: asyncio.subprocess.Process,
    expected: set[tuple[int, str]],
    timeout: float,
) -> None:
    """Wait until every paper is in every channel, then kill the bot (also when it never gets there)."""
    try:
        await fake.wait_for(
            lambda: set(paper_posts(fake)) >= expected, timeout, "every paper in every channel"
        )
    finally:
        bot.send_signal(signal.SIGKILL)
        await bot.wait()


def assert_each_paper_once(
    fake: FakeDiscord, expected: set[tuple[int, str]], note: str = ""
) -> None:
    """Every paper in every channel exactly once, and one day header per channel."""
    posts = paper_posts(fake)
    assert set(posts) == expected, note
    assert [key for key, count in posts.items() if count > 1] == [], note
    headers = Counter(
        m["channel_id"] for m in fake.created if m["content"].startswith("**Papers for")
    )
    assert sorted(headers.values()) == [1] * CHANNELS, note


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 90])
async def test_sigkill_mid_fan_out_posts_each_paper_once(tmp_path: Path, kill_after: int) -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        guild = fake.add_guild()
        channels = [guild.add_channel(f"papers-{n}") for n in range(CHANNELS)]
        path = tmp_path / "paperboy.db"
        urls = await seed_database(path, channels, guild.id, fake.owner.id)
        bot = await launch(fake, path)
        await fake.wait_for(lambda: len(fake.created) >= kill_after, 15, f"{kill_after} posts")
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        bot = await launch(fake, path)
        expected = {(c.id, url) for c in channels for url in urls}
        await finish_then_kill(fake, bot, expected, 15)
    finally:
        await fake.stop()
    assert_each_paper_once(fake, expected)


DOWNTIME = 3600.0  # simulated seconds between a kill and the restart: far past the nonce window
KILLS = 10


@pytest.mark.slow
async def test_ten_kills_each_followed_by_a_long_downtime_leave_no_duplicate_and_no_gap(
    tmp_path: Path,
) -> None:
    """The fake forgets nonces after 1 s and its clock jumps an hour at each restart (so does the
    bot's): a message in flight at a kill can only be found again by reading the channel."""
    skew = [0.0]
    fake = FakeDiscord(clock=lambda: time.monotonic() + skew[0])
    fake.nonce_window = 1.0
    await fake.start()
    seed = random.randrange(1_000_000)
    try:
        guild = fake.add_guild()
        channels = [guild.add_channel(f"papers-{n}") for n in range(CHANNELS)]
        path = tmp_path / "paperboy.db"
        urls = await seed_database(path, channels, guild.id, fake.owner.id)
        total = CHANNELS * (1 + PAPERS)
        kill_points = sorted(random.Random(seed).sample(range(1, total), KILLS))
        expected = {(c.id, url) for c in channels for url in urls}
        for point in kill_points:
            bot = await launch(fake, path, skew[0], 1.0)
            try:
                await fake.wait_for(
                    lambda at=point: len(fake.created) >= at or set(paper_posts(fake)) >= expected,
                    30,
                    f"{point} posts",
                )
            finally:
                bot.send_signal(signal.SIGKILL)
                await bot.wait()
            skew[0] += DOWNTIME
        bot = await launch(fake, path, skew[0], 1.0)
        await finish_then_kill(fake, bot, expected, 30)
    finally:
        await fake.stop()
    assert_each_paper_once(fake, expected, f"seed {seed}")
    assert fake.stats["nonce_dedupes"] == 0  # Discord's dedupe never helped: the window was over
    assert fake.stats["history_reads"] > 0
