"""Interactions: the record a test holds, the callback route and the follow-up webhook routes.

Discord's rules kept here: one callback per interaction (a second is 400 40060); a deferred
(type 5) answer is a "thinking" message that the first follow-up or an @original edit replaces;
ephemeral (flag 64) messages never appear in the channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .rest import Fault, Handler, Req, edit, public
from .state import Channel, Guild, User

if TYPE_CHECKING:
    from .server import FakeDiscord

EPHEMERAL = 1 << 6
LOADING = 1 << 7
CALLBACK_NAMES = {
    1: "pong",
    4: "message",
    5: "deferred message",
    6: "deferred update",
    7: "update message",
    8: "autocomplete result",
    9: "modal",
}


def is_ephemeral(msg: dict[str, Any]) -> bool:
    return bool(int(msg.get("flags") or 0) & EPHEMERAL)


def _visible(msg: dict[str, Any]) -> bool:
    return not int(msg.get("flags") or 0) & LOADING


@dataclass(eq=False)
class Interaction:
    """One interaction the fake sent, and everything the bot answered to it.

    ``messages`` holds the response message first (if any), then follow-ups; the dicts are live
    and change when the bot edits them.
    """

    id: int
    token: str
    type: int
    user: User
    channel: Channel
    guild: Guild | None
    data: dict[str, Any]
    fake: FakeDiscord = field(repr=False)
    message_id: str | None = None  # the message a component interaction came from
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    sent_followups: list[dict[str, Any]] = field(default_factory=list)
    edits: int = 0  # edits of @original, e.g. after a deferred update (type 6)
    created: float = 0.0  # on the fake's clock, for Discord's 3-second answer deadline
    late: bool = False  # the bot answered after the deadline and got 10062 Unknown interaction

    async def response(self, timeout: float = 5) -> dict[str, Any]:
        """The callback body the bot posted: ``{"type": 4|5|6|7|8|9, "data": {...}}``."""
        await self.fake.wait_for(lambda: bool(self.callbacks), timeout, f"a response to {self}")
        return self.callbacks[0]

    async def reply(self, timeout: float = 5) -> dict[str, Any]:
        """The first message the user can read: the answer, the finished defer or a follow-up.

        For a component answered with type 7 (update), or 6 and then an edit of @original, it is
        the message the component is on, as updated.
        """

        def ready() -> dict[str, Any] | None:
            kind = self.callbacks[0]["type"] if self.callbacks else None
            if self.message_id and (kind == 7 or (kind == 6 and self.edits)):
                return self.fake.find_message(self.message_id)
            return next((m for m in self.messages if _visible(m)), None)

        return await self.fake.wait_for(ready, timeout, f"a visible reply to {self}")

    async def followups(self, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        """The first ``count`` messages sent through the follow-up webhook."""
        await self.fake.wait_for(
            lambda: len(self.sent_followups) >= count, timeout, f"{count} follow-ups to {self}"
        )
        return self.sent_followups[:count]

    @property
    def message(self) -> dict[str, Any] | None:
        """The first visible message so far (None yet): content, embeds, components, attachments."""
        return next((m for m in self.messages if _visible(m)), None)

    @property
    def ephemeral(self) -> bool:
        """Whether the bot answered privately (flag 64 on the response or its first message)."""
        if self.messages:
            return is_ephemeral(self.messages[0])
        data = (self.callbacks[0].get("data") or {}) if self.callbacks else {}
        return is_ephemeral(data)

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices the bot returned (type 8)."""
        return (self.callbacks[0].get("data") or {}).get("choices", []) if self.callbacks else []

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (type 9): ``{"custom_id", "title", "components"}``."""
        if self.callbacks and self.callbacks[0]["type"] == 9:
            return self.callbacks[0]["data"]
        return None

    def __str__(self) -> str:
        return f"interaction {self.id} ({_describe(self)})"


def _describe(ix: Interaction) -> str:
    if ix.type in (2, 4):
        return "/" + str(ix.data.get("name"))
    return str(ix.data.get("custom_id"))


def _interaction(fake: FakeDiscord, token: str) -> Interaction:
    found = fake.interactions.get(token)
    if found is None:
        raise Fault(404, 10015, "Unknown Webhook")
    return found


async def callback(fake: FakeDiscord, req: Req, interaction_id: str, token: str) -> dict[str, Any]:
    ix = _interaction(fake, token)
    if ix.callbacks:
        raise Fault(400, 40060, "Interaction has already been acknowledged.")
    if fake.clock() - ix.created > fake.interaction_deadline:
        ix.late = True
        raise Fault(404, 10062, "Unknown interaction")  # Discord: answer within 3 seconds
    kind, data = req.body["type"], req.body.get("data") or {}
    ix.callbacks.append(req.body)
    if (kind == 8) != (ix.type == 4) or (kind in (6, 7) and ix.type not in (3, 5)):
        raise Fault(
            400, 50035, f"Invalid Form Body: callback type {kind} for interaction {ix.type}"
        )
    response_message: dict[str, Any] | None = None
    if kind in (4, 5):
        flags = int(data.get("flags") or 0) | (LOADING if kind == 5 else 0)
        body = {**data, "flags": flags}
        meta = {"id": str(ix.id), "type": ix.type, "user": ix.user.payload()}
        meta["authorizing_integration_owners"] = {}
        if ix.data.get("type") == 3:  # a message command's answer names the message it ran on
            meta["target_message_id"] = ix.data["target_id"]
        extra = {"interaction_metadata": meta, "webhook_id": str(fake.application_id)}
        hidden = bool(flags & (EPHEMERAL | LOADING))
        response_message = await fake.post(
            ix.channel, fake.bot_user, body, req.files, in_channel=not hidden, **extra
        )
        ix.messages.append(response_message)
    elif kind == 7:
        response_message = fake.find_message(ix.message_id or "0")
        edit(fake, response_message, Req("PATCH", req.path, {}, data, req.files))
    resource: dict[str, Any] = {"type": kind}
    if response_message is not None:
        resource["message"] = public(response_message)
    return {
        "interaction": {
            "id": interaction_id,
            "type": ix.type,
            "response_message_id": response_message["id"] if response_message else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(response_message and is_ephemeral(response_message)),
        },
        "resource": resource,
    }


def _original(ix: Interaction) -> dict[str, Any]:
    """@original: the response message, or for a component answered by 6/7 the message it is on."""
    if ix.messages:
        return ix.messages[0]
    if ix.message_id and ix.callbacks and ix.callbacks[0]["type"] in (6, 7):
        return ix.fake.find_message(ix.message_id)
    raise Fault(404, 10008, "Unknown Message")


async def _finish(fake: FakeDiscord, ix: Interaction, msg: dict[str, Any], req: Req) -> None:
    """An edit of the response message; it ends the "thinking" state and shows it."""
    was_loading, private = not _visible(msg), int(msg.get("flags") or 0) & EPHEMERAL
    edit(fake, msg, req)
    msg["flags"] = (int(msg.get("flags") or 0) & ~LOADING) | private
    if was_loading and not is_ephemeral(msg):
        ix.channel.messages.append(msg)
        await fake.announce(ix.channel, msg)


async def get_original(fake: FakeDiscord, req: Req, app: str, token: str) -> dict[str, Any]:
    return public(_original(_interaction(fake, token)))


async def edit_original(fake: FakeDiscord, req: Req, app: str, token: str) -> dict[str, Any]:
    ix = _interaction(fake, token)
    msg = _original(ix)
    await _finish(fake, ix, msg, req)
    ix.edits += 1
    return public(msg)


async def delete_original(fake: FakeDiscord, req: Req, app: str, token: str) -> None:
    ix = _interaction(fake, token)
    msg = _original(ix)
    if msg in ix.channel.messages:
        ix.channel.messages.remove(msg)
    msg["deleted"] = True


async def followup(fake: FakeDiscord, req: Req, app: str, token: str) -> dict[str, Any]:
    ix = _interaction(fake, token)
    if not ix.callbacks:
        raise Fault(404, 10015, "Unknown Webhook")  # Discord: respond before following up
    if ix.messages and not _visible(ix.messages[0]):
        # Discord: the first follow-up after a defer replaces the "thinking" message.
        msg = ix.messages[0]
        body = {k: v for k, v in (req.body or {}).items() if k != "flags"}  # set by the defer
        await _finish(fake, ix, msg, Req("PATCH", req.path, {}, body, req.files))
    else:
        body = req.body or {}
        hidden = is_ephemeral(body)
        extra = {"webhook_id": str(fake.application_id), "application_id": str(app)}
        msg = await fake.post(
            ix.channel, fake.bot_user, body, req.files, in_channel=not hidden, **extra
        )
        ix.messages.append(msg)
    ix.sent_followups.append(msg)
    return public(msg)


def _followup(ix: Interaction, msg: str) -> dict[str, Any]:
    found = next((m for m in ix.messages if m["id"] == msg), None)
    if found is None:
        raise Fault(404, 10008, "Unknown Message")
    return found


async def get_followup(fake: FakeDiscord, req: Req, app: str, token: str, msg: str) -> dict:
    return public(_followup(_interaction(fake, token), msg))


async def edit_followup(fake: FakeDiscord, req: Req, app: str, token: str, msg: str) -> dict:
    ix = _interaction(fake, token)
    found = _followup(ix, msg)
    await _finish(fake, ix, found, req)
    return public(found)


async def delete_followup(fake: FakeDiscord, req: Req, app: str, token: str, msg: str) -> None:
    ix = _interaction(fake, token)
    found = _followup(ix, msg)
    if found in ix.channel.messages:
        ix.channel.messages.remove(found)
    found["deleted"] = True


_WEBHOOK = "/webhooks/{app}/{token}"
ROUTES_TABLE: list[tuple[str, str, Handler]] = [
    ("POST", "/interactions/{interaction_id}/{token}/callback", callback),
    ("POST", _WEBHOOK, followup),
    ("GET", _WEBHOOK + "/messages/@original", get_original),
    ("PATCH", _WEBHOOK + "/messages/@original", edit_original),
    ("DELETE", _WEBHOOK + "/messages/@original", delete_original),
    ("GET", _WEBHOOK + "/messages/{msg}", get_followup),
    ("PATCH", _WEBHOOK + "/messages/{msg}", edit_followup),
    ("DELETE", _WEBHOOK + "/messages/{msg}", delete_followup),
]
