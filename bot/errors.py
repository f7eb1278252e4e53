"""The one kind of error that is the user's to fix: its message is written for them."""

from __future__ import annotations


class UserError(ValueError):
    """A request a service cannot answer as asked; ``str(error)`` tells the user what to change.

    The command tree answers it privately and logs it at debug: it is not a fault of the bot.
    """
