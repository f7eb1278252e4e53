"""/paper commands end to end: the real bot, a real database, the fake Discord."""

from __future__ import annotations

import asyncio
import shutil

from bot.digest import parse_digest
from bot.edge import views
from fakediscord import is_ephemeral
from tests.helpers import SEEDS, custom_id


def buttons(message: dict) -> list[dict]:
    return [c for row in message.get("components", []) for c in row["components"]]


async def test_search_replies_with_ranked_papers_and_links(world) -> None:
    reply = await (await world.fake.slash("paper search", user=world.alice, query="goose")).reply()
    embed = reply["embeds"][0]
    assert not is_ephemeral(reply)
    assert embed["title"] == "Papers matching “goose”"
    assert embed["description"].startswith(
        '**1. [RWKV-7 "Goose" with Expressive Dynamic State Evolution](https://arxiv.org/abs/2503.14456)**'
    )
    assert "[Hugging Face](https://huggingface.co/papers/2503.14456)" in embed["description"]
    assert {b["custom_id"] for b in buttons(reply)} >= {"paperboy:bookmark:2503.14456"}


async def found(world, **options: str) -> str:
    """The list a /paper search shows, or its private "nothing found" answer."""
    reply = await (await world.fake.slash("paper search", user=world.alice, **options)).reply()
    return reply["embeds"][0]["description"] if reply["embeds"] else reply["content"]


async def test_search_filters_by_author_and_dates(world) -> None:
    # The goose paper is by BlinkDL and others, listed on 2025-03-19 and 2025-03-20.
    assert "RWKV-7" in await found(world, query="goose", author="blinkdl", until="2025-03-19")
    assert "RWKV-7" in await found(world, query="goose", since="2025-03-20")
    nothing = 'No papers match "goose". Try fewer or other words.'
    assert await found(world, query="goose", author="zoe") == nothing
    assert await found(world, query="goose", since="2025-03-21") == nothing
    assert await found(world, query="goose", until="2025-03-18") == nothing


async def test_nothing_found_is_a_helpful_private_message(world, monkeypatch) -> None:
    monkeypatch.setattr(views, "DEFER_AFTER", 30)  # answer, never defer
    reply = await (
        await world.fake.slash("paper search", user=world.alice, query="xylophone")
    ).reply()
    assert is_ephemeral(reply)
    assert reply["content"] == 'No papers match "xylophone". Try fewer or other words.'


async def test_an_invalid_date_is_explained_privately(world) -> None:
    reply = await (
        await world.fake.slash("paper search", user=world.alice, query="x", since="March")
    ).reply()
    assert is_ephemeral(reply)
    assert reply["content"] == (
        "'March' is not a date; use YYYY-MM-DD (2025-03-19) or a span back from today"
        " (7d, 2w, 3m, 1y)"
    )


async def test_pages_turn_for_the_asker_only(world) -> None:
    ix = await world.fake.slash("paper day", user=world.alice, date="2025-03-19")
    first = await ix.reply()
    assert first["embeds"][0]["title"] == "Papers for 2025-03-19 · 22 papers"
    assert first["embeds"][0]["footer"]["text"] == "Page 1"
    refused = await world.fake.click(first, custom_id(first, "Next"), user=world.bob)
    answer = await refused.reply()
    assert (
        is_ephemeral(answer)
        and answer["content"] == "Only the person who asked can turn these pages."
    )
    turned = await world.fake.click(first, custom_id(first, "Next"), user=world.alice)
    response = await turned.response()
    assert response["type"] == 7
    assert response["data"]["embeds"][0]["footer"]["text"] == "Page 2"
    assert response["data"]["embeds"][0]["description"].startswith("**6. ")


async def test_show_accepts_links_and_offers_a_bookmark_button(world) -> None:
    ix = await world.fake.slash(
        "paper show", user=world.alice, paper="https://huggingface.co/papers/2503.99999"
    )
    reply = await ix.reply()
    embed = reply["embeds"][0]
    assert embed["title"] == "A New Paper About Zebras"
    assert embed["url"] == "https://arxiv.org/abs/2503.99999"
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Authors"] == "Zoë Müller"
    assert (
        fields["Links"]
        == "[arXiv](https://arxiv.org/abs/2503.99999) · [Hugging Face](https://huggingface.co/papers/2503.99999)"
    )
    saved = await (
        await world.fake.click(reply, "paperboy:bookmark:2503.99999", user=world.bob)
    ).reply()
    assert saved["content"] == "Saved arXiv 2503.99999 to your bookmarks." and is_ephemeral(saved)
    assert [p.arxiv_id for p in (await world.bot.bookmarks.saved(world.bob.id)).items] == [
        "2503.99999"
    ]


async def test_show_explains_a_bad_or_unknown_id(world) -> None:
    bad = await (await world.fake.slash("paper show", user=world.alice, paper="goose")).reply()
    assert is_ephemeral(bad) and "is not an arXiv id" in bad["content"]
    unknown = await (
        await world.fake.slash("paper show", user=world.alice, paper="2101.00001")
    ).reply()
    assert unknown["content"] == "I have no paper 2101.00001 in the digests I know."


