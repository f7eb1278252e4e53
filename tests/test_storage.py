"""The SQLite store: ingesting is idempotent, in place, transactional; the index stays in sync."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.db import Database, DatabaseError
from bot.db import ingest as writes
from bot.db.core import migrations
from bot.digest import parse_digest
from tests.helpers import DATA, SEEDS, dump, ingest, open_store


async def test_reingesting_the_same_files_changes_nothing(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        first = await ingest(store, SEEDS)
        before = await dump(store)
        again = await ingest(store, SEEDS)
        assert await dump(store) == before
    assert (first.new, first.problems) == (sum(1 for _ in before["papers"]), [])
    assert (again.new, again.updated, again.skipped_files) == (0, 0, 2)


async def test_reingesting_changed_rows_with_identical_content_is_a_no_op(
    tmp_path: Path, empty_db: Path
) -> None:
    """The same papers under another file name: no file hash to lean on, rows compare equal."""
    copy = tmp_path / "copy" / "2025-03-19.md"
    copy.parent.mkdir()
    shutil.copy(SEEDS / "2025-03-19.md", copy)
    async with open_store(empty_db) as store:
        await ingest(store, SEEDS / "2025-03-19.md")
        papers_before = (await dump(store))["papers"]
        report = await ingest(store, copy)
        assert (await dump(store))["papers"] == papers_before
    assert (report.new, report.updated, report.unchanged) == (0, 0, report.papers)


async def test_an_updated_file_updates_in_place(tmp_path: Path, empty_db: Path) -> None:
    digest = tmp_path / "2025-03-19.md"
    text = (SEEDS / "2025-03-19.md").read_text(encoding="utf-8")
    digest.write_text(text, encoding="utf-8")
    async with open_store(empty_db) as store:
        await ingest(store, digest)
        count = await store.db.fetchval("SELECT count(*) FROM papers")
        digest.write_text(
            text.replace('RWKV-7 "Goose" is a new', "Zeppelinology is a new"), "utf-8"
        )
        report = await ingest(store, digest)
        assert (report.new, report.updated) == (0, 1)
        assert await store.db.fetchval("SELECT count(*) FROM papers") == count
        hits = await store.search('"zeppelinology"')
        assert [hit.arxiv_id for hit in hits] == ["2503.14456"]
        assert (
            await store.search('"goose is a new"') == []
        )  # the old wording is gone from the index
        await store.db.execute("INSERT INTO papers_fts (papers_fts) VALUES ('integrity-check')")


async def test_a_row_dropped_from_a_file_loses_that_days_listing(
    tmp_path: Path, empty_db: Path
) -> None:
    digest = tmp_path / "2025-03-19.md"
    lines = (SEEDS / "2025-03-19.md").read_text(encoding="utf-8").splitlines(keepends=True)
    digest.write_text("".join(lines), encoding="utf-8")
    async with open_store(empty_db) as store:
        await ingest(store, digest)
        digest.write_text("".join(line for line in lines if "2503.14456" not in line), "utf-8")
        report = await ingest(store, digest)
        assert report.removed == 1
        day = [paper.arxiv_id for paper in await store.day(date(2025, 3, 19))]
        assert "2503.14456" not in day
        assert (await store.get("2503.14456")).days == ()


async def test_a_paper_listed_on_two_days_is_stored_once_with_both_days(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        await ingest(store, SEEDS / "2025-03-19.md", DATA / "2025-03-20.md")
        paper = await store.get("2503.14456")
        assert paper.days == (date(2025, 3, 19), date(2025, 3, 20))
        assert paper.summary == "Listed again the next day."  # the latest day's fields win
        count = await store.db.fetchval("SELECT count(*) FROM papers WHERE arxiv_id = '2503.14456'")
        assert count == 1
        positions = await store.db.fetchall(
            "SELECT day, position FROM listings JOIN papers ON papers.id = paper_id"
            " WHERE arxiv_id = '2503.14456' ORDER BY day"
        )
        assert [tuple(row) for row in positions] == [("2025-03-19", 1), ("2025-03-20", 1)]


async def test_an_older_day_ingested_later_does_not_overwrite_newer_fields(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        await ingest(store, DATA / "2025-03-20.md")
        await ingest(store, SEEDS / "2025-03-19.md")
        paper = await store.get("2503.14456")
        assert paper.summary == "Listed again the next day."
        assert paper.days == (date(2025, 3, 19), date(2025, 3, 20))


async def test_a_crash_mid_file_leaves_the_previous_state(empty_db: Path, monkeypatch) -> None:
    async with open_store(empty_db) as store:
        await ingest(store, SEEDS / "2025-03-19.md")
        before = await dump(store)
        digest = parse_digest((DATA / "2025-03-20.md").read_text(encoding="utf-8"), "x.md")

        async def crash(*args, **kwargs):
            raise RuntimeError("power cut")

        monkeypatch.setattr(writes, "_write_listings", crash)  # after papers and authors
        with pytest.raises(RuntimeError, match="power cut"):
            await store.ingest(digest.day, digest.papers, "x.md", "hash")
        assert await dump(store) == before
        assert await store.get("2503.99999") is None


async def test_authors_are_stored_individually_and_in_order(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        await ingest(store, DATA / "2025-03-20.md")
        names = await store.db.fetchall(
            "SELECT a.name, a.folded FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
            " JOIN papers p ON p.id = pa.paper_id WHERE p.arxiv_id = '2503.14456' ORDER BY pa.position"
        )
        assert [tuple(row) for row in names] == [
            ("saitejautpala", "saitejautpala"),
            ("Guangyu", "guangyu"),
            ("SmerkyG", "smerkyg"),
            ("ZhangRC", "zhangrc"),
            ("BlinkDL", "blinkdl"),
        ]
        assert (
            await store.db.fetchval("SELECT folded FROM authors WHERE name = 'Zoë Müller'")
            == "zoe muller"
        )


async def test_migrations_are_recorded_and_not_applied_twice(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "p.db")
    try:
        versions = [
            row[0] for row in await database.fetchall("SELECT version FROM schema_migrations")
        ]
        assert versions == [version for version, _, _ in migrations()]
        assert await database.migrate() == []
    finally:
        await database.close()


async def test_an_older_database_is_upgraded_in_place(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "p.db"
    shutil.copy(DATA / "main-0005.db", path)  # made by main at schema 5 (build_main_0005.py)
    every = migrations()
    extra = (999, "0999_notes.sql", "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);")
    monkeypatch.setattr("bot.db.core.migrations", lambda: [*every, extra])
    async with open_store(path) as store:
        assert await store.db.schema_version() == 999
        assert await store.db.fetchval("SELECT count(*) FROM notes") == 0
        assert (await store.get("2503.14456")).title.startswith("RWKV-7")


async def test_a_failing_migration_leaves_the_file_at_its_last_good_version(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "p.db"
    every = migrations()
    broken = (999, "0999_broken.sql", "CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;")
    monkeypatch.setattr("bot.db.core.migrations", lambda: [*every, broken])
    with pytest.raises(DatabaseError, match="cannot use database"):
        await Database.open(path)
    connection = sqlite3.connect(path)
    try:
        assert (
            connection.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
            == every[-1][0]
        )
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert "half" not in tables
    finally:
        connection.close()


async def test_the_file_uses_wal(tmp_path: Path) -> None:
    async with open_store(tmp_path / "p.db") as store:
        assert await store.db.fetchval("PRAGMA journal_mode") == "wal"


async def test_a_database_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=r"folder .* does not exist"):
        await Database.open(tmp_path / "nope" / "p.db")


async def test_concurrent_writers_each_get_their_own_transaction(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        await store.db.execute("CREATE TABLE t (n INTEGER)")
        inside = asyncio.Event()
        release = asyncio.Event()

        async def failing_writer() -> None:
            async with store.db.transaction() as connection:
                await connection.execute("INSERT INTO t VALUES (1)")
                inside.set()
                await release.wait()
                raise RuntimeError("rolled back")

        first = asyncio.ensure_future(failing_writer())
        await inside.wait()
        second = asyncio.ensure_future(store.db.execute("INSERT INTO t VALUES (2)"))
        release.set()
        with pytest.raises(RuntimeError):
            await first
        await second
        assert [row[0] for row in await store.db.fetchall("SELECT n FROM t")] == [2]


async def test_a_migration_numbered_below_an_applied_one_still_runs(
    tmp_path: Path, monkeypatch
) -> None:
    every = migrations()
    extra = [(1001, "1001_early.sql", "CREATE TABLE early (id INTEGER);")]
    later = [(1002, "1002_later.sql", "CREATE TABLE later (id INTEGER);")]
    monkeypatch.setattr("bot.db.core.migrations", lambda: every + later)
    async with open_store(tmp_path / "p.db"):
        pass
    monkeypatch.setattr("bot.db.core.migrations", lambda: every + extra + later)
    async with open_store(tmp_path / "p.db") as store:
        assert await store.db.fetchval("SELECT count(*) FROM early") == 0


async def test_a_garbage_file_does_not_empty_a_stored_day(tmp_path: Path, empty_db: Path) -> None:
    digest = tmp_path / "2025-03-19.md"
    digest.write_bytes((SEEDS / "2025-03-19.md").read_bytes())
    async with open_store(empty_db) as store:
        await ingest(store, digest)
        digest.write_text("<html>502 Bad Gateway</html>", "utf-8")
        report = await ingest(store, digest)
        assert [p.reason for p in report.problems] == ["no table with a Title column"]
        assert len(await store.day(date(2025, 3, 19))) == 22
