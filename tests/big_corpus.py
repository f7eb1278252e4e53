"""A 100k-paper database for deadline tests, built once and cached between runs.

The papers come from ``synthetic_corpus.quick_papers``: the tests check that the bot answers in
time on a big index, not how fast search is. The file is cached under the system temp dir, keyed
by the generator, the schema and the store code, and copied per session so no test run writes to
the shared copy.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from bot.db import Database, PaperStore
from synthetic_corpus import load_vocabulary, quick_papers

ROOT = Path(__file__).resolve().parent.parent
VERSION = "2"  # bump when the way the database is built changes


def _key(count: int) -> str:
    digest = hashlib.sha256(VERSION.encode())
    code = [ROOT / "synthetic_corpus.py", *sorted((ROOT / "bot/db").glob("*.py"))]
    for path in [*code, *sorted((ROOT / "bot/db/migrations").glob("*.sql"))]:
        digest.update(path.read_bytes())
    return f"{count}-{digest.hexdigest()[:16]}"


async def _build(path: Path, count: int) -> None:
    database = await Database.open(path)
    try:
        store = PaperStore(database)
        for day in quick_papers(load_vocabulary(), count, per_day=10_000):
            await store.ingest(day[0].day, day, source=f"synthetic:{day[0].day}")
    finally:
        await database.close()


def big_database(count: int, into: Path) -> Path:
    """A copy of the cached ``count``-paper database in ``into`` (built first if need be)."""
    cache = Path(tempfile.gettempdir()) / "paperboy-test-corpus"
    cache.mkdir(exist_ok=True)
    cached = cache / f"{_key(count)}.db"
    if not cached.exists():
        fresh = cache / f"{cached.stem}.{os.getpid()}.building"
        fresh.unlink(missing_ok=True)
        asyncio.run(_build(fresh, count))
        os.replace(fresh, cached)  # atomic: a concurrent run sees the whole file or none
    copy = into / cached.name
    shutil.copyfile(cached, copy)
    return copy
