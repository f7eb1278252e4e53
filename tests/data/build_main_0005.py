"""Build a database with the code of main before issue 8 (schema 0005)."""

import asyncio
import sys
from datetime import date
from pathlib import Path

from bot.db import Database, PaperStore
from bot.ingest import ingest_bytes, ingest_paths
from bot.models import IngestReport
from bot.sources.huggingface import reader


async def main(out: str, wt: str) -> None:
    db = await Database.open(out)
    store = PaperStore(db)
    w = Path(wt)
    await ingest_paths(
        store,
        [
            w / "seeds",
            w / "tests/data/2025-03-20.md",
            w.parent / "shared/corpus/daily-ai-papers/2025/06/13.md",
        ],
    )
    for day, path in [
        (date(2025, 3, 20), w / "tests/data/hf/2025-03-20.json"),
        (date(2025, 6, 13), w.parent / "shared/fixtures/hf-daily-papers/2025-06-13.json"),
    ]:
        await ingest_bytes(
            store,
            path.read_bytes(),
            name=str(path),
            key=f"hf:{day}",
            report=IngestReport(),
            read=reader(day),
        )
    print(await store.counts(), await db.schema_version())
    await db.close()


asyncio.run(main(sys.argv[1], sys.argv[2]))
