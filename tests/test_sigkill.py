"""SIGKILL mid fan-out: the bot runs as a subprocess, is killed after N posts, restarted, and
every channel still ends with each paper exactly once (no duplicate from a re-post, no gap)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config
from bot.db.core import Database
from bot.db.papers import PaperStore
from bot.subscriptions import SubscriptionService
from synthetic_corpus import load_vocabulary, synthetic_papers
from tests.fakediscord import Channel, FakeDiscord

ROOT = Path(__file__).resolve().parent.parent
CHANNELS, PAPERS = 20, 10


async def seed(path: Path, channels: list[Channel], guild_id: int, owner: int) -> set[str]:
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


async def launch(fake: FakeDiscord, path: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.launch_bot", fake.base_url, str(path), cwd=ROOT
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


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 90])
async def test_sigkill_mid_fan_out_posts_each_paper_once(tmp_path: Path, kill_after: int) -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        guild = fake.add_guild()
        channels = [guild.add_channel(f"papers-{n}") for n in range(CHANNELS)]
        path = tmp_path / "paperboy.db"
        urls = await seed(path, channels, guild.id, fake.owner.id)
        bot = await launch(fake, path)
        await fake.wait_for(lambda: len(fake.created) >= kill_after, 15, f"{kill_after} posts")
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        bot = await launch(fake, path)
        expected = {(c.id, url) for c in channels for url in urls}
        try:
            await fake.wait_for(
                lambda: set(paper_posts(fake)) >= expected, 15, "every paper in every channel"
            )
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
    finally:
        await fake.stop()
    posts = paper_posts(fake)
    assert set(posts) == expected
    assert [key for key, count in posts.items() if count > 1] == []
    headers = Counter(
        m["channel_id"] for m in fake.created if m["content"].startswith("**Papers for")
    )
    assert sorted(headers.values()) == [1] * CHANNELS
