"""Subscriptions: which channel gets the daily papers, when, filtered how, laid out how."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config import WEEKDAYS, Config, parse_hhmm, parse_weekdays, parse_zone
from bot.db.core import Database
from bot.db.subscriptions import SubscriptionStore
from bot.errors import UserError
from bot.models import PaperRow
from bot.schedule import next_fire, weekly
from bot.taxonomy import resolve
from bot.text import fold, trim

log = logging.getLogger(__name__)
LAYOUTS = ("thread", "channel", "compact")
MATCH_MODES = ("any", "all")
NON_WORD = re.compile(r"\W+")


class SubscriptionError(UserError):
    """A subscription request that cannot be saved; the message is for the user."""


def _split(text: str | Sequence[str] | None) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text or ())
    return tuple(item.strip() for item in items if item and item.strip())


def _words(text: str) -> str:
    """Folded words, space-separated and padded, for word-start matching."""
    words = [word for word in NON_WORD.split(fold(text)) if word]
    return f" {' '.join(words)} "


def _mentions(text: str, keyword: str) -> bool:
    """``text`` (from _words) has words starting like ``keyword``: `gan` finds GANs, not organ."""
    words = _words(keyword).rstrip()
    return bool(words.strip()) and words in text


@dataclass(frozen=True)
class Filters:
    """Which papers a channel wants.

    ``any`` (the default): a paper in one of the categories, or mentioning one of the keywords,
    or by one of the authors. ``all``: a paper in one of the categories (when given), mentioning
    every keyword and by every author given. Keywords written ``-word`` exclude papers that
    mention the word, in both modes. No filter at all: every paper.
    """

    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    match_mode: str = "any"

    def matches(self, paper: PaperRow) -> bool:
        text = _words(f"{paper.title} {paper.summary}")
        wanted = [k for k in self.keywords if not k.startswith("-")]
        excluded = [k[1:] for k in self.keywords if k.startswith("-") and k[1:].strip()]
        if any(_mentions(text, word) for word in excluded):
            return False
        names = [fold(name) for name in paper.authors]
        checks = []
        if self.categories:  # a code (cs.CL), a name, an archive (cs.*) or a topic label
            tags = (*paper.categories, *([paper.category] if paper.category else []))
            filters = [resolve(category) for category in self.categories]
            checks.append([bool(tags) and any(f is not None and f.matches(tags) for f in filters)])
        if wanted:
            checks.append([_mentions(text, word) for word in wanted])
        if self.authors:
            checks.append([any(fold(a) in name for name in names) for a in self.authors])
        if not checks:
            return True
        if self.match_mode == "all":
            return all(all(results) for results in checks)
        return any(any(results) for results in checks)


@dataclass(frozen=True)
class Subscription:
    """One channel's subscription: when it posts (its own timezone), which papers, how laid out."""

    id: int
    guild_id: int
    channel_id: int
    created_by: int
    post_time: time
    timezone: str
    weekdays: tuple[str, ...]
    categories: tuple[str, ...]
    keywords: tuple[str, ...]
    authors: tuple[str, ...]
    layout: str
    created_at: datetime
    failures: int = 0
    broken: bool = False
    match_mode: str = "any"
    mention_role: int | None = None
    publish: bool = False
    weekly: bool = False  # the last of ``weekdays`` also gets the week's top papers
    last_post_at: datetime | None = None
    last_error: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def filters(self) -> Filters:
        return Filters(self.categories, self.keywords, self.authors, self.match_mode)

    def matches(self, paper: PaperRow) -> bool:
        return self.filters.matches(paper)

    def trigger(self) -> CronTrigger:
        """Its time, on its weekdays, in its own timezone (so DST moves with the people): the
        trigger APScheduler runs, and the one every "when" question is answered from."""
        return weekly(self.weekdays, self.post_time, self.zone)

    @property
    def last_weekday(self) -> str:
        """The last of this subscription's weekdays in the week (Monday first)."""
        return max(self.weekdays, key=WEEKDAYS.index)

    def recap_day(self, day: date) -> bool:
        """Whether ``day`` gets the weekly recap: the last of this subscription's weekdays."""
        return self.weekly and WEEKDAYS[day.weekday()] == self.last_weekday

    def next_post(self, now: datetime) -> datetime:
        """The next moment after ``now`` this subscription posts, as its job will fire."""
        return next_fire(self.trigger(), now, self.zone)

    def health(self, now: datetime) -> str:
        """Last post, next post, failures in a row and the last error, for /subscriptions."""
        last = f"<t:{int(self.last_post_at.timestamp())}:R>" if self.last_post_at else "never yet"
        parts = [f"last post {last}", f"next <t:{int(self.next_post(now).timestamp())}:F>"]
        if self.failures:
            parts.append(f"{self.failures} failed day{'s' * (self.failures != 1)} in a row")
        if self.last_error:
            parts.append(f"last error: {self.last_error}")
        return "; ".join(parts)

    def describe(self) -> str:
        """One line for people: time, zone, days, layout, filters, and whether it is broken."""
        filters = [
            f"{name}: {trim(', '.join(values), 200)}"  # what people typed: shown cut short
            for name, values in (
                ("categories", self.categories),
                ("keywords", self.keywords),
                ("authors", self.authors),
            )
            if values
        ]
        if filters and self.match_mode == "all":
            filters.append("matching all")
        if self.mention_role:
            filters.append(f"mentions <@&{self.mention_role}>")
        if self.publish:
            filters.append("published")
        days = ", ".join(day.title() for day in self.weekdays)
        if self.weekly:
            days += f" (weekly recap {self.last_weekday.title()})"
        return (
            f"{self.post_time:%H:%M} {self.timezone}, {days}; {self.layout} layout"
            f"{'; ' + '; '.join(filters) if filters else ''}{' (broken: fix permissions, then edit it)' if self.broken else ''}"
        )


