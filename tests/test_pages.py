"""Lasting pages and the bookmark fixes: Previous/Next work after a restart for the asker only,
a 🔖 on a turned page saves that page, a Bookmark button knows an unknown paper, /bookmarks list
survives a bookmark removed while it runs, and forget-me hands subscriptions to the server."""

from __future__ import annotations

import asyncio
from datetime import date

from fakediscord import FakeDiscord, is_ephemeral
from tests.helpers import custom_id


def titles(message: dict) -> str:
    return message["embeds"][0]["description"]


async def test_pages_turn_after_a_restart_for_the_asker_only(fake_discord: FakeDiscord, run_bot):
    guild = fake_discord.add_guild()
    guild.add_channel("papers")
    alice, bob = fake_discord.add_user("alice"), fake_discord.add_user("bob")
    guild.add_member(alice)
    guild.add_member(bob)
    async with run_bot():
        first = await (await fake_discord.slash("paper day", user=alice, date="2025-03-19")).reply()
        long = " ".join(["model*"] * 12)  # matches many papers, and is too long for a custom id
        searched = await (await fake_discord.slash("paper search", user=alice, query=long)).reply()
    assert all(
        c.get("custom_id", "").__len__() <= 100
        for row in first["components"]
        for c in row["components"]
    )
    async with run_bot():  # a new process: no view of the old one is in memory
        refused = await (
            await fake_discord.click(first, custom_id(first, "Next"), user=bob)
        ).reply()
        assert is_ephemeral(refused)
        assert refused["content"] == "Only the person who asked can turn these pages."
        turned = await fake_discord.click(first, custom_id(first, "Next"), user=alice)
        page = (await turned.response())["data"]
        assert page["embeds"][0]["footer"]["text"] == "Page 2"
        assert page["embeds"][0]["description"].startswith("**6. ")
        assert [b["label"] for b in page["components"][0]["components"]][:2] == ["Previous", "Next"]
        back = await fake_discord.click(first, custom_id(page, "Previous"), user=alice)
        assert (await back.response())["data"]["embeds"][0]["footer"]["text"] == "Page 1"
        # A query too long for a custom id rides as a stored key, and still turns.
        next_id = custom_id(searched, "Next")
        assert long not in next_id and "#" in next_id
        more = await fake_discord.click(searched, next_id, user=alice)
        assert (await more.response())["type"] == 7


async def test_a_reaction_on_a_turned_page_saves_the_papers_it_shows(world) -> None:
    remembered = asyncio.ensure_future(world.bot.wait_for("papers_shown", timeout=5))
    first = await (await world.fake.slash("paper day", user=world.alice, date="2025-03-19")).reply()
    await remembered
    remembered = asyncio.ensure_future(world.bot.wait_for("papers_shown", timeout=5))
    await world.fake.click(first, custom_id(first, "Next"), user=world.alice)
    page_two = [p.arxiv_id for p in (await world.bot.papers.day(date(2025, 3, 19)))[5:10]]
    assert await remembered == (int(first["id"]), page_two)
    shown = await world.bot.bookmarks.papers_for_message(int(first["id"]))
    assert sorted(shown) == sorted(page_two)
    waiter = asyncio.ensure_future(world.bot.wait_for("bookmarks_changed", timeout=5))
    await world.fake.react(first, "🔖", user=world.bob)
    _, saved, _ = await waiter
    assert sorted(saved) == sorted(page_two)
    mine = await world.bot.bookmarks.saved(world.bob.id, limit=20)
    assert sorted(p.arxiv_id for p in mine.items) == sorted(page_two)


async def test_the_bookmark_button_of_an_unknown_paper_says_so(world) -> None:
    reply = await (
        await world.fake.slash("paper show", user=world.alice, paper="2503.99999")
    ).reply()
    await world.bot.db.execute("DELETE FROM papers WHERE arxiv_id = '2503.99999'")
    answer = await (
        await world.fake.click(reply, "paperboy:bookmark:2503.99999", user=world.bob)
    ).reply()
    assert is_ephemeral(answer)
    assert answer["content"] == "I know no paper arXiv 2503.99999, so there is nothing to save."


