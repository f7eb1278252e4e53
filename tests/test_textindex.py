"""The derived tantivy index: rebuilt from SQLite without a manual step, exact in its ranking,
and never handed user text as query syntax."""

from __future__ import annotations

import asyncio
import shutil
import string
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db.papers import RANK_WINDOW, Filters
from bot.models import Paper
from bot.search import SearchError, SearchService
from bot.textindex import TextIndex, open_index
from tests.fixtures_db import copy_database
from tests.helpers import DATA, SEEDS, ingest, open_store

pytest.importorskip("tantivy")

NEWEST = date(2025, 6, 30)


def paper(n: int, day: date, title: str, summary: str = "") -> Paper:
    return Paper(
        arxiv_id=f"2506.{n:05d}",
        title=title,
        summary=summary,
        authors=(f"Author {n}",),
        arxiv_url=f"https://arxiv.org/abs/2506.{n:05d}",
        day=day,
        position=n,
    )


async def searchable(service: SearchService, word: str) -> list[str]:
    page = await service.search(word, correct=False, limit=100)
    return [row.arxiv_id for row in page.items]


async def test_the_index_answers_searches_once_open(paper_db: Path) -> None:
    async with open_store(paper_db) as store:  # the seeds and 2025-03-20.md, no index yet
        index = await open_index(store.db)
        assert index is not None and index.ready
        assert index.index.searcher().num_docs == (await store.counts())["papers"]
        service = SearchService(store, index=index)
        assert await searchable(service, "goose")
        assert await searchable(service, "zzzqqqxxx") == []


async def test_a_database_path_with_spaces_and_signs_gets_its_index(tmp_path: Path) -> None:
    async with open_store(tmp_path / "my papers #1?.db") as store:
        await ingest(store, SEEDS, DATA / "2025-03-20.md")
        index = await open_index(store.db)
        assert index is not None and index.folder == tmp_path / "my papers #1?.db.search"
        assert await searchable(SearchService(store, index=index), "goose")


async def test_a_deleted_index_folder_is_rebuilt_without_a_manual_step(paper_db: Path) -> None:
    async with open_store(paper_db) as store:  # the seeds and 2025-03-20.md, no index yet
        first = await open_index(store.db)
        assert first is not None
        expected = await searchable(SearchService(store, index=first), "goose")
        shutil.rmtree(first.folder)
        again = await open_index(store.db)  # the next start
        assert again is not None and again.folder.is_dir()
        assert await searchable(SearchService(store, index=again), "goose") == expected != []


async def test_a_folder_deleted_while_running_is_rebuilt_at_the_next_search(
    paper_db: Path,
) -> None:
    async with open_store(paper_db) as store:  # the seeds and 2025-03-20.md, no index yet
        index = await open_index(store.db)
        assert index is not None
        service = SearchService(store, index=index)
        expected = await searchable(service, "goose")
        shutil.rmtree(index.folder)
        await store.ingest(NEWEST, [paper(1, NEWEST, "Geese in flight")], "test")
        # The search that finds the damage is answered by FTS5 while the index is rebuilt.
        assert await searchable(service, "geese") == ["2506.00001"]
        assert index.task is not None and not index.ready
        await index.task
        assert index.ready and index.folder.is_dir()
        assert await searchable(service, "goose") == expected
        assert await searchable(service, "geese") == ["2506.00001"]
        assert index.index.searcher().num_docs == (await store.counts())["papers"]


async def test_damaged_index_files_mean_a_rebuild(paper_db: Path) -> None:
    async with open_store(paper_db) as store:  # the seeds and 2025-03-20.md, no index yet
        index = await open_index(store.db)
        assert index is not None
        (index.folder / "meta.json").write_text("{not json")
        again = await open_index(store.db)
        assert again is not None
        assert await searchable(SearchService(store, index=again), "goose")


