"""Bookmarks that know more: "Bookmark papers" on any message, notes, read/unread, change notices."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.db import PaperStore
from bot.db.arxiv import ArxivStore
from bot.models import Paper
from fakediscord import is_ephemeral
from tests.arxiv_standin import serve

NOW = datetime(2025, 3, 24, 9, tzinfo=UTC)

MENU = "Bookmark papers"


class ArxivStandIn:
    """Stands in for the arXiv source (network): stores the ids it knows, through the real store."""

    def __init__(self, known: set[str], failing: bool = False) -> None:
        self.known, self.failing, self.asked = known, failing, []
        self.store: PaperStore | None = None

    async def fetch(self, arxiv_ids: Sequence[str]) -> Sequence[str]:
        self.asked.append(list(arxiv_ids))
        if self.failing:
            raise TimeoutError("timed out after 20 s")
        assert self.store is not None
        found = [
            Paper(arxiv_id=i, title=f"Fetched {i}", day=date(2025, 3, 21), position=n)
            for n, i in enumerate(arxiv_ids)
            if i in self.known
        ]
        await self.store.ingest(date(2025, 3, 21), found, "arxiv")
        return [paper.arxiv_id for paper in found]


async def saved(bot, user) -> list[str]:
    return sorted(p.arxiv_id for p in (await bot.bookmarks.saved(user.id, limit=100)).items)


async def start(fake, run_bot, fetcher=None):
    guild = fake.add_guild()
    channel = guild.add_channel("papers")
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    guild.add_member(alice)
    guild.add_member(bob)
    return channel, alice, bob, run_bot(fetcher=fetcher)


async def test_bookmark_papers_on_a_members_message_saves_every_linked_paper(fake_discord, run_bot):
    channel, alice, bob, running = await start(fake_discord, run_bot)
    async with running as bot:
        msg = await fake_discord.say(
            channel,
            "two good ones: https://arxiv.org/abs/2503.14456v2 and "
            "<https://huggingface.co/papers/2503.99999>, again arxiv.org/pdf/2503.14456",
            user=bob,
        )
        ix = await fake_discord.message_command(MENU, msg, user=alice)
        reply = await ix.reply()
        assert ix.ephemeral and is_ephemeral(reply)
        assert reply["content"] == "Saved 2 paper(s) to your bookmarks: 2503.14456, 2503.99999."
        assert await saved(bot, alice) == ["2503.14456", "2503.99999"]
        assert await saved(bot, bob) == []  # the author saved nothing
        again = await (await fake_discord.message_command(MENU, msg, user=alice)).reply()
        assert again["content"] == "Already bookmarked: 2503.14456, 2503.99999."


async def test_a_message_with_many_links_saves_the_first_25_and_says_so(fake_discord, run_bot):
    channel, alice, bob, running = await start(fake_discord, run_bot)
    async with running as bot:
        links = " ".join(f"arxiv.org/abs/2503.{n:05d}" for n in range(30))
        msg = await fake_discord.say(channel, f"arxiv.org/abs/2503.99999 {links}", user=bob)
        reply = await (await fake_discord.message_command(MENU, msg, user=alice)).reply()
        assert reply["content"].startswith("Saved 1 paper(s) to your bookmarks: 2503.99999.")
        assert reply["content"].endswith("I read the first 25 papers; 6 more were left.")
        assert await saved(bot, alice) == ["2503.99999"]


async def test_a_message_without_paper_links_saves_nothing(fake_discord, run_bot):
    channel, alice, bob, running = await start(fake_discord, run_bot)
    async with running as bot:
        msg = await fake_discord.say(
            channel, "arxiv.org is down again, and 2503.14456 too", user=bob
        )
        reply = await (await fake_discord.message_command(MENU, msg, user=alice)).reply()
        assert reply["content"] == "That message links no arXiv or Hugging Face paper."
        assert await saved(bot, alice) == []


async def test_papers_missing_from_the_archive_are_fetched_first(fake_discord, run_bot):
    stand_in = ArxivStandIn({"2501.00001"})
    channel, alice, bob, running = await start(fake_discord, run_bot, stand_in)
    async with running as bot:
        stand_in.store = bot.papers
        msg = await fake_discord.say(
            channel,
            "arxiv.org/abs/2501.00001 arxiv.org/abs/2501.00002 arxiv.org/abs/2503.99999",
            user=bob,
        )
        reply = await (await fake_discord.message_command(MENU, msg, user=alice)).reply()
        assert stand_in.asked == [["2501.00001", "2501.00002"]]  # only what the archive lacks
        assert reply["content"] == (
            "Saved 2 paper(s) to your bookmarks: 2501.00001, 2503.99999."
            " Not found on arXiv: 2501.00002."
        )
        assert await saved(bot, alice) == ["2501.00001", "2503.99999"]


async def test_a_failing_fetch_still_saves_the_known_papers(fake_discord, run_bot):
    stand_in = ArxivStandIn(set(), failing=True)
    channel, alice, bob, running = await start(fake_discord, run_bot, stand_in)
    async with running:
        msg = await fake_discord.say(
            channel, "arxiv.org/abs/2501.00009 arxiv.org/abs/2503.99999", user=bob
        )
        reply = await (await fake_discord.message_command(MENU, msg, user=alice)).reply()
        assert reply["content"] == (
            "Saved 1 paper(s) to your bookmarks: 2503.99999."
            " Not found on arXiv (arXiv did not answer: timed out after 20 s): 2501.00009."
        )


async def test_bookmark_papers_reads_the_links_of_the_bots_own_paper_posts(fake_discord, run_bot):
    _, alice, bob, running = await start(fake_discord, run_bot)
    async with running as bot:
        shown = await (await fake_discord.slash("paper show", user=bob, paper="2503.99999")).reply()
        reply = await (await fake_discord.message_command(MENU, shown, user=alice)).reply()
        assert reply["content"].startswith("Saved 1 paper(s)")
        assert await saved(bot, alice) == ["2503.99999"]


async def test_a_note_by_modal_and_read_state_show_in_the_list_and_the_exports(world):
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    await world.bot.bookmarks.add(world.alice.id, "2503.14456")
    opened = await world.fake.slash("bookmarks note", user=world.alice, paper="2503.99999")
    assert (await opened.response())["type"] == 9  # a modal
    submitted = await world.fake.submit_modal(opened, {"note": "stripes, {really} 100%"})
    assert (await submitted.reply())["content"] == "Saved your note on arXiv 2503.99999."
    theirs = await world.fake.slash("bookmarks note", user=world.bob, paper="2503.99999")
    assert "not in your bookmarks" in (await theirs.reply())["content"]
    marked = await world.fake.slash(
        "bookmarks mark", user=world.alice, paper="2503.14456", state="read"
    )
    assert (await marked.reply())["content"] == "Marked arXiv 2503.14456 as read."
    listing = await (await world.fake.slash("bookmarks list", user=world.alice)).reply()
    text = listing["embeds"][0]["description"]
    assert "> stripes, {really} 100%" in text and "✓ read" in text and "• unread" in text
    unread = await (
        await world.fake.slash("bookmarks list", user=world.alice, show="unread")
    ).reply()
    assert "Zebras" in unread["embeds"][0]["description"]
    assert "RWKV" not in unread["embeds"][0]["description"]
    rows = await export_rows(world)
    assert rows["2503.99999"]["note"] == "stripes, {really} 100%"
    assert rows["2503.99999"]["read_at"] == ""
    assert rows["2503.14456"]["read_at"] != ""
    _, bib = await world.bot.bookmarks.export(world.alice.id, "bibtex")
    assert "; unread. stripes, \\{really\\} 100\\%}" in bib.decode()
    _, md = await world.bot.bookmarks.export(world.alice.id, "markdown")
    assert "  > stripes, {really} 100%" in md.decode()


async def export_rows(world) -> dict[str, dict[str, str]]:
    _, content = await world.bot.bookmarks.export(world.alice.id, "csv")
    return {row["arxiv_id"]: row for row in csv.DictReader(io.StringIO(content.decode()))}


async def test_a_long_note_is_refused_and_the_old_one_kept(world):
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    await world.bot.bookmarks.set_note(world.alice.id, "2503.99999", "keep me")
    opened = await world.fake.slash("bookmarks note", user=world.alice, paper="2503.99999")
    await opened.response()
    assert opened.modal["components"][0]["components"][0]["value"] == "keep me"
    assert "at most 300 characters" in await refused(world, "x" * 301)
    assert (await world.bot.bookmarks.note(world.alice.id, "2503.99999"))[1] == "keep me"


async def refused(world, note: str) -> str:
    try:
        await world.bot.bookmarks.set_note(world.alice.id, "2503.99999", note)
    except Exception as error:
        return str(error)
    raise AssertionError("a long note was accepted")


async def test_change_notices_are_opt_in_and_sent_once(world):
    arxiv = ArxivStore(world.bot.db)
    await arxiv.record({"2503.99999": {"version": 1}}, [], NOW)  # arXiv knows v1
    await world.bot.bookmarks.add(world.alice.id, "2503.99999")
    await world.bot.bookmarks.add(world.bob.id, "2503.99999")
    ix = await world.fake.slash("bookmarks notify", user=world.alice, enabled=True)
    assert (await ix.reply())["content"].startswith("I will DM you")
    assert await world.bot.personal.notify_changes() == {}  # nothing changed yet
    code = Paper(
        arxiv_id="2503.99999",
        title="A New Paper About Zebras",
        github_repo="https://github.com/zoe/zebras",
        day=date(2025, 3, 20),
        position=1,
    )
    await world.bot.papers.ingest(date(2025, 3, 20), [code], "hf:2025-03-20")
    assert await world.bot.personal.notify_changes(NOW) == {world.alice.id: 1}  # bob did not ask
    [dm] = world.fake.dms(world.alice)
    assert "code: https://github.com/zoe/zebras" in dm["embeds"][0]["description"]
    assert world.fake.dms(world.bob) == []
    assert await world.bot.personal.notify_changes(NOW) == {}  # once
    await arxiv.record({"2503.99999": {"version": 2, "updated": "2025-03-25T10:00:00Z"}}, [], NOW)
    assert await world.bot.personal.notify_changes(NOW) == {world.alice.id: 1}
    assert "new arXiv version v2" in world.fake.dms(world.alice)[-1]["embeds"][0]["description"]
    off = await world.fake.slash("bookmarks notify", user=world.alice, enabled=False)
    assert (await off.reply())["content"] == "No more change notices for your bookmarks."
    await arxiv.record({"2503.99999": {"version": 3, "updated": "2025-03-26T10:00:00Z"}}, [], NOW)
    assert await world.bot.personal.notify_changes(NOW) == {}


async def test_bookmark_papers_fetches_what_the_archive_lacks_from_arxiv(
    fake_discord, run_bot, bot_config
):
    async with serve() as standin:
        standin.add([("2501.01234", "Stripes as a Service")])
        sources = replace(bot_config.sources, arxiv=True, arxiv_url=standin.url)
        channel, alice, bob, _ = await start(fake_discord, run_bot)
        async with run_bot(sources=replace(sources, arxiv_interval_seconds=0)) as bot:
            await bot.scheduler.shutdown()  # no backfill racing the menu for the stand-in
            msg = await fake_discord.say(
                channel, "arxiv.org/abs/2501.01234 and arxiv.org/abs/2501.09999", user=bob
            )
            reply = await (await fake_discord.message_command(MENU, msg, user=alice)).reply()
            assert reply["content"] == (
                "Saved 1 paper(s) to your bookmarks: 2501.01234. Not found on arXiv: 2501.09999."
            )
            paper = await bot.papers.get("2501.01234")
            assert paper is not None and paper.title == "Stripes as a Service"
            assert await saved(bot, alice) == ["2501.01234"]