async def test_author_and_category_lists(world) -> None:
    by_author = await (
        await world.fake.slash("paper author", user=world.alice, name="blinkdl")
    ).reply()
    assert "RWKV-7" in by_author["embeds"][0]["description"]
    assert "Zebras" not in by_author["embeds"][0]["description"]
    category = await (
        await world.fake.slash("paper category", user=world.alice, name="Machine Learning")
    ).reply()
    assert category["embeds"][0]["title"] == "Machine Learning papers"
    listed = category["embeds"][0]["description"]
    digest = parse_digest((SEEDS / "2025-04-04.md").read_text(encoding="utf-8")).papers
    learning = [p.arxiv_url for p in digest if p.category == "Machine Learning"]
    others = [p.arxiv_url for p in digest if p.category != "Machine Learning"]
    assert len(learning) == 5 and others  # one page: every Machine Learning paper of that day
    assert all(url in listed for url in learning)
    assert not any(url in listed for url in others)


async def test_author_and_category_autocomplete_come_from_the_database(world) -> None:
    authors = await world.fake.autocomplete(
        "paper author", focused="name", user=world.alice, name="müll"
    )
    assert authors == [{"name": "Zoë Müller (1)", "value": "Zoë Müller"}]
    categories = await world.fake.autocomplete(
        "paper category", focused="name", user=world.alice, name="machine"
    )
    assert categories[0]["value"] == "Machine Learning"
    assert categories[0]["name"].startswith("Machine Learning (")


async def test_day_defaults_to_the_latest_and_random_shows_one_paper(world) -> None:
    latest = await (await world.fake.slash("paper day", user=world.alice)).reply()
    assert latest["embeds"][0]["title"].startswith("Papers for 2025-04-04")
    one = await (await world.fake.slash("paper random", user=world.alice)).reply()
    assert one["embeds"][0]["url"].startswith("https://arxiv.org/abs/")


async def test_a_failing_service_gets_an_apology_and_the_bot_keeps_working(
    world, monkeypatch
) -> None:
    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(world.bot.search, "random", broken)
    sorry = await (await world.fake.slash("paper random", user=world.alice)).reply()
    assert is_ephemeral(sorry) and sorry["content"].startswith("Something went wrong on my side")
    still = await (
        await world.fake.slash("paper show", user=world.alice, paper="2503.14456")
    ).reply()
    assert still["embeds"][0]["title"].startswith("RWKV-7")


def held_search(world, monkeypatch) -> asyncio.Event:
    """Searches wait for the returned event: slower than any DEFER_AFTER, however fast the index
    (a search it answers from memory may finish before the event loop turns once)."""
    monkeypatch.setattr(views, "DEFER_AFTER", 0.01)
    release = asyncio.Event()
    real = world.bot.search.search

    async def slow(*args, **kwargs):
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(world.bot.search, "search", slow)
    return release


async def test_a_slow_search_is_deferred_inside_discords_window(world, monkeypatch) -> None:
    release = held_search(world, monkeypatch)
    ix = await world.fake.slash("paper search", user=world.alice, query="goose")
    assert (await ix.response())["type"] == 5  # deferred while the search is still running
    release.set()
    assert "RWKV-7" in (await ix.reply())["embeds"][0]["description"]


async def test_a_search_reply_is_remembered_so_a_reaction_bookmarks_its_papers(world) -> None:
    remembered = asyncio.ensure_future(world.bot.wait_for("papers_shown", timeout=5))
    reply = await (await world.fake.slash("paper search", user=world.alice, query="goose")).reply()
    message_id, ids = await remembered
    assert message_id == int(reply["id"]) and "2503.14456" in ids
    assert await world.bot.bookmarks.papers_for_message(message_id) == ids


async def test_nothing_found_after_a_defer_is_still_private(world, monkeypatch) -> None:
    release = held_search(world, monkeypatch)
    ix = await world.fake.slash("paper search", user=world.alice, query="xylophone")
    assert (await ix.response())["type"] == 5
    release.set()
    (private,) = await ix.followups(1)
    # The public "thinking…" placeholder is deleted first, else the follow-up would replace it.
    deleted = [c for c in world.fake.calls if c.method == "DELETE" and "@original" in c.path]
    assert len(deleted) == 1
    followup = [c for c in world.fake.calls if c.method == "POST" and c.path.endswith(ix.token)]
    assert followup[0].body["flags"] & 64
    assert private["content"] == 'No papers match "xylophone". Try fewer or other words.'


async def test_the_bot_opens_its_search_index_at_start_and_searches_with_it(world) -> None:
    index = world.bot.text_index
    assert index is not None and index.task is not None
    await index.task  # built from SQLite in the background: nobody ran a command for it
    assert index.ready and world.bot.search.index is index
    assert index.index.searcher().num_docs == (await world.bot.papers.counts())["papers"]
    shutil.rmtree(index.folder)  # deleted while the bot runs: FTS5 answers, then it comes back
    assert "RWKV-7" in await found(world, query="goose")
    assert index.task is not None
    await index.task
    assert index.ready and "RWKV-7" in await found(world, query="goose")
    assert "RWKV-7" not in await found(world, query="goose", since="2025-03-21")