async def test_a_crash_between_the_sqlite_commit_and_the_index_update_loses_nothing(
    tmp_path: Path,
) -> None:
    async with open_store(tmp_path / "p.db") as store:
        index = await open_index(store.db)
        assert index is not None
        saved = index.state_file.read_text()
        # The paper commits to SQLite; the process dies before the index applies it.
        await store.ingest(NEWEST, [paper(1, NEWEST, "Crash safe geese")], "test")
        del index
        restarted = await open_index(store.db)
        assert restarted is not None
        assert await searchable(SearchService(store, index=restarted), "geese") == ["2506.00001"]
        # Dying after the tantivy commit but before its state file: applied twice, held once.
        restarted.state_file.write_text(saved)
        again = await open_index(store.db)
        assert again is not None
        assert await searchable(SearchService(store, index=again), "geese") == ["2506.00001"]
        assert again.index.searcher().num_docs == 1


async def test_an_index_ahead_of_its_database_is_rebuilt(tmp_path: Path) -> None:
    """A database restored from a backup: its change log is behind the index's."""
    async with open_store(tmp_path / "p.db") as store:
        await store.ingest(NEWEST, [paper(1, NEWEST, "Restored geese")], "test")
        index = await open_index(store.db)
        assert index is not None
        index.state_file.write_text('{"seq": 999999, "version": 1}')
        again = await open_index(store.db)
        assert again is not None and again.seq < 999999
        assert await searchable(SearchService(store, index=again), "geese") == ["2506.00001"]


