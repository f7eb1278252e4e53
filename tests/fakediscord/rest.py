"""The REST routes of the fake Discord (API v10), each as small as Discord's documented behaviour allows.

A handler gets the fake, the parsed request and the path's parameters; it returns the JSON to
answer (``None`` answers 204) or raises ``Fault`` for a Discord error.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .permissions import (
    ADD_REACTIONS,
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    MANAGE_CHANNELS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
)
from .state import (
    DM,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Channel,
    now_iso,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

NONCE_WINDOW = 300.0  # seconds; Discord dedupes enforce_nonce posts "for a few minutes"
EDITABLE = ("content", "embeds", "components", "flags", "attachments", "allowed_mentions")


class Fault(Exception):
    """Answer the current REST call with a Discord error body ``{"code", "message"}``."""

    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(f"{status} {code} {text}")
        self.status, self.code, self.text = status, code, text


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, bytes) uploads


Handler = Callable[..., Awaitable[Any]]


def template_regex(pattern: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` (or any regex) as a full-match regex with named groups."""
    return re.compile(re.sub(r"\{([A-Za-z_]\w*)\}", r"(?P<\1>[^/]+)", pattern))


def public(msg: dict[str, Any]) -> dict[str, Any]:
    return dict(msg)


def edit(fake: FakeDiscord, msg: dict[str, Any], req: Req) -> dict[str, Any]:
    """Apply a PATCH to a stored message, in place (tests may hold the dict)."""
    body = req.body or {}
    msg.update({key: body[key] for key in EDITABLE if key in body and key != "allowed_mentions"})
    if req.files or "attachments" in body:
        existing = {a["id"]: a for a in msg.get("attachments") or []}
        kept = [
            existing[str(a["id"])] for a in body.get("attachments", []) if str(a["id"]) in existing
        ]
        msg["attachments"] = kept + fake.store_files(msg, req.files)
    msg["edited_timestamp"] = now_iso()
    return msg


# Users and the application.


async def me(fake: FakeDiscord, req: Req) -> dict[str, Any]:
    return {**fake.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0}


async def get_user(fake: FakeDiscord, req: Req, user_id: str) -> dict[str, Any]:
    user = fake.users.get(int(user_id))
    if user is None:
        raise Fault(404, 10013, "Unknown User")
    return user.payload()


async def application(fake: FakeDiscord, req: Req) -> dict[str, Any]:
    return fake.application_payload()


async def put_commands(
    fake: FakeDiscord, req: Req, app: str, guild: str | None = None
) -> list[dict[str, Any]]:
    stored = [
        {
            "type": 1,
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "description": "",
            **command,
            "id": str(fake.command_id(command["name"], guild)),
            "application_id": app,
            "version": "1",
            **({"guild_id": guild} if guild else {}),
        }
        for command in req.body
    ]
    fake.commands[int(guild) if guild else None] = stored
    return stored


async def get_commands(
    fake: FakeDiscord, req: Req, app: str, guild: str | None = None
) -> list[dict[str, Any]]:
    return fake.commands.get(int(guild) if guild else None, [])


# Channels and messages.


async def get_channel(fake: FakeDiscord, req: Req, channel: str) -> dict[str, Any]:
    found = fake.channel(channel)
    fake.require(found, 0)
    return found.payload()


async def edit_channel(fake: FakeDiscord, req: Req, channel: str) -> dict[str, Any]:
    found = fake.channel(channel)
    fake.require(found, MANAGE_CHANNELS)
    for key in ("name", "topic", "position"):
        if key in req.body:
            setattr(found, key, req.body[key])
    if "permission_overwrites" in req.body:
        found.overwrites = req.body["permission_overwrites"]
    await fake.dispatch("CHANNEL_UPDATE", found.payload())
    return found.payload()


async def delete_channel(fake: FakeDiscord, req: Req, channel: str) -> dict[str, Any]:
    found = fake.channel(channel)
    fake.require(found, MANAGE_CHANNELS)
    return await fake.delete_channel(found)


