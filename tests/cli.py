"""`python -m bot` for the tests, two ways with one answer shape (returncode, stdout, stderr).

``cli`` calls ``bot.cli.main`` in this process, as a fresh interpreter would see it: its own
stdout and stderr (a terminal or not, as asked), the environment without the caller's PAPERBOY_ and
DISCORD_ variables, the given folder, exit statuses from ``sys.exit`` and tracebacks as the
interpreter reports them, and logging as ``main`` sets it up, put back afterwards. It costs
milliseconds where a new interpreter costs a third of a second.

``cli_process`` starts the real entry point; tests/test_entry_point.py uses it to prove what only a
process shows (the module runs, exit codes, pipes) and that both ways answer alike.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.helpers import ROOT

OWN = ("PAPERBOY_", "DISCORD_")  # the caller's settings never leak into a run


@dataclass(frozen=True)
class Ran:
    """What a run of the command line left: named as ``subprocess.CompletedProcess`` names it."""

    returncode: int
    stdout: str
    stderr: str


class Captured(io.StringIO):
    """A stdout or stderr to read back: a terminal only if asked; ``close()`` (main's answer to a
    broken pipe) marks it closed for the run but keeps what was written."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal
        self.closed_by_run = False

    def isatty(self) -> bool:
        return self.terminal

    def close(self) -> None:
        self.closed_by_run = True


def settings(db: Path | None) -> dict[str, str]:
    return {} if db is None else {"PAPERBOY_DB": str(db)}


def cli(
    *args: str, db: Path | None = None, cwd: Path = ROOT, terminal: bool = False, **env: str
) -> Ran:
    """``python -m bot *args`` in this process (see the module's docstring); ``db`` sets
    PAPERBOY_DB, ``env`` adds variables, ``terminal`` makes stdout a terminal."""
    out, err = Captured(terminal), Captured(False)
    with pytest.MonkeyPatch.context() as patch, logging_put_back():
        for name in [name for name in os.environ if name.startswith(OWN)]:
            patch.delenv(name)
        for name, value in {**settings(db), **env}.items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = exit_status(args) if not in_a_loop() else in_a_thread(exit_status, args)
    return Ran(code, out.getvalue(), err.getvalue())


def exit_status(args: Sequence[str]) -> int:
    """main's result, or what the interpreter makes of ``sys.exit`` and of an escaped exception."""
    try:
        return main(list(args))
    except SystemExit as exit:
        if exit.code is None or isinstance(exit.code, int):
            return exit.code or 0
        print(exit.code, file=sys.stderr)
        return 1
    except Exception:
        traceback.print_exc()  # "Traceback (most recent call last):" on stderr, as a process shows
        return 1


def in_a_loop() -> bool:
    """Whether an event loop runs in this thread (an async test), where main's asyncio.run
    cannot: the command then runs in a thread of its own, blocking this one. A test that serves
    something on its loop while the command runs calls ``await asyncio.to_thread(cli, ...)``."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def in_a_thread(function: Callable[[Sequence[str]], int], args: Sequence[str]) -> int:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, args).result()


@contextmanager
def logging_put_back() -> Iterator[None]:
    """main replaces the root logger's handlers (logging.basicConfig(force=True)) and sets levels:
    it starts from no handlers (so pytest's own are not closed), and everything is restored after."""
    root, scheduler = logging.getLogger(), logging.getLogger("apscheduler")
    handlers, level, quiet = root.handlers[:], root.level, scheduler.level
    root.handlers = []
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = handlers
        root.setLevel(level)
        scheduler.setLevel(quiet)


def cli_process(*args: str, db: Path | None = None, cwd: Path = ROOT, **env: str) -> Ran:
    """``python -m bot *args`` as a new process, stdout and stderr piped."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(OWN)},
            **settings(db),
            **env,
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return Ran(done.returncode, done.stdout, done.stderr)
