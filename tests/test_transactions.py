"""Database.transaction(): all or nothing, nested calls as SAVEPOINTs, one writer task at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.db")
    await database.execute("CREATE TABLE t (n INTEGER)")
    try:
        yield database
    finally:
        await database.close()


async def numbers(db: Database) -> list[int]:
    return [row[0] for row in await db.fetchall("SELECT n FROM t ORDER BY n")]


async def test_a_failing_nested_transaction_undoes_only_its_own_writes(db: Database) -> None:
    async with db.transaction() as connection:
        await connection.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RuntimeError):
            async with db.transaction() as inner:
                await inner.execute("INSERT INTO t VALUES (2)")
                raise RuntimeError("inner fails")
        await db.execute("INSERT INTO t VALUES (3)")  # a write helper joins the open transaction
    assert await numbers(db) == [1, 3]


async def test_a_failing_outer_transaction_undoes_the_nested_ones_too(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as connection:
            await connection.execute("INSERT INTO t VALUES (1)")
            async with db.transaction() as inner:
                await inner.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("outer fails after the inner one committed its savepoint")
    assert await numbers(db) == []


async def test_nested_savepoints_three_deep_release_in_order(db: Database) -> None:
    async with db.transaction(), db.transaction():
        await db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError):
            async with db.transaction():
                await db.execute("INSERT INTO t VALUES (2)")
                raise ValueError
        await db.execute("INSERT INTO t VALUES (4)")
    async with db.transaction():  # the depth was reset: a new outer transaction, not a savepoint
        await db.execute("INSERT INTO t VALUES (5)")
    assert await numbers(db) == [1, 4, 5]


async def test_a_writer_cancelled_while_its_begin_runs_leaves_no_transaction_open(
    db: Database,
) -> None:
    """aiosqlite runs the BEGIN in its thread even when the task awaiting it is cancelled (as a
    scheduler shutdown cancels a running poll): that transaction must not stay open."""
    writer = asyncio.create_task(db.execute("INSERT INTO t VALUES (1)"))
    await asyncio.sleep(0)  # the writer now waits for its BEGIN IMMEDIATE
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer
    await db.execute("INSERT INTO t VALUES (2)")  # was: cannot start a transaction within one
    assert await numbers(db) == [2]
    assert not db.connection.in_transaction
