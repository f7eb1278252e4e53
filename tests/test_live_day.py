"""A fresh install's default sources bring each new day by themselves: the real bot, its default
Hugging Face source pointed at a local stand-in of the API, the fake Discord. Nothing else feeds it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web

from bot.config import Config, SourcesConfig
from bot.db import Database
from bot.subscriptions import SubscriptionService
from fakediscord import FakeDiscord

DAYS = {
    "2026-01-05": [("2601.00001", "Monday Paper One"), ("2601.00002", "Monday Paper Two")],
    "2026-01-06": [("2601.00003", "Tuesday Paper")],
}


def api_answer(day: str) -> bytes:
    items = [
        {"paper": {"id": arxiv_id, "title": title, "authors": [{"name": "Ada"}], "summary": "S."}}
        for arxiv_id, title in DAYS.get(day, [])
    ]
    return json.dumps(items).encode()


@pytest.fixture
async def api() -> AsyncIterator[tuple[str, list[str]]]:
    """The daily-papers API: a day is there once it is 'published' (in the list)."""
    published: list[str] = []

    async def daily_papers(request: web.Request) -> web.Response:
        day = request.query.get("date", "")
        body = api_answer(day) if day in published else b"[]"
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/daily_papers", daily_papers)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/api/daily_papers", published
    await runner.cleanup()


async def test_the_default_source_posts_each_new_day_once(
    fake_discord: FakeDiscord, run_bot, paper_db, api
) -> None:
    url, published = api
    guild = fake_discord.add_guild()
    channel = guild.add_channel("papers")
    database = await Database.open(paper_db)
    made = datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    await SubscriptionService(database, Config(), lambda: made).subscribe(
        guild.id,
        channel.id,
        fake_discord.owner.id,
        weekdays="mon,tue,wed,thu,fri,sat,sun",
        layout="channel",
    )
    await database.close()
    now = [datetime(2026, 1, 5, 10, 0, tzinfo=UTC)]
    published.append("2026-01-05")
    sources = SourcesConfig(folder="", huggingface_url=url, arxiv=False, lookback_days=1, retries=0)
    assert sources.huggingface  # the default: nothing turned on by hand
    async with run_bot(clock=lambda: now[0], sources=sources) as bot:
        await fake_discord.wait_for(lambda: len(fake_discord.messages(channel)) == 3, 10, "day 1")
        now[0] = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)  # the next day is published
        published.append("2026-01-06")
        await bot.scheduler.poll()
        await fake_discord.wait_for(lambda: len(fake_discord.messages(channel)) == 5, 10, "day 2")
        await bot.scheduler.poll()  # nothing new: nothing posted again
    contents = [m["content"] for m in fake_discord.messages(channel)]
    titles = [m["embeds"][0]["title"] for m in fake_discord.messages(channel) if m.get("embeds")]
    assert [c for c in contents if c] == [
        "**Papers for 2026-01-05** · 2 papers",
        "**Papers for 2026-01-06** · 1 paper",
    ]
    assert titles == ["Monday Paper One", "Monday Paper Two", "Tuesday Paper"]
