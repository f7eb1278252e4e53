"""Logging for the bot and the CLI: one line per record, the level from ``[bot] log_level``.

Operators read these lines in ``journalctl`` or ``docker logs``: an exception is summed up on its
line (``...: ConnectionError: refused``) unless the level is DEBUG, where the full traceback helps.
discord.py's two voice warnings are dropped: paperboy never joins a voice channel; APScheduler's
line for every job run is kept for DEBUG.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
VOICE_WARNING = "voice will NOT be supported"


class OneLineFormatter(logging.Formatter):
    """Appends ``: Type: message`` for an exception instead of its traceback (unless verbose)."""

    def __init__(self, verbose: bool) -> None:
        super().__init__(FORMAT)
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        if self.verbose or not record.exc_info or record.exc_info[1] is None:
            return super().format(record)
        error = record.exc_info[1]
        summary = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        short = logging.makeLogRecord(record.__dict__)
        short.msg, short.args = f"{record.getMessage()}: {summary}", None
        short.exc_info, short.exc_text, short.stack_info = None, None, None
        return super().format(short).replace("\n", " ")


def _not_voice(record: logging.LogRecord) -> bool:
    return not (record.name.startswith("discord") and VOICE_WARNING in str(record.msg))


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Replace any earlier set-up: ``level`` is one of LEVELS (validated by the config)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(verbose=level.upper() == "DEBUG"))
    handler.addFilter(_not_voice)
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # APScheduler logs every job run at INFO (the readers' job runs each minute): only at DEBUG.
    quiet = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    logging.getLogger("apscheduler").setLevel(quiet)
