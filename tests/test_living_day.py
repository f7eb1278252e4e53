"""A day that keeps living in Discord, through the real client and the fake: late papers, edits in
place, a deleted message left deleted, forum posts, announcement crossposts, the day's role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.config import DeliveryConfig
from fakediscord import ANNOUNCEMENT, FORUM, FakeDiscord, Guild
from tests.delivering import (
    NEXT_DAY,
    SUBSCRIBED,
    crash_mid_day_then_resume,
    posted,
    subscribe,
)
from tests.fixtures_bot import World
from tests.helpers import late_paper

DAY = date(2025, 3, 20)
GOOSE = "2503.14456"


async def late(world: World, arxiv_id: str = "2503.77777", title: str = "Late Arrival") -> None:
    """A paper joins 2025-03-20 after it was posted (another source lists it)."""
    await late_paper(world.bot.papers, arxiv_id, title)


async def retitle(world: World, title: str) -> None:
    await world.bot.db.execute("UPDATE papers SET title = ? WHERE arxiv_id = ?", (title, GOOSE))


def embeds(messages: list[dict]) -> list[str]:
    return [m["embeds"][0]["title"] for m in messages if m["embeds"]]


async def test_a_late_paper_goes_into_the_days_thread_under_a_more_line_once(world) -> None:
    subscription, _ = await subscribe(world, layout="thread")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    header = next(m for m in posted(world) if m["content"].startswith("**Papers for 2025-03-20"))
    thread = world.fake.channels[int(header["id"])]
    before = len(world.fake.created)
    await late(world)
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert report.late == 1 and report.failed is None
    new = world.fake.created[before:]
    assert [m["content"] for m in new] == ["**1 more paper for 2025-03-20**", ""]
    assert {m["channel_id"] for m in new} == {str(thread.id)}
    assert embeds(new) == ["Late Arrival"]
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert len(world.fake.created) == before + 2  # never twice


async def test_a_day_whose_thread_a_moderator_deleted_takes_no_late_papers_and_no_blame(
    world, fake_discord
) -> None:
    subscription, _ = await subscribe(world, layout="thread", keywords="zebras")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    [header] = posted(world)
    await fake_discord.delete_channel(fake_discord.channels[int(header["id"])])
    await late(world, title="More Zebras")
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert report.failed is None and report.messages == 0
    assert (await world.bot.subscriptions.get(world.channel.id)).failures == 0
    assert posted(world) == [header]


async def test_a_late_paper_joins_the_compact_list_by_editing_it(world) -> None:
    subscription, _ = await subscribe(world, layout="compact", authors="zoe")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    [listing] = posted(world)
    await late(world, title="Zoe's Late Zebras")
    await world.bot.db.execute(
        "UPDATE papers SET authors = 'Zoë Müller' WHERE arxiv_id = '2503.77777'"
    )
    await world.bot.db.execute(
        "INSERT INTO paper_authors (paper_id, position, author_id) SELECT p.id, 0, a.id"
        " FROM papers p, authors a WHERE p.arxiv_id = '2503.77777' AND a.name = 'Zoë Müller'"
    )
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    [edited] = posted(world)
    assert edited["id"] == listing["id"] and edited["edited_timestamp"] is not None
    assert edited["embeds"][0]["title"] == "Papers for 2025-03-20 · 2 papers"
    assert edited["embeds"][0]["description"].splitlines()[1].startswith("2. [Zoe's Late Zebras]")
    options = edited["components"][0]["components"][0]["options"]
    assert [o["value"] for o in options] == ["2503.99999", "2503.77777"]


async def test_a_changed_title_is_edited_in_place_in_every_channel(world, fake_discord) -> None:
    other = world.guild.add_channel("other")
    await fake_discord.dispatch("CHANNEL_CREATE", other.payload())
    await subscribe(world, layout="channel")
    await world.bot.subscriptions.subscribe(
        world.guild.id, other.id, world.fake.owner.id, layout="channel"
    )
    await world.bot.delivery.deliver_all(NEXT_DAY)
    before = len(world.fake.created)
    await retitle(world, "RWKV-7 Goose, second version")
    reports = await world.bot.delivery.deliver_all(NEXT_DAY)
    assert [r.edits for r in reports.values()] == [2, 2]  # shown on the 19th and the 20th
    assert len(world.fake.created) == before  # nothing posted
    for channel in (world.channel, other):
        titles = embeds(posted(world, channel))
        assert titles.count("RWKV-7 Goose, second version") == 2
        assert 'RWKV-7 "Goose" with Expressive Dynamic State Evolution' not in titles
    again = await world.bot.delivery.deliver_all(NEXT_DAY)
    assert [r.edits for r in again.values()] == [0, 0]


async def test_a_message_a_moderator_deleted_stays_deleted(world, fake_discord) -> None:
    subscription, _ = await subscribe(world, layout="channel")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    goose = [m for m in posted(world) if m["embeds"] and m["embeds"][0]["url"].endswith(GOOSE)]
    world.channel.messages.remove(goose[0])  # a moderator deletes the one of the 19th
    await retitle(world, "Renamed")
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert report.edits == 1 and report.failed is None
    await retitle(world, "Renamed again")
    patches = [c for c in fake_discord.calls if c.method == "PATCH"]
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert [c.path for c in fake_discord.calls if c.method == "PATCH"][len(patches) :] == [
        f"/channels/{world.channel.id}/messages/{goose[1]['id']}"
    ]
    assert embeds(posted(world)).count("Renamed again") == 1


async def test_past_the_edit_window_nothing_is_edited(world) -> None:
    subscription, _ = await subscribe(world, layout="channel")
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    await retitle(world, "Too late to show")
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY + timedelta(days=8))
    assert report.edits == 0 and "Too late to show" not in embeds(posted(world))


async def test_a_pending_message_past_the_nonce_window_is_adopted_not_doubled(
    world, fake_discord, monkeypatch
) -> None:
    config = world.bot.delivery.config
    world.bot.delivery.config = replace(
        config, delivery=replace(config.delivery, nonce_window_seconds=0)
    )
    fake_discord.nonce_window = 0.0  # Discord has forgotten the nonce by the restart
    nonces = await crash_mid_day_then_resume(world, monkeypatch)
    assert len(nonces) == len(set(nonces)) == 2 + 22 + 2  # two headers and every paper, once each
    assert fake_discord.stats["nonce_dedupes"] == 0 and fake_discord.stats["history_reads"] >= 1


@pytest.fixture
async def kinds(fake_discord: FakeDiscord, run_bot) -> AsyncIterator[tuple[World, Guild]]:
    guild = fake_discord.add_guild()
    channel = guild.add_channel("papers")
    guild.add_channel("forum", type=FORUM, tags=["cs.CL", "Zebras"])
    guild.add_channel("news", type=ANNOUNCEMENT)
    async with run_bot() as bot:
        yield (
            World(
                bot,
                fake_discord,
                guild,
                channel,
                fake_discord.owner,
                fake_discord.owner,
                bot.config,
            ),
            guild,
        )


def channel_named(guild: Guild, name: str):
    return next(c for c in guild.channels if c.name == name)


async def test_a_forum_gets_one_tagged_post_per_day_with_the_papers_inside(kinds) -> None:
    world, guild = kinds
    forum = channel_named(guild, "forum")
    await world.bot.db.execute(
        "UPDATE papers SET category = 'zebras' WHERE arxiv_id = '2503.99999'"
    )
    world.bot.subscriptions.clock = lambda: SUBSCRIBED
    subscription, _ = await world.bot.subscriptions.subscribe(
        guild.id, forum.id, world.fake.owner.id, layout="channel"
    )
    report = await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert report.failed is None
    posts = [c for c in world.fake.channels.values() if c.parent_id == forum.id]
    assert [p.name for p in posts] == ["Papers for 2025-03-19", "Papers for 2025-03-20"]
    zebra_tag = next(t["id"] for t in forum.available_tags if t["name"] == "Zebras")
    assert [p.applied_tags for p in posts] == [[], [zebra_tag]]
    day20 = world.fake.messages(posts[1])
    assert day20[0]["id"] == str(posts[1].id) and day20[0]["content"].startswith("**Papers for")
    assert len(embeds(day20)) == 2
    await late(world)
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert len([c for c in world.fake.channels.values() if c.parent_id == forum.id]) == 2
    assert world.fake.messages(posts[1])[-2]["content"] == "**1 more paper for 2025-03-20**"


async def test_an_announcement_channel_publishes_each_message_when_asked(kinds) -> None:
    world, guild = kinds
    news = channel_named(guild, "news")
    world.bot.subscriptions.clock = lambda: SUBSCRIBED
    subscription, _ = await world.bot.subscriptions.subscribe(
        guild.id, news.id, world.fake.owner.id, layout="channel", publish=True
    )
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    messages = world.fake.messages(news)
    assert len(messages) == 1 + 22 + 1 + 2
    assert all(m["flags"] & 1 for m in messages)
    assert world.fake.stats["crossposts"] == len(messages)


async def test_a_subscription_without_publish_crossposts_nothing(kinds) -> None:
    world, guild = kinds
    news = channel_named(guild, "news")
    world.bot.subscriptions.clock = lambda: SUBSCRIBED
    subscription, _ = await world.bot.subscriptions.subscribe(
        guild.id, news.id, world.fake.owner.id, layout="compact"
    )
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    assert world.fake.stats["crossposts"] == 0 and len(world.fake.messages(news)) == 2


async def test_the_days_role_is_pinged_by_the_header_and_by_nothing_else(
    world, fake_discord
) -> None:
    role = world.guild.add_role("Readers")
    await retitle(world, f"@everyone look at <@&{role.id}>")
    subscription, _ = await subscribe(world, layout="channel", mention_role=role.id)
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    posts = [c for c in fake_discord.calls if c.method == "POST" and c.path.endswith("/messages")]
    headers = [c for c in posts if (c.body.get("content") or "").startswith("<@&")]
    assert [c.body["content"] for c in headers][:1] == [
        f"<@&{role.id}> **Papers for 2025-03-19** · 22 papers"
    ]
    assert all(c.body["allowed_mentions"] == {"parse": [], "roles": [role.id]} for c in headers)
    others = [c for c in posts if c not in headers]
    assert others and all(c.body["allowed_mentions"] == {"parse": []} for c in others)


def test_late_and_edit_windows_default_to_two_and_seven_days() -> None:
    settings = DeliveryConfig()
    assert (settings.late_papers_days, settings.edit_window_days) == (2, 7)


def test_a_forum_tag_may_be_named_like_a_code_an_arxiv_name_or_a_topic() -> None:
    from bot.edge.poster import category_labels
    from bot.models import PaperRow

    paper = PaperRow(
        arxiv_id="1", title="t", category="Zebras", primary_category="cs.CL", categories=("cs.LG",)
    )
    labels = category_labels(paper)
    assert {"Zebras", "cs.CL", "Computation and Language", "cs.LG", "Machine Learning"} <= labels
    assert category_labels(PaperRow(arxiv_id="2", title="t")) == set()


async def test_a_forum_post_made_just_before_a_crash_is_found_not_made_again(
    kinds, monkeypatch
) -> None:
    world, guild = kinds
    forum = channel_named(guild, "forum")
    world.bot.subscriptions.clock = lambda: SUBSCRIBED
    subscription, _ = await world.bot.subscriptions.subscribe(
        guild.id, forum.id, world.fake.owner.id, layout="channel", keywords="zebras"
    )
    ledger = world.bot.delivery.ledger
    real_sent = ledger.sent

    async def crash_on_the_post(owner, day, item, *args):
        if item == "thread":
            raise RuntimeError("killed after Discord made the post, before the ledger knew")
        await real_sent(owner, day, item, *args)

    monkeypatch.setattr(ledger, "sent", crash_on_the_post)
    with pytest.raises(RuntimeError):
        await world.bot.delivery.deliver(subscription, NEXT_DAY)
    monkeypatch.setattr(ledger, "sent", real_sent)
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    [post] = [c for c in world.fake.channels.values() if c.parent_id == forum.id]
    assert embeds(world.fake.messages(post)) == ["A New Paper About Zebras"]


async def test_a_compact_forum_post_holds_the_days_list_and_grows_it(kinds) -> None:
    world, guild = kinds
    forum = channel_named(guild, "forum")
    world.bot.subscriptions.clock = lambda: SUBSCRIBED
    subscription, _ = await world.bot.subscriptions.subscribe(
        guild.id, forum.id, world.fake.owner.id, layout="compact"
    )
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    posts = [c for c in world.fake.channels.values() if c.parent_id == forum.id]
    [starter, listing] = world.fake.messages(posts[1])
    assert starter["content"] == "**Papers for 2025-03-20** · 2 papers"
    assert listing["embeds"][0]["title"] == "Papers for 2025-03-20 · 2 papers"
    await late(world)
    await world.bot.delivery.deliver(subscription, NEXT_DAY)
    [_, grown] = world.fake.messages(posts[1])
    assert grown["embeds"][0]["title"] == "Papers for 2025-03-20 · 3 papers"
