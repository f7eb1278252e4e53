"""Planning a batch: the ledger rows of a day's first delivery, or of papers that joined it late.

Pure: given what the ledger holds for the day and the papers not in it yet, the rows to write
pending, in posting order; and a day's rows while they are posted (``DayState``). Nothing here
reads the store or talks to Discord.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from bot.db.ledger import Entry, Planned
from bot.models import PaperRow
from bot.posting import Outgoing, Papers, nonce
from bot.subscriptions import Subscription

BODY = ("paper", "listed", "compact", "more")  # rows that go into the day's thread, if any
LIST_MAX = 25  # papers in one compact list: the options of its bookmark menu
OPENINGS = ("header", "forum", "paper", "listed", "compact")  # rows only a first batch has


def plan(
    subscription: Subscription,
    day: date,
    kind: str,
    entries: list[Entry],
    new: list[PaperRow],
    last_list: list[PaperRow],
    fits: Callable[[Outgoing], bool],
) -> list[Planned]:
    """The opening (header and thread, or a forum post) for a first batch, a "more" line for a
    late one, then the papers, or compact lists. ``last_list``: what the day's last compact
    list shows; late papers join it while ``fits`` says it holds them."""
    first = not any(entry.kind in OPENINGS for entry in entries)
    batch = 0 if first else max(entry.batch for entry in entries) + 1
    position = max((entry.position for entry in entries), default=0) + 1
    items: list[tuple[str, str]] = []
    compact = subscription.layout == "compact"
    if first:
        if kind == "forum":
            items.append(("thread", "forum"))
        elif not compact:
            items.append(("header", "header"))
            if subscription.layout == "thread":
                items.append(("thread", "thread"))
    elif not compact:
        items.append((f"more:{batch}", "more"))
    if compact:
        items.extend(lists(day, entries, new, batch, last_list, fits))
    else:
        items.extend((paper.arxiv_id, "paper") for paper in new)
    channel = subscription.channel_id
    return [
        Planned(item, row_kind, batch, position + n, nonce(channel, day, item))
        for n, (item, row_kind) in enumerate(items)
    ]


def lists(
    day: date,
    entries: list[Entry],
    new: list[PaperRow],
    batch: int,
    shown: list[PaperRow],
    fits: Callable[[Outgoing], bool],
) -> list[tuple[str, str]]:
    """Compact rows: papers join the day's last list while it fits, then open new lists."""
    previous = [entry for entry in entries if entry.kind == "compact"]
    growing = bool(previous) and not previous[-1].deleted
    shown = list(shown) if growing else []
    items: list[tuple[str, str]] = []
    for n, paper in enumerate(new):
        candidate = Outgoing("compact", day, (*shown, paper))
        if not (growing and len(candidate.papers) <= LIST_MAX and fits(candidate)):
            item = "compact" if batch == 0 and not items else f"compact:{batch}:{n}"
            items.append((item, "compact"))
            growing, shown = True, []
        shown.append(paper)
        items.append((paper.arxiv_id, "listed"))
    return items


def members(entries: list[Entry], compact: Entry) -> list[Entry]:
    """The listed rows a compact row shows: those after it, up to the next list."""
    found = []
    for entry in entries:
        if entry.position <= compact.position or entry.kind not in ("compact", "listed"):
            continue
        if entry.kind == "compact":
            break
        found.append(entry)
    return found


@dataclass
class DayState:
    """One day of one subscription while its rows are posted."""

    subscription: Subscription
    day: date
    kind: str  # the channel's: text | announcement | forum
    papers: Papers
    entries: list[Entry]
    planned: set[str] = field(default_factory=set)  # items this run planned (others: retried)
    searching: bool = True  # until one pending message is not found: later ones were never sent

    def target(self, entry: Entry) -> int:
        """Where a row's message goes: the day's thread for the body, else the channel."""
        if entry.kind in BODY:
            thread = next((e for e in self.entries if e.kind in ("thread", "forum")), None)
            if thread is not None and thread.message_id is not None:
                return thread.message_id
        return self.subscription.channel_id


def planned(row: Planned, day: str, stamp: str) -> Entry:
    """The ledger row ``plan`` just wrote, without reading it back."""
    return Entry(
        row.nonce,
        "pending",
        None,
        row.item,
        row.kind,
        row.batch,
        row.position,
        day,
        None,
        None,
        stamp,
    )


def updated(entry: Entry, **changes: object) -> Entry:
    """``entry`` as it is once posted (a state, a message id)."""
    return replace(entry, **changes)  # type: ignore[arg-type]
