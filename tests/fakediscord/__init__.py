"""A local fake Discord (REST v10 + gateway) that the real, unmodified discord.py client talks to.

A test seeds the world, starts its bot against the fake, acts as users would and reads what the
bot did. Everything below is a method of ``FakeDiscord`` or a name exported here.

Seed the world before the bot starts (the bot caches guilds as GUILD_CREATE carried them)::

    async def test_it(fake_discord: FakeDiscord) -> None:        # pytest fixture: a fresh fake
        guild = fake_discord.add_guild(name="Lab")                # @everyone, the bot, the owner
        editors = guild.add_role("Editors", MANAGE_CHANNELS)      # a role and its permissions
        papers = guild.add_channel("papers")                      # the one way to add a channel
        quiet = guild.add_channel(
            "quiet", overwrites=[overwrite(guild.bot_role, deny=SEND_MESSAGES_IN_THREADS)]
        )
        alice = fake_discord.add_user("alice")
        guild.add_member(alice, editors)                          # or permissions=MANAGE_CHANNELS
        async with running(make_bot(), fake_discord):             # login -> READY in ~60 ms
            ...

Act as a user (``channel`` defaults to the first text channel of the first guild)::

    ix = await fake_discord.slash("paper search", user=alice, query="goose")  # options checked
    reply = await ix.reply()             # the first message alice can read, as a dict
    ix.ephemeral, (await ix.response())["type"], await ix.followups(2), ix.modal
    await fake_discord.click(reply, "paperboy:bookmark:2503.14456", user=alice)
    await fake_discord.select(reply, "topic", ["nlp"], user=alice)
    await fake_discord.autocomplete("subscribe", focused="timezone", value="par", user=alice)
    await fake_discord.submit_modal(ix, {"text": "read later"})
    await fake_discord.react(reply, "🔖", user=alice)      # and unreact(...)
    msg = await fake_discord.say(papers, "see arxiv.org/abs/2503.14456", user=alice)
    ix = await fake_discord.message_command("Bookmark papers", msg, user=bob)  # Apps menu

Read what the bot did::

    fake_discord.messages(papers)        # visible messages, oldest first (ephemeral ones are not)
    await fake_discord.next_message(papers)               # waits for the next one
    fake_discord.dms(alice), fake_discord.attachments(msg), fake_discord.calls  # REST calls
    alice.accepts_dms = False            # her DMs close: posting there answers 403 50007
    await fake_discord.wait_for(lambda: condition, what="...")  # no sleeps: await the event

Other channel kinds: ``guild.add_channel("news", type=ANNOUNCEMENT)`` (crossposts count in
``stats["crossposts"]``), ``guild.add_channel("forum", type=FORUM, tags=["cs.CL"])`` (posts are
threads whose starter message has the thread's id; ``thread.applied_tags``). History reads carry
no nonce, as on Discord; ``fake.nonce_window`` (seconds) is how long a repeated nonce is deduped.

Make Discord misbehave: ``fail_next(method, path, status)``, ``set_rate_limits(RateLimits())``,
``delete_channel(channel)``, ``gateway.request_reconnect()``. Outside pytest (benchmarks, a
subprocess), ``pointing_discord_at(fake.base_url)`` sends discord.py to the fake.

The modules: ``server`` (FakeDiscord: HTTP, records, waits, faults), ``world`` (its guilds,
channels, messages, reactions), ``actions`` (what users do), ``menus`` (members' messages and
context menus), ``state`` (the records and their JSON), ``rest``, ``channels`` (forums,
announcements, history) and ``interactions`` (the routes), ``schema`` (slash options checked
against the synced commands), ``gateway``, ``ratelimit``, ``client`` (``running``), ``fixtures``
(the pytest fixture).
"""

from .actions import walk_components
from .client import pointing_discord_at, running
from .interactions import EPHEMERAL, Interaction, is_ephemeral
from .permissions import (
    ADD_REACTIONS,
    ADMINISTRATOR,
    ATTACH_FILES,
    EMBED_LINKS,
    MANAGE_CHANNELS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
)
from .ratelimit import RateLimits
from .rest import Fault
from .server import TOKEN, Call, FakeDiscord
from .state import (
    ANNOUNCEMENT,
    FORUM,
    Channel,
    Guild,
    Member,
    Role,
    User,
    overwrite,
)

__all__ = [
    "ADD_REACTIONS",
    "ADMINISTRATOR",
    "ANNOUNCEMENT",
    "ATTACH_FILES",
    "EMBED_LINKS",
    "EPHEMERAL",
    "FORUM",
    "MANAGE_CHANNELS",
    "MANAGE_MESSAGES",
    "READ_MESSAGE_HISTORY",
    "SEND_MESSAGES",
    "SEND_MESSAGES_IN_THREADS",
    "TOKEN",
    "VIEW_CHANNEL",
    "Call",
    "Channel",
    "FakeDiscord",
    "Fault",
    "Guild",
    "Interaction",
    "Member",
    "RateLimits",
    "Role",
    "User",
    "is_ephemeral",
    "overwrite",
    "pointing_discord_at",
    "running",
    "walk_components",
]