async def post_message(fake: FakeDiscord, req: Req, channel: str) -> dict[str, Any]:
    target = fake.channel(channel)
    fake.require(target, SEND_MESSAGES | (ATTACH_FILES if req.files else 0))
    if target.type == DM and target.recipient and not target.recipient.accepts_dms:
        raise Fault(403, 50007, "Cannot send messages to this user")
    body = req.body or {}
    if not (body.get("content") or body.get("embeds") or req.files or body.get("components")):
        raise Fault(400, 50006, "Cannot send an empty message")
    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        now = time.monotonic()
        for msg in reversed(target.messages):
            meta = fake.meta.get(msg["id"])
            if (
                meta
                and meta.nonce == str(nonce)
                and meta.author_id == fake.bot_user.id
                and now - meta.created < fake.nonce_window
            ):
                fake.stats["nonce_dedupes"] += 1
                return public(msg)
    msg = await fake.post(target, fake.bot_user, body, req.files)
    return public(msg)


def _message_in(fake: FakeDiscord, channel: str, msg: str) -> dict[str, Any]:
    target = fake.channel(channel)
    found = next((m for m in target.messages if m["id"] == msg), None)
    if found is None:
        raise Fault(404, 10008, "Unknown Message")
    return found


async def get_message(fake: FakeDiscord, req: Req, channel: str, msg: str) -> dict[str, Any]:
    fake.require(fake.channel(channel), READ_MESSAGE_HISTORY)
    return public(_message_in(fake, channel, msg))


async def edit_message(fake: FakeDiscord, req: Req, channel: str, msg: str) -> dict[str, Any]:
    found = _message_in(fake, channel, msg)
    if found["author"]["id"] != str(fake.bot_user.id):
        raise Fault(403, 50005, "Cannot edit a message authored by another user")
    edit(fake, found, req)
    await fake.dispatch("MESSAGE_UPDATE", public(found), intent=fake.message_intent(channel))
    return public(found)


async def delete_message(fake: FakeDiscord, req: Req, channel: str, msg: str) -> None:
    found = _message_in(fake, channel, msg)
    target = fake.channel(channel)
    if found["author"]["id"] != str(fake.bot_user.id):
        fake.require(target, MANAGE_MESSAGES)
    target.messages.remove(found)
    event = {"id": msg, "channel_id": channel, **_guild_key(target)}
    await fake.dispatch("MESSAGE_DELETE", event, intent=fake.message_intent(channel))


def _guild_key(channel: Channel) -> dict[str, str]:
    return {"guild_id": str(channel.guild_id)} if channel.guild_id else {}


# Reactions.


async def add_own_reaction(fake: FakeDiscord, req: Req, channel: str, msg: str, emoji: str) -> None:
    target = fake.channel(channel)
    fake.require(target, ADD_REACTIONS | READ_MESSAGE_HISTORY)
    await fake.apply_reaction(_message_in(fake, channel, msg), unquote(emoji), fake.bot_user, True)


async def remove_reaction(
    fake: FakeDiscord, req: Req, channel: str, msg: str, emoji: str, user: str
) -> None:
    target = fake.channel(channel)
    if user == "@me":
        who = fake.bot_user
    else:
        fake.require(target, MANAGE_MESSAGES)
        who = fake.users[int(user)]
    await fake.apply_reaction(_message_in(fake, channel, msg), unquote(emoji), who, False)


async def reaction_users(
    fake: FakeDiscord, req: Req, channel: str, msg: str, emoji: str
) -> list[dict[str, Any]]:
    found = _message_in(fake, channel, msg)
    ids = fake.meta[found["id"]].reactions.get(unquote(emoji), [])
    return [fake.users[i].payload() for i in ids]


# Threads and DMs.


