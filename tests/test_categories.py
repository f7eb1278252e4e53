"""Categories and authors people can use: the shipped arXiv taxonomy, a category typed as a code,
a name or an archive, and author names typed as people write them."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.db import PaperStore
from bot.ingest import ingest_bytes
from bot.models import IngestReport, PaperRow
from bot.search import SearchService
from bot.sources.huggingface import reader
from bot.subscriptions import Subscription
from bot.taxonomy import CategoryFilter, label, name, names, resolve
from tests.fixtures_db import copy_database
from tests.helpers import complete_from_arxiv, open_store

CL = {"2503.14456": "cs.CL", "2503.99999": "cs.CL", "2504.02826": "stat.ML"}


@pytest.fixture(scope="module")
def completed_db(ingested_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and 2025-03-20.md completed by the arXiv stand-in (``CL`` sets primaries)."""
    path = copy_database(ingested_db, tmp_path_factory.mktemp("completed") / "p.db")

    async def complete() -> None:
        async with open_store(path) as store:
            await complete_from_arxiv(store, CL)

    asyncio.run(complete())
    return path


@pytest.fixture
async def store(completed_db: Path, tmp_path: Path) -> AsyncIterator[PaperStore]:
    async with open_store(copy_database(completed_db, tmp_path / "p.db")) as store:
        yield store


def test_the_taxonomy_ships_with_the_package() -> None:
    assert name("cs.CL") == "Computation and Language"
    assert name("CS.cl") == "Computation and Language"
    assert name("astro-ph.CO") == "Cosmology and Nongalactic Astrophysics"
    assert name("hep-th") == "High Energy Physics - Theory"
    assert name("Machine Learning") is None
    assert len(names()) > 150
    assert label("cs.CL") == "cs.CL: Computation and Language"
    assert label("Machine Learning") == "Machine Learning"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("cs.CL", CategoryFilter(("cs.CL",))),
        ("  cs.cl ", CategoryFilter(("cs.CL",))),
        ("Computation and Language", CategoryFilter(("cs.CL", "Computation and Language"))),
        ("computation AND language", CategoryFilter(("cs.CL", "computation AND language"))),
        ("cs.*", CategoryFilter(("cs",), ("cs.",))),
        ("cs", CategoryFilter(("cs",), ("cs.",))),
        ("astro-ph.*", CategoryFilter(("astro-ph",), ("astro-ph.",))),
        ("Computer Science", CategoryFilter(("cs", "Computer Science"), ("cs.",))),
        ("Machine Learning", CategoryFilter(("cs.LG", "stat.ML", "Machine Learning"))),
        ("Robots & Cats", CategoryFilter(("Robots & Cats",))),
    ],
)
def test_a_category_is_a_code_a_name_an_archive_or_a_topic(typed, expected) -> None:
    assert resolve(typed) == expected


def test_nothing_typed_is_no_filter_and_an_archive_does_not_match_its_lookalikes() -> None:
    assert resolve("   ") is None
    archive = resolve("cs.*")
    assert archive is not None and archive.matches(["cs.CL"]) and archive.matches(["CS.LG"])
    assert not archive.matches(["econ.GN", "physics.comp-ph", "csx.AI"])


@pytest.mark.parametrize("typed", ["cs.CL", "CS.CL", "Computation and Language", "cs.*"])
async def test_search_filters_by_any_form_of_a_category(store: PaperStore, typed: str) -> None:
    page = await SearchService(store).search("", category=typed, limit=50)
    ids = {paper.arxiv_id for paper in page.items}
    assert {"2503.14456", "2503.99999"} <= ids
    assert "2504.02826" not in ids or typed == "cs.*"  # stat.ML, cross-listed in cs.AI


async def test_a_category_with_words_narrows_a_keyword_search(store: PaperStore) -> None:
    hits = await SearchService(store).search("goose", category="cs.CL")
    assert [paper.arxiv_id for paper in hits.items] == ["2503.14456"]
    assert (await SearchService(store).search("goose", category="math.AG")).items == []


async def test_cross_listed_categories_and_topic_labels_are_tags(store: PaperStore) -> None:
    service = SearchService(store)
    in_ai = {p.arxiv_id for p in (await service.search("", category="cs.AI", limit=100)).items}
    assert set(CL) <= in_ai  # cs.AI is their second category
    topic = await service.by_category("machine learning")
    assert topic.items  # the seeds' digest topic label, any case
    paper = await store.get("2504.02826")
    assert paper is not None
    assert paper.primary_category == paper.category == "stat.ML"
    assert paper.categories[:2] == ("stat.ML", "cs.AI")


