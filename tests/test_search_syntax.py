"""Field syntax, singular/plural, typo corrections and ranking, on a real database of the seeds."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import spelling
from bot.query import SearchError, parse_query, parse_when
from bot.search import SearchService
from bot.spelling import one_edit, plural_forms
from bot.textindex import open_index
from tests.fixtures_db import copy_database
from tests.helpers import open_store

TODAY = datetime(2025, 3, 27, 12, tzinfo=UTC)


@pytest.fixture(params=["tantivy", "fts5"])
async def service(
    ingested_db: Path, indexed_db: Path, tmp_path: Path, request: pytest.FixtureRequest
):
    """Both engines: the derived tantivy index and FTS5, its fallback, over a copy of the seeds
    and 2025-03-20.md (tests/fixtures_db.py; the index opened, not rebuilt)."""
    built = indexed_db if request.param == "tantivy" else ingested_db
    async with open_store(copy_database(built, tmp_path / "p.db")) as store:
        index = await open_index(store.db, rebuilds=False) if request.param == "tantivy" else None
        assert (index is None) == (request.param == "fts5")
        yield SearchService(store, lambda: TODAY, index)


def ids(page) -> list[str]:
    return [paper.arxiv_id for paper in page.items]


def test_fields_are_parsed_apart_from_words() -> None:
    query = parse_query(
        'au:BlinkDL author:"Zoë Müller" -au:bot ti:goose cat:"Machine Learning" id:2503.14456v2'
        " since:2025-03-01 until:1w rwkv",
        date(2025, 3, 27),
    )
    assert query.authors == ("BlinkDL", "Zoë Müller") and query.not_authors == ("bot",)
    assert query.category == "Machine Learning" and query.arxiv_ids == ("2503.14456",)
    assert (query.since, query.until) == (date(2025, 3, 1), date(2025, 3, 20))
    assert query.fts() == 'title : "goose" AND "rwkv"'


def test_an_arxiv_id_or_link_typed_alone_is_the_id_field() -> None:
    query = parse_query("https://huggingface.co/papers/2503.14456 arXiv:2504.00891v2 goose")
    assert query.arxiv_ids == ("2503.14456", "2504.00891") and query.fts() == '"goose"'
    # Not ids: numbers, versions, a negated id (a word to leave out), a quoted one (exact words).
    for text in ("1.5", "2025", "v2.1", "-2503.14456", '"2503.14456"'):
        assert parse_query(text).arxiv_ids == (), text


async def test_searching_an_arxiv_id_finds_that_paper(service: SearchService) -> None:
    assert ids(await service.search("2503.14456")) == ["2503.14456"]
    assert ids(await service.search("https://arxiv.org/abs/2503.14456v1")) == ["2503.14456"]


def test_a_space_after_a_field_name_still_reads_the_field() -> None:
    query = parse_query("au: BlinkDL ti:  goose since: 2025-03-01 au2: x")
    assert query.authors == ("BlinkDL",) and query.since == date(2025, 3, 1)
    assert query.fts() == 'title : "goose" AND "au2" AND "x"'  # au2 is no field


def test_field_values_never_become_fts_syntax() -> None:
    query = parse_query('ti:"a" OR b" ti:NEAR(x -ti:y* au:"')
    assert query.fts() == '(title : "a" AND "OR" AND "b" AND title : "NEAR x") NOT (title : "y"*)'
    assert parse_query("nope:x http://a.b/c").fts() == '"nope x" AND "http a b c"'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("since:March", "'March' is not a date"),
        ("id:goose", "'id:goose' is not an arXiv id"),
        ("cat:a cat:b", "one cat: per search"),
        ("-cat:x", "'-category:' cannot be negated"),
        ('since:"0\nau:"', "'0 au:' is not a date"),
        ('id:"x\r\ny"', "'id:x y' is not an arXiv id"),
        ("goose au:", "'au:' needs something after it, like au:BlinkDL"),
        ("SINCE:", "'SINCE:' needs something after it, like since:7d"),
    ],
)
def test_bad_field_values_say_what_to_type(text: str, message: str) -> None:
    with pytest.raises(SearchError, match=message) as raised:
        parse_query(text, date(2025, 3, 27))
    assert "\n" not in str(raised.value) and "\r" not in str(raised.value)  # one line


def test_relative_days_count_back_from_today() -> None:
    today = date(2025, 3, 27)
    assert parse_when("7d", today) == date(2025, 3, 20)
    assert parse_when("2w", today) == date(2025, 3, 13)
    assert parse_when("2025-01-02", today) == date(2025, 1, 2)


async def test_author_field_narrows_like_the_author_option(service: SearchService) -> None:
    assert ids(await service.search("au:BlinkDL goose")) == ["2503.14456"]
    assert ids(await service.search("goose", author="BlinkDL")) == ["2503.14456"]
    assert ids(await service.search("au:nobody-at-all goose")) == []
    assert "2503.14456" not in ids(await service.search("rwkv -au:BlinkDL"))


async def test_title_field_matches_the_title_only(service: SearchService) -> None:
    assert ids(await service.search("ti:zebras")) == ["2503.99999"]
    assert ids(await service.search("ti:stripes")) == []  # "stripes" is only in its summary
    assert ids(await service.search("stripes")) == ["2503.99999"]


async def test_id_category_and_date_fields(service: SearchService) -> None:
    assert ids(await service.search("id:2503.99999")) == ["2503.99999"]
    assert ids(await service.search("zebras id:2503.14456")) == []
    on_20th = await service.search("since:2025-03-20 until:1w")  # 1w back from the 27th
    assert sorted(ids(on_20th)) == ["2503.14456", "2503.99999"]
    assert ids(await service.search('goose cat:"Machine Learning"')) == []


async def test_options_and_fields_combine_and_must_agree(service: SearchService) -> None:
    assert ids(await service.search("zebras since:2025-03-01", until=date(2025, 3, 19))) == []
    with pytest.raises(SearchError, match="two categories"):
        await service.search("cat:A", category="B")
    with pytest.raises(SearchError, match="after"):
        await service.search("x since:2025-05-01", until=date(2025, 1, 1))


def test_plural_forms_are_english_candidates() -> None:
    assert plural_forms("transformer") == ["transformers"]
    assert plural_forms("transformers") == ["transformer"]
    assert plural_forms("strategies") == ["strategy"]
    assert plural_forms("classes") == ["class", "classe"]
    assert plural_forms("goes") == ["goe"]  # never "go": only -s after a vowel-e
    assert plural_forms("ab") == []


async def test_singular_and_plural_meet_but_quotes_stay_exact(service: SearchService) -> None:
    assert ids(await service.search("zebra")) == ["2503.99999"]  # the paper says "Zebras"
    assert ids(await service.search('"zebra"')) == []


async def test_a_typo_is_corrected_from_the_index_and_said_so(service: SearchService) -> None:
    page = await service.search("gose")
    assert ids(page)[0] == "2503.14456"
    assert page.corrected == "goose"
    exact = await service.search("gose", correct=False)
    assert ids(exact) == [] and exact.corrected is None


async def test_words_that_find_enough_are_left_alone(service: SearchService) -> None:
    page = await service.search("zebras")
    assert page.corrected is None
    assert await service.corrections(parse_query("qqqqzzzz")) == {}


async def test_an_overlong_word_is_never_corrected(service: SearchService, monkeypatch) -> None:
    """A hostile 10 KB "word" would have millions of candidates one edit away: it is not tried."""
    tried: list[str] = []
    real = spelling.one_edit
    monkeypatch.setattr(spelling, "one_edit", lambda word: tried.append(word) or real(word))
    assert await service.corrections(parse_query("g" * 10_000 + " gose")) == {"gose": "goose"}
    assert tried == ["gose"]


def test_one_edit_covers_the_four_slips() -> None:
    edits = one_edit("gose")
    assert {"goose", "goes", "ose", "gase"} <= edits and "gose" not in edits


async def test_ranking_is_stable_across_pages(service: SearchService) -> None:
    whole = ids(await service.search("model", limit=8, correct=False))
    first = await service.search("model", limit=4, correct=False)
    second = await service.search("model", limit=4, offset=4, correct=False)
    assert ids(first) + ids(second) == whole and first.has_more