async def thread_from_message(
    fake: FakeDiscord, req: Req, channel: str, msg: str
) -> dict[str, Any]:
    parent = fake.channel(channel)
    fake.require(parent, CREATE_PUBLIC_THREADS)
    starter = _message_in(fake, channel, msg)
    if any(c.id == int(msg) for c in fake.channels.values()):
        raise Fault(400, 160004, "A thread has already been created for this message")
    thread = await fake.create_thread(parent, req.body["name"], PUBLIC_THREAD, thread_id=int(msg))
    starter["thread"] = thread.payload()
    return thread.payload()


async def thread_without_message(fake: FakeDiscord, req: Req, channel: str) -> dict[str, Any]:
    parent = fake.channel(channel)
    kind = int(req.body.get("type") or PRIVATE_THREAD)
    fake.require(
        parent, CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else CREATE_PUBLIC_THREADS
    )
    thread = await fake.create_thread(parent, req.body["name"], kind)
    if req.body.get("message"):  # forum posts start with a message
        starter = await fake.post(thread, fake.bot_user, req.body["message"], req.files)
        return {**thread.payload(), "message": public(starter)}
    return thread.payload()


async def open_dm(fake: FakeDiscord, req: Req) -> dict[str, Any]:
    user = fake.users.get(int(req.body["recipient_id"]))
    if user is None:
        raise Fault(400, 50035, "Invalid Form Body")
    return fake.dm_channel(user).payload()


# Guilds.


async def get_guild(fake: FakeDiscord, req: Req, guild: str) -> dict[str, Any]:
    found = fake.guild(guild)
    summary = found.summary()
    if req.query.get("with_counts") in ("true", "1"):
        summary.update(approximate_member_count=len(found.members), approximate_presence_count=0)
    return summary


async def guild_channels(fake: FakeDiscord, req: Req, guild: str) -> list[dict[str, Any]]:
    return [c.payload() for c in fake.guild(guild).channels if not c.is_thread]


async def guild_member(fake: FakeDiscord, req: Req, guild: str, user: str) -> dict[str, Any]:
    member = fake.guild(guild).members.get(int(user))
    if member is None:
        raise Fault(404, 10007, "Unknown Member")
    return member.payload()


async def guild_roles(fake: FakeDiscord, req: Req, guild: str) -> list[dict[str, Any]]:
    return [role.payload() for role in fake.guild(guild).roles]


_MSG = "/channels/{channel}/messages/{msg}"
_WEBHOOK = "/webhooks/{app}/{token}"
ROUTES_TABLE: list[tuple[str, str, Handler]] = [
    ("GET", "/users/@me", me),
    ("GET", "/users/{user_id}", get_user),
    ("GET", "/oauth2/applications/@me", application),
    ("GET", "/applications/@me", application),
    ("PUT", "/applications/{app}/commands", put_commands),
    ("GET", "/applications/{app}/commands", get_commands),
    ("PUT", "/applications/{app}/guilds/{guild}/commands", put_commands),
    ("GET", "/applications/{app}/guilds/{guild}/commands", get_commands),
    ("GET", "/channels/{channel}", get_channel),
    ("PATCH", "/channels/{channel}", edit_channel),
    ("DELETE", "/channels/{channel}", delete_channel),
    ("POST", "/channels/{channel}/messages", post_message),
    ("GET", _MSG, get_message),
    ("PATCH", _MSG, edit_message),
    ("DELETE", _MSG, delete_message),
    ("PUT", _MSG + "/reactions/{emoji}/@me", add_own_reaction),
    ("DELETE", _MSG + "/reactions/{emoji}/{user}", remove_reaction),
    ("GET", _MSG + "/reactions/{emoji}", reaction_users),
    ("POST", _MSG + "/threads", thread_from_message),
    ("POST", "/channels/{channel}/threads", thread_without_message),
    ("POST", "/users/@me/channels", open_dm),
    ("GET", "/guilds/{guild}", get_guild),
    ("GET", "/guilds/{guild}/channels", guild_channels),
    ("GET", "/guilds/{guild}/roles", guild_roles),
    ("GET", "/guilds/{guild}/members/{user}", guild_member),
]
