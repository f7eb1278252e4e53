"""/paper on papers completed from arXiv: category lookups by code, their autocomplete, and
`/paper show` with the whole record. The real bot, a real database, the fake Discord."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.edge import views
from fakediscord import is_ephemeral
from tests.fixtures_db import copy_database
from tests.helpers import complete_from_arxiv, open_store

CL = {"2503.14456": "cs.CL", "2503.99999": "cs.CL"}


@pytest.fixture
async def paper_db(ingested_db: Path, tmp_path: Path) -> Path:
    """The seeds and tests/data/2025-03-20.md, completed by the arXiv stand-in."""
    path = copy_database(ingested_db, tmp_path / "paperboy.db")
    async with open_store(path) as store:
        await complete_from_arxiv(store, CL)
    return path


async def test_paper_category_by_code_lists_papers(world, monkeypatch) -> None:
    # Answer at once: under load a deferred "thinking" reply would come first (not what is tested).
    monkeypatch.setattr(views, "DEFER_AFTER", 30)
    reply = await (await world.fake.slash("paper category", user=world.alice, name="cs.CL")).reply()
    embed = reply["embeds"][0]
    assert not is_ephemeral(reply)
    assert embed["title"] == "cs.CL papers"
    assert embed["description"].startswith("**1. ")
    narrowed = await (
        await world.fake.slash("paper search", user=world.alice, query="zebras", category="cs.CL")
    ).reply()
    assert "A New Paper About Zebras" in narrowed["embeds"][0]["description"]
    elsewhere = await (
        await world.fake.slash("paper search", user=world.alice, query="zebras", category="math.AG")
    ).reply()
    assert is_ephemeral(elsewhere)


async def test_paper_category_by_name_and_archive(world) -> None:
    for name in ("Computation and Language", "cs.*"):
        reply = await (
            await world.fake.slash("paper category", user=world.alice, name=name)
        ).reply()
        assert not is_ephemeral(reply), name
        assert reply["embeds"][0]["description"].startswith("**1. ")


async def test_an_unknown_category_is_a_private_hint(world) -> None:
    reply = await (
        await world.fake.slash("paper category", user=world.alice, name="math.AG")
    ).reply()
    assert is_ephemeral(reply)
    assert reply["content"].startswith('No papers in "math.AG". Categories I know: ')


async def test_category_autocomplete_reads_code_name_and_count(world) -> None:
    choices = await world.fake.autocomplete(
        "paper category", focused="name", user=world.alice, name="computation and"
    )
    assert choices and choices[0]["value"] == "cs.CL"
    assert choices[0]["name"].startswith("cs.CL: Computation and Language (")
    assert choices[0]["name"].endswith(")")
    search_choices = await world.fake.autocomplete(
        "paper search", focused="category", user=world.alice, query="x", category="cs.c"
    )
    assert {c["value"] for c in search_choices} >= {"cs.CL"}


async def test_show_prints_the_whole_record(world) -> None:
    reply = await (
        await world.fake.slash("paper show", user=world.alice, paper="2503.14456")
    ).reply()
    embed = reply["embeds"][0]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Category"] == "cs.CL: Computation and Language"
    assert fields["Categories"] == "cs.AI"
    assert fields["Published"] == "2025-03-18"
    assert fields["Sources"] == "arxiv, digest"
    assert "**Abstract**\nThe abstract of" in embed["description"]
    assert embed["footer"]["text"].startswith("arXiv 2503.14456v")
    assert "BlinkDL" not in fields["Authors"]  # arXiv's full names are shown
