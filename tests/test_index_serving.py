"""The derived index serves a search with no SQLite round trip but the page's rows, and still
never answers from a stale state: what this process, another connection or another process
commits is found at the next search."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import indexsearch
from bot.db import PaperStore
from bot.db.papers import RECENCY_BOOST, RECENCY_HALF_LIFE, Filters
from bot.search import SearchService
from bot.textindex import RECHECK_SECONDS, TextIndex, open_index
from tests.helpers import DATA, ROOT, SEEDS, ingest, open_store
from tests.test_textindex import NEWEST, paper

pytest.importorskip("tantivy")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[PaperStore, TextIndex, Clock]]:
    async with open_store(tmp_path / "p.db") as store:
        await ingest(store, SEEDS, DATA / "2025-03-20.md")
        clock = Clock()
        index = TextIndex(store.db, tmp_path / "p.db.search", clock=clock)
        await index.open()
        yield store, index, clock


async def statements(store: PaperStore, call) -> tuple[object, list[str]]:
    """What ``call`` returns, and every SQL statement it ran on the store's connections."""
    ran: list[str] = []
    await store.db.trace(ran.append)
    try:
        result = await call
    finally:
        await store.db.trace(None)
    return result, ran


async def found(service: SearchService, text: str) -> list[str]:
    page = await service.search(text, correct=False, limit=50)
    return [row.arxiv_id for row in page.items]


async def test_a_search_on_the_index_runs_one_statement_the_pages_rows(served) -> None:
    store, index, _ = served
    service = SearchService(store, index=index)
    await service.search("goose")  # the first search after opening checks the log once
    page, ran = await statements(store, service.search("goose"))
    assert page.items and page.items[0].title_marked and "**" in page.items[0].title_marked
    assert len(ran) == 1 and "papers_fts" not in ran[0] and "MATCH" not in ran[0]
    # A typo found, corrected and searched again: still only the corrected page's rows.
    page, ran = await statements(store, service.search("gose"))
    assert page.corrected == "goose" and len(ran) == 1
    # Nothing found: not one statement.
    page, ran = await statements(store, service.search("zzqqxxvv", correct=False))
    assert page.items == [] and ran == []
    # The FTS5 fallback, for contrast, asks SQLite several times (what was wrong before).
    _, ran = await statements(store, SearchService(store).search("goose"))
    assert len(ran) > 1 and any("MATCH" in sql for sql in ran)


async def test_a_paper_this_process_writes_is_found_at_the_next_search(served) -> None:
    store, index, _ = served
    service = SearchService(store, index=index)
    assert await found(service, "wombat") == []
    await store.ingest(NEWEST, [paper(1, NEWEST, "Wombat burrows")], "test")
    assert await found(service, "wombat") == ["2506.00001"]
    assert index.newest == NEWEST  # the newest day moved with the log, for recency


async def test_a_paper_another_connection_writes_is_found_at_the_next_search(
    served, tmp_path: Path
) -> None:
    """Its commits do not move this connection's counter: the WAL-index header tells (the
    clock stands still, so the periodic full check cannot be what finds it)."""
    store, index, _ = served
    service = SearchService(store, index=index)
    assert await found(service, "wombat") == []
    async with open_store(tmp_path / "p.db") as other:
        await other.ingest(NEWEST, [paper(1, NEWEST, "Wombat burrows")], "other")
        assert await found(service, "wombat") == ["2506.00001"]
        await other.db.execute(
            "UPDATE papers SET title = 'Numbat burrows' WHERE arxiv_id = '2506.00001'"
        )
        assert await found(service, "wombat") == []
        assert await found(service, "numbat") == ["2506.00001"]


