"""Fixtures for every test, and which tests a run selects.

Tests marked ``slow`` (a bot killed and restarted as a subprocess, a 100k-paper database) are
skipped by a local ``python -m pytest`` to keep it under 30 s; ``--slow``, or ``CI`` set to a
true value (``.ci/run`` exports ``CI=true``), runs them too.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import socket
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import CORPUS, ingest, open_store

pytest_plugins = [
    "fakediscord.fixtures",
    "tests.fixtures_db",
    "tests.fixtures_bot",
    "tests.fixtures_sources",
]

TRUE = {"1", "true", "yes", "on"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", None}


def slow_tests_run(asked: bool, environ: Mapping[str, str]) -> bool:
    """Whether slow tests run: asked for with ``--slow``, or on CI."""
    return asked or environ.get("CI", "").strip().casefold() in TRUE


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow", action="store_true", help="also run tests marked slow (CI=true does too)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if slow_tests_run(config.getoption("--slow"), os.environ):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow or CI=true")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in the tests may reach past this machine: resolving any other host fails loudly."""
    resolve = socket.getaddrinfo

    def local_only(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOCAL_HOSTS:
            raise OSError(f"tests must not touch the network (asked for {name})")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture(scope="session")
def corpus_built(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The shared corpus (2,000+ papers) ingested once per run: the first worker to ask builds
    it, the others wait for that file instead of spending seconds on a copy of their own."""
    folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # pytest-xdist: this run's folder, above each worker's own
        folder = folder.parent
    path = folder / "corpus.db"
    with open(folder / "corpus.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            building = folder / "corpus.db.part"

            async def build() -> None:
                async with open_store(building) as store:
                    await ingest(store, CORPUS)

            asyncio.run(build())
            building.rename(path)
    return path


@pytest.fixture
def corpus_db(corpus_built: Path, tmp_path: Path) -> Path:
    """A database file of this test's own holding the whole shared corpus (tests.helpers.CORPUS);
    use it with ``needs_shared(CORPUS)``."""
    return Path(shutil.copyfile(corpus_built, tmp_path / "corpus.db"))


@pytest.fixture
def missing_shared() -> None:
    """Used (through tests.helpers.needs_shared) only on CI when ../shared is absent."""
    pytest.fail("../shared is absent, and with CI=true the tests that read it must run, not skip")
