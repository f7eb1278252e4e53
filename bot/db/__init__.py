"""The store: the only place that writes SQL."""

from bot.db.core import Database, DatabaseError
from bot.db.papers import IngestResult, PaperRow, PaperStore

__all__ = ["Database", "DatabaseError", "IngestResult", "PaperRow", "PaperStore"]