async def test_a_paper_another_process_writes_is_found_at_the_next_search(
    served, tmp_path: Path
) -> None:
    """The CLI ingesting while the bot runs: a real second process."""
    store, index, _ = served
    service = SearchService(store, index=index)
    assert await found(service, "wombat") == []
    script = (
        "import asyncio, sys\n"
        "from datetime import date\n"
        "from bot.db import Database, PaperStore\n"
        "from bot.models import Paper\n"
        "async def main():\n"
        "    db = await Database.open(sys.argv[1])\n"
        "    day = date(2025, 6, 30)\n"
        "    paper = Paper(arxiv_id='2506.00007', title='Wombat tunnels', summary='',\n"
        "                  authors=('Someone',), arxiv_url='https://arxiv.org/abs/2506.00007',\n"
        "                  day=day, position=1)\n"
        "    await PaperStore(db).ingest(day, [paper], 'elsewhere')\n"
        "    await db.close()\n"
        "asyncio.run(main())\n"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        str(tmp_path / "p.db"),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert await child.wait() == 0
    assert await found(service, "wombat") == ["2506.00007"]


async def test_the_full_check_runs_at_least_every_few_seconds(served, monkeypatch) -> None:
    """Were the token ever blind to a commit, the periodic full check still finds it."""
    store, index, clock = served
    service = SearchService(store, index=index)
    assert await found(service, "wombat") == []
    blind = index.watch.token()
    monkeypatch.setattr(index.watch, "token", lambda: blind)
    index.token = blind
    await store.ingest(NEWEST, [paper(1, NEWEST, "Wombat burrows")], "test")
    assert await found(service, "wombat") == []  # the fast path trusted the (blind) token
    clock.now += RECHECK_SECONDS
    assert await found(service, "wombat") == ["2506.00001"]


async def test_recency_uses_the_newest_day_kept_with_the_index(tmp_path: Path) -> None:
    async with open_store(tmp_path / "p.db") as store:
        old = NEWEST - timedelta(days=90)
        await store.ingest(old, [paper(1, old, "Same words here")], "old")
        index = await open_index(store.db)
        assert index is not None and index.newest == old
        service = SearchService(store, index=index)
        await store.ingest(NEWEST, [paper(2, NEWEST, "Same words here")], "new")
        assert await found(service, "same words") == ["2506.00002", "2506.00001"]
        assert index.newest == NEWEST


async def test_word_forms_and_counts_come_from_the_index_vocabulary(served) -> None:
    store, index, _ = served
    service = SearchService(store, index=index)
    query = service.parse('zebra transformers "goose" gose')
    fts = await service.variants(query)
    assert index.variants(query) == fts == {"zebra": ["zebras"], "transformers": ["transformer"]}
    counts = await index.document_counts(["goose", "zebras", "gose", "qqqq", "Goose"], 500)
    assert counts["goose"] >= 1 and counts["zebras"] == 1
    assert "gose" not in counts and "qqqq" not in counts  # absent words are left out
    assert counts["Goose"] == counts["goose"]  # cut by the index's own analyzer
    assert await index.document_counts(["goose"], 1) == {"goose": 1}  # capped


async def test_ranking_reads_about_a_page_of_hits_not_every_match(tmp_path: Path) -> None:
    """Exact top 11 of 600 matches (30 in the title, weighted far above the summary), reading
    far fewer stored documents than there are matches."""
    async with open_store(tmp_path / "p.db") as store:
        for back in range(200):  # three papers a day
            day = NEWEST - timedelta(days=back)
            papers = [
                paper(
                    n,
                    day,
                    f"Wombat study {n}" if n % 20 == 0 else f"Study {n}",
                    "wombat " * (1 + n % 7),
                )
                for n in range(back, 600, 200)
            ]
            await store.ingest(day, papers, f"s{back}")
        index = await open_index(store.db)
        assert index is not None
        service = SearchService(store, index=index)
        query = service.parse("wombat")
        compiled = index.compile(query, index.variants(query), await service.filters(query))
        counting = _Counting(index.index.searcher())
        index.index = _Fixed(counting)
        top = index.ranked_ids(compiled, index.newest, 11)
        assert 11 <= counting.reads < 100
        every = index.ranked_ids(compiled, index.newest, 600)  # every match scored
        assert top == every[:11] and len(every) == 600


class _Counting:
    """A searcher that counts the stored documents read through it."""

    def __init__(self, searcher) -> None:
        self.searcher, self.reads = searcher, 0

    def search(self, *args, **kwargs):
        return self.searcher.search(*args, **kwargs)

    def doc(self, address):
        self.reads += 1
        return self.searcher.doc(address)


class _Fixed:
    """An index whose searcher() is always the given one."""

    def __init__(self, searcher) -> None:
        self.fixed = searcher

    def searcher(self):
        return self.fixed


@pytest.mark.parametrize(
    "text",
    ["model", "language models", "goose rwkv", '"language models"', "diffus*", "ti:rwkv", "Zebras"],
)
async def test_pages_from_the_index_are_marked_as_fts5_marks_them(served, text: str) -> None:
    store, index, _ = served
    ours = await SearchService(store, index=index).search(text, limit=50, highlight=("<", ">"))
    theirs = await SearchService(store).search(text, limit=50, highlight=("<", ">"))
    marks = {row.arxiv_id: (row.title_marked, row.snippet) for row in theirs.items}
    both = [row for row in ours.items if row.arxiv_id in marks]
    assert both and any("<" in (row.title_marked or "") + (row.snippet or "") for row in both)
    rows = {row.arxiv_id: row for row in theirs.items}
    for row in both:
        assert (row.title_marked, row.snippet) == marks[row.arxiv_id]
        assert row == rows[row.arxiv_id]  # the one fetch brings the same authors, days, fields


async def test_the_one_fetch_keeps_author_order_and_every_day(tmp_path: Path) -> None:
    async with open_store(tmp_path / "p.db") as store:
        older = NEWEST - timedelta(days=3)
        names = ("Zed Last", "Amy First", "Mo Middle")
        first = replace(paper(1, older, "Wombat burrows"), authors=names)
        await store.ingest(older, [first], "a")
        await store.ingest(NEWEST, [replace(first, day=NEWEST)], "b")
        await store.ingest(NEWEST, [replace(first, day=NEWEST, position=9)], "c")
        index = await open_index(store.db)
        (row,) = (await SearchService(store, index=index).search("wombat")).items
        assert row.authors == names and row.days == (older, NEWEST)
        assert replace(row, title_marked=None, snippet=None) == await store.get("2506.00001")


async def test_corrections_fall_back_to_fts5_counts_when_the_index_goes(
    served, monkeypatch
) -> None:
    store, index, _ = served
    service = SearchService(store, index=index)

    async def gone(words, cap):
        raise LookupError("rebuilding")

    monkeypatch.setattr(index, "document_counts", gone)
    assert await service.corrections(service.parse("gose")) == {"gose": "goose"}


@pytest.fixture(scope="module")
def ranking_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 papers: "wombat" in some titles, 1-6 times in the summaries, over 300 days."""
    path = tmp_path_factory.mktemp("ranking") / "p.db"

    async def build() -> None:
        async with open_store(path) as store:
            for n in range(80):
                day = NEWEST - timedelta(days=(n * 37) % 300)
                title = f"Wombat note {n}" if n % 9 == 0 else f"Note {n}"
                summary = " ".join(["wombat"] * (1 + n % 6) + ["filler"] * (n % 11))
                await store.ingest(day, [paper(n, day, title, summary)], f"s{n}")
            await open_index(store.db)

    asyncio.run(build())
    return path


@settings(max_examples=40, deadline=None)
@given(count=st.integers(1, 85), first=st.integers(1, 100), growth=st.integers(2, 5))
def test_ranked_ids_is_the_exhaustive_order_however_it_reads(
    ranking_db: Path, count: int, first: int, growth: int
) -> None:
    """Whatever the first search's size and growth, the early stop gives the top ``count`` of
    every match scored by bm25 x recency (ties: lower id)."""

    async def run() -> tuple[list[int], list[int]]:
        async with open_store(ranking_db) as store:
            index = TextIndex(store.db, Path(f"{ranking_db}.search"))
            await index.open()
            query = SearchService(store, index=index).parse("wombat")
            compiled = index.compile(query, {}, Filters())
            searcher = index.index.searcher()
            top = index.newest.toordinal()
            every = []
            for score, address in searcher.search(compiled, 1000, count=False).hits:
                doc = searcher.doc(address)
                recency = 1 / (1 + (top - doc.get_first("last")) / RECENCY_HALF_LIFE)
                every.append((-score * (1 + RECENCY_BOOST * recency), doc.get_first("id")))
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(indexsearch, "FIRST_HITS", first)
                patch.setattr(indexsearch, "GROWTH", growth)
                ranked = index.ranked_ids(compiled, index.newest, count)
            return ranked, [paper_id for _, paper_id in sorted(every)[:count]]

    ranked, expected = asyncio.run(run())
    assert ranked == expected and len(ranked) == min(count, 80)
