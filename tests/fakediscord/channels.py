"""Routes for channel kinds beyond plain text, and for reading a channel's history, as the API v10
documents them (developers/resources/channel.mdx and message.mdx of discord-api-docs).

- Forum channels (type 15) take no messages (400 40058); ``POST /channels/{forum}/threads`` with a
  ``message`` starts a post: a PUBLIC_THREAD whose starter message has the thread's id, needing
  Send Messages (Create Public Threads is ignored), with at most 5 ``applied_tags`` from the forum's
  ``available_tags`` (else 400 10087 Unknown Tag / 50035).
- Announcement channels (type 5): ``POST .../messages/{id}/crosspost`` publishes a message (Send
  Messages for one's own, Manage Messages for others'), sets the CROSSPOSTED flag and fires
  MESSAGE_UPDATE; again: 400 40033; in another channel type: 400 50024.
- ``GET /channels/{id}/messages``: newest first; ``before``, ``after`` and ``around`` are mutually
  exclusive; limit 1-100 (default 50); without Read Message History it returns no messages. A
  nonce is echoed by the create response and MESSAGE_CREATE only, so history carries none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import rest
from .permissions import (
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
)
from .rest import Fault, Req
from .state import (
    ANNOUNCEMENT,
    CROSSPOSTED,
    FORUM,
    PUBLIC_THREAD,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

MAX_APPLIED_TAGS = 5


async def post_message(fake: FakeDiscord, req: Req, channel: str) -> dict[str, Any]:
    if fake.channel(channel).type == FORUM:
        fake.require(fake.channel(channel), 0)
        raise Fault(400, 40058, "Cannot send a message in a forum channel")
    return await rest.post_message(fake, req, channel)


async def start_thread(fake: FakeDiscord, req: Req, channel: str) -> dict[str, Any]:
    """A forum post here; any other parent is a thread without a message (see rest)."""
    forum = fake.channel(channel)
    if forum.type != FORUM:
        return await rest.thread_without_message(fake, req, channel)
    fake.require(forum, SEND_MESSAGES)
    body = req.body or {}
    starter = body.get("message") or {}
    if not (starter.get("content") or starter.get("embeds") or starter.get("components")):
        raise Fault(400, 50006, "Cannot send an empty message")
    wanted = [str(tag) for tag in body.get("applied_tags") or []]
    known = {tag["id"] for tag in forum.available_tags}
    if len(wanted) > MAX_APPLIED_TAGS:
        raise Fault(400, 50035, "Invalid Form Body")
    if any(tag not in known for tag in wanted):
        raise Fault(400, 10087, "Unknown Tag")
    thread = await fake.create_thread(forum, body["name"], PUBLIC_THREAD)
    thread.applied_tags = wanted
    message = await fake.post(thread, fake.bot_user, starter, req.files, id=str(thread.id))
    fake.stats["forum_posts"] += 1
    return {**thread.payload(), "message": rest.public(message)}


async def crosspost(fake: FakeDiscord, req: Req, channel: str, msg: str) -> dict[str, Any]:
    target = fake.channel(channel)
    if target.type != ANNOUNCEMENT:
        fake.require(target, 0)
        raise Fault(400, 50024, "Cannot execute action on this channel type")
    found = next((m for m in target.messages if m["id"] == msg), None)
    if found is None:
        raise Fault(404, 10008, "Unknown Message")
    own = found["author"]["id"] == str(fake.bot_user.id)
    fake.require(target, SEND_MESSAGES | (0 if own else MANAGE_MESSAGES))
    if int(found.get("flags") or 0) & CROSSPOSTED:
        raise Fault(400, 40033, "This message has already been crossposted")
    found["flags"] = int(found.get("flags") or 0) | CROSSPOSTED
    fake.stats["crossposts"] += 1
    await fake.dispatch("MESSAGE_UPDATE", rest.public(found), intent=fake.message_intent(channel))
    return rest.public(found)


async def list_messages(fake: FakeDiscord, req: Req, channel: str) -> list[dict[str, Any]]:
    target = fake.channel(channel)
    fake.require(target, 0)
    anchors = [key for key in ("before", "after", "around") if key in req.query]
    limit = int(req.query.get("limit", 50))
    if len(anchors) > 1 or not 1 <= limit <= 100:
        raise Fault(400, 50035, "Invalid Form Body")
    guild = fake.guild_of(target)
    if guild and not guild.permissions(fake.bot_user.id, target) & READ_MESSAGE_HISTORY:
        return []
    ordered = target.messages  # oldest first
    if "before" in req.query:
        ordered = [m for m in ordered if int(m["id"]) < int(req.query["before"])][-limit:]
    elif "after" in req.query:
        ordered = [m for m in ordered if int(m["id"]) > int(req.query["after"])][:limit]
    elif "around" in req.query:
        pivot = int(req.query["around"])
        older = [m for m in ordered if int(m["id"]) < pivot][-(limit // 2) :] if limit > 1 else []
        newer = [m for m in ordered if int(m["id"]) >= pivot][: limit - len(older)]
        ordered = older + newer
    else:
        ordered = ordered[-limit:]
    fake.stats["history_reads"] += 1
    return [_as_read(m) for m in reversed(ordered)]  # newest first, like Discord


def _as_read(msg: dict[str, Any]) -> dict[str, Any]:
    """A stored message as a later read returns it: without the nonce it was sent with."""
    read = rest.public(msg)
    read.pop("nonce", None)
    return read


_MSG = "/channels/{channel}/messages/{msg}"
ROUTES_TABLE: list[tuple[str, str, rest.Handler]] = [
    ("POST", "/channels/{channel}/messages", post_message),
    ("GET", "/channels/{channel}/messages", list_messages),
    ("POST", "/channels/{channel}/threads", start_thread),
    ("POST", _MSG + "/crosspost", crosspost),
]
