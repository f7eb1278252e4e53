"""The database file in bad shape: doubly indexed by old triggers, locked by another process,
unopenable, read-only. Real files, and `python -m bot` (tests/cli.py) where the CLI is the point."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import Database, PaperStore, health
from bot.db.core import DatabaseBusy, migrations
from tests.cli import Ran, cli
from tests.helpers import DATA, SEEDS, ingest

# 0001 as it was before commit 75814a2 dropped its two insert triggers (`git show cfb26d4:...`).
OLD_0001 = (
    migrations()[0][2]
    + """
CREATE TRIGGER papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO papers_fts (rowid, title, summary, authors, category)
    VALUES (new.id, new.title, new.summary, new.authors, coalesce(new.category, ''));
END;
CREATE TRIGGER authors_ai AFTER INSERT ON authors BEGIN
    INSERT INTO authors_fts (rowid, folded) VALUES (new.id, new.folded);
END;
"""
)


async def old_database(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file made by the first 0001 (with insert triggers), brought up to 0009, papers added."""
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_0001)
        connection.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT '2025-01-01T00:00:00Z')"
        )
        connection.execute("INSERT INTO schema_migrations (version, name) VALUES (1, '0001')")
    shipped = migrations()
    monkeypatch.setattr("bot.db.core.migrations", lambda: [m for m in shipped if m[0] < 10])
    database = await Database.open(path)
    await ingest(PaperStore(database), SEEDS)
    await database.close()
    monkeypatch.setattr("bot.db.core.migrations", lambda: shipped)


def check(db: Path) -> Ran:
    return cli("db", "check", db=db)


async def test_db_check_finds_a_database_indexed_twice_by_old_triggers(
    tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "old.db"
    await old_database(db, monkeypatch)
    result = check(db)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "problem: papers_fts: the search index disagrees with its table" in result.stdout
    assert "database disk image is malformed" in result.stdout
    assert any(
        line.startswith("problem: trigger papers_ai indexes every new row") for line in lines
    )
    assert "0010_repair_double_indexing.sql" in result.stdout
    assert "Traceback" not in result.stderr


async def test_migration_0010_repairs_it_and_search_finds_each_paper_once(
    tmp_path: Path, monkeypatch
) -> None:
    db = tmp_path / "old.db"
    await old_database(db, monkeypatch)
    database = await Database.open(db)  # applies 0010
    try:
        assert await health.problems(database) == []
        store = PaperStore(database)
        await ingest(store, DATA / "2025-03-20.md")  # new papers after the repair: indexed once
        assert await health.problems(database) == []
        hits = await database.fetchall(
            "SELECT rowid, count(*) FROM papers_fts WHERE papers_fts MATCH 'the' GROUP BY rowid"
        )
        assert hits and {row[1] for row in hits} == {1}
    finally:
        await database.close()
    result = check(db)
    assert (result.returncode, result.stdout.splitlines()[-1]) == (
        0,
        "ok: integrity check and search indexes",
    )


async def test_db_check_can_rebuild_a_damaged_index(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    database = await Database.open(db)
    await ingest(PaperStore(database), SEEDS)
    await database.connection.execute(  # one stale entry: the index no longer matches its table
        "INSERT INTO papers_fts (rowid, title, summary, authors, category, abstract)"
        " VALUES (999999, 'ghost', '', '', '', '')"
    )
    derived = Path(f"{db}.search")
    derived.mkdir()  # the tantivy index beside it goes too: the bot rebuilds it from SQLite
    await database.close()
    assert check(db).returncode == 1
    repaired = cli("db", "check", "--rebuild-index", db=db)
    assert repaired.returncode == 0, repaired.stdout
    assert repaired.stdout.startswith("search indexes rebuilt")
    assert not derived.exists()


def test_a_write_while_another_process_holds_the_lock_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert cli("ingest", str(SEEDS / "2025-03-19.md"), db=db).returncode == 0
    config = tmp_path / "config.toml"
    config.write_text("[database]\nbusy_seconds = 0.3\n", encoding="utf-8")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = cli("--config", str(config), "ingest", str(SEEDS), db=db)
        reading = cli("--config", str(config), "search", "agents", db=db)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: database {db} is busy: another process held its write lock for more than"
        " 0.3 s; try again when it is done"
    ]
    assert reading.returncode == 0 and "agents" in reading.stdout  # readers never wait


async def test_the_bot_waits_then_says_busy_in_one_exception(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    database = await Database.open(db, busy_seconds=0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy, match="is busy: another process"):
            await ingest(PaperStore(database), SEEDS)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (await ingest(PaperStore(database), SEEDS)).new == 39  # and works once it is free
    await database.close()


@pytest.mark.parametrize("kind", ["folder", "not a database", "missing folder"])
def test_an_unopenable_path_is_one_clean_line(tmp_path: Path, kind: str) -> None:
    path = {"folder": tmp_path, "missing folder": tmp_path / "nope" / "p.db"}.get(kind)
    if path is None:
        path = tmp_path / "junk.db"
        path.write_text("this is not SQLite", encoding="utf-8")
    for command in (["ingest", str(SEEDS)], ["db", "info"], ["search", "x"], ["db", "check"]):
        result = cli(*command, db=path)
        assert result.returncode == 1, (kind, command)
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("error: ") and str(path) in result.stderr


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A database in a folder where nothing may be written, for root too (chattr +i)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "p.db"
    assert cli("ingest", str(SEEDS), db=db).returncode == 0
    for extra in folder.glob("p.db-*"):
        extra.unlink()
    locked = [db, folder]
    done = [
        subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
        for path in locked
    ]
    if not all(done):
        folder.chmod(0o555)
        db.chmod(0o444)
        probe = folder / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("cannot make a read-only folder here (root without chattr)")
    try:
        yield db
    finally:
        for path in locked:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        folder.chmod(0o755)
        db.chmod(0o644)


def test_a_read_only_database_still_serves_reads(read_only: Path) -> None:
    for command in (["search", "agents"], ["show", "2503.14456"], ["day"], ["db", "info"]):
        result = cli(*command, db=read_only)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert "papers: 39" in cli("db", "info", db=read_only).stdout
    refused = cli("ingest", str(SEEDS), db=read_only)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1].startswith(
        f"error: cannot write to database {read_only}"
    )
    assert not list(read_only.parent.glob("p.db-*"))


def test_db_check_on_a_file_that_is_not_paperboys_says_so(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE x (a)")
    result = check(other)
    assert result.returncode == 1
    assert "problem: not a paperboy database: it has no schema_migrations table" in result.stdout
    rebuilt = cli("db", "check", "--rebuild-index", db=other)
    assert rebuilt.returncode == 1
    assert rebuilt.stderr.splitlines() == [
        f"error: cannot check database {other}: no such table: papers_fts"
    ]


async def test_inline_reads_of_a_read_only_database_fall_back_to_the_worker(
    read_only: Path,
) -> None:
    db = await Database.open(read_only, readonly=True)
    try:
        for _ in range(2):  # the second read after the inline connection gave up
            rows = await db.fetch_inline("SELECT count(*) FROM papers")
            assert rows[0][0] == 39
    finally:
        await db.close()
