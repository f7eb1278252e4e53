"""What paperboy needs in a channel to post there, per kind of channel, named as Discord names it.

Every kind: View Channel, Embed Links and Read Message History (after a crash, a lost message is
looked for in the channel before posting again). Text and announcement channels: Send Messages
and Add Reactions, plus Create Public Threads and Send Messages in Threads for the thread layout.
Forums: Send Messages (it starts the day's post) and Send Messages in Threads (the papers go
inside). Publishing one's own messages needs nothing more; mentioning a role that is not
mentionable needs Mention All Roles.
"""

from __future__ import annotations

import discord

EVERY = {"view_channel": "View Channel", "send_messages": "Send Messages"}
TEXT = {"embed_links": "Embed Links", "add_reactions": "Add Reactions"}
HISTORY = {"read_message_history": "Read Message History"}
THREADS = {
    "create_public_threads": "Create Public Threads",
    "send_messages_in_threads": "Send Messages in Threads",
}
FORUM = {"embed_links": "Embed Links", "send_messages_in_threads": "Send Messages in Threads"}
PINGS = {"mention_everyone": "Mention All Roles"}

Postable = discord.TextChannel | discord.ForumChannel  # what a subscription can post in


def needed(channel: Postable, layout: str, role: discord.Role | None) -> dict[str, str]:
    """Permission attribute -> its name in Discord, for this channel, layout and role."""
    wanted = dict(EVERY)
    if isinstance(channel, discord.ForumChannel):
        wanted.update(FORUM)
    else:
        wanted.update(TEXT)
        if layout == "thread":
            wanted.update(THREADS)
    wanted.update(HISTORY)
    if role is not None and not role.mentionable:
        wanted.update(PINGS)
    return wanted


def missing_permissions(
    channel: Postable, me: discord.Member, layout: str, role: discord.Role | None = None
) -> list[str]:
    granted = channel.permissions_for(me)
    return [
        label for name, label in needed(channel, layout, role).items() if not getattr(granted, name)
    ]


def refusal(channel: Postable, publish: bool) -> str | None:
    """Why these settings cannot work in this channel, before any permission is looked at."""
    if publish and not (isinstance(channel, discord.TextChannel) and channel.is_news()):
        return f"Only an announcement channel can publish; {channel.mention} is not one."
    return None
