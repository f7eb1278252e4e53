"""What a source or a user sends cannot fool Discord: the real bot against the fake Discord.

A hostile paper (masked links, a title closing its link, mentions, headings) is delivered in both
layouts and looked up by every command; nothing becomes a link paperboy did not build, nothing
pings, user input comes back cut short, and /subscriptions shows only channels the asker can see.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.ingest import ingest_bytes
from bot.models import IngestReport
from fakediscord import VIEW_CHANNEL, FakeDiscord, overwrite
from tests.delivering import subscribe

EVIL_ID = "2503.99991"
HOSTILE = f"""## Papers for 2025-03-21

| Title | Authors | Summary |
|-------|---------|---------|
| Evil](https://evil.example/t) **Bold** @everyone <@123> # Head (Read more on [arXiv](https://evil.example/arxiv.org/abs/{EVIL_ID}) or [HuggingFace](https://evil.example/huggingface.co/papers/{EVIL_ID}))| Mallory [x](https://evil.example/a), <@&456> | See [official code](https://evil.example/c) @here `code` ~~gone~~ |
""".encode()
AFTER = datetime(2025, 3, 21, 12, 0, tzinfo=UTC)
# A markdown link not preceded by a backslash, and the URL it goes to.
LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)")
OURS = re.compile(
    r"https://(arxiv\.org/abs|huggingface\.co/papers)/\d{4}\.\d{4,5}|https://doi\.org/\S+"
)


async def add_hostile_paper(world) -> None:
    report = IngestReport()
    stored = await ingest_bytes(world.bot.papers, HOSTILE, name="h.md", key="h.md", report=report)
    assert stored, report.problems


def texts(message: dict[str, Any]) -> list[str]:
    """Every piece of text Discord would render as markdown in a message."""
    found = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        found += [embed.get("title", ""), embed.get("description", "")]
        found += [field["value"] for field in embed.get("fields", [])]
    return found


def assert_harmless(message: dict[str, Any]) -> None:
    for text in texts(message):
        for _, url in LINK.findall(text):
            assert OURS.fullmatch(url), f"a link paperboy did not build: {url} in {text!r}"
        assert not re.search(r"(?<!\\)@(everyone|here)|(?<!\\)<@", text), text
        assert not re.search(r"(?<!\\)\*\*Bold", text), text
        assert not re.search(r"(?m)^(?<!\\)# Head", text), text
    for embed in message.get("embeds") or []:
        assert embed.get("url") in (None, f"https://arxiv.org/abs/{EVIL_ID}") or OURS.fullmatch(
            embed["url"]
        )


def message_calls(fake: FakeDiscord) -> list[dict[str, Any]]:
    """The JSON of every request that creates or edits a message (channels, replies, follow-ups)."""
    bodies = []
    for call in fake.calls:
        body = call.body if isinstance(call.body, dict) else {}
        if call.path.endswith("/callback"):
            body = body.get("data") or {}
            if not body:
                continue  # a defer or a pong: no message
        elif not re.search(r"/messages(/\d+)?$|/webhooks/\d+/[^/]+$", call.path):
            continue
        if call.method in ("POST", "PATCH"):
            bodies.append(body)
    return bodies


async def test_a_hostile_paper_is_shown_literally_everywhere_and_nothing_pings(
    world, fake_discord: FakeDiscord
) -> None:
    await add_hostile_paper(world)
    compact = world.guild.add_channel("compact")
    await fake_discord.dispatch("CHANNEL_CREATE", compact.payload())
    subscription, _ = await subscribe(world, layout="channel")
    await world.bot.delivery.deliver(subscription, AFTER)
    other, _ = await world.bot.subscriptions.subscribe(
        world.guild.id, compact.id, fake_discord.owner.id, layout="compact"
    )
    await world.bot.delivery.deliver(other, AFTER)
    delivered = [*fake_discord.messages(world.channel), *fake_discord.messages(compact)]
    for path, options in [
        ("paper search", {"query": "Bold"}),
        ("paper show", {"paper": EVIL_ID}),
        ("paper day", {"date": "2025-03-21"}),
        ("paper author", {"name": "Mallory"}),
    ]:
        ix = await fake_discord.slash(path, user=world.alice, **options)
        reply = await ix.reply()
        assert_harmless(reply)
    evil = [m for m in delivered if any("Evil" in text for text in texts(m))]
    assert len(evil) == 2  # its own post, and the compact list
    for message in delivered:
        assert_harmless(message)
    [post] = [m for m in evil if m["embeds"] and m["embeds"][0].get("url")]
    assert post["embeds"][0]["title"].startswith(r"Evil\](https://evil.example/t) \*\*Bold")
    bodies = message_calls(fake_discord)
    assert len(bodies) > 10
    for body in bodies:
        assert body.get("allowed_mentions", {}).get("parse") == [], body.get("content")
        assert not body["allowed_mentions"].get("users") and not body["allowed_mentions"].get(
            "roles"
        )


async def test_user_input_is_echoed_cut_short(world, fake_discord: FakeDiscord) -> None:
    long = "x" * 1500 + " **bold** @everyone"
    for path, options in [
        ("paper search", {"query": long}),
        ("paper show", {"paper": long}),
        ("paper author", {"name": long}),
        ("paper category", {"name": long}),
        ("paper day", {"date": long}),
    ]:
        ix = await fake_discord.slash(path, user=world.alice, **options)
        reply = await ix.reply()
        shown = "\n".join(texts(reply))
        assert "x" * 20 in shown, (path, shown)  # the echo is there...
        assert len(shown) < 400, (path, len(shown))  # ...cut short
        assert "x" * 130 not in shown
        assert "@everyone" not in shown.replace("\\@everyone", "")


async def test_a_subscription_reply_with_huge_filters_fits_one_message(
    world, fake_discord: FakeDiscord
) -> None:
    keywords = ",".join(f"keyword{n}" for n in range(600))  # about 6,000 characters
    ix = await fake_discord.slash("subscribe", user=fake_discord.owner, keywords=keywords)
    reply = await ix.reply()
    assert len(reply["content"]) <= 2000
    assert reply["content"].startswith(f"Subscribed <#{world.channel.id}>")
    listing = await (await fake_discord.slash("subscriptions", user=fake_discord.owner)).reply()
    shown = "\n".join(texts(listing))
    assert len(shown) <= 6000 and "keyword1" in shown


async def test_subscriptions_lists_only_channels_the_member_can_view(
    fake_discord: FakeDiscord, run_bot
) -> None:
    guild = fake_discord.add_guild()
    papers = guild.add_channel("papers")
    staff_role = guild.add_role("Staff")
    secret = guild.add_channel(
        "secret",
        overwrites=[
            overwrite(guild.everyone, deny=VIEW_CHANNEL),
            overwrite(staff_role, allow=VIEW_CHANNEL),
        ],
    )
    guest, staff = fake_discord.add_user("guest"), fake_discord.add_user("staff")
    guild.add_member(guest)
    guild.add_member(staff, staff_role)
    async with run_bot() as bot:
        owner = fake_discord.owner.id
        await bot.subscriptions.subscribe(guild.id, papers.id, owner, keywords="public")
        await bot.subscriptions.subscribe(guild.id, secret.id, owner, keywords="merger plans")

        async def listing(user) -> str:
            ix = await fake_discord.slash("subscriptions", user=user, channel=papers)
            return "\n".join(texts(await ix.reply()))

        seen_by_guest = await listing(guest)
        assert f"<#{papers.id}>" in seen_by_guest
        assert f"<#{secret.id}>" not in seen_by_guest and "merger" not in seen_by_guest
        seen_by_staff = await listing(staff)
        assert f"<#{secret.id}>" in seen_by_staff and "merger plans" in seen_by_staff
