"""Edits in place: a posted message whose papers changed since is edited to show them now.

What a message shows is compared by fingerprint (a hash of the message as the edge renders it),
so any field the edge shows, now or later, is covered without a list of fields kept here. A
message that a moderator deleted answers "unknown message" and is left deleted for good.
"""

from __future__ import annotations

import logging
from datetime import date

from bot.db.ledger import Entry, LedgerStore
from bot.posting import Outgoing, Papers, Poster, Remember
from bot.subscriptions import Subscription

log = logging.getLogger(__name__)


class Editor:
    def __init__(self, ledger: LedgerStore, poster: Poster, remember: Remember) -> None:
        self.ledger = ledger
        self.poster = poster
        self.remember = remember

    async def edit_changed(self, subscription: Subscription, since: date, papers: Papers) -> int:
        """Edit this subscription's messages from ``since`` on whose papers changed; how many."""
        rows = await self.ledger.editable(subscription.id, since.isoformat())
        lists: dict[int | None, list[str]] = {}
        for row in rows:
            if row.kind == "listed":
                lists.setdefault(row.message_id, []).append(row.item)
        edits = 0
        for entry in rows:
            if entry.kind == "listed" or entry.message_id is None or entry.channel_id is None:
                continue
            message = await self._now(entry, lists.get(entry.message_id, []), papers)
            if message is None:
                continue
            fingerprint = papers.fingerprint(self.poster, message)
            if fingerprint == entry.fingerprint:
                continue
            if entry.fingerprint is not None:  # None: posted before fingerprints were kept
                if not await self.poster.edit(entry.channel_id, entry.message_id, message):
                    log.info("message %s was deleted: left deleted", entry.message_id)
                    await self.ledger.deleted(subscription.id, entry.day, entry.item)
                    continue
                edits += 1
            await self.ledger.shown(subscription.id, entry.day, entry.item, fingerprint)
        return edits

    @staticmethod
    async def _now(entry: Entry, listed: list[str], papers: Papers) -> Outgoing | None:
        """What the message of ``entry`` would show today (``listed``: a compact list's papers)."""
        day = date.fromisoformat(entry.day)
        if entry.kind == "paper":
            paper = await papers.get(day, entry.item)
            return None if paper is None else Outgoing("paper", day, (paper,))
        shown = [paper for arxiv_id in listed if (paper := await papers.get(day, arxiv_id))]
        return (
            Outgoing("compact", day, tuple(shown), late=entry.item != "compact") if shown else None
        )
