"""The issue's figure: with a local arXiv stand-in answering for the shared corpus, every paper it
answers for carries a primary category and the full author list, through the real path (Atom over
HTTP, batches of 100, the parser, the merge, the store)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.db.arxiv import ArxivStore
from bot.enrich import Enricher
from bot.ingest import ingest_paths
from bot.sources.arxiv import ArxivClient
from bot.sources.http import Http
from tests.arxiv_standin import serve
from tests.helpers import CORPUS, needs_shared, open_store

log = logging.getLogger(__name__)


@pytest.mark.slow
@needs_shared(CORPUS)
async def test_every_paper_arxiv_answers_for_gets_its_primary_category_and_all_authors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with open_store(tmp_path / "corpus.db") as store, serve() as standin:
        report = await ingest_paths(store, [CORPUS])
        rows = await store.db.fetchall("SELECT arxiv_id, title FROM papers ORDER BY arxiv_id")
        standin.add((row[0], row[1]) for row in rows)
        standin.forget(*[row[0] for row in rows[::97]])  # ids arXiv does not know
        async with aiohttp.ClientSession() as session:
            client = ArxivClient(standin.url, Http(session, timeout=10, retries=0), interval=0)
            enricher = Enricher(ArxivStore(store.db), client, lambda: datetime.now(UTC), batch=100)
            run = await enricher.run()
        answered = set(standin.entries) & {row[0] for row in rows}
        complete = 0
        for arxiv_id in sorted(answered):
            paper = await store.get(arxiv_id)
            assert paper is not None
            made = standin.made.get(arxiv_id)
            expected_authors = made.authors if made else paper.authors
            if (
                paper.primary_category
                and paper.authors == expected_authors
                and (made is None or paper.primary_category == made.primary)
            ):
                complete += 1
        figure = (
            f"{len(rows)} papers from {report.files} digests; the stand-in answered for"
            f" {len(answered)} in {len(standin.requests)} requests; {complete} of them"
            f" ({100 * complete / len(answered):.2f}%) carry a primary category and the full"
            f" author list; {run.unknown} unknown to arXiv stay pending"
        )
        with capsys.disabled():
            print(f"\narxiv coverage: {figure}")
        assert len(rows) > 2000 and report.files > 150
        assert run.completed == len(answered) and run.unknown == len(rows) - len(answered) > 0
        assert complete == len(answered), figure
        unknown = await store.get(rows[0][0])
        assert unknown is not None and unknown.primary_category is None
        assert max(len(ids) for _, ids in standin.requests) == 100
