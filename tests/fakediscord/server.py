"""FakeDiscord: a local Discord (REST v10 + gateway) that the unmodified discord.py client talks to.

The test seeds the world (``add_user``, ``add_guild``, ``guild.add_text_channel``, ...), starts the
bot against it, drives it like users would (``slash``, ``autocomplete``, ``click``, ``select``,
``react``; see ``actions.UserActions``) and awaits what the bot did (``wait_for``, ``next_message``,
``next_call``). Every REST call is recorded in ``calls``; a call to a route the fake does not know
answers 404 and lands in ``unhandled`` (the ``fake_discord`` fixture fails the test on it).
Nothing here sleeps to wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from . import channels, interactions, rest
from .actions import UserActions
from .gateway import Gateway
from .interactions import Interaction
from .menus import MenuActions
from .ratelimit import RateLimiter, RateLimits, Verdict, limited_verdict
from .rest import Fault, Req, template_regex
from .state import Channel, Guild, User, snowflake
from .world import MessageMeta, World

log = logging.getLogger(__name__)
TOKEN = "fake-bot-token"
ERROR_TEXT = {
    0: "",
    10003: "Unknown Channel",
    10008: "Unknown Message",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    40060: "Interaction has already been acknowledged.",
    50001: "Missing Access",
    50007: "Cannot send messages to this user",
    50013: "Missing Permissions",
    50035: "Invalid Form Body",
}
DEFAULT_CODE = {403: 50013, 400: 50035}
T = TypeVar("T")
# channels' routes come first: they answer for forum and announcement channels and history reads.
TABLE = channels.ROUTES_TABLE + rest.ROUTES_TABLE + interactions.ROUTES_TABLE
ROUTES = [(method, template, template_regex(template)) for method, template, _ in TABLE]
HANDLERS = {(method, template): handler for method, template, handler in reversed(TABLE)}


def _match(method: str, path: str) -> tuple[str | None, dict[str, str]]:
    """The route template ``path`` belongs to (first match wins) and its parameters."""
    for route_method, template, regex in ROUTES:
        found = regex.fullmatch(path) if route_method == method else None
        if found:
            return template, found.groupdict()
    return None, {}


@dataclass
class Call:
    """One REST call the bot made: ``body`` is the JSON (or multipart ``payload_json``)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 200
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    text: str
    times: int
    retry_after: float