async def test_autocomplete_shows_code_name_and_count(store: PaperStore) -> None:
    in_cl = len((await SearchService(store).search("", category="cs.CL", limit=100)).items)
    choices = await SearchService(store).category_choices("computation")
    assert in_cl >= 2 and (f"cs.CL: Computation and Language ({in_cl})", "cs.CL") in choices
    typed_code = await SearchService(store).category_choices("cs.c")
    assert typed_code and all(value.lower().startswith("cs.c") for _, value in typed_code)
    topics = await SearchService(store).category_choices("mach")
    assert any(value == "Machine Learning" for _, value in topics)
    assert await SearchService(store).category_choices("zzz") == []


def paper(*categories: str, topic: str | None = None) -> PaperRow:
    return PaperRow(
        arxiv_id="1",
        title="t",
        categories=(*categories, *([topic] if topic else [])),
        category=categories[0] if categories else topic,
    )


def subscription(*categories: str) -> Subscription:
    return Subscription(
        id=1,
        guild_id=1,
        channel_id=1,
        created_by=1,
        post_time=datetime(2025, 1, 1, tzinfo=UTC).time(),
        timezone="UTC",
        weekdays=("mon",),
        categories=categories,
        keywords=(),
        authors=(),
        layout="thread",
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "wanted, row, matches",
    [
        (("cs.CL",), paper("cs.CL"), True),
        (("Computation and Language",), paper("cs.LG", "cs.CL"), True),
        (("cs.*",), paper("cs.RO"), True),
        (("cs.*",), paper("eess.AS"), False),
        (("math.AG",), paper("cs.CL"), False),
        (("Machine Learning",), paper(topic="Machine Learning"), True),
        (("Machine Learning",), paper("stat.ML"), True),
        (("Machine Learning",), paper("cs.CV"), False),
    ],
)
def test_subscription_category_filters_take_the_same_forms(wanted, row, matches) -> None:
    assert subscription(*wanted).matches(row) is matches


# Authors


@pytest.fixture
async def authors(store: PaperStore) -> dict[str, object]:
    made = await complete_from_arxiv(store)
    return made  # type: ignore[return-value]


async def test_authors_are_found_by_real_names_in_the_forms_people_type(
    store: PaperStore, authors: dict
) -> None:
    target = authors["2503.14456"]
    full = target.authors[0]  # e.g. "Germán Ramírez-0": accents, arXiv's full name
    first, last = full.split(" ", 1)
    service = SearchService(store)
    forms = [
        full,
        full.upper(),
        full.encode("ascii", "ignore").decode() if full.isascii() else _plain(full),
        f"{first[0]}. {last}",
        f"{last}, {first}",
        f"{last}, {first[0]}.",
    ]
    for typed in forms:
        found = {p.arxiv_id for p in (await service.by_author(typed, limit=100)).items}
        assert "2503.14456" in found, typed


async def test_an_initial_must_start_a_name(store: PaperStore, authors: dict) -> None:
    full = authors["2503.14456"].authors[0]
    first, last = full.split(" ", 1)
    wrong = "Q" if first[0].upper() != "Q" else "X"
    found = await SearchService(store).by_author(f"{wrong}. {last}", limit=100)
    assert all(full not in p.authors for p in found.items)


async def test_usernames_still_find_their_papers(store: PaperStore) -> None:
    found = await SearchService(store).by_author("BlinkDL")
    assert "2503.14456" in {p.arxiv_id for p in found.items}
    paper = await store.get("2503.14456")
    assert paper is not None and "BlinkDL" not in paper.authors  # shown: arXiv's names


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


HF_DAY = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/fixtures/hf-daily-papers/2025-03-18.json"
)


@pytest.mark.parametrize(
    "typed",
    [
        "Börje F. Karlsson",
        "borje karlsson",
        "B. Karlsson",
        "B. F. Karlsson",
        "Karlsson, Börje",
        "KARLSSON, B.",
    ],
)
async def test_a_real_name_from_hugging_face_is_found_as_people_type_it(
    tmp_path: Path, typed: str
) -> None:
    async with open_store(tmp_path / "p.db") as store:
        day = date(2025, 3, 18)
        await ingest_bytes(
            store,
            HF_DAY.read_bytes(),
            name="hf",
            key=f"hf:{day}",
            report=IngestReport(),
            read=reader(day),
        )
        found = await SearchService(store).by_author(typed)
        assert [p.arxiv_id for p in found.items] == ["2503.12533"]
        assert (await SearchService(store).by_author("C. Karlsson")).items == []
