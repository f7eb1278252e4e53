"""The top of a period: the walk down the upvotes index and the scan of the period rank alike,
and both agree with upvotes + weight x this server's bookmarks computed by hand."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.bookmarks import BookmarkService
from bot.db import PaperStore
from bot.db.discovery import DiscoveryStore, top_sql
from bot.models import Paper
from tests.fixtures_db import copy_database
from tests.helpers import open_store

FIRST = date(2025, 5, 1)
DAYS = 30
PER_DAY = 6
WEIGHT = 5


def paper(n: int, day: date, upvotes: int | None) -> Paper:
    return Paper(
        arxiv_id=f"2505.{n:05d}",
        title=f"Paper {n}",
        summary="",
        authors=(f"Author {n}",),
        arxiv_url=f"https://arxiv.org/abs/2505.{n:05d}",
        day=day,
        position=n,
        upvotes=upvotes,
    )


@pytest.fixture(scope="module")
def top_db(migrated_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six papers a day for 30 days; upvotes drawn at random (some missing, many tied; the
    oldest days the most upvoted, so a recent period's top is deep in the upvotes index);
    bookmarks in servers 1 and 2 and in direct messages (no server)."""
    path = copy_database(migrated_db, tmp_path_factory.mktemp("top") / "p.db")

    async def build() -> None:
        rng = random.Random(4)
        async with open_store(path) as store:
            n = 0
            for offset in range(DAYS):
                day = FIRST + timedelta(days=offset)
                batch = []
                for _ in range(PER_DAY):
                    n += 1
                    upvotes = None if rng.random() < 0.2 else rng.randint(0, 4) * (DAYS - offset)
                    batch.append(paper(n, day, upvotes))
                await store.ingest(day, batch, source=f"hf:{day}")  # upvotes come from HF
            # Listed again on the last day:
            relisted = paper(3, FIRST + timedelta(days=DAYS - 1), None)
            await store.ingest(relisted.day, [relisted], source="digest:again")
            bookmarks = BookmarkService(store.db, store, lambda: datetime(2025, 6, 1, tzinfo=UTC))
            for user in range(40):
                target = f"2505.{rng.randint(1, n):05d}"
                await bookmarks.add(user, target, guild_id=rng.choice([1, 1, 2, None]))

    asyncio.run(build())
    return path


@pytest.fixture
async def store(top_db: Path, tmp_path: Path) -> AsyncIterator[PaperStore]:
    async with open_store(copy_database(top_db, tmp_path / "p.db")) as store:
        yield store


async def by_hand(store: PaperStore, since: date, until: date, guild: int | None) -> list:
    """Every paper listed in the period scored in Python: (id, bookmarks here), best first."""
    listed = await store.db.fetchall(
        "SELECT DISTINCT p.id, coalesce(p.upvotes, 0) FROM listings l JOIN papers p"
        " ON p.id = l.paper_id WHERE l.day BETWEEN ? AND ?",
        (since.isoformat(), until.isoformat()),
    )
    saves = dict(
        await store.db.fetchall(
            "SELECT paper_id, count(*) FROM bookmarks WHERE guild_id IS ? AND ? IS NOT NULL"
            " GROUP BY paper_id",
            (guild, guild),
        )
    )
    scored = sorted(
        ((up + WEIGHT * saves.get(pid, 0), up, pid) for pid, up in listed), reverse=True
    )
    return [(pid, saves.get(pid, 0)) for _, _, pid in scored]


PERIODS = [(FIRST + timedelta(days=DAYS - days), days) for days in (1, 7, 30)]
PERIODS += [(FIRST + timedelta(days=10), 7)]  # a past week


@pytest.mark.parametrize("walk", [1, 10_000], ids=["scan of the period", "walk of the index"])
@pytest.mark.parametrize("since, days", PERIODS)
@pytest.mark.parametrize("guild", [1, 2, None])
async def test_top_sql_ranks_as_by_hand(store, walk, since, days, guild) -> None:
    until = since + timedelta(days=days - 1)
    for limit in (1, 3, 10):
        rows = await store.db.fetchall(*top_sql(since, until, guild, WEIGHT, limit, walk))
        expected = (await by_hand(store, since, until, guild))[:limit]
        assert [tuple(row) for row in rows] == expected


async def test_a_paper_outside_the_period_never_makes_its_top(store) -> None:
    last = FIRST + timedelta(days=DAYS - 1)
    ranked = await DiscoveryStore(store.db, store).top(last, last, 1, WEIGHT, 100)
    assert len(ranked) == PER_DAY + 1  # the day's papers and the one listed again
    assert all(last in paper.days for paper, _ in ranked)
    assert "2505.00003" in [paper.arxiv_id for paper, _ in ranked]
    assert "2505.00004" not in [paper.arxiv_id for paper, _ in ranked]  # its day was the first


async def test_bookmarks_of_another_server_or_of_direct_messages_never_count(store) -> None:
    last = FIRST + timedelta(days=DAYS - 1)
    first = last - timedelta(days=DAYS - 1)
    discovery = DiscoveryStore(store.db, store)
    here = dict(await discovery.top(first, last, 2, WEIGHT, 200))
    elsewhere = await by_hand(store, first, last, 1)
    assert sum(here.values()) == sum(saves for _, saves in await by_hand(store, first, last, 2))
    assert sum(here.values()) != sum(saves for _, saves in elsewhere)
    assert sum(dict(await discovery.top(first, last, None, WEIGHT, 200)).values()) == 0


async def test_the_top_walks_the_upvotes_index(store) -> None:
    last = FIRST + timedelta(days=DAYS - 1)
    sql, params = top_sql(last - timedelta(days=6), last, 1, WEIGHT, 10, 2000)
    plan = " ".join(row[3] for row in await store.db.fetchall(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "USING INDEX papers_by_upvotes" in plan