Listener = Callable[[str, Subscription], Awaitable[None] | None]


class SubscriptionService:
    """Validates and saves subscriptions (one per channel) and tells listeners, like the scheduler."""

    def __init__(self, db: Database, config: Config, clock: Callable[[], datetime]) -> None:
        self.store = SubscriptionStore(db)
        self.config = config
        self.clock = clock
        self._listeners: list[Listener] = []

    def on_change(self, listener: Listener) -> None:
        """``listener(kind, subscription)`` runs after each change; kind is saved or removed."""
        self._listeners.append(listener)

    async def _changed(self, kind: str, subscription: Subscription) -> None:
        for listener in self._listeners:
            result = listener(kind, subscription)
            if result is not None:
                await result

    def filters(self, **fields: Any) -> Filters:
        """Filters from what a person typed (categories, keywords, authors, match), checked."""
        values = self.build(
            **{name: fields.get(name) for name in ("categories", "keywords", "authors", "match")}
        )
        return Filters(
            _split(values["categories"]),
            _split(values["keywords"]),
            _split(values["authors"]),
            values["match_mode"],
        )

    def build(self, **fields: Any) -> dict[str, Any]:
        """Validated, normalised fields; SubscriptionError says what is wrong."""
        defaults = self.config.delivery
        try:
            post_time = parse_hhmm(fields.get("time") or defaults.post_time)
            zone = parse_zone(fields.get("timezone") or defaults.timezone)
            weekdays = parse_weekdays(fields.get("weekdays") or defaults.weekdays)
        except ValueError as error:
            raise SubscriptionError(str(error)) from None
        layout = (fields.get("layout") or "thread").strip().lower()
        if layout not in LAYOUTS:
            raise SubscriptionError(f"layout must be one of {', '.join(LAYOUTS)}")
        match_mode = (fields.get("match") or "any").strip().lower()
        if match_mode not in MATCH_MODES:
            raise SubscriptionError(f"match must be one of {', '.join(MATCH_MODES)}")
        role = fields.get("mention_role") or None
        return {
            "post_time": f"{post_time:%H:%M}",
            "timezone": zone.key,
            "weekdays": ",".join(weekdays),
            "categories": ",".join(_split(fields.get("categories"))),
            "keywords": ",".join(_split(fields.get("keywords"))),
            "authors": ",".join(_split(fields.get("authors"))),
            "layout": layout,
            "match_mode": match_mode,
            "mention_role": int(role) if role else None,
            "publish": int(bool(fields.get("publish"))),
            "weekly": int(bool(fields.get("weekly"))),
        }

    async def subscribe(
        self, guild_id: int, channel_id: int, user_id: int, **fields: Any
    ) -> tuple[Subscription, bool]:
        """Create (or replace the settings of) the channel's subscription; True when it is new."""
        values = self.build(**fields)
        existing = await self.store.by_channel(channel_id)
        if existing is None:
            await self.store.insert(
                guild_id, channel_id, user_id, values, self.clock().astimezone(UTC).isoformat()
            )
        else:
            await self.store.update(existing["id"], values)
        subscription = self._row(await self.store.by_channel(channel_id))
        await self._changed("saved", subscription)
        return subscription, existing is None

    async def edit(self, channel_id: int, **fields: Any) -> Subscription:
        """Change only the fields given (None keeps, "" clears a filter); the job follows at once."""
        current = await self.get(channel_id)
        if current is None:
            raise SubscriptionError("That channel is not subscribed: use /subscribe first.")
        merged: dict[str, Any] = {
            "time": f"{current.post_time:%H:%M}",
            "timezone": current.timezone,
            "weekdays": current.weekdays,
            "categories": current.categories,
            "keywords": current.keywords,
            "authors": current.authors,
            "layout": current.layout,
            "match": current.match_mode,
            "mention_role": current.mention_role,
            "publish": current.publish,
            "weekly": current.weekly,
        }
        merged.update({name: value for name, value in fields.items() if value is not None})
        await self.store.update(current.id, self.build(**merged))
        subscription = await self.get(channel_id)
        assert subscription is not None
        await self._changed("saved", subscription)
        return subscription

    async def unsubscribe(self, channel_id: int) -> Subscription | None:
        """The removed subscription, or None when the channel had none."""
        row = await self.store.by_channel(channel_id)
        if row is None:
            return None
        subscription = self._row(row)
        await self.store.delete(subscription.id)
        await self._changed("removed", subscription)
        return subscription

    async def get(self, channel_id: int) -> Subscription | None:
        row = await self.store.by_channel(channel_id)
        return self._row(row) if row else None

    async def in_guild(self, guild_id: int) -> list[Subscription]:
        return [self._row(row) for row in await self.store.in_guild(guild_id)]

    async def all_active(self) -> list[Subscription]:
        """Every subscription that is not broken: what the scheduler and the delivery serve."""
        return [self._row(row) for row in await self.store.active()]

    async def record_failure(
        self, subscription: Subscription, reason: str | None = None
    ) -> Subscription:
        """Count one more failed day; past the limit the subscription is marked broken."""
        failures = subscription.failures + 1
        broken = failures >= self.config.delivery.broken_after_days
        await self.store.set_health(subscription.id, failures, broken, reason)
        return self._row(await self.store.by_channel(subscription.channel_id))

    async def record_interruption(self, subscription: Subscription, reason: str) -> None:
        """Discord failed for a while: not the channel's fault, but worth showing."""
        await self.store.set_health(
            subscription.id, subscription.failures, subscription.broken, reason
        )

    async def record_success(self, subscription: Subscription, posted: bool) -> None:
        """A run went through: failures and the last error are cleared; a post is remembered."""
        when = self.clock().astimezone(UTC).isoformat() if posted else None
        if subscription.failures or subscription.last_error or when:
            await self.store.set_health(subscription.id, 0, False, None, when)

    async def forget_creator(self, user_id: int) -> int:
        """``user_id`` asked to be forgotten: the subscriptions they made now belong to the
        server (broken-channel notes go to its system channel). Returns how many."""
        return await self.store.hand_to_server(user_id)

    @staticmethod
    def _row(row: Any) -> Subscription:
        return Subscription(
            id=row["id"],
            guild_id=row["guild_id"],
            channel_id=row["channel_id"],
            created_by=row["created_by"],
            post_time=parse_hhmm(row["post_time"]),
            timezone=row["timezone"],
            weekdays=_split(row["weekdays"]),
            categories=_split(row["categories"]),
            keywords=_split(row["keywords"]),
            authors=_split(row["authors"]),
            layout=row["layout"],
            created_at=datetime.fromisoformat(row["created_at"]),
            failures=row["failures"],
            broken=bool(row["broken"]),
            match_mode=row["match_mode"],
            mention_role=row["mention_role"],
            publish=bool(row["publish"]),
            weekly=bool(row["weekly"]),
            last_post_at=_moment(row["last_post_at"]),
            last_error=row["last_error"],
        )


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