def test_without_tantivy_search_stays_on_fts5(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from bot import textindex

    monkeypatch.setitem(sys.modules, "tantivy", None)  # import tantivy now raises ImportError
    assert not textindex.available()


async def test_a_database_without_an_index_answers_from_fts5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tantivy", None)
    async with open_store(tmp_path / "p.db") as store:
        await ingest(store, SEEDS, DATA / "2025-03-20.md")
        assert await open_index(store.db) is None
        assert await searchable(SearchService(store, index=None), "goose")
        assert not (tmp_path / "p.db.search").exists()


async def test_changes_other_writers_commit_are_searchable_at_the_next_search(
    tmp_path: Path,
) -> None:
    async with open_store(tmp_path / "p.db") as store:
        index = await open_index(store.db)
        assert index is not None
        service = SearchService(store, index=index)
        await store.ingest(NEWEST, [paper(1, NEWEST, "Original wording")], "test")
        assert await searchable(service, "original") == ["2506.00001"]
        await store.db.execute("UPDATE papers SET title = 'Revised wording' WHERE id = 1")
        assert await searchable(service, "original") == []
        assert await searchable(service, "revised") == ["2506.00001"]


async def test_an_older_strong_match_beats_newer_weak_ones_however_many(tmp_path: Path) -> None:
    """More newer weak matches than FTS5's ranking window: exact ranking still finds the old one."""
    async with open_store(tmp_path / "p.db") as store:
        old = NEWEST - timedelta(days=400)
        await store.ingest(old, [paper(0, old, "Wombat wombat burrows", "wombat")], "old")
        weak = [
            paper(n, NEWEST, f"Study number {n}", f"A long summary {'of nothing ' * 20} wombat")
            for n in range(1, RANK_WINDOW + 100)
        ]
        await store.ingest(NEWEST, weak, "new")
        index = await open_index(store.db)
        exact = await SearchService(store, index=index).search("wombat", correct=False)
        assert exact.items[0].arxiv_id == "2506.00000"
        windowed = await SearchService(store).search("wombat", correct=False)
        assert "2506.00000" not in [row.arxiv_id for row in windowed.items]  # what was wrong


async def test_recency_breaks_ties_between_equal_text(tmp_path: Path) -> None:
    async with open_store(tmp_path / "p.db") as store:
        old = NEWEST - timedelta(days=90)
        await store.ingest(old, [paper(1, old, "Same words here")], "old")
        await store.ingest(NEWEST, [paper(2, NEWEST, "Same words here")], "new")
        index = await open_index(store.db)
        page = await SearchService(store, index=index).search("same words", correct=False)
        assert [row.arxiv_id for row in page.items] == ["2506.00002", "2506.00001"]


async def test_filters_narrow_without_changing_the_order(tmp_path: Path) -> None:
    async with open_store(tmp_path / "p.db") as store:
        old = NEWEST - timedelta(days=60)
        await store.ingest(old, [paper(1, old, "Wombat wombat wombat")], "old")
        await store.ingest(NEWEST, [paper(2, NEWEST, "Wombat", "a wombat")], "new")
        await store.ingest(NEWEST, [paper(3, NEWEST, "Wombat")], "new2")
        index = await open_index(store.db)
        service = SearchService(store, index=index)
        plain = await searchable(service, "wombat")
        assert len(plain) == 3
        assert await searchable(service, "wombat since:2000-01-01") == plain
        assert await searchable(service, "wombat since:2025-06-01") == [
            arxiv_id for arxiv_id in plain if arxiv_id != "2506.00001"
        ]
        compiled = index.compile(
            service.parse("wombat since:2000-01-01"), {}, Filters(since=date(2000, 1, 1))
        )
        searcher = index.index.searcher()
        scores = [score for score, _ in searcher.search(compiled, 10).hits]
        bare = index.compile(service.parse("wombat"), {}, Filters())
        assert scores == [score for score, _ in searcher.search(bare, 10).hits]


@pytest.fixture(scope="module")
def hostile_db(indexed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and 2025-03-20.md with their index, shared by this module's hostile queries."""
    return copy_database(indexed_db, tmp_path_factory.mktemp("hostile") / "p.db")


HOSTILE = [
    "title:goose",
    "goose OR zzzz",
    "goose AND NOT goose",
    "*",
    "goose~2",
    "goose^100 zzzz",
    "[a TO z]",
    "arxiv_id:>0 goose",
    '"unbalanced',
    "(goose",
    "IN [1 2]",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_query_syntax_is_words_to_tantivy_too(hostile_db: Path, text: str) -> None:
    async with open_store(hostile_db) as store:
        index = await open_index(store.db, rebuilds=False)
        assert index is not None
        both = [SearchService(store, index=index), SearchService(store)]
        pages = [await service.search(text, correct=False, limit=50) for service in both]
        assert [r.arxiv_id for r in pages[0].items] == [r.arxiv_id for r in pages[1].items]


def test_the_index_never_uses_tantivys_query_parser() -> None:
    source = Path("bot/textindex.py").read_text()
    assert "parse_query(" not in source and "parse_query_lenient" not in source


Outcome = Callable[[str], tuple[set[str], set[str]] | None]


@pytest.fixture(scope="module")
def outcome(hostile_db: Path) -> Iterator[Outcome]:
    """Both engines' matches for a text, or None when the query was refused with a message for
    the user: one store and index opened for all of a module's examples, on a loop of its own
    (hypothesis calls the test once per example)."""
    loop = asyncio.new_event_loop()
    opened = open_store(hostile_db)
    store = loop.run_until_complete(opened.__aenter__())
    index = TextIndex(store.db, Path(f"{hostile_db}.search"), rebuilds=False)
    loop.run_until_complete(index.open())
    assert index.ready
    ranked, plain = SearchService(store, index=index), SearchService(store)

    async def both_engines(text: str) -> tuple[set[str], set[str]]:
        first = await ranked.search(text, correct=False, limit=100)
        second = await plain.search(text, correct=False, limit=100)
        return {r.arxiv_id for r in first.items}, {r.arxiv_id for r in second.items}

    def run(text: str) -> tuple[set[str], set[str]] | None:
        try:
            return loop.run_until_complete(both_engines(text))
        except SearchError:
            return None

    try:
        yield run
    finally:
        loop.run_until_complete(opened.__aexit__(None, None, None))
        loop.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_any_text_gives_results_or_nothing_never_an_error(outcome: Outcome, text: str) -> None:
    outcome(text)


# Letters, digits, accents and every ASCII sign: the index's analyzer (lower case, ASCII folding)
# cuts these exactly as FTS5's unicode61 does. (Beyond them tantivy folds more: "¹" finds "1".)
TYPED = string.ascii_letters + string.digits + string.punctuation + " éüñçÉ"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=TYPED, max_size=60))
def test_typed_text_matches_the_same_papers_on_both_engines(outcome: Outcome, text: str) -> None:
    found = outcome(text)
    if found is not None:
        assert found[0] == found[1]
