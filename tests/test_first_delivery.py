"""What a new subscription receives first, and that starting the bot never floods old days.

The database holds 2025-03-19, 2025-03-20 and 2025-04-04; the bot's clock says 2025-04-04 12:00
UTC. A subscription is owed the days from the day it was made, each once its post time passed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Config
from bot.db import Database, PaperStore
from bot.subscriptions import SubscriptionService
from fakediscord import FakeDiscord

NOW = datetime(2025, 4, 4, 12, 0, tzinfo=UTC)  # a Friday
EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"


async def made_at(path: Path, when: datetime, guild: int, channel: int, owner: int, **fields):
    database = await Database.open(path)
    try:
        service = SubscriptionService(database, Config(), lambda: when)
        await service.subscribe(guild, channel, owner, weekdays=EVERY_DAY, **fields)
    finally:
        await database.close()


def headers(fake: FakeDiscord, channel) -> list[str]:
    return [m["content"] for m in fake.messages(channel) if m["content"].startswith("**Papers")]


async def papers_of(path: Path, day: date) -> int:
    database = await Database.open(path)
    try:
        return len(await PaperStore(database).day(day))
    finally:
        await database.close()


async def test_starting_the_bot_posts_only_the_days_since_each_subscription(
    fake_discord: FakeDiscord, run_bot, paper_db: Path
) -> None:
    guild = fake_discord.add_guild()
    fresh, waiting = guild.add_channel("fresh"), guild.add_channel("waiting")
    owner = fake_discord.owner.id
    # Made this morning after the 09:00 post: today's papers are its first post.
    await made_at(paper_db, NOW.replace(hour=10), guild.id, fresh.id, owner, layout="channel")
    # Made this morning, posting at 15:00: nothing yet, although today's papers are in.
    await made_at(paper_db, NOW.replace(hour=10), guild.id, waiting.id, owner, time="15:00")
    today = await papers_of(paper_db, date(2025, 4, 4))
    async with run_bot(clock=lambda: NOW) as bot:
        await fake_discord.wait_for(
            lambda: len(fake_discord.messages(fresh)) == 1 + today, 10, "today's papers"
        )
        await bot.delivery.deliver_all(NOW)  # a second round: everything owed is already out
    assert headers(fake_discord, fresh) == [f"**Papers for 2025-04-04** · {today} papers"]
    assert fake_discord.messages(waiting) == []  # before its time, and never the old days


async def test_a_subscription_made_today_gets_today_first_and_never_earlier_days(
    fake_discord: FakeDiscord, run_bot, paper_db: Path
) -> None:
    guild = fake_discord.add_guild()
    channel = guild.add_channel("papers")
    today = await papers_of(paper_db, date(2025, 4, 4))
    async with run_bot(clock=lambda: NOW) as bot:
        bot.subscriptions.clock = lambda: NOW
        await bot.subscriptions.subscribe(
            guild.id, channel.id, fake_discord.owner.id, weekdays=EVERY_DAY, layout="compact"
        )
        await bot.scheduler.fire(channel.id)
        await bot.scheduler.fire(channel.id)  # a second run owes nothing more
    assert [m["embeds"][0]["title"] for m in fake_discord.messages(channel)] == [
        f"Papers for 2025-04-04 · {today} papers"
    ]
