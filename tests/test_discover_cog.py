"""/paper search syntax, help, related, top and query autocomplete, end to end on the fake Discord."""

from __future__ import annotations

import asyncio

import pytest

from bot.edge import views
from fakediscord import is_ephemeral
from tests.helpers import custom_id


@pytest.fixture(autouse=True)
def answer_at_once(world, monkeypatch) -> None:
    """No "thinking" defer however loaded the machine: these tests read the first reply."""
    monkeypatch.setattr(views, "DEFER_AFTER", 30)


def custom_ids(message: dict) -> set[str]:
    return {c["custom_id"] for row in message.get("components", []) for c in row["components"]}


async def test_help_search_explains_the_syntax_privately(world) -> None:
    reply = await (await world.fake.slash("paper help search", user=world.alice)).reply()
    assert is_ephemeral(reply)
    text = reply["embeds"][0]["description"]
    for field in ("au:", "ti:", "cat:", "id:", "since:", "until:", '"exact phrase"', "-word"):
        assert field in text


async def test_search_syntax_and_options_mean_the_same(world) -> None:
    typed = await (
        await world.fake.slash("paper search", user=world.alice, query="au:BlinkDL goose")
    ).reply()
    option = await (
        await world.fake.slash("paper search", user=world.alice, query="goose", author="BlinkDL")
    ).reply()
    assert typed["embeds"][0]["description"] == option["embeds"][0]["description"]
    assert "RWKV-7" in typed["embeds"][0]["description"]


async def test_a_corrected_search_says_what_it_searched(world) -> None:
    reply = await (await world.fake.slash("paper search", user=world.alice, query="gose")).reply()
    assert reply["embeds"][0]["title"] == (
        "Showing results for “goose”; search instead for “gose” with exact: True"
    )
    exact = await (
        await world.fake.slash("paper search", user=world.alice, query="gose", exact=True)
    ).reply()
    assert is_ephemeral(exact) and exact["content"].startswith('No papers match "gose"')


async def test_related_command_and_button(world) -> None:
    index = world.bot.text_index
    if index is not None and index.task is not None:
        await index.task  # built at start: until then FTS5 answers, and ranks related otherwise
    reply = await (
        await world.fake.slash("paper related", user=world.alice, paper="2503.14456")
    ).reply()
    assert reply["embeds"][0]["title"].startswith("Papers like “RWKV-7")
    assert "paperboy:bookmark:2503.14456" not in custom_ids(reply)
    shown = await (
        await world.fake.slash("paper show", user=world.alice, paper="2503.14456")
    ).reply()
    assert "paperboy:related:2503.14456" in custom_ids(shown)
    clicked = await (
        await world.fake.click(shown, "paperboy:related:2503.14456", user=world.bob)
    ).reply()
    assert is_ephemeral(clicked)
    assert clicked["embeds"][0]["description"] == reply["embeds"][0]["description"]


async def test_a_slow_related_click_is_deferred_privately_then_answered(world, monkeypatch) -> None:
    monkeypatch.setattr(views, "DEFER_AFTER", 0.01)
    release = asyncio.Event()
    real = world.bot.discover.related

    async def slow(*args, **kwargs):
        await release.wait()  # slower than any DEFER_AFTER, however fast the index
        return await real(*args, **kwargs)

    monkeypatch.setattr(world.bot.discover, "related", slow)
    shown = await (
        await world.fake.slash("paper show", user=world.alice, paper="2503.14456")
    ).reply()
    ix = await world.fake.click(shown, "paperboy:related:2503.14456", user=world.bob)
    deferred = await ix.response()
    assert deferred["type"] == 5 and deferred["data"]["flags"] & 64  # "thinking…", privately
    release.set()
    answer = await ix.reply()
    assert is_ephemeral(answer) and answer["embeds"][0]["title"].startswith("Papers like “RWKV-7")


async def test_top_of_the_month_turns_to_its_second_page(world) -> None:
    reply = await (await world.fake.slash("paper top", user=world.alice, period="month")).reply()
    assert reply["embeds"][0]["title"].startswith("Top papers, ")
    assert reply["embeds"][0]["description"].startswith("**1. [")
    turned = await world.fake.click(reply, custom_id(reply, "Next"), user=world.alice)
    page = (await turned.response())["data"]["embeds"][0]
    assert page["description"].startswith("**6. [") and page["footer"]["text"] == "Page 2"


async def test_pages_of_a_corrected_search_stay_corrected(world) -> None:
    reply = await (await world.fake.slash("paper search", user=world.alice, query="modle")).reply()
    assert reply["embeds"][0]["title"].startswith("Showing results for “model”")
    turned = await world.fake.click(reply, custom_id(reply, "Next"), user=world.alice)
    page = (await turned.response())["data"]["embeds"][0]
    assert page["title"] == "Papers matching “model”" and page["footer"]["text"] == "Page 2"


async def test_query_autocomplete_offers_titles_and_authors(world) -> None:
    titles = await world.fake.autocomplete(
        "paper search", focused="query", user=world.alice, query="zebr"
    )
    assert titles[0] == {
        "name": "A New Paper About Zebras",
        "value": 'ti:"A New Paper About Zebras"',
    }
    authors = await world.fake.autocomplete(
        "paper search", focused="query", user=world.alice, query="blinkd"
    )
    assert {"name": "BlinkDL (1 papers)", "value": 'au:"BlinkDL"'} in authors
    assert len(authors) <= 25


async def test_a_bad_field_is_explained_privately(world) -> None:
    reply = await (
        await world.fake.slash("paper search", user=world.alice, query="goose id:nope")
    ).reply()
    assert is_ephemeral(reply)
    assert reply["content"] == "'id:nope' is not an arXiv id; try id:2503.14456"
