"""Subscriptions: which channel gets the daily papers, when, filtered how, laid out how."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config, parse_hhmm, parse_weekdays, parse_zone
from bot.db.core import Database
from bot.db.subscriptions import SubscriptionStore
from bot.errors import UserError
from bot.models import PaperRow
from bot.taxonomy import resolve
from bot.text import fold, trim

log = logging.getLogger(__name__)
LAYOUTS = ("thread", "channel", "compact")


class SubscriptionError(UserError):
    """A subscription request that cannot be saved; the message is for the user."""


def _split(text: str | Sequence[str] | None) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text or ())
    return tuple(item.strip() for item in items if item and item.strip())


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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def matches(self, paper: PaperRow) -> bool:
        """No filters: every paper. Otherwise a paper matching any one filter; a category is a
        code (cs.CL), a name (Computation and Language), an archive (cs.*) or a topic label."""
        if not (self.categories or self.keywords or self.authors):
            return True
        tags = (*paper.categories, *([paper.category] if paper.category else []))
        wanted = (resolve(category) for category in self.categories)
        if tags and any(f is not None and f.matches(tags) for f in wanted):
            return True
        text = fold(f"{paper.title} {paper.summary}")
        if any(fold(keyword) in text for keyword in self.keywords):
            return True
        names = [fold(name) for name in paper.authors]
        return any(fold(wanted) in name for wanted in self.authors for name in names)

    def trigger(self) -> CronTrigger:
        """Its time, on its weekdays, in its own timezone (so DST moves with the people): the
        trigger APScheduler runs, and the one every "when" question is answered from."""
        return CronTrigger(
            day_of_week=",".join(self.weekdays),
            hour=self.post_time.hour,
            minute=self.post_time.minute,
            timezone=self.zone,
        )

    def next_post(self, now: datetime) -> datetime:
        """The next moment after ``now`` this subscription posts, as its job will fire: in its
        timezone, on a DST change day too."""
        when = self.trigger().get_next_fire_time(None, now + timedelta(microseconds=1))
        if when is None:
            raise AssertionError("a subscription posts at least one day a week")
        return cast(datetime, when).astimezone(self.zone)

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
        days = ", ".join(day.title() for day in self.weekdays)
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
        return {
            "post_time": f"{post_time:%H:%M}",
            "timezone": zone.key,
            "weekdays": ",".join(weekdays),
            "categories": ",".join(_split(fields.get("categories"))),
            "keywords": ",".join(_split(fields.get("keywords"))),
            "authors": ",".join(_split(fields.get("authors"))),
            "layout": layout,
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

    async def record_failure(self, subscription: Subscription) -> Subscription:
        """Count one more failed day; past the limit the subscription is marked broken."""
        failures = subscription.failures + 1
        broken = failures >= self.config.delivery.broken_after_days
        await self.store.set_health(subscription.id, failures, broken)
        return self._row(await self.store.by_channel(subscription.channel_id))

    async def record_success(self, subscription: Subscription) -> None:
        if subscription.failures:
            await self.store.set_health(subscription.id, 0, False)

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
        )
