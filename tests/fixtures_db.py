"""Databases built once per run (per xdist worker) and copied for each test that reads them.

Building the seeds database costs a migration run, an ingest and, for the tantivy index, an
index build (about 0.3 s of wall time here); copying the finished files costs about 10 ms. Each
test still gets files of its own, so nothing one test writes is seen by another.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.textindex import index_folder, open_index
from tests.helpers import DATA, SEEDS, ingest, open_store


def copy_database(source: Path, target: Path) -> Path:
    """``source`` copied to ``target``, with its derived search index folder when it has one."""
    shutil.copyfile(source, target)
    index = Path(f"{source}.search")
    if index.exists():
        shutil.copytree(index, f"{target}.search")
    return target


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with every migration applied, made once per run (about 30 ms of CPU
    a database here); tests/test_storage.py and test_records.py test migrating itself."""
    path = tmp_path_factory.mktemp("migrated") / "paperboy.db"

    async def build() -> None:
        async with open_store(path):
            pass

    asyncio.run(build())
    return path


@pytest.fixture
def empty_db(migrated_db: Path, tmp_path: Path) -> Path:
    """A migrated, empty database file of this test's own (``tmp_path / "empty.db"``)."""
    return copy_database(migrated_db, tmp_path / "empty.db")


@pytest.fixture(scope="session")
def ingested_db(migrated_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and tests/data/2025-03-20.md ingested once per run; tests get copies."""
    path = copy_database(migrated_db, tmp_path_factory.mktemp("ingested") / "paperboy.db")

    async def build() -> None:
        async with open_store(path) as store:
            await ingest(store, SEEDS, DATA / "2025-03-20.md")

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def indexed_db(ingested_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ingested_db`` with its tantivy index built beside it (``<db>.search/``)."""
    path = copy_database(ingested_db, tmp_path_factory.mktemp("indexed") / "paperboy.db")

    async def build() -> None:
        async with open_store(path) as store:
            index = await open_index(store.db)
            assert index is not None and index.ready, "tantivy could not build the index"
            assert index_folder(store.db).is_dir()

    asyncio.run(build())
    return path


@pytest.fixture
def paper_db(ingested_db: Path, tmp_path: Path) -> Path:
    """A fresh database file of this test's own, holding the seeds and 2025-03-20.md."""
    return copy_database(ingested_db, tmp_path / "paperboy.db")
