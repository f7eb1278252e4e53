"""The REST routes of the fake Discord, each as small as Discord's documented behaviour allows."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from tests.fakediscord.payloads import (
    ADD_REACTIONS,
    CREATE_PUBLIC_THREADS,
    SEND_MESSAGES,
    Channel,
    message,
    snowflake,
)
from tests.fakediscord.server import EPHEMERAL, LOADING, Fault

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord, FakeInteraction

NONCE_WINDOW = 300.0  # seconds; Discord dedupes enforce_nonce posts "for a few minutes"


async def me(fake: FakeDiscord, request, body, files) -> dict[str, Any]:
    return {**fake.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0}


async def application(fake: FakeDiscord, request, body, files) -> dict[str, Any]:
    return {
        "id": str(fake.application_id),
        "name": "paperboy",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": fake.owner.payload(),
        "verify_key": "0" * 64,
        "interactions_endpoint_url": None,
        "flags": 0,
        "team": None,
    }


async def put_commands(
    fake: FakeDiscord, request, body, files, app: str, guild: str | None = None
) -> list:
    stored = [
        {
            "type": 1,
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            **command,
            "id": str(snowflake()),
            "application_id": app,
            "version": str(snowflake()),
            **({"guild_id": guild} if guild else {}),
        }
        for command in body
    ]
    fake.commands[int(guild) if guild else None] = stored
    return stored


async def get_channel(fake: FakeDiscord, request, body, files, channel: str) -> dict[str, Any]:
    return fake.channel(channel).payload()


async def post_message(fake: FakeDiscord, request, body, files, channel: str) -> dict[str, Any]:
    target = fake.channel(channel)
    fake.require(target, SEND_MESSAGES)
    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        now = time.monotonic()
        for msg in target.messages:
            if msg.get("nonce") == nonce and now - msg["_created"] < NONCE_WINDOW:
                return _public(msg)
    msg = fake.post(target, fake.bot_user, body, files)
    msg["_created"] = time.monotonic()
    return _public(msg)


def _public(msg: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in msg.items() if not key.startswith("_")}


async def get_message(
    fake: FakeDiscord, request, body, files, channel: str, msg: str
) -> dict[str, Any]:
    return _public(fake.find_message(msg))


async def list_messages(
    fake: FakeDiscord, request, body, files, channel: str
) -> list[dict[str, Any]]:
    limit = int(request.query.get("limit", 50))
    return [_public(m) for m in reversed(fake.channel(channel).messages)][:limit]


async def edit_message(
    fake: FakeDiscord, request, body, files, channel: str, msg: str
) -> dict[str, Any]:
    found = fake.find_message(msg)
    found.update(
        {key: body[key] for key in ("content", "embeds", "components", "flags") if key in body}
    )
    return _public(found)


async def delete_message(fake: FakeDiscord, request, body, files, channel: str, msg: str) -> None:
    target = fake.channel(channel)
    target.messages[:] = [m for m in target.messages if m["id"] != msg]


async def add_own_reaction(
    fake: FakeDiscord, request, body, files, channel: str, msg: str, emoji: str
) -> None:
    target = fake.channel(channel)
    fake.require(target, ADD_REACTIONS)
    fake.find_message(msg).setdefault("_reactions", []).append(emoji)


async def start_thread(
    fake: FakeDiscord, request, body, files, channel: str, msg: str
) -> dict[str, Any]:
    parent = fake.channel(channel)
    fake.require(parent, CREATE_PUBLIC_THREADS)
    fake.find_message(msg)
    thread = Channel(body["name"], parent.guild_id, type=11, id=int(msg), parent_id=parent.id)
    if thread.id in fake.channels:
        raise Fault(400, 160004, "A thread has already been created for this message")
    fake.channels[thread.id] = thread
    guild = fake.guild_of(parent)
    guild.channels.append(thread)
    await fake.dispatch("THREAD_CREATE", {**thread.payload(), "newly_created": True})
    return thread.payload()


async def open_dm(fake: FakeDiscord, request, body, files) -> dict[str, Any]:
    user = fake.users[int(body["recipient_id"])]
    existing = next((c for c in fake.channels.values() if c.recipient is user), None)
    if existing is None:
        existing = Channel(user.name, None, type=1, recipient=user)
        fake.channels[existing.id] = existing
    return existing.payload()


def _interaction(fake: FakeDiscord, token: str) -> FakeInteraction:
    interaction = fake.interactions.get(token)
    if interaction is None:
        raise Fault(404, 10015, "Unknown Webhook")
    return interaction


async def callback(
    fake: FakeDiscord, request, body, files, interaction_id: str, token: str
) -> dict[str, Any]:
    interaction = _interaction(fake, token)
    if interaction.callbacks:
        raise Fault(400, 40060, "Interaction has already been acknowledged.")
    interaction.callbacks.append(body)
    kind, data = body["type"], body.get("data") or {}
    resource: dict[str, Any] = {"type": kind}
    response_message = None
    if kind in (4, 5):
        flags = int(data.get("flags") or 0) | (LOADING if kind == 5 else 0)
        response_message = fake.post(
            interaction.channel, fake.bot_user, {**data, "flags": flags}, files
        )
        response_message["interaction_metadata"] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": interaction.user.payload(),
            "authorizing_integration_owners": {},
        }
        if flags & EPHEMERAL or kind == 5:
            interaction.channel.messages.remove(response_message)  # not (yet) in the channel
        interaction.messages.append(response_message)
    elif kind == 7:
        response_message = fake.find_message(interaction.message_id)
        response_message.update(
            {k: data[k] for k in ("content", "embeds", "components") if k in data}
        )
    if response_message is not None:
        resource["message"] = _public(response_message)
    return {
        "interaction": {
            "id": interaction_id,
            "type": interaction.type,
            "response_message_id": response_message["id"] if response_message else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(
                response_message and int(response_message["flags"]) & EPHEMERAL
            ),
        },
        "resource": resource,
    }


async def original(fake: FakeDiscord, request, body, files, app: str, token: str) -> dict[str, Any]:
    interaction = _interaction(fake, token)
    if not interaction.messages:
        raise Fault(404, 10008, "Unknown Message")
    msg = interaction.messages[0]
    if request.method != "GET":  # PATCH, or the first follow-up after a defer
        msg.update(
            {k: body[k] for k in ("content", "embeds", "components", "attachments") if k in body}
        )
        if files:
            msg["attachments"] = [
                {"id": str(snowflake()), "filename": n, "size": len(d)} for n, d in files.items()
            ]
            fake.files[int(msg["id"])] = dict(files)
        msg["flags"] = int(msg.get("flags") or 0) & ~LOADING
        if not int(msg["flags"]) & EPHEMERAL and msg not in interaction.channel.messages:
            interaction.channel.messages.append(msg)
    return _public(msg)


async def followup(fake: FakeDiscord, request, body, files, app: str, token: str) -> dict[str, Any]:
    interaction = _interaction(fake, token)
    if interaction.messages and int(interaction.messages[0].get("flags") or 0) & LOADING:
        # Discord: the first follow-up after a defer becomes the deferred ("thinking") message.
        return await original(fake, request, body, files, app, token)
    msg = message(interaction.channel, fake.bot_user, body)
    if files:
        msg["attachments"] = [
            {"id": str(snowflake()), "filename": n, "size": len(d)} for n, d in files.items()
        ]
        fake.files[int(msg["id"])] = dict(files)
    interaction.messages.append(msg)
    if not int(msg["flags"]) & EPHEMERAL:
        interaction.channel.messages.append(msg)
    return _public(msg)


async def edit_followup(
    fake: FakeDiscord, request, body, files, app: str, token: str, msg: str
) -> dict[str, Any]:
    _interaction(fake, token)
    found = fake.find_message(msg)
    found.update({k: body[k] for k in ("content", "embeds", "components") if k in body})
    return _public(found)


_ID = r"(?P<{}>\d+)"
ROUTES = [
    (
        method,
        re.compile(
            pattern.format(**{n: _ID.format(n) for n in ("app", "guild", "channel", "msg")})
        ),
        handler,
    )
    for method, pattern, handler in [
        ("GET", "/users/@me", me),
        ("GET", "/oauth2/applications/@me", application),
        ("PUT", "/applications/{app}/commands", put_commands),
        ("PUT", "/applications/{app}/guilds/{guild}/commands", put_commands),
        ("GET", "/channels/{channel}", get_channel),
        ("POST", "/channels/{channel}/messages", post_message),
        ("GET", "/channels/{channel}/messages", list_messages),
        ("GET", "/channels/{channel}/messages/{msg}", get_message),
        ("PATCH", "/channels/{channel}/messages/{msg}", edit_message),
        ("DELETE", "/channels/{channel}/messages/{msg}", delete_message),
        (
            "PUT",
            "/channels/{channel}/messages/{msg}/reactions/(?P<emoji>[^/]+)/@me",
            add_own_reaction,
        ),
        ("POST", "/channels/{channel}/messages/{msg}/threads", start_thread),
        ("POST", "/users/@me/channels", open_dm),
        ("POST", r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback", callback),
        ("GET", "/webhooks/{app}/(?P<token>[^/]+)/messages/@original", original),
        ("PATCH", "/webhooks/{app}/(?P<token>[^/]+)/messages/@original", original),
        ("POST", "/webhooks/{app}/(?P<token>[^/]+)", followup),
        ("PATCH", "/webhooks/{app}/(?P<token>[^/]+)/messages/{msg}", edit_followup),
    ]
]
