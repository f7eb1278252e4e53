"""``python -m bot health``: ask the running bot's ``/healthz`` (for Docker's HEALTHCHECK, cron)."""

from __future__ import annotations

import argparse
import asyncio
import urllib.error
import urllib.request
from typing import Any

from bot.cli.common import CliError
from bot.config import Config, parse_listen

ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def add_parsers(commands: Any) -> None:
    health = commands.add_parser(
        "health", help="exit 0 when the running bot is healthy (needs [ops] listen)"
    )
    health.set_defaults(handler=_health)


def healthz_url(listen: str) -> str:
    host, port = parse_listen(listen)
    host = ANY.get(host, host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/healthz"


async def _health(config: Config, args: argparse.Namespace) -> int:
    if not config.ops.listen:
        raise CliError('[ops] listen is off; set it (like "127.0.0.1:9300") to check health')
    url = healthz_url(config.ops.listen)
    status, body = await asyncio.to_thread(_get, url)
    print(body)
    return 0 if status == 200 else 1


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:  # 503: unhealthy, the body says why
        return error.code, error.read().decode()
    except (urllib.error.URLError, OSError) as error:
        raise CliError(f"nothing answers at {url} ({error}); is the bot running?") from None
