"""Small builders shared by the core tests: a real database file in tmp_path, filled from digests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import SourcesConfig
from bot.db import Database, PaperStore
from bot.ingest import ingest_paths
from bot.models import IngestReport, Paper

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "daily-ai-papers"
TRUE = {"1", "true", "yes", "on"}


def on_ci(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("CI", "").strip().casefold() in TRUE


def examples(count: int, environ: Mapping[str, str] = os.environ) -> int:
    """Examples for a property test: ``count`` on CI (the full run), a quarter in a local run."""
    return count if on_ci(environ) else max(25, count // 4)


def needs_shared(path: Path, environ: Mapping[str, str] = os.environ) -> pytest.MarkDecorator:
    """For tests that read ``path`` under ../shared: skipped where it is absent, but on CI
    (CI=true) the test fails instead, through the ``missing_shared`` fixture: CI must run them."""
    if path.exists():
        return pytest.mark.shared
    if on_ci(environ):
        return pytest.mark.usefixtures("missing_shared")
    return pytest.mark.skip(reason=f"{path} is absent (../shared is not beside the checkout)")


def offline(folder: Path | str = "") -> SourcesConfig:
    """Sources that never reach the network (the defaults poll Hugging Face and complete from
    arXiv): only ``folder``."""
    return SourcesConfig(folder=str(folder), huggingface=False, arxiv=False)


@asynccontextmanager
async def open_store(path: Path) -> AsyncIterator[PaperStore]:
    database = await Database.open(path)
    try:
        yield PaperStore(database)
    finally:
        await database.close()


async def ingest(store: PaperStore, *paths: Path) -> IngestReport:
    return await ingest_paths(store, paths)


async def dump(store: PaperStore) -> dict[str, list[tuple]]:
    """Every row of every paper table, for before/after comparisons."""
    tables = ["papers", "authors", "paper_authors", "listings", "sources"]
    return {
        table: [
            tuple(row) for row in await store.db.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2")
        ]
        for table in tables
    }


LATE_DAY = date(2025, 3, 20)  # the second day of tests/data


async def late_paper(
    store: PaperStore, arxiv_id: str = "2503.77777", title: str = "Late Arrival"
) -> None:
    """A paper joins LATE_DAY from another source, after the day was posted."""
    paper = Paper(
        arxiv_id=arxiv_id,
        title=title,
        summary="It came in the afternoon.",
        arxiv_url=f"https://arxiv.org/abs/{arxiv_id}",
        day=LATE_DAY,
        position=9,
    )
    await store.ingest(LATE_DAY, [paper], f"late-{arxiv_id}")


def custom_id(message: dict, label: str) -> str:
    """The custom_id of the one component labelled ``label`` on a message the bot sent."""
    from fakediscord import walk_components

    [found] = [
        c["custom_id"]
        for c in walk_components(message.get("components"))
        if c.get("label") == label
    ]
    return found


async def complete_from_arxiv(
    store: PaperStore, primary: dict[str, str] | None = None
) -> dict[str, Any]:
    """Every stored paper completed by the arXiv stand-in's answer, as bot.enrich stores it;
    ``primary`` sets some papers' primary category (then cs.AI is their second). Returns the
    stand-in's records by arXiv id."""
    from dataclasses import replace

    from bot.db.arxiv import ArxivStore
    from bot.sources.arxiv import parse_feed
    from tests.arxiv_standin import StandIn, feed, render

    rows = await store.db.fetchall("SELECT arxiv_id, title FROM papers")
    standin = StandIn(entries={})
    standin.add((row[0], row[1]) for row in rows)
    for arxiv_id, code in (primary or {}).items():
        made = replace(standin.made[arxiv_id], primary=code, categories=(code, "cs.AI"))
        standin.made[arxiv_id] = made
        standin.entries[arxiv_id] = render(made)
    entries = parse_feed(feed(standin, standin.entries)).entries
    when = datetime(2025, 4, 5, tzinfo=UTC)
    await ArxivStore(store.db).record({e.arxiv_id: e.fields() for e in entries}, [], when)
    return standin.made
