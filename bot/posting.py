"""What delivery posts, through what, and the papers a run reads: shared by delivery and edits."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.db.ledger import Ledger
from bot.db.papers import PaperStore
from bot.metrics import Metrics
from bot.models import PaperRow


class ChannelUnavailable(Exception):
    """Discord refuses the channel (deleted, or a permission is missing); the message says which."""


class ChannelGone(ChannelUnavailable):
    """The channel or thread no longer exists. For a day's thread that a moderator deleted, the
    rest of that day is left out; for the subscribed channel itself, it is a failure."""


class DeliveryInterrupted(Exception):
    """Discord failed for a while (5xx, 429 past discord.py's retries): try again next run."""


@dataclass(frozen=True)
class Outgoing:
    """One message of a day's delivery, described without Discord (the edge renders it).

    ``header`` and ``compact`` carry the papers they count or list, ``more`` the late papers it
    announces, ``paper`` one paper, ``skipped`` a plain ``text`` note. ``late`` marks a compact
    list added for late papers; ``mention_role`` is pinged by a header, and by nothing else.
    """

    kind: str  # header | paper | compact | more | skipped
    day: date
    papers: tuple[PaperRow, ...] = ()
    text: str = ""
    late: bool = False
    mention_role: int | None = None


class Poster(Protocol):
    """What delivery posts through: the Discord edge in the bot, a recorder in tests."""

    def fingerprint(self, message: Outgoing) -> str:
        """A hash of the message as rendered: it changes when anything it shows changes."""
        ...

    def fits(self, message: Outgoing) -> bool:
        """Whether a compact list of these papers fits in one message."""
        ...

    async def kind(self, channel_id: int) -> str:
        """``text``, ``announcement`` or ``forum``."""
        ...

    async def send(self, channel_id: int, message: Outgoing, nonce: str) -> int: ...

    async def thread(self, channel_id: int, message_id: int, name: str) -> int: ...

    async def forum_post(self, channel_id: int, message: Outgoing, name: str) -> int:
        """A forum post (a thread) with ``message`` as its starter; the thread's id.
        A post of that name the bot already made is returned instead of a second one."""
        ...

    async def find(
        self, channel_id: int, after: int | None, message: Outgoing, nonce: str
    ) -> int | None:
        """A message of the bot in the channel after ``after`` (else among the newest) that
        carries ``nonce`` or shows ``message``; None when there is none."""
        ...

    async def edit(self, channel_id: int, message_id: int, message: Outgoing) -> bool:
        """Show ``message`` instead; False when the message was deleted."""
        ...

    async def publish(self, channel_id: int, message_id: int) -> None:
        """Crosspost a message of an announcement channel to the servers following it."""
        ...

    async def notify(self, user_id: int, guild_id: int, text: str) -> None: ...


class Remember(Protocol):
    """Called with each posted message that shows papers, so reactions on it can bookmark them."""

    async def __call__(
        self, message_id: int, channel_id: int, guild_id: int | None, arxiv_ids: Sequence[str]
    ) -> None: ...


def nonce(channel_id: int, day: date, item: str) -> str:
    """Discord nonces are at most 25 characters; the same item always gets the same one."""
    return hashlib.sha256(f"{channel_id}:{day}:{item}".encode()).hexdigest()[:25]


@dataclass(frozen=True)
class Step:
    """One message owed: its ledger owner (a subscription id or a user id), the id its nonce is
    derived from (the channel, or the person), its day, its item and its posting order."""

    owner: int
    scope: int
    day: date
    item: str
    position: int


async def once(
    ledger: Ledger,
    step: Step,
    act: Callable[[str], Awaitable[int]],
    metrics: Metrics | None = None,
) -> int:
    """The exactly-once step of one message (direct messages use it; channels plan batches, see
    bot/delivery.py): read the item's row; if not sent, write it pending, act with its nonce,
    write it sent with the id the act returned. A pending row is acted on again with the nonce it
    was first given. ``metrics`` counts each post sent, failed, or retried (posted again)."""
    key = step.day.isoformat()
    entry = await ledger.entry(step.owner, key, step.item)
    if entry is not None and entry.state == "sent" and entry.message_id is not None:
        return entry.message_id
    stamp = entry.nonce if entry is not None else nonce(step.scope, step.day, step.item)
    if entry is None:
        await ledger.pending(step.owner, key, step.item, step.position, stamp)
    elif metrics is not None:
        metrics.posts.labels("retried").inc()
    try:
        message_id = await act(stamp)
    except Exception:
        if metrics is not None:
            metrics.posts.labels("failed").inc()
        raise
    await ledger.sent(step.owner, key, step.item, message_id)
    if metrics is not None:
        metrics.posts.labels("sent").inc()
    return message_id


class Papers:
    """A run's view of the days' papers: each day read once, and each message's fingerprint
    computed once, however many channels get them."""

    def __init__(self, store: PaperStore) -> None:
        self.store = store
        self._days: dict[date, dict[str, PaperRow]] = {}
        self._prints: dict[Outgoing, str] = {}
        self._listed: dict[tuple[date | None, date | None], list[date]] = {}

    async def days(self, since: date | None, until: date | None) -> list[date]:
        """Days with papers between ``since`` and ``until``, inclusive."""
        if (since, until) not in self._listed:
            self._listed[since, until] = await self.store.days(since, until)
        return self._listed[since, until]

    def fingerprint(self, poster: Poster, message: Outgoing) -> str:
        try:
            known = self._prints.get(message)
        except TypeError:  # a paper field that cannot be hashed: compute it every time
            return poster.fingerprint(message)
        if known is None:
            known = self._prints[message] = poster.fingerprint(message)
        return known

    async def day(self, day: date) -> dict[str, PaperRow]:
        if day not in self._days:
            self._days[day] = {p.arxiv_id: p for p in await self.store.day(day)}
        return self._days[day]

    async def get(self, day: date, arxiv_id: str) -> PaperRow | None:
        found = (await self.day(day)).get(arxiv_id)
        return found or await self.store.get(arxiv_id)
