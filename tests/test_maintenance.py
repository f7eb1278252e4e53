"""`db backup` and `db vacuum` on real files, with a writer working at the same time."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from tests.cli import cli
from tests.helpers import SEEDS

BATCH = 50


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    db = tmp_path / "paperboy.db"
    assert cli("ingest", str(SEEDS), db=db).returncode == 0
    return db


class Writer(threading.Thread):
    """Commits batches of BATCH rows as fast as it can through its own connection, checkpoints
    off, so what it wrote sits in the WAL file (as the running bot's recent writes do)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.batches = 0
        self.stop = threading.Event()
        self.first = threading.Event()
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA wal_autocheckpoint = 0")
        self.connection.execute("PRAGMA busy_timeout = 10000")
        self.connection.execute("CREATE TABLE load (batch INTEGER, n INTEGER)")

    def run(self) -> None:
        while not self.stop.is_set():
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.executemany(
                "INSERT INTO load VALUES (?, ?)", [(self.batches, n) for n in range(BATCH)]
            )
            self.connection.execute("COMMIT")
            self.batches += 1
            if self.batches == 20:
                self.first.set()
        self.connection.close()


def test_a_backup_taken_while_writing_is_one_consistent_moment_wal_included(
    seeded_db: Path, tmp_path: Path
) -> None:
    writer = Writer(seeded_db)
    writer.start()
    try:
        assert writer.first.wait(10)
        committed_before = writer.batches
        assert Path(f"{seeded_db}-wal").stat().st_size > 0  # the rows live in the WAL so far
        result = cli("db", "backup", str(tmp_path / "copy.db"), db=seeded_db)
        batches_meanwhile = writer.batches
    finally:
        writer.stop.set()
        writer.join(10)
    assert result.returncode == 0, result.stderr
    assert "papers" in result.stdout and "copy.db" in result.stdout
    assert batches_meanwhile > committed_before  # the writer kept committing
    copy = sqlite3.connect(tmp_path / "copy.db")
    counts = copy.execute("SELECT batch, count(*) FROM load GROUP BY batch").fetchall()
    assert len(counts) >= committed_before  # everything committed before, WAL content included
    assert {count for _, count in counts} == {BATCH}  # never half a transaction
    assert [batch for batch, _ in counts] == list(range(len(counts)))
    assert copy.execute("SELECT count(*) FROM papers").fetchone()[0] == 39  # the seeds
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file to keep
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert not list(tmp_path.glob(".*partial"))


def test_a_backup_into_a_folder_gets_a_dated_name_and_never_overwrites(
    seeded_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    result = cli("db", "backup", str(folder), db=seeded_db)
    assert result.returncode == 0, result.stderr
    [made] = folder.iterdir()
    assert made.name.startswith("paperboy-") and made.suffix == ".db"
    again = cli("db", "backup", str(made), db=seeded_db)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"error: {made} already exists; choose a new name or remove it first"
    )


def test_vacuum_gives_space_back_and_keeps_every_paper(seeded_db: Path) -> None:
    with sqlite3.connect(seeded_db) as connection:
        connection.execute("CREATE TABLE junk (blob BLOB)")
        connection.executemany("INSERT INTO junk VALUES (zeroblob(100000))", [()] * 50)
    with sqlite3.connect(seeded_db) as connection:
        connection.execute("DROP TABLE junk")
    before = seeded_db.stat().st_size
    result = cli("db", "vacuum", db=seeded_db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"vacuumed {seeded_db}: ")
    assert seeded_db.stat().st_size < before / 2
    found = cli("search", "goose", "--json", db=seeded_db)
    assert '"2503.14456"' in found.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["search", "goose"],
        ["show", "2503.14456"],
        ["day"],
        ["db", "info"],
        ["db", "backup", "copy.db"],
        ["db", "vacuum"],
        ["enrich"],
    ],
)
def test_commands_that_read_refuse_a_missing_database(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nothing-here.db"
    result = cli(*args, db=missing, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: no database at {missing}; run `python -m bot ingest` first"
    )
    assert list(tmp_path.iterdir()) == []  # no empty database left behind
