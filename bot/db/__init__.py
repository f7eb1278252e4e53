"""The store: the only place that writes SQL."""

from bot.db.core import Database, DatabaseError
from bot.db.papers import PaperStore

__all__ = ["Database", "DatabaseError", "PaperStore"]
