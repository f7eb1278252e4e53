"""Fixtures for every test, and which tests a run selects.

Tests marked ``slow`` (a bot killed and restarted as a subprocess, a 100k-paper database) are
skipped by a local ``python -m pytest`` to keep it under 30 s; ``--slow``, or ``CI`` set to a
true value (``.ci/run`` exports ``CI=true``), runs them too.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

import pytest

pytest_plugins = [
    "tests.fakediscord.fixtures",
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


@pytest.fixture
def missing_shared() -> None:
    """Used (through tests.helpers.needs_shared) only on CI when ../shared is absent."""
    pytest.fail("../shared is absent, and with CI=true the tests that read it must run, not skip")
