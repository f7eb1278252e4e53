"""Shared fixtures, and one rule: tests never reach the internet.

A host name other than this machine's is refused at lookup, so a source left on by a default
(Hugging Face is on in the default config) fails at once and visibly instead of downloading.
"""

from __future__ import annotations

import socket
from typing import Any

pytest_plugins = ["tests.fakediscord.fixtures", "tests.fixtures_bot"]

LOCAL = {None, "localhost", "127.0.0.1", "::1"}
_resolve = socket.getaddrinfo


def _local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name not in LOCAL:
        raise socket.gaierror(socket.EAI_NONAME, f"tests stay offline: {name} is not looked up")
    return _resolve(host, *args, **kwargs)


socket.getaddrinfo = _local_only
