"""`python -m bot run`: keep the bot up unattended, and stop it cleanly on SIGTERM or Ctrl-C.

- No token, a rejected token, an unusable database, a taken [ops] port: a message and a failing
  exit, no traceback.
- Discord unreachable at start (the network is not up yet, an outage): one log line per attempt,
  then a retry after an exponential backoff (RETRY_DELAYS), until it connects or is stopped. Once
  connected, discord.py reconnects the gateway by itself.
- SIGTERM (systemd, docker stop) and SIGINT (Ctrl-C) take the same path: ``Paperboy.close()``
  stops the scheduler, closes Discord, then the database (checkpointing its WAL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable

import aiohttp
import discord

from bot.config import Config
from bot.db import DatabaseError
from bot.edge.client import create_bot
from bot.edge.ops import OpsError

log = logging.getLogger(__name__)

RETRY_DELAYS = (5.0, 300.0)  # first wait, longest wait (seconds); doubles in between
UNREACHABLE = (
    OSError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    discord.GatewayNotFound,
    discord.DiscordServerError,
)

NO_TOKEN = """\
paperboy needs a Discord bot token to run.
  1. Open https://discord.com/developers/applications and pick (or create) your application.
  2. Bot -> Reset Token, and copy it.
  3. export DISCORD_TOKEN=<the token>   (or set token in the [bot] section of config.toml)
Then run `python -m bot run` again."""

BAD_TOKEN = """\
Discord rejected the bot token. It may have been reset or copied incompletely:
get a new one under Bot -> Reset Token at https://discord.com/developers/applications
and put it in DISCORD_TOKEN (or [bot] token in config.toml)."""


def run(config: Config) -> int:
    """Run until stopped: 0 after SIGTERM/Ctrl-C, 1 for an error a person must fix, 2 no token."""
    if not config.bot.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(config))
    except KeyboardInterrupt:  # before the signal handlers are in place
        log.info("stopped")
        return 0


async def _serve(config: Config) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows loops
            loop.add_signal_handler(number, _stopper(stop, number))
    attempt = 0
    while True:
        try:
            outcome = await _attempt(config, stop)
        except discord.LoginFailure:
            print(BAD_TOKEN, file=sys.stderr)
            return 1
        except (DatabaseError, OpsError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except UNREACHABLE as error:
            delay = min(RETRY_DELAYS[1], RETRY_DELAYS[0] * 2**attempt)
            attempt += 1
            log.warning("cannot reach Discord (%s); retrying in %.3g s", _describe(error), delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                log.info("stopped")
                return 0
            continue
        except Exception:
            log.exception("paperboy stopped on an unexpected error")
            return 1
        log.info("stopped")
        return outcome


async def _attempt(config: Config, stop: asyncio.Event) -> int:
    """One login and session; returns when stopped, raises why it could not go on."""
    async with create_bot(config) as bot:
        session = asyncio.create_task(bot.start(config.bot.token))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({session, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not stop.is_set():
            stopping.cancel()
            session.result()  # raises what ended the session
            return 0  # closed from inside (never expected): not an error
        await bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await session
    return 0


def _stopper(stop: asyncio.Event, number: signal.Signals) -> Callable[[], None]:
    def handler() -> None:
        if not stop.is_set():
            log.info("%s received: stopping", number.name)
        stop.set()

    return handler


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"
