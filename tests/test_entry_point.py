"""`python -m bot` as a real process: what only a fresh interpreter shows (the module runs, its
exit codes, a real terminal, a pipe closed early), and that the in-process runner the other CLI
tests use (tests/cli.py) answers exactly as the process does."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import cli, cli_process
from tests.helpers import ROOT, SEEDS


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("entry") / "p.db"
    assert cli("ingest", str(SEEDS), db=db).returncode == 0
    return db


def test_the_module_runs_and_prints_its_version() -> None:
    result = cli_process("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("paperboy ") and result.stderr == ""


def test_a_missing_database_is_one_line_status_1_and_no_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.db"
    result = cli_process("search", "goose", db=missing, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"error: no database at {missing}; run `python -m bot ingest` first\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["search", "gose", "--json", "--limit", "2"],  # stdout, and the correction on stderr
        ["search", "model", "--limit", "3"],  # a text listing, "more: --offset 3" on stderr
        ["show", "not-an-id"],  # an error: one line, status 1
        ["search", "x", "--limit", "0"],  # argparse exits: usage on stderr, status 2
    ],
)
def test_the_in_process_runner_answers_as_the_process_does(seeds_db: Path, args: list[str]) -> None:
    process = cli_process(*args, db=seeds_db)
    assert process.stdout or process.stderr  # something to compare
    assert cli(*args, db=seeds_db) == process


def on_a_terminal(*args: str, db: Path) -> str:
    """The CLI with its stdout on a pseudo-terminal, as a person at a shell sees it."""
    leader, follower = pty.openpty()
    environment = {**os.environ, "PAPERBOY_DB": str(db), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=environment, stdout=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(30)
    os.close(leader)
    return b"".join(chunks).decode()


def test_matches_are_bold_on_a_real_terminal_and_plain_in_a_pipe(seeds_db: Path) -> None:
    assert "\033[1mGoose\033[0m" in on_a_terminal("search", "goose", db=seeds_db)
    piped = cli_process("search", "goose", db=seeds_db)
    assert 'RWKV-7 "Goose" with' in piped.stdout
    assert "**" not in piped.stdout and "\033[" not in piped.stdout


def test_a_pipe_closed_early_ends_quietly_with_status_0(seeds_db: Path) -> None:
    """Like `python -m bot search model | head -1`: the reader goes away before the output is
    written (about 75 KB, more than a pipe holds): no traceback, no "Exception ignored"."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "search", "model", "--limit", "100", "--json"],
        cwd=ROOT,
        env={**os.environ, "PAPERBOY_DB": str(seeds_db), "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # nothing will ever read what it writes
    errors = process.stderr.read().decode()
    assert process.wait(30) == 0
    assert errors == ""
