"""One true record per paper: every source's values kept, what is shown picked field by field,
the same whatever order the sources arrive in; and a database made by main upgraded in place."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.db import PaperStore
from bot.db.arxiv import ArxivStore
from bot.ingest import ingest_bytes
from bot.models import IngestReport
from bot.sources.arxiv import parse_feed
from bot.sources.huggingface import reader
from tests.arxiv_standin import StandIn, feed
from tests.cli import cli
from tests.fixtures_db import copy_database
from tests.helpers import CORPUS, DATA, ROOT, open_store

DAY = date(2025, 6, 13)
DIGEST = CORPUS / "2025" / "06" / "13.md"
HF = ROOT.parent / "shared" / "fixtures" / "hf-daily-papers" / "2025-06-13.json"
NOW = datetime(2025, 6, 14, 8, 0, tzinfo=UTC)

Step = Callable[[PaperStore], Awaitable[Any]]


async def from_digest(store: PaperStore) -> None:
    await ingest_bytes(
        store, DIGEST.read_bytes(), name=str(DIGEST), key=str(DIGEST), report=IngestReport()
    )


async def from_huggingface(store: PaperStore, path: Path = HF, day: date = DAY) -> None:
    await ingest_bytes(
        store,
        path.read_bytes(),
        name=str(path),
        key=f"hf:{day}",
        report=IngestReport(),
        read=reader(day),
    )


def standin_for_the_day() -> StandIn:
    """arXiv's answer for every paper of the day (made by the stand-in, in arXiv's shape)."""
    digest = [
        line for line in DIGEST.read_text(encoding="utf-8").splitlines() if "arxiv.org/abs/" in line
    ]
    ids = [line.split("arxiv.org/abs/")[1].split(")")[0] for line in digest]
    ids += [item["paper"]["id"] for item in json.loads(HF.read_text(encoding="utf-8"))]
    standin = StandIn(entries={})
    standin.add((arxiv_id, f"The arXiv title of {arxiv_id}") for arxiv_id in dict.fromkeys(ids))
    return standin


def from_arxiv(standin: StandIn) -> Step:
    async def step(store: PaperStore) -> None:
        entries = parse_feed(feed(standin, standin.entries)).entries
        await ArxivStore(store.db).record({e.arxiv_id: e.fields() for e in entries}, [], NOW)

    return step


async def snapshot(store: PaperStore) -> dict[str, Any]:
    """Everything a person or a lookup can see, keyed by arXiv id (row ids depend on order)."""
    ids = [
        row[0] for row in await store.db.fetchall("SELECT arxiv_id FROM papers ORDER BY arxiv_id")
    ]
    papers = {i: (await store.get(i)).as_dict() for i in ids}  # type: ignore[union-attr]
    names = await store.db.fetchall(
        "SELECT p.arxiv_id, a.name, pa.alias FROM paper_authors pa JOIN papers p ON p.id = pa.paper_id"
        " JOIN authors a ON a.id = pa.author_id ORDER BY p.arxiv_id, pa.position"
    )
    tags = await store.db.fetchall(
        "SELECT p.arxiv_id, t.tag FROM paper_tags t JOIN papers p ON p.id = t.paper_id ORDER BY 1, 2"
    )
    values = await store.db.fetchall(
        "SELECT p.arxiv_id, v.source, v.field, v.value, v.day, v.origin FROM paper_values v"
        " JOIN papers p ON p.id = v.paper_id ORDER BY 1, 2, 3"
    )
    day = [paper.arxiv_id for paper in await store.day(DAY)]
    fts = await store.db.fetchval("SELECT count(*) FROM papers_fts_docsize")
    return {
        "papers": papers,
        "authors": [tuple(r) for r in names],
        "tags": [tuple(r) for r in tags],
        "values": [tuple(r) for r in values],
        "day": day,
        "indexed": fts,
    }


async def test_all_three_sources_in_every_order_give_identical_records(
    tmp_path: Path, migrated_db: Path
) -> None:
    standin = standin_for_the_day()
    steps = {"digest": from_digest, "huggingface": from_huggingface, "arxiv": from_arxiv(standin)}
    snapshots = {}
    for order in itertools.permutations(steps):
        fresh = copy_database(migrated_db, tmp_path / f"{'-'.join(order)}.db")  # empty, migrated
        async with open_store(fresh) as store:
            for name in order:
                await steps[name](store)
            snapshots[order] = await snapshot(store)
            # The index matches the table after inserts and trigger-driven updates alike.
            await store.db.execute(
                "INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)"
            )
    first, *others = snapshots.values()
    assert all(other == first for other in others)
    assert len(first["papers"]) == first["indexed"] >= 26
    assert first["values"]  # and the same provenance, value for value
    both = [
        p for p in first["papers"].values() if p["sources"] == ["arxiv", "digest", "huggingface"]
    ]
    assert len(both) >= 20
    for paper in both:
        made = standin.made[paper["arxiv_id"]]
        assert paper["authors"] == list(made.authors)  # arXiv's full list, in its order
        assert paper["primary_category"] == made.primary
        assert paper["title"] == made.title
        assert paper["upvotes"] is not None  # Hugging Face's
        assert paper["summary"] and paper["abstract"] and paper["summary"] != paper["abstract"]


async def test_the_precedence_picks_each_field_from_its_best_source(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        await from_digest(store)
        digest_only = (await store.get("2506.09513")).as_dict()  # type: ignore[union-attr]
        await from_huggingface(store)
        with_hf = (await store.get("2506.09513")).as_dict()  # type: ignore[union-attr]
    hf_item = next(
        i["paper"] for i in json.loads(HF.read_text()) if i["paper"]["id"] == "2506.09513"
    )
    assert digest_only["sources"] == ["digest"] and digest_only["upvotes"] is None
    assert with_hf["sources"] == ["digest", "huggingface"]
    assert with_hf["authors"] == [
        a["name"] for a in hf_item["authors"]
    ]  # full names beat usernames
    assert with_hf["summary"] == digest_only["summary"]  # the digest's summary is what posts show
    assert with_hf["abstract"] == " ".join(hf_item["summary"].split())
    assert with_hf["upvotes"] == hf_item["upvotes"]
    assert with_hf["keywords"] == hf_item["ai_keywords"]


async def test_usernames_stay_searchable_when_real_names_are_shown(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        await from_digest(store)
        await from_huggingface(store)
        paper = await store.get("2506.09513")
        assert paper is not None
        usernames = [
            row[0]
            for row in await store.db.fetchall(
                "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
                " WHERE pa.paper_id = (SELECT id FROM papers WHERE arxiv_id = ?) AND pa.alias = 1",
                ("2506.09513",),
            )
        ]
        assert usernames and not set(usernames) & set(paper.authors)
        found = await store.find_authors(usernames[0].casefold())
        assert found


async def test_a_degraded_item_changes_nothing_it_does_not_carry(
    tmp_path: Path, empty_db: Path
) -> None:
    degraded = tmp_path / "degraded.json"
    degraded.write_text(json.dumps([{"paper": {"id": "2506.09513", "title": "Only a title"}}]))
    async with open_store(empty_db) as store:
        await from_digest(store)
        await from_huggingface(store)
        before = (await store.get("2506.09513")).as_dict()  # type: ignore[union-attr]
        await from_huggingface(store, degraded, date(2025, 6, 14))  # a later day, an id and a title
        after = (await store.get("2506.09513")).as_dict()  # type: ignore[union-attr]
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"title", "days"}
    assert after["authors"] == before["authors"] and after["upvotes"] == before["upvotes"]
    assert after["keywords"] == before["keywords"] and after["summary"] == before["summary"]


async def test_keywords_with_commas_stay_whole(tmp_path: Path, empty_db: Path) -> None:
    answer = tmp_path / "hf.json"
    keywords = ["Rényi divergence, order 2", "RLHF"]
    answer.write_text(
        json.dumps([{"paper": {"id": "2506.00001", "title": "T", "ai_keywords": keywords}}])
    )
    async with open_store(empty_db) as store:
        await from_huggingface(store, answer)
        paper = await store.get("2506.00001")
    assert paper is not None and list(paper.keywords) == keywords


async def test_positions_are_kept_per_day_and_source_and_never_collide(empty_db: Path) -> None:
    async with open_store(empty_db) as store:
        await from_digest(store)
        digest_order = [p.arxiv_id for p in await store.day(DAY)]
        await from_huggingface(store)
        day = [p.arxiv_id for p in await store.day(DAY)]
        collisions = await store.db.fetchall(
            "SELECT day, source, position FROM listings GROUP BY 1, 2, 3 HAVING count(*) > 1"
        )
        sources = await store.db.fetchall(
            "SELECT kind, count(*) FROM listings WHERE day = ? GROUP BY kind ORDER BY kind",
            (DAY.isoformat(),),
        )
    assert collisions == []
    assert day[: len(digest_order)] == digest_order  # the digest's order first, then HF's own
    assert len(day) == len(set(day))
    assert [tuple(row) for row in sources] == [("digest", len(digest_order)), ("huggingface", 26)]


def test_archive_and_hugging_face_in_either_order_give_byte_identical_show_json(
    tmp_path: Path,
) -> None:
    outputs = []
    for name, steps in (
        ("a", (from_digest, from_huggingface)),
        ("b", (from_huggingface, from_digest)),
    ):

        async def build(path: Path = tmp_path / f"{name}.db", steps: tuple = steps) -> None:
            async with open_store(path) as store:
                for step in steps:
                    await step(store)

        asyncio.run(build())
        shown = b""
        for arxiv_id in ("2506.09513", "2506.10954", "2506.05982"):
            ran = cli("--db", str(tmp_path / f"{name}.db"), "show", "--json", arxiv_id)
            assert ran.returncode == 0, ran.stderr
            shown += ran.stdout.encode()
        outputs.append(shown)
    assert outputs[0] == outputs[1]
    assert b'"sources": [\n      "digest",\n      "huggingface"\n    ]' in outputs[0]


# The database made by main before this change (tests/data/build_main_0005.py).


def old_papers(path: Path) -> dict[str, dict[str, Any]]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT id, arxiv_id, title, summary, category, arxiv_url, hf_url, upvotes,"
            " github_repo, keywords FROM papers"
        ).fetchall()
        found = {}
        for pid, arxiv_id, *fields in rows:
            authors = [
                r[0]
                for r in connection.execute(
                    "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
                    " WHERE pa.paper_id = ? ORDER BY pa.position",
                    (pid,),
                )
            ]
            days = [
                r[0]
                for r in connection.execute(
                    "SELECT day FROM listings WHERE paper_id = ? ORDER BY day", (pid,)
                )
            ]
            title, summary, category, arxiv_url, hf_url, upvotes, github, keywords = fields
            found[arxiv_id] = {
                "title": title,
                "summary": summary,
                "category": category,
                "arxiv_url": arxiv_url,
                "hf_url": hf_url,
                "upvotes": upvotes,
                "github": github,
                "keywords": [k for k in keywords.split(", ") if k],
                "authors": authors,
                "days": days,
            }
        return found
    finally:
        connection.close()


async def test_a_database_made_by_main_is_upgraded_in_place_losing_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(DATA / "main-0005.db", path)
    before = old_papers(path)
    assert len(before) == 72 and any(p["upvotes"] for p in before.values())
    async with open_store(path) as store:
        assert await store.db.schema_version() >= 6
        for arxiv_id, old in before.items():
            paper = (await store.get(arxiv_id)).as_dict()  # type: ignore[union-attr]
            assert {key: paper[key] for key in old} == old, arxiv_id
        assert await store.db.fetchval("SELECT count(*) FROM papers_fts_docsize") == 72
        await store.db.execute(
            "INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)"
        )
        hits = await store.search('"goose"')
        assert [p.arxiv_id for p in hits] == ["2503.14456"]
        # Sources read again after the upgrade merge with what was kept, erasing nothing.
        upvoted = next(i for i, p in before.items() if p["upvotes"] and "2025-06-13" in p["days"])
        await from_digest(store)
        paper = await store.get(upvoted)
        assert paper is not None and paper.upvotes == before[upvoted]["upvotes"]
        assert paper.sources == ("digest", "huggingface")


async def test_rows_an_old_insert_trigger_indexed_twice_are_indexed_once_after_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    shutil.copy(DATA / "main-0005.db", path)
    connection = sqlite3.connect(path)
    with connection:  # what the dropped insert trigger did on top of the bulk INSERT ... SELECT
        connection.execute(
            "INSERT INTO papers_fts (rowid, title, summary, authors, category)"
            " SELECT id, title, summary, authors, coalesce(category, '') FROM papers"
        )
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        connection.execute(
            "INSERT INTO papers_fts (papers_fts, rank) VALUES ('integrity-check', 1)"
        )
    connection.close()
    async with open_store(path) as store:
        hits = await store.db.fetchval(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'goose'"
        )
        assert hits == 1
        await store.db.execute("INSERT INTO papers_fts (papers_fts) VALUES ('integrity-check')")
