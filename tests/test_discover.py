"""Related papers, the top of a period and query suggestions, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bookmarks import BookmarkService
from bot.discover import BOOKMARK_WEIGHT, DiscoverService, telling_words
from bot.query import SearchError
from tests.helpers import CORPUS, needs_shared, open_store


@pytest.fixture
async def store(paper_db: Path):
    async with open_store(paper_db) as store:  # the seeds and 2025-03-20.md
        yield store


def test_telling_words_weigh_the_title_and_skip_filler() -> None:
    words = telling_words("Goose Flight", "We propose a goose model with the flight data.")
    assert words["goose"] == 4 and words["flight"] == 4
    assert "propose" not in words and "the" not in words and "we" not in words


def test_telling_words_read_the_abstract_beside_the_summary_but_not_twice() -> None:
    words = telling_words("Goose Flight", "A goose study.", "Goose wings and goose muscles.")
    assert words["goose"] == 3 + 1 + 2 and words["muscles"] == 1
    same = telling_words("Goose Flight", "A goose study.", "A Goose study.")
    assert same == telling_words("Goose Flight", "A goose study.")


async def test_related_papers_share_telling_words_and_leave_the_paper_out(store) -> None:
    paper, similar = await DiscoverService(store).related("2503.14456", 5)
    assert paper.arxiv_id == "2503.14456"
    assert similar and "2503.14456" not in [p.arxiv_id for p in similar]
    assert all(p.snippet is not None for p in similar)


async def test_related_explains_a_bad_or_unknown_id(store) -> None:
    with pytest.raises(SearchError, match="not an arXiv id"):
        await DiscoverService(store).related("goose")
    with pytest.raises(SearchError, match=r"no paper 2101\.00001"):
        await DiscoverService(store).related("2101.00001")


@needs_shared(CORPUS)
async def test_related_finds_papers_on_the_same_subject(corpus_db: Path) -> None:
    async with open_store(corpus_db) as store:
        _, similar = await DiscoverService(store).related("2503.14456", 5)
        titles = " ".join(p.title + p.summary for p in similar).lower()
        assert "rwkv" in titles


async def test_top_ranks_by_upvotes_plus_this_servers_bookmarks(store) -> None:
    discover = DiscoverService(store)
    first, last, ranked = await discover.top("month", guild_id=1)
    assert last is not None and first is not None and (last - first).days == 29
    upvotes = [paper.upvotes or 0 for paper, _ in ranked]
    assert upvotes == sorted(upvotes, reverse=True)
    underdog = ranked[-1][0]
    bookmarks = BookmarkService(store.db, store, lambda: datetime(2025, 3, 27, tzinfo=UTC))
    lead = upvotes[0] - (underdog.upvotes or 0)
    for user in range(lead // BOOKMARK_WEIGHT + 1):
        await bookmarks.add(user, underdog.arxiv_id, guild_id=1)
    _, _, here = await discover.top("month", guild_id=1)
    assert here[0][0].arxiv_id == underdog.arxiv_id and here[0][1] == lead // BOOKMARK_WEIGHT + 1
    _, _, elsewhere = await discover.top("month", guild_id=2)  # another server's bookmarks
    assert elsewhere[0][0].arxiv_id != underdog.arxiv_id


async def test_top_rejects_an_unknown_period(store) -> None:
    with pytest.raises(SearchError, match="not a period"):
        await DiscoverService(store).top("year", None)


async def test_suggestions_complete_titles_and_authors_within_discords_cap(store) -> None:
    discover = DiscoverService(store)
    titles = await discover.suggestions("zebr")
    assert titles[0] == ("A New Paper About Zebras", 'ti:"A New Paper About Zebras"')
    authors = await discover.suggestions("müll")
    assert ("Zoë Müller (1 papers)", 'au:"Zoë Müller"') in authors
    assert len(await discover.suggestions("a")) <= 25
    assert await discover.suggestions("") == []
    assert await discover.suggestions("qqqzzz") == []
