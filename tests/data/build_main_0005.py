"""Build tests/data/main-0005.db with the code of main before issue 8 (schema 0005).

Run with a checkout of that code first on the path, from anywhere:
    git archive 48203ca | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/data/build_main_0005.py /tmp/main-0005.db "$PWD"
    sqlite3 /tmp/main-0005.db "PRAGMA journal_mode=DELETE; VACUUM;"
It ingests the seeds, tests/data/2025-03-20.md, the corpus' 2025-06-13 digest and two Hugging Face
days (one of them the same day: the old store let the later source overwrite the other's fields).
"""

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
