"""When something weekly happens: a time of day, on some weekdays, in a timezone.

Channel subscriptions and personal digests both post on such a schedule. Every "when" question
(the next post, whether a moment is due) is answered from the same CronTrigger APScheduler runs,
so what people are told is what happens, on DST change days too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger


def weekly(weekdays: Sequence[str], post_time: time, zone: ZoneInfo) -> CronTrigger:
    """The trigger for ``post_time`` on ``weekdays`` (mon..sun) in ``zone``."""
    return CronTrigger(
        day_of_week=",".join(weekdays),
        hour=post_time.hour,
        minute=post_time.minute,
        timezone=zone,
    )


def next_fire(trigger: CronTrigger, now: datetime, zone: ZoneInfo) -> datetime:
    """The trigger's first moment after ``now``, in ``zone``."""
    when = trigger.get_next_fire_time(None, now + timedelta(microseconds=1))
    if when is None:
        raise AssertionError("a weekly schedule fires at least one day a week")
    return cast(datetime, when).astimezone(zone)
