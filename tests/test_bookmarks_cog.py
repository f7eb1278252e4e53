"""Bookmarks end to end: reactions, restarts, /bookmarks commands, exports, privacy."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date

from fakediscord import is_ephemeral
from tests.helpers import custom_id


async def shown(world, arxiv_id: str) -> dict:
    """Post a paper the way people meet one, with /paper show; return it once the bot mapped it."""
    remembered = asyncio.ensure_future(world.bot.wait_for("papers_shown", timeout=5))
    message = await (await world.fake.slash("paper show", user=world.alice, paper=arxiv_id)).reply()
    assert await remembered == (int(message["id"]), [arxiv_id])
    return message


async def reacted(world, action, *args, **kwargs) -> tuple:
    waiter = asyncio.ensure_future(world.bot.wait_for("bookmarks_changed", timeout=5))
    await action(*args, **kwargs)
    return await waiter


async def saved(world, user) -> list[str]:
    return [paper.arxiv_id for paper in (await world.bot.bookmarks.saved(user.id, limit=100)).items]


async def test_a_bookmark_reaction_saves_and_its_removal_deletes(world) -> None:
    message = await shown(world, "2503.14456")
    assert await reacted(world, world.fake.react, message, "🔖", user=world.bob) == (
        world.bob.id,
        ["2503.14456"],
        True,
    )
    assert await saved(world, world.bob) == ["2503.14456"]
    await reacted(world, world.fake.unreact, message, "🔖", user=world.bob)
    assert await saved(world, world.bob) == []


async def test_a_reaction_on_a_message_with_several_papers_saves_and_drops_them_all(world) -> None:
    message = await shown(world, "2503.14456")
    await world.bot.bookmarks.remember_message(
        int(message["id"]), world.channel.id, world.guild.id, ["2503.99999"]
    )
    both = ["2503.14456", "2503.99999"]
    assert (await reacted(world, world.fake.react, message, "🔖", user=world.bob))[1] == both
    assert sorted(await saved(world, world.bob)) == both
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    await reacted(world, world.fake.unreact, message, "🔖", user=world.bob)
    assert await saved(world, world.bob) == []
    assert await saved(world, world.alice) == ["2503.99999"]  # only the reacting user's go


async def test_other_emoji_and_messages_without_papers_save_nothing(world) -> None:
    message = await shown(world, "2503.14456")
    waiter = asyncio.ensure_future(world.bot.wait_for("bookmarks_changed", timeout=5))
    await world.fake.react(message, "👍", user=world.bob)
    await world.fake.react({**message, "id": "123"}, "🔖", user=world.bob)  # not a paper message
    assert await waiter == (world.bob.id, [], True)
    assert await saved(world, world.bob) == []


async def test_the_message_mapping_survives_a_restart(world, run_bot) -> None:
    message = await shown(world, "2503.99999")
    await world.bot.close()
    async with run_bot() as again:
        waiter = asyncio.ensure_future(again.wait_for("bookmarks_changed", timeout=5))
        await world.fake.react(message, "🔖", user=world.bob)
        await waiter
        assert [p.arxiv_id for p in (await again.bookmarks.saved(world.bob.id)).items] == [
            "2503.99999"
        ]


async def test_list_is_private_and_shows_only_my_papers(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2503.14456")
    await world.bot.bookmarks.add(world.bob.id, "2503.99999")
    mine = await (await world.fake.slash("bookmarks list", user=world.alice)).reply()
    assert is_ephemeral(mine)
    assert "RWKV-7" in mine["embeds"][0]["description"]
    assert "Zebras" not in mine["embeds"][0]["description"]
    empty = await (await world.fake.slash("bookmarks list", user=world.fake.owner)).reply()
    assert empty["content"].startswith("You have no bookmarks yet.")


async def test_remove_touches_only_my_own_bookmark(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2503.14456")
    theirs = await (
        await world.fake.slash("bookmarks remove", user=world.bob, paper="2503.14456")
    ).reply()
    assert theirs["content"] == "arXiv 2503.14456 is not in your bookmarks."
    assert await saved(world, world.alice) == ["2503.14456"]
    mine = await (
        await world.fake.slash("bookmarks remove", user=world.alice, paper="arXiv:2503.14456v1")
    ).reply()
    assert mine["content"] == "Removed arXiv 2503.14456 from your bookmarks."
    assert await saved(world, world.alice) == []


async def test_remove_autocompletes_from_my_bookmarks_only(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2503.14456")
    await world.bot.bookmarks.add(world.bob.id, "2503.99999")
    choices = await world.fake.autocomplete(
        "bookmarks remove", focused="paper", user=world.alice, paper=""
    )
    assert [choice["value"] for choice in choices] == ["2503.14456"]


async def export(world, user, fmt: str) -> tuple[dict, bytes]:
    reply = await (await world.fake.slash("bookmarks export", user=user, format=fmt)).reply()
    [attachment] = reply["attachments"]
    return reply, world.fake.attachments(reply)[attachment["filename"]]


async def test_bibtex_export_imports_as_arxiv_preprints(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2504.01990")
    reply, content = await export(world, world.alice, "bibtex")
    assert is_ephemeral(reply)
    text = content.decode()
    assert text.startswith("@misc{arxiv250401990,\n")
    assert "  title = {{Advances and Challenges in Foundation Agents: From Brain-Inspired" in text
    assert (
        "  author = {KaitaoSong and JinlinW and Peiyan and xinfeng1i and Bang-UdeM-Mila}," in text
    )
    assert "  eprint = {2504.01990},\n  archivePrefix = {arXiv}," in text
    assert (
        "  url = {https://arxiv.org/abs/2504.01990},\n  note = {Bookmarked with paperboy on "
        in text
    )
    assert "primaryClass" not in text  # "Machine Learning" is not an arXiv class


async def test_csv_and_markdown_exports(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    _, content = await export(world, world.alice, "csv")
    [row] = list(csv.DictReader(io.StringIO(content.decode())))
    assert row["arxiv_id"] == "2503.99999"
    assert row["title"] == "A New Paper About Zebras"
    assert row["authors"] == "Zoë Müller"
    assert row["days"] == "2025-03-20"
    _, content = await export(world, world.alice, "markdown")
    assert (
        "- [ ] [A New Paper About Zebras](https://arxiv.org/abs/2503.99999) — Zoë Müller"
        in content.decode()
    )


async def test_bobs_export_holds_none_of_alices_papers(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    nothing = await (
        await world.fake.slash("bookmarks export", user=world.bob, format="csv")
    ).reply()
    assert is_ephemeral(nothing) and not nothing.get("attachments")
    assert nothing["content"].startswith("You have no bookmarks to export yet.")
    await world.bot.bookmarks.add(world.bob.id, "2503.14456")
    _, content = await export(world, world.bob, "csv")
    assert [row["arxiv_id"] for row in csv.DictReader(io.StringIO(content.decode()))] == [
        "2503.14456"
    ]


async def test_list_pages_turn_for_the_asker(world) -> None:
    day = await world.bot.papers.day(date(2025, 3, 19))
    for paper in day[:7]:
        await world.bot.bookmarks.add(world.alice.id, paper.arxiv_id)
    first = await (await world.fake.slash("bookmarks list", user=world.alice)).reply()
    assert is_ephemeral(first)
    assert first["embeds"][0]["footer"]["text"] == "Page 1"
    assert first["embeds"][0]["description"].count("\n**") == 4  # five papers on page 1
    turned = await world.fake.click(first, custom_id(first, "Next"), user=world.alice)
    page = (await turned.response())["data"]["embeds"][0]
    assert page["footer"]["text"] == "Page 2"
    assert page["description"].startswith("**6. ")
    assert day[0].title[:20] in page["description"]  # the first saved is the oldest: last page


async def test_reactions_by_bots_save_nothing(world) -> None:
    message = await shown(world, "2503.14456")
    robot = world.fake.add_user("robot", bot=True)
    world.guild.add_member(robot)
    waiter = asyncio.ensure_future(world.bot.wait_for("bookmarks_changed", timeout=5))
    await world.fake.react(message, "🔖", user=robot)
    await world.fake.react(message, "🔖", user=world.fake.bot_user)
    await world.fake.react(message, "🔖", user=world.bob)
    assert await waiter == (world.bob.id, ["2503.14456"], True)  # the bots' reactions were ignored
    assert await saved(world, robot) == []
    assert await saved(world, world.fake.bot_user) == []


async def test_clear_asks_first_and_only_the_asker_answers(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    ix = await world.fake.slash("bookmarks clear", user=world.alice)
    question = await ix.reply()
    assert question["content"] == "Delete all your bookmarks?" and is_ephemeral(question)
    yes, no = custom_id(question, "Yes, delete them"), custom_id(question, "Cancel")
    intruder = await (await world.fake.click(question, yes, user=world.bob)).reply()
    assert intruder["content"] == "This question is not yours to answer."
    assert is_ephemeral(intruder)
    assert await saved(world, world.alice) == ["2503.99999"]
    cancel = await world.fake.click(question, no, user=world.alice)
    assert (await cancel.response())["data"]["content"] == "Cancelled; nothing was deleted."
    assert await saved(world, world.alice) == ["2503.99999"]
    again = await (await world.fake.slash("bookmarks clear", user=world.alice)).reply()
    assert custom_id(again, "Yes, delete them") != yes
    confirm = await world.fake.click(again, custom_id(again, "Yes, delete them"), user=world.alice)
    assert (await confirm.response())["data"]["content"] == "Done: 1 bookmarks deleted."
    assert await saved(world, world.alice) == []


async def test_forget_me_deletes_my_bookmarks_and_nobody_elses(world) -> None:
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    await world.bot.bookmarks.add(world.bob.id, "2503.14456")
    question = await (await world.fake.slash("bookmarks forget-me", user=world.alice)).reply()
    assert question["content"].startswith("Delete everything I store about you")
    confirm = await world.fake.click(
        question, custom_id(question, "Yes, delete them"), user=world.alice
    )
    assert (await confirm.response())["data"]["content"] == (
        "Deleted 1 bookmark(s) with 0 note(s), 0 follow(s), no digest settings and"
        " 0 record(s) of direct messages sent to you."
    )
    assert await saved(world, world.alice) == []
    assert await saved(world, world.bob) == ["2503.14456"]
