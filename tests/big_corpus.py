"""A 100k-paper database for deadline tests, built in seconds and cached between runs.

Shorter summaries than bench/corpus.py (the same word frequencies, so FTS5 posting lists are as
long): the tests check that the bot answers in time on a big index, not how fast search is.
The file is cached under the system temp dir, keyed by the schema and store code, and copied
per session so no test run writes to the shared copy.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from bench.corpus import load_vocabulary
from bot.db import Database, PaperStore
from bot.models import Paper

ROOT = Path(__file__).resolve().parent.parent
VERSION = "1"  # bump when the generator changes
SUMMARY_WORDS, TITLE_WORDS = 30, 9


def papers(count: int, per_day: int, seed: int = 11) -> Iterator[list[Paper]]:
    """``count`` papers in days of ``per_day``: one rng.choices call per day and field, for speed."""
    vocabulary = load_vocabulary()
    rng = random.Random(seed)
    pool = vocabulary.authors + [f"Synthetic Author {n}" for n in range(count // 4)]
    day = date(2001, 1, 1)
    for start in range(0, count, per_day):
        size = min(per_day, count - start)
        summaries = rng.choices(
            vocabulary.summary_words, cum_weights=vocabulary.summary_weights, k=size * SUMMARY_WORDS
        )
        titles = rng.choices(
            vocabulary.title_words, cum_weights=vocabulary.title_weights, k=size * TITLE_WORDS
        )
        batch = []
        for index in range(size):
            number = start + index
            arxiv_id = f"{8000 + number // 100_000:04d}.{number % 100_000:05d}"
            batch.append(
                Paper(
                    arxiv_id=arxiv_id,
                    title=" ".join(titles[index * TITLE_WORDS : (index + 1) * TITLE_WORDS]),
                    authors=tuple(rng.sample(pool, 2)),
                    summary=" ".join(
                        summaries[index * SUMMARY_WORDS : (index + 1) * SUMMARY_WORDS]
                    ),
                    day=day,
                    position=index + 1,
                    arxiv_url=f"https://arxiv.org/abs/{arxiv_id}",
                    hf_url=f"https://huggingface.co/papers/{arxiv_id}",
                )
            )
        yield batch
        day += timedelta(days=1)


def _key(count: int) -> str:
    digest = hashlib.sha256(VERSION.encode())
    for path in [ROOT / "bot/db/papers.py", *sorted((ROOT / "bot/db/migrations").glob("*.sql"))]:
        digest.update(path.read_bytes())
    return f"{count}-{digest.hexdigest()[:16]}"


async def _build(path: Path, count: int) -> None:
    database = await Database.open(path)
    try:
        store = PaperStore(database)
        for day in papers(count, per_day=10_000):
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
