"""Forget me: everything paperboy stores about one person, deleted in one go and accounted for."""

from __future__ import annotations

from bot.bookmarks import BookmarkService
from bot.db.ledger import DmLedgerStore
from bot.follows import FollowService
from bot.subscriptions import SubscriptionService


class Privacy:
    def __init__(
        self,
        bookmarks: BookmarkService,
        follows: FollowService,
        ledger: DmLedgerStore,
        subscriptions: SubscriptionService,
    ) -> None:
        self.bookmarks = bookmarks
        self.follows = follows
        self.ledger = ledger
        self.subscriptions = subscriptions

    async def forget(self, user_id: int) -> str:
        """Delete the person's bookmarks (with their notes and read marks), follows, digest
        settings and DM ledger, and take their id off the subscriptions they set up (those now
        belong to the server); the answer says what went."""
        bookmarks, notes = await self.bookmarks.forget_user(user_id)
        follows, settings = await self.follows.forget(user_id)
        sent = await self.ledger.forget(user_id)
        handed = await self.subscriptions.forget_creator(user_id)
        text = (
            f"Deleted {bookmarks} bookmark(s) with {notes} note(s), {follows} follow(s), "
            f"{'your digest settings' if settings else 'no digest settings'} and "
            f"{sent} record(s) of direct messages sent to you."
        )
        if handed:
            text += (
                f" The {handed} subscription(s) you set up no longer name you: they belong to"
                " the server, and notes about them go to its system channel."
            )
        return text
