"""The invite link: the bot's application id (read from its token) and the permissions it needs.

The permission bits are Discord's (https://discord.com/developers/docs/topics/permissions); a test
checks them against discord.py's and against what /subscribe verifies in a channel.
"""

from __future__ import annotations

import base64
import binascii

PERMISSIONS = {  # what paperboy uses, by Discord's bit numbers
    "Add Reactions": 1 << 6,  # the bookmark emoji under each post
    "View Channels": 1 << 10,
    "Send Messages": 1 << 11,
    "Embed Links": 1 << 14,  # papers are embeds
    "Attach Files": 1 << 15,  # bookmark exports
    "Read Message History": 1 << 16,  # reacting to its own posts needs it
    "Create Public Threads": 1 << 35,  # the thread layout
    "Send Messages in Threads": 1 << 38,
}
SCOPES = ("bot", "applications.commands")


class InviteError(Exception):
    """The application id cannot be known; the message says what to give instead."""


def permission_integer() -> int:
    total = 0
    for bit in PERMISSIONS.values():
        total |= bit
    return total


def application_id(token: str) -> int:
    """A bot token's first part is its user id in base64; a bot's user id is its application id."""
    first = token.strip().split(".")[0]
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.isdigit():
        raise InviteError(
            "cannot read the application id from this token; pass --app-id (Developer Portal ->"
            " your application -> General Information -> Application ID)"
        )
    return int(decoded)


def invite_url(app_id: int) -> str:
    return (
        f"https://discord.com/oauth2/authorize?client_id={app_id}"
        f"&scope={'+'.join(SCOPES)}&permissions={permission_integer()}"
    )
