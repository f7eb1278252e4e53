"""Related papers on both engines: the derived tantivy index when it serves, FTS5 otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.db import PaperStore
from bot.db.arxiv import ArxivStore
from bot.discover import DiscoverService
from bot.models import Paper
from bot.textindex import TextIndex, open_index
from tests.helpers import open_store
from tests.test_textindex import paper

pytest.importorskip("tantivy")

OLD, NEW = date(2025, 1, 6), date(2025, 6, 30)
TEXTS = {
    1: ("Goose flight dynamics", "A wind tunnel study of goose wings and flight muscles."),
    2: ("Flight of the goose", "Tracking goose migration routes by satellite."),
    3: ("Quantum error correction", "Surface codes for superconducting qubits."),
    4: ("Goose flight over oceans", "Tracking goose migration routes by satellite."),
    5: ("Goose flight over oceans", "Tracking goose migration routes by satellite."),
}
DAYS = {1: NEW, 2: NEW, 3: NEW, 4: OLD, 5: NEW}


def numbered(n: int) -> Paper:
    return paper(n, DAYS[n], *TEXTS[n])


async def stored(store: PaperStore, numbers: list[int]) -> None:
    for day in sorted({DAYS[n] for n in numbers}):
        batch = [numbered(n) for n in numbers if DAYS[n] == day]
        await store.ingest(day, batch, source=f"test:{day}:{numbers}")


@pytest.fixture
async def store(empty_db: Path) -> AsyncIterator[PaperStore]:
    async with open_store(empty_db) as store:
        await stored(store, [1, 2, 3, 4, 5])
        yield store


@pytest.fixture(params=["fts", "tantivy"])
async def discover(request: pytest.FixtureRequest, store: PaperStore) -> DiscoverService:
    index = await open_index(store.db) if request.param == "tantivy" else None
    assert request.param == "fts" or index is not None
    return DiscoverService(store, index)


async def related(discover: DiscoverService, n: int) -> list[str]:
    paper, similar = await discover.related(f"2506.{n:05d}", 5)
    assert paper.arxiv_id == f"2506.{n:05d}" and paper.title_marked is None
    return [row.arxiv_id for row in similar]


async def test_related_shares_telling_words_and_never_lists_the_paper_itself(discover) -> None:
    found = await related(discover, 1)
    assert set(found) == {"2506.00002", "2506.00004", "2506.00005"}
    assert "2506.00003" not in found  # no word in common: must not be listed


async def test_related_rows_are_marked_like_search_results(discover) -> None:
    _, similar = await discover.related("2506.00001", 5)
    assert similar and all(row.snippet is not None for row in similar)
    assert all("**" in (row.title_marked or "") for row in similar)


async def test_the_newer_of_two_equal_papers_ranks_first(discover) -> None:
    found = await related(discover, 2)
    assert found.index("2506.00005") < found.index("2506.00004")


async def test_a_paper_sharing_no_telling_word_has_no_related_papers(discover) -> None:
    assert await related(discover, 3) == []


async def test_related_on_the_index_sees_papers_stored_after_it_opened(tmp_path: Path) -> None:
    async with open_store(tmp_path / "p.db") as store:
        await stored(store, [1, 3])
        index = await open_index(store.db)
        discover = DiscoverService(store, index)
        assert await related(discover, 1) == []
        await stored(store, [2])
        assert await related(discover, 1) == ["2506.00002"]
        assert await related(discover, 2) == ["2506.00001"]


async def test_related_answers_from_fts5_while_the_index_rebuilds(store: PaperStore) -> None:
    index = await open_index(store.db)
    assert isinstance(index, TextIndex)
    index.index = None  # what a rebuild in progress looks like: sync() says it cannot serve
    found = await related(DiscoverService(store, index), 1)
    assert found == await related(DiscoverService(store), 1)
    assert set(found) == {"2506.00002", "2506.00004", "2506.00005"}


async def test_a_paper_known_only_from_arxiv_relates_both_ways(store: PaperStore) -> None:
    """A bookmarked link fetched from arXiv has no digest day (so no recency bonus): it still
    finds papers like it, and is found as one."""
    fields = {
        "title": "Goose flight in crosswinds",
        "authors": ["Ada Wing"],
        "abstract": "How goose flight copes with crosswind gusts and migration routes.",
        "primary_category": "q-bio.PE",
    }
    await ArxivStore(store.db).record({"2507.00001": fields}, [], datetime(2025, 7, 1, tzinfo=UTC))
    for discover in (DiscoverService(store, await open_index(store.db)), DiscoverService(store)):
        paper, similar = await discover.related("2507.00001", 5)
        assert paper.primary_category == "q-bio.PE" and not paper.days
        assert "2506.00001" in [row.arxiv_id for row in similar]
        assert "2506.00003" not in [row.arxiv_id for row in similar]
        assert "2507.00001" in await related(discover, 1)


async def test_related_ranks_by_text_alone_so_an_older_closer_paper_comes_first(
    tmp_path: Path,
) -> None:
    """Related papers need not be recent: the paper sharing more of the telling words ranks
    first however old it is (a recency bonus would put the newer, less alike one first)."""
    alike = (
        "Albatross gliding flight over ocean swells: wave lift, gust soaring and wingtip vortices."
    )
    older = "Albatross gliding flight over ocean swells: wave lift, gust soaring and vortices."
    newer = "Albatross gliding flight over ocean swells: wave lift and soaring."
    async with open_store(tmp_path / "p.db") as store:
        await store.ingest(OLD, [paper(8, OLD, "Albatross soaring", older)], source="test:old")
        await store.ingest(
            NEW,
            [
                paper(7, NEW, "Albatross soaring", alike),
                paper(9, NEW, "Albatross soaring", newer),
                numbered(3),  # nothing in common: never listed
            ],
            source="test:new",
        )
        for index in (await open_index(store.db), None):
            assert await related(DiscoverService(store, index), 7) == ["2506.00008", "2506.00009"]


async def test_related_reads_the_abstract_arxiv_completion_stored(store: PaperStore) -> None:
    """A digest paper's summary is a short rewrite: the words only its arXiv abstract holds
    find papers too, on both engines."""
    await store.ingest(
        NEW, [paper(6, NEW, "Albatross telemetry", "Satellite tags on albatross colonies.")], "t"
    )
    for discover in (DiscoverService(store, await open_index(store.db)), DiscoverService(store)):
        assert "2506.00006" not in await related(discover, 1)
    fields = {"abstract": "Goose wings compared with albatross wings by satellite telemetry."}
    await ArxivStore(store.db).record({"2506.00001": fields}, [], datetime(2025, 7, 1, tzinfo=UTC))
    for discover in (DiscoverService(store, await open_index(store.db)), DiscoverService(store)):
        found = await related(discover, 1)
        assert "2506.00006" in found and "2506.00003" not in found
        assert "2506.00001" in await related(discover, 6)


async def test_many_words_shared_in_the_text_outweigh_one_shared_in_a_title(
    tmp_path: Path,
) -> None:
    """Fields count alike in a related query: one shared title word does not beat a paper
    sharing the whole subject in its summary (search's 10x title would put it first)."""
    async with open_store(tmp_path / "p.db") as store:
        await store.ingest(
            NEW,
            [
                paper(
                    1, NEW, "Kestrel hovering", "Hovering uses headwind, tail fanning, wingbeat."
                ),
                paper(2, NEW, "Kestrel nests", "Nesting boxes on farmland."),
                paper(
                    3,
                    NEW,
                    "Raptor flight",
                    "Hovering raptors use headwind, tail fanning, wingbeat.",
                ),
                paper(4, NEW, "Kestrel diet", "Voles in winter."),
            ],
            source="test",
        )
        for index in (await open_index(store.db), None):
            found = await related(DiscoverService(store, index), 1)
            assert found[0] == "2506.00003" and set(found) == {
                "2506.00002",
                "2506.00003",
                "2506.00004",
            }


async def test_the_index_marks_related_rows_as_fts5_does(store: PaperStore) -> None:
    """On the index the telling words are marked in Python (no FTS5 MATCH per row): the same
    marks as FTS5's highlight() and snippet()."""
    _, on_index = await DiscoverService(store, await open_index(store.db)).related("2506.00001")
    _, on_fts = await DiscoverService(store).related("2506.00001")
    marks = {row.arxiv_id: (row.title_marked, row.snippet) for row in on_fts}
    assert {row.arxiv_id: (row.title_marked, row.snippet) for row in on_index} == marks
    assert marks["2506.00002"][0] == "**Flight** of the **goose**"


async def test_fts5_ranks_common_words_within_the_newest_matches(
    store: PaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On FTS5, words of unknown count (COUNT_CAP or more papers: a large archive) are not
    scored over every match; when all are so, the newest matches are ranked, as a broad search
    is: still papers sharing telling words, never the paper itself."""
    monkeypatch.setattr("bot.discover.COUNT_CAP", 2)  # every shared word is now "common"
    found = await related(DiscoverService(store), 1)
    assert set(found) == {"2506.00002", "2506.00004", "2506.00005"}
    assert await related(DiscoverService(store), 3) == []
