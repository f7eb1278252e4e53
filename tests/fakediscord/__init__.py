"""A local fake Discord that the real, unmodified discord.py client talks to over 127.0.0.1.

    from tests.fakediscord import FakeDiscord, overwrite, running

    async def test_search_replies(fake_discord: FakeDiscord) -> None:   # fixture: fresh fake
        guild = fake_discord.add_guild(name="Lab")
        papers = guild.add_text_channel("papers")
        alice = fake_discord.add_user("alice")
        guild.add_member(alice)
        async with running(make_bot(), fake_discord):                    # READY in ~60 ms
            ix = await fake_discord.slash("paper search", user=alice, query="goose")
            reply = await ix.reply()                                     # the message dict
            assert reply["embeds"][0]["title"] == "..." and not ix.ephemeral

``server.FakeDiscord`` holds the world and the records (``calls``, ``unhandled``, ``commands``,
``messages()``, ``dms()``, ``stats``) and the waits; ``drive.Driving`` what users can do
(``slash``, ``autocomplete``, ``click``, ``select``, ``submit_modal``, ``react``, ``unreact``).
"""

from tests.fakediscord.drive import Driver
from tests.fakediscord.fixtures import running
from tests.fakediscord.interactions import EPHEMERAL, Interaction, is_ephemeral
from tests.fakediscord.ratelimit import RateLimits
from tests.fakediscord.rest import Fault
from tests.fakediscord.server import TOKEN, Call, FakeDiscord
from tests.fakediscord.state import Channel, Guild, Member, Role, User, overwrite

FakeInteraction = Interaction  # older name

__all__ = [
    "EPHEMERAL",
    "TOKEN",
    "Call",
    "Channel",
    "Driver",
    "FakeDiscord",
    "FakeInteraction",
    "Fault",
    "Guild",
    "Interaction",
    "Member",
    "RateLimits",
    "Role",
    "User",
    "is_ephemeral",
    "overwrite",
    "running",
]
