"""A local fake Discord that the real discord.py client talks to over 127.0.0.1.

    async def test_search(fake_discord):
        guild = fake_discord.add_guild()
        channel = guild.add_text_channel("papers")
        alice = fake_discord.add_user("alice")
        guild.add_member(alice)
        async with running(make_bot()):
            ix = await fake_discord.slash("paper search", user=alice, query="diffusion")
            reply = await ix.reply()

See ``server.FakeDiscord`` for the world and records, ``drive.Driving`` for what users can do.
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
