"""The gateway: one websocket per connection, JSON frames in one zlib stream flushed with Z_SYNC_FLUSH.

HELLO, HEARTBEAT/ACK, IDENTIFY -> READY then one GUILD_CREATE per guild, RESUME -> replay of missed
events then RESUMED, REQUEST_GUILD_MEMBERS -> one GUILD_MEMBERS_CHUNK.
"""

from __future__ import annotations

import json
import logging
import secrets
import zlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41_250
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Gateway:
    """Holds the live connection (at most one: the fake serves one unsharded bot)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.identify: dict[str, Any] | None = None
        self.session_id = secrets.token_hex(16)
        self.sequence = 0
        self.history: list[dict[str, Any]] = []  # dispatched frames, for RESUME
        self.received: list[dict[str, Any]] = []  # every frame the bot sent
        self.resumes = 0
        self._send: Send | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    @property
    def connected(self) -> bool:
        return self._send is not None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(max_msg_size=0)
        await socket.prepare(request)
        self._sockets.add(socket)
        compress = request.query.get("compress") == "zlib-stream"
        compressor = zlib.compressobj()

        async def send(frame: dict[str, Any]) -> None:
            data = json.dumps(frame).encode()
            if compress:
                await socket.send_bytes(
                    compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
                )
            else:
                await socket.send_str(data.decode())

        await send(
            {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None}
        )
        try:
            async for frame in socket:
                if frame.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                await self._receive(json.loads(frame.data), send)
        finally:
            self._sockets.discard(socket)
            if self._send is send:
                self._send = None
        return socket

    async def _receive(self, frame: dict[str, Any], send: Send) -> None:
        self.received.append(frame)
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            await send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self.identify = data
            self._send = send
            await self._ready()
        elif op == 6:
            if data.get("session_id") != self.session_id:
                await send({"op": 9, "d": False, "s": None, "t": None})  # invalid session
                return
            self._send = send
            self.resumes += 1
            missed = [f for f in self.history if f["s"] > int(data.get("seq") or 0)]
            for old in missed:
                await send(old)
            await self.dispatch("RESUMED", {})
        elif op == 8:
            guild = next(g for g in self.fake.guilds if str(g.id) == str(data["guild_id"]))
            members = [m.payload() for m in guild.members.values()]
            chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0}
            chunk.update(chunk_count=1, not_found=[], nonce=data.get("nonce"))
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
        else:
            log.debug("gateway op %s ignored", op)

    async def _ready(self) -> None:
        fake = self.fake
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": {**fake.bot_user.payload(), "verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in fake.guilds],
                "session_id": self.session_id,
                "resume_gateway_url": f"ws://127.0.0.1:{fake.port}/",
                "shard": [0, 1],
                "application": {"id": str(fake.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "user_settings": {},
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "session_type": "normal",
                "auth_session_id_hash": "",
            },
        )
        for guild in fake.guilds:
            await self.dispatch("GUILD_CREATE", guild.payload())

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Send one event to the bot; False if no bot is connected."""
        self.sequence += 1
        frame = {"op": 0, "t": event, "s": self.sequence, "d": data}
        self.history.append(frame)
        if self._send is None:
            return False
        await self._send(frame)
        await self.fake.changed()
        return True

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py reconnects to ``resume_gateway_url`` and RESUMEs.

        Events dispatched before it has resumed are replayed to it on RESUME.
        """
        send, self._send = self._send, None
        if send is not None:
            await send({"op": 7, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
