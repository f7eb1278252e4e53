import socket

import pytest

pytest_plugins = ["tests.fakediscord.fixtures", "tests.fixtures_bot"]


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", None}


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
