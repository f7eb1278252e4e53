"""A local fake Discord for end-to-end tests with the real discord.py client.

async with bot_session(config) as (bot, fake, drive):
    ix = await drive.slash("paper search", user=alice, query="diffusion")
    reply = await ix.reply()
"""

from tests.fakediscord.drive import Driver
from tests.fakediscord.payloads import Channel, Guild, User, overwrite
from tests.fakediscord.server import TOKEN, FakeDiscord, FakeInteraction, is_ephemeral

__all__ = [
    "TOKEN",
    "Channel",
    "Driver",
    "FakeDiscord",
    "FakeInteraction",
    "Guild",
    "User",
    "is_ephemeral",
    "overwrite",
]
