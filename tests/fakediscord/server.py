"""A local Discord (REST API v10 and gateway) that the unmodified discord.py client talks to.

The world (guilds, channels, members) is built by the test; every REST call is recorded, and a call
to a route this fake does not know is recorded in ``unhandled`` (the fixture fails the test on it).
Tests drive the bot as users would: ``slash``, ``autocomplete``, ``click``, ``react``, ``unreact``;
then await what the bot sent with ``wait_for``. Nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakediscord.payloads import (
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Channel,
    Guild,
    User,
    message,
    snowflake,
)

TOKEN = "fake-bot-token"
EPHEMERAL = 64
LOADING = 128


class Fault(Exception):
    """Answer the current REST call with a Discord error."""

    def __init__(self, status: int, code: int, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 200


@dataclass
class FakeInteraction:
    """One interaction the fake sent, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    user: User
    channel: Channel
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)  # original first, then follow-ups
    server: FakeDiscord | None = None
    message_id: str | None = None  # the message a component interaction came from

    async def response(self, timeout: float = 5) -> dict[str, Any]:
        """The callback the bot posted (type 4, 5, 6, 7 or 8 and its data)."""
        await self.server.wait_for(lambda: bool(self.callbacks), timeout)
        return self.callbacks[0]

    async def reply(self, timeout: float = 5) -> dict[str, Any]:
        """The first message the user can read: an answer, a finished defer or a follow-up."""
        await self.server.wait_for(lambda: any(_visible(m) for m in self.messages), timeout)
        return next(m for m in self.messages if _visible(m))

    async def followups(self, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        await self.server.wait_for(lambda: len(self.messages) > count, timeout)
        return self.messages[1 : count + 1]

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.callbacks[0]["data"]["choices"] if self.callbacks else []


def _visible(msg: dict[str, Any]) -> bool:
    return not int(msg.get("flags") or 0) & LOADING and bool(
        msg.get("content") or msg.get("embeds") or msg.get("attachments")
    )


def is_ephemeral(msg: dict[str, Any]) -> bool:
    return bool(int(msg.get("flags") or 0) & EPHEMERAL)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py compares the header exactly: no "; charset=utf-8".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class FakeDiscord:
    def __init__(self) -> None:
        self.bot_user = User("paperboy", bot=True)
        self.application_id = snowflake()
        self.owner = User("owner")
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        self.guilds: list[Guild] = []
        self.channels: dict[int, Channel] = {}
        self.calls: list[Call] = []
        self.unhandled: list[Call] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, FakeInteraction] = {}
        self.files: dict[int, dict[str, bytes]] = {}
        self.identify: dict[str, Any] | None = None
        self.faults: list[tuple[str, re.Pattern[str], Fault]] = []
        self._sockets: list[Callable[[dict[str, Any]], Any]] = []
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        from tests.fakediscord.rest import ROUTES  # the routes need this class; import late

        self._routes = ROUTES

    # The world.

    def add_user(self, name: str) -> User:
        user = User(name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str = "Research Lab", *, bot_permissions: int | None = None) -> Guild:
        from tests.fakediscord.payloads import ALL_PERMISSIONS

        guild = Guild(name, self.owner)
        guild.add_role("@everyone", VIEW_CHANNEL | SEND_MESSAGES | (1 << 6) | (1 << 16))
        guild.roles[0].id = guild.id  # Discord: the @everyone role has the guild's id
        bot_role = guild.add_role(
            "paperboy", ALL_PERMISSIONS if bot_permissions is None else bot_permissions
        )
        guild.add_member(self.bot_user, bot_role)
        guild.add_member(self.owner)
        self.guilds.append(guild)
        return guild

    def add_channel(
        self, guild: Guild, name: str, overwrites: list[dict[str, Any]] | None = None
    ) -> Channel:
        channel = guild.add_text_channel(name, overwrites)
        self.channels[channel.id] = channel
        return channel

    def messages(self, channel: Channel | int) -> list[dict[str, Any]]:
        channel_id = channel if isinstance(channel, int) else channel.id
        return self.channels[channel_id].messages

    def dms(self, user: User) -> list[dict[str, Any]]:
        return [m for c in self.channels.values() if c.recipient is user for m in c.messages]

    def fail_next(
        self, method: str, path: str, status: int, code: int = 0, text: str = "fault"
    ) -> None:
        """Make the next ``method`` call whose path matches the regex ``path`` fail like Discord."""
        self.faults.append((method, re.compile(path), Fault(status, code, text)))

    # Running.

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5) -> None:
        """Wait until ``predicate()`` holds; it is checked again after every call the bot makes."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # REST.

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        call = Call(request.method, path, dict(request.query), body)
        self.calls.append(call)
        try:
            for method, pattern, fault in list(self.faults):
                if method == request.method and pattern.fullmatch(path):
                    self.faults.remove((method, pattern, fault))
                    raise fault
            for method, pattern, handler in self._routes:
                match = pattern.fullmatch(path)
                if method == request.method and match:
                    if not path.startswith(("/interactions/", "/webhooks/")):
                        self._authorise(request, path)
                    result = await handler(self, request, body, files, **match.groupdict())
                    break
            else:
                call.status = 404
                self.unhandled.append(call)
                return json_response({"message": "404: Not Found", "code": 0}, 404)
        except Fault as fault:
            call.status = fault.status
            return json_response({"message": fault.text, "code": fault.code}, fault.status)
        finally:
            await self.changed()
        if result is None:
            call.status = 204
            return web.Response(status=204)
        return json_response(result)

    def _authorise(self, request: web.Request, path: str) -> None:
        if request.headers.get("Authorization") != f"Bot {TOKEN}":
            raise Fault(401, 0, "401: Unauthorized")

    def channel(self, channel_id: str | int) -> Channel:
        channel = self.channels.get(int(channel_id))
        if channel is None:
            raise Fault(404, 10003, "Unknown Channel")
        return channel

    def guild_of(self, channel: Channel) -> Guild | None:
        return next((g for g in self.guilds if g.id == channel.guild_id), None)

    def require(self, channel: Channel, permission: int) -> None:
        guild = self.guild_of(channel)
        if guild is None:
            return
        granted = guild.permissions(self.bot_user.id, channel)
        if not granted & VIEW_CHANNEL:
            raise Fault(403, 50001, "Missing Access")
        if permission == SEND_MESSAGES and channel.type == 11:
            permission = SEND_MESSAGES_IN_THREADS
        if not granted & permission:
            raise Fault(403, 50013, "Missing Permissions")

    def post(
        self, channel: Channel, author: User, body: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        """Create a message as Discord would, attachments included."""
        attachments = [
            {
                "id": str(snowflake()),
                "filename": name,
                "size": len(data),
                "url": f"{self.base_url}/attachments/{name}",
                "proxy_url": f"{self.base_url}/attachments/{name}",
            }
            for name, data in files.items()
        ]
        msg = message(channel, author, {**body, "attachments": attachments})
        self.files[int(msg["id"])] = dict(files)
        channel.messages.append(msg)
        return msg

    def find_message(self, message_id: str | int) -> dict[str, Any]:
        for channel in self.channels.values():
            for msg in channel.messages:
                if msg["id"] == str(message_id):
                    return msg
        for interaction in self.interactions.values():
            for msg in interaction.messages:
                if msg["id"] == str(message_id):
                    return msg
        raise Fault(404, 10008, "Unknown Message")

    # Gateway.

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        compressor = zlib.compressobj()
        compress = request.query.get("compress") == "zlib-stream"

        async def send(payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            if compress:
                await socket.send_bytes(
                    compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
                )
            else:
                await socket.send_str(data.decode())

        await send({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for frame in socket:
            if frame.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                break
            data = json.loads(frame.data)
            if data["op"] == 1:
                await send({"op": 11, "d": None})
            elif data["op"] == 2:
                self.identify = data["d"]
                self._sockets = [send]
                await self._ready(send)
            elif data["op"] == 6:
                self._sockets = [send]
                await self.dispatch("RESUMED", {})
        if send in self._sockets:
            self._sockets.remove(send)
        return socket

    async def _ready(self, send: Callable[[dict[str, Any]], Any]) -> None:
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user.payload(),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds],
                "session_id": secrets.token_hex(8),
                "resume_gateway_url": f"ws://127.0.0.1:{self.port}/",
                "application": {"id": str(self.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
            },
        )
        for guild in self.guilds:
            await self.dispatch("GUILD_CREATE", guild.payload())

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        for send in list(self._sockets):
            await send({"op": 0, "t": event, "s": self._sequence, "d": data})


async def _read_body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    if request.content_type == "multipart/form-data":
        form = await request.post()
        body = json.loads(form.get("payload_json") or "{}")
        files = {
            part.filename: part.file.read()
            for key, part in form.items()
            if key.startswith("files[") and hasattr(part, "file")
        }
        return body, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), {}