async def test_bookmarks_list_survives_a_bookmark_removed_while_it_runs(world) -> None:
    day = await world.bot.papers.day(date(2025, 3, 19))
    for paper in day[:3]:
        await world.bot.bookmarks.add(world.alice.id, paper.arxiv_id)
    db = world.bot.db
    real = db.fetchall

    async def removing_meanwhile(sql, params=()):
        rows = await real(sql, params)
        if "FROM bookmarks" in sql:  # the reaction is removed right after the page was read
            await db.execute("DELETE FROM bookmarks WHERE user_id = ?", (world.alice.id,))
        return rows

    db.fetchall = removing_meanwhile
    try:
        reply = await (await world.fake.slash("bookmarks list", user=world.alice)).reply()
    finally:
        db.fetchall = real
    assert is_ephemeral(reply)
    assert reply["embeds"][0]["title"] == "Your bookmarks"
    assert titles(reply).count("\n**") == 2  # the three it read, whole


async def test_forget_me_hands_my_subscriptions_to_the_server_and_says_so(world) -> None:
    await world.bot.subscriptions.subscribe(world.guild.id, world.channel.id, world.alice.id)
    other = await world.bot.subscriptions.subscribe(world.guild.id, 424242, world.bob.id)
    question = await (await world.fake.slash("bookmarks forget-me", user=world.alice)).reply()
    confirm = await world.fake.click(
        question, custom_id(question, "Yes, delete them"), user=world.alice
    )
    content = (await confirm.response())["data"]["content"]
    assert content.startswith("Deleted 0 bookmark(s)")
    assert content.endswith(
        " The 1 subscription(s) you set up no longer name you: they belong to the server,"
        " and notes about them go to its system channel."
    )
    mine = await world.bot.subscriptions.get(world.channel.id)
    assert mine is not None and mine.created_by == 0
    assert (
        (await world.bot.subscriptions.get(424242)).created_by
        == other[0].created_by
        == world.bob.id
    )


async def test_a_forgotten_makers_broken_subscription_is_told_to_the_server(
    fake_discord: FakeDiscord, run_bot
) -> None:
    from fakediscord import SEND_MESSAGES, overwrite
    from tests.delivering import NEXT_DAY, SUBSCRIBED

    guild = fake_discord.add_guild()
    papers = guild.add_channel("papers", overwrites=[overwrite(guild.bot_role, deny=SEND_MESSAGES)])
    system = guild.add_channel("general")
    guild.system_channel_id = system.id
    async with run_bot() as bot:
        bot.subscriptions.clock = lambda: SUBSCRIBED
        await bot.subscriptions.subscribe(guild.id, papers.id, fake_discord.owner.id)
        await bot.subscriptions.forget_creator(fake_discord.owner.id)
        for _ in range(3):
            await bot.delivery.deliver(await bot.subscriptions.get(papers.id), NEXT_DAY)
    [note] = fake_discord.messages(system)
    assert note["content"].startswith(f"I can't post in <#{papers.id}>")
    assert "<@" not in note["content"].split(">", 1)[1]  # nobody is pinged
    assert fake_discord.dms(fake_discord.owner) == []


async def test_page_buttons_from_before_the_upgrade_say_to_run_the_command_again(world) -> None:
    old = await world.fake.post(
        world.channel,
        world.fake.bot_user,
        {
            "content": "an old list",
            "components": [
                {
                    "type": 1,
                    "components": [
                        {"type": 2, "style": 1, "label": "Next", "custom_id": "paperboy:page:next"}
                    ],
                }
            ],
        },
        [],
    )
    answer = await (await world.fake.click(old, "paperboy:page:next", user=world.alice)).reply()
    assert is_ephemeral(answer)
    assert answer["content"] == "These pages are no longer available: run the command again."
