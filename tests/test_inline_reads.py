"""Database.fetch_inline: a short read in the calling thread, on a read-only connection of its
own, that sees what is committed and falls back to the worker when it cannot answer."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.db")
    await database.execute("CREATE TABLE t (n INTEGER)")
    await database.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    try:
        yield database
    finally:
        await database.close()


def numbers(rows: list) -> list[int]:
    return [row["n"] for row in rows]


async def test_it_reads_what_is_committed_and_not_a_write_still_open(db: Database) -> None:
    async with db.transaction() as connection:
        await connection.execute("INSERT INTO t VALUES (3)")
        assert numbers(await db.fetch_inline("SELECT n FROM t ORDER BY n")) == [1, 2]
    inline = await db.fetch_inline("SELECT n FROM t ORDER BY n")
    assert numbers(inline) == [1, 2, 3]
    assert [tuple(row) for row in inline] == [
        tuple(row) for row in await db.fetchall("SELECT n FROM t ORDER BY n")
    ]


async def test_it_answers_while_the_worker_thread_is_busy(db: Database) -> None:
    release = threading.Event()
    await db.connection.create_function("hold", 0, lambda: release.wait(30))
    held = asyncio.create_task(db.fetchall("SELECT hold()"))
    try:
        # The worker is inside hold(): a read queued behind it would wait for release.
        assert numbers(await db.fetch_inline("SELECT n FROM t ORDER BY n")) == [1, 2]
        assert not held.done()
    finally:
        release.set()
    await held


async def test_an_in_memory_database_is_read_by_the_worker(tmp_path: Path) -> None:
    db = await Database.open(":memory:")
    try:
        await db.execute("CREATE TABLE t (n INTEGER)")
        await db.execute("INSERT INTO t VALUES (7)")
        # A connection of its own would open another, empty database: no table t there.
        assert numbers(await db.fetch_inline("SELECT n FROM t")) == [7]
    finally:
        await db.close()
