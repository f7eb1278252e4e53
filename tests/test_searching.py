"""The search service over a real database built from the seeds and the archive."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search import SearchError, SearchService, parse_query
from bot.textindex import open_index
from tests.fixtures_db import copy_database
from tests.helpers import CORPUS, SEEDS, examples, ingest, needs_shared, open_store


@pytest.fixture(params=["tantivy", "fts5"])
async def service(
    ingested_db: Path, indexed_db: Path, tmp_path: Path, request: pytest.FixtureRequest
):
    """Every behaviour holds on both engines: the derived index, and FTS5 (its fallback). The
    seeds and 2025-03-20.md, a copy of tests/fixtures_db.py's (the index opened, not rebuilt)."""
    built = indexed_db if request.param == "tantivy" else ingested_db
    async with open_store(copy_database(built, tmp_path / "p.db")) as store:
        index = await open_index(store.db, rebuilds=False) if request.param == "tantivy" else None
        assert (index is None) == (request.param == "fts5")
        yield SearchService(store, index=index)


def ids(page) -> list[str]:
    return [paper.arxiv_id for paper in page.items]


async def test_a_title_hit_ranks_above_a_summary_only_hit(service: SearchService) -> None:
    page = await service.search("goose")
    assert ids(page)[0] == "2503.14456"  # "Goose" in the title
    page = await service.search("zebras")
    assert ids(page) == ["2503.99999"]


async def test_snippets_and_titles_mark_the_matched_terms(service: SearchService) -> None:
    hit = (await service.search("zebras stripes")).items[0]
    assert hit.title_marked == "A New Paper About **Zebras**"
    assert hit.snippet == "**Zebras** and **stripes**."


async def test_quoted_phrases_match_only_in_order(service: SearchService) -> None:
    assert ids(await service.search('"stripes and zebras"')) == []
    assert ids(await service.search('"zebras and stripes"')) == ["2503.99999"]


async def test_minus_excludes_a_word(service: SearchService) -> None:
    with_goose = ids(await service.search("rwkv"))
    without = ids(await service.search("rwkv -goose"))
    assert "2503.14456" in with_goose
    assert "2503.14456" not in without


async def test_prefix_search(service: SearchService) -> None:
    assert "2503.99999" in ids(await service.search("zebr*"))


async def test_filters_by_author_category_and_dates(service: SearchService) -> None:
    assert ids(await service.search("", author="zoe muller")) == ["2503.99999"]
    on_20th = await service.search("", since=date(2025, 3, 20), until=date(2025, 3, 20))
    assert sorted(ids(on_20th)) == ["2503.14456", "2503.99999"]
    in_category = await service.search("", category="machine learning", limit=100)
    assert in_category.items and all(p.category == "Machine Learning" for p in in_category.items)
    assert ids(await service.search("goose", category="Machine Learning")) == []


async def test_since_after_until_is_a_clear_error(service: SearchService) -> None:
    with pytest.raises(SearchError, match="after"):
        await service.search("x", since=date(2025, 5, 1), until=date(2025, 1, 1))


@pytest.mark.parametrize("name", ["Zoë Müller", "zoe", "MÜLLER", "zoë mül", "muller zoe"])
async def test_author_lookup_ignores_case_and_accents_and_takes_parts(service, name) -> None:
    assert ids(await service.by_author(name)) == ["2503.99999"]


async def test_author_lookup_by_hugging_face_username(service: SearchService) -> None:
    assert ids(await service.by_author("BlinkDL")) == ["2503.14456"]
    assert ids(await service.by_author("smerk")) == ["2503.14456"]


async def test_categories_come_with_counts(service: SearchService) -> None:
    categories = dict(await service.categories())
    assert categories["Machine Learning"] >= 1
    listed = await service.by_category("Machine Learning", limit=100)
    assert len(listed.items) == categories["Machine Learning"]


async def test_day_lists_papers_in_digest_order(service: SearchService) -> None:
    day, papers = await service.day(date(2025, 3, 20))
    assert day == date(2025, 3, 20)
    assert [p.arxiv_id for p in papers] == ["2503.14456", "2503.99999"]
    latest, _ = await service.day()
    assert latest == date(2025, 4, 4)