class FakeDiscord(World, UserActions, MenuActions):
    """One fake Discord for one test. ``rate_limits=None`` (the default) never answers 429."""

    def __init__(
        self,
        *,
        rate_limits: RateLimits | None = None,
        token: str = TOKEN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token, self.clock = token, clock
        self.bot_user = User("paperboy", bot=True)
        self.owner = User("owner")
        self.application_id = snowflake()
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        self.guilds: list[Guild] = []
        self.channels: dict[int, Channel] = {}
        self.calls: list[Call] = []
        self.unhandled: list[Call] = []
        self.errors: list[str] = []  # crashes of the fake itself
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # None: global commands
        self.interactions: dict[str, Interaction] = {}
        self.meta: dict[str, MessageMeta] = {}
        self.stats: Counter[str] = Counter()
        self.created: list[dict[str, Any]] = []  # messages in the order they appeared
        self.gateway = Gateway(self)
        self.limiter = RateLimiter(rate_limits, clock)
        self._faults: list[_Fault] = []
        self._messages: dict[str, dict[str, Any]] = {}
        self._command_ids: dict[tuple[str, str | None], int] = {}
        self._cursors: Counter[Any] = Counter()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.interaction_deadline = 3.0  # seconds to the first answer, as on Discord
        self.nonce_window = rest.NONCE_WINDOW  # seconds a repeated enforce_nonce is deduped
        self.bot: Any = None  # the discord.Client running against this fake (set by running())

    # What the bot said when it connected.

    @property
    def identify(self) -> dict[str, Any] | None:
        return self.gateway.identify

    @property
    def identify_intents(self) -> int | None:
        return None if self.identify is None else int(self.identify["intents"])

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.name,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "interactions_endpoint_url": None,
            "flags": 0,
            "rpc_origins": [],
            "summary": "",
            "bot": self.bot_user.payload(),
        }

    def set_rate_limits(self, limits: RateLimits | None) -> None:
        """Turn Discord-like rate limits on (or off with None) from now on."""
        self.limiter = RateLimiter(limits, self.clock)

    def command_id(self, name: str, guild: str | None) -> int:
        return self._command_ids.setdefault((name, guild), snowflake())

    # Faults.

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        status: int,
        code: int | None = None,
        times: int = 1,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        """Make the next ``times`` matching calls fail like Discord would.

        ``path_pattern`` is a template (``/channels/{channel_id}/messages``) or a regex, matched
        against the whole path after ``/api/v10``; ``method`` may be ``"*"``. A 429 carries
        ``retry_after`` (default 0.05 s), the ``X-RateLimit-*`` headers and ``Via``, so
        discord.py waits and retries. Beware 500/502/504/524: discord.py retries them up to five
        times after sleeping ``1 + 2 * tries`` seconds, so one 5xx costs a test a full second.
        """
        code = DEFAULT_CODE.get(status, 0) if code is None else code
        text = message or ERROR_TEXT.get(code) or f"{status}: {web.HTTPException.__name__}"
        if status == 404 and not message and not code:
            text = "404: Not Found"
        regex = template_regex(path_pattern)
        retry = 0.05 if retry_after is None else retry_after
        self._faults.append(_Fault(method.upper(), regex, status, code, text, times, retry))

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method in ("*", method) and fault.pattern.fullmatch(path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # Running.

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1: on ``port``, or any free one (0)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def dispatch(
        self, event: str, data: dict[str, Any], *, intent: int | None = None, required: bool = False
    ) -> bool:
        """Send a gateway event; skipped (False) if the bot did not ask for ``intent``."""
        intents = self.identify_intents
        if intent is not None and intents is not None and not intents & intent:
            return False
        sent = await self.gateway.dispatch(event, data)
        if required and not sent:
            raise AssertionError(f"cannot send {event}: the bot is not connected to the gateway")
        return sent

    async def changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(
        self, predicate: Callable[[], T], timeout: float = 5, what: str = "the condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy and return it; AssertionError after ``timeout``.

        Checked after every REST call and gateway event (and every 20 ms, for bot-side state).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._changed:
            while not (result := predicate()):
                left = deadline - loop.time()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.02))
            return result

    async def next_message(
        self, channel_id: Channel | int | str | None = None, timeout: float = 5
    ) -> dict[str, Any]:
        """The next message to appear (in ``channel_id``) that no earlier call returned."""
        wanted = channel_id.id if isinstance(channel_id, Channel) else channel_id
        key = ("message", None if wanted is None else str(wanted))

        def matches() -> list[dict[str, Any]]:
            return [m for m in self.created if wanted is None or m["channel_id"] == str(wanted)]

        found = await self.wait_for(
            lambda: len(matches()) > self._cursors[key] and matches(),
            timeout,
            f"a message in channel {wanted}",
        )
        self._cursors[key] += 1
        return found[self._cursors[key] - 1]

    async def next_call(
        self, method: str = "*", path_pattern: str = ".*", timeout: float = 5
    ) -> Call:
        """The next REST call matching ``method`` and ``path_pattern`` that no earlier call returned."""
        regex, key = template_regex(path_pattern), ("call", method.upper(), path_pattern)

        def matches() -> list[Call]:
            return [c for c in self.calls if method in ("*", c.method) and regex.fullmatch(c.path)]

        found = await self.wait_for(
            lambda: len(matches()) > self._cursors[key] and matches(),
            timeout,
            f"a call {method} {path_pattern}",
        )
        self._cursors[key] += 1
        return found[self._cursors[key] - 1]

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        call = Call(request.method, path, dict(request.query), body, files=files)
        self.calls.append(call)
        self.stats["requests"] += 1
        route, params = _match(request.method, path)
        template = f"{request.method} {route or path}"
        interaction_route = path.startswith(("/interactions/", "/webhooks/"))
        verdict: Verdict | None = None
        try:
            fault = self._take_fault(request.method, path)
            if fault is not None:
                self.stats["faults"] += 1
                if fault.status == 429:
                    return self._refuse(call, limited_verdict(fault.retry_after, template))
                raise Fault(fault.status, fault.code, fault.text)
            if (
                not interaction_route
                and request.headers.get("Authorization") != f"Bot {self.token}"
            ):
                raise Fault(401, 0, "401: Unauthorized")
            posting = template == "POST /channels/{channel}/messages"
            verdict = self.limiter.check(
                template, params["channel"] if posting else None, interaction_route
            )
            if verdict.refused is not None:
                return self._refuse(call, verdict)
            if route is None:
                call.status = 404
                self.unhandled.append(call)
                return _json({"message": "404: Not Found", "code": 0}, 404, verdict.headers)
            handler = HANDLERS[request.method, route]
            result = await handler(
                self, Req(request.method, path, call.query, body, files), **params
            )
        except Fault as fault:
            call.status = fault.status
            headers = verdict.headers if verdict else None
            return _json({"message": fault.text, "code": fault.code}, fault.status, headers)
        except (
            Exception
        ) as error:  # a bug in the fake: fail the test, and do not make the bot retry
            log.exception("the fake crashed on %s %s", request.method, path)
            call.status = 400
            self.errors.append(f"{request.method} {path}: {error!r}")
            return _json({"message": f"fake Discord crashed: {error!r}", "code": 0}, 400)
        finally:
            await self.changed()
        if result is None:
            call.status = 204
            return web.Response(status=204, headers=verdict.headers)
        return _json(result, 200, verdict.headers)

    def _refuse(self, call: Call, verdict: Verdict) -> web.Response:
        call.status = 429
        self.stats["429"] += 1
        if verdict.refused and verdict.refused.get("global"):
            self.stats["429_global"] += 1
        return _json(verdict.refused, 429, verdict.headers)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py compares the header exactly: no "; charset=utf-8".
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    if request.content_type == "multipart/form-data":
        form = await request.post()
        body = json.loads(form.get("payload_json") or "{}")  # type: ignore[arg-type]
        files = [
            (part.filename, part.file.read())
            for key, part in form.items()
            if key.startswith("files[") and hasattr(part, "file")
        ]
        return body, files
    raw = await request.read()
    return (json.loads(raw) if raw else None), []