@pytest.mark.parametrize(
    "text", ["2503.14456", "arXiv:2503.14456v2", "https://huggingface.co/papers/2503.14456"]
)
async def test_show_accepts_ids_and_urls(service: SearchService, text: str) -> None:
    paper = await service.show(text)
    assert paper.arxiv_id == "2503.14456"
    assert paper.days == (date(2025, 3, 19), date(2025, 3, 20))


async def test_show_rejects_what_is_not_an_id(service: SearchService) -> None:
    with pytest.raises(SearchError, match="not an arXiv id"):
        await service.show("hello world")
    assert await service.show("2101.00001") is None


@needs_shared(CORPUS)
@pytest.mark.parametrize("engine", ["tantivy", "fts5"])
async def test_pages_are_stable_with_no_gaps_or_overlaps(
    corpus_db: Path, tmp_path: Path, engine: str
) -> None:
    path = Path(shutil.copyfile(corpus_db, tmp_path / "p.db"))  # the index is built beside it
    async with open_store(path) as store:
        index = await open_index(store.db) if engine == "tantivy" else None
        service = SearchService(store, index=index)
        whole = await service.search("language model", limit=20)
        first = await service.search("language model", limit=10)
        second = await service.search("language model", limit=10, offset=10)
        assert ids(first) + ids(second) == ids(whole)
        assert first.has_more and len(ids(whole)) == 20


ZEBRAS = ["2503.99999"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"', []),
        ("*", []),
        ("(", []),
        (")", []),
        ("-", []),
        ("🔥🔥", []),
        ("x" * 10_000, []),
        ("a AND OR NOT b", []),
        ("zebras OR goose", []),  # OR is a word here, not an operator: no paper has all three
        ("NEAR(zebras stripes)", []),  # NEAR is a word too
        ("title:goose", ["2503.14456"]),  # the title field: "Goose" is in its title
        ("title:stripes", []),  # ... and only the title: "stripes" is in the zebras' summary
        ("summary:goose", []),  # not a field: the phrase "summary goose"
        ('zebras"', ZEBRAS),  # an unmatched quote is dropped
        ("^zebras", ZEBRAS),
        ("(zebras)", ZEBRAS),
    ],
)
async def test_query_syntax_is_taken_as_words_and_junk_matches_nothing(
    service: SearchService, text: str, expected: list[str]
) -> None:
    assert ids(await service.search(text, limit=100)) == expected


def test_user_text_becomes_quoted_terms_only() -> None:
    query = parse_query('NEAR(a "b c" -d e* AND')
    assert query.fts() == '("NEAR a" AND "b c" AND "e"* AND "AND") NOT ("d")'


@pytest.fixture(scope="module")
def fuzz_search(tmp_path_factory) -> Iterator[Callable[[str], list[str]]]:
    """Searches the seeds for a typed text three ways (with a goose, as typed, as an author) and
    returns the first's ids: one store for all the examples, on a loop of its own (hypothesis
    calls the test once per example)."""
    loop = asyncio.new_event_loop()
    opened = open_store(tmp_path_factory.mktemp("fuzz") / "p.db")
    store = loop.run_until_complete(opened.__aenter__())
    loop.run_until_complete(ingest(store, SEEDS))
    service = SearchService(store)

    async def search(text: str) -> list[str]:
        narrowed = ids(await service.search(f"goose {text}"))
        await service.search(text)
        await service.by_author(text)
        return narrowed

    try:
        yield lambda text: loop.run_until_complete(search(text))
    finally:
        loop.run_until_complete(opened.__aexit__(None, None, None))
        loop.close()


@settings(max_examples=examples(150), deadline=None)
@given(
    st.text(max_size=300)
    | st.text(alphabet='"*()-:^ ANDORNT', max_size=40)
    | st.lists(
        st.sampled_from(["au:", "ti:", "cat:", "id:", "since:", "until:", "-", '"', "*", "x", " "])
        | st.text(max_size=8),
        max_size=12,
    ).map("".join)
)
def test_any_query_string_gives_results_or_nothing_never_an_error(
    fuzz_search: Callable[[str], list[str]], text: str
) -> None:
    try:
        found = fuzz_search(text)
    except SearchError as error:  # a field with a bad value: one line saying what to type
        assert "\n" not in str(error) and str(error)
    else:
        # Whatever else is typed, words only narrow: nothing but the one goose paper can match.
        assert set(found) <= {"2503.14456"}
