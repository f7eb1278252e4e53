"""Configuration: config.toml plus environment variables, validated once into a frozen object.

Where it comes from, strongest first: command-line flags (applied by the caller), environment
(``DISCORD_TOKEN``, else the systemd credential ``discord-token``; ``PAPERBOY_DB``), the TOML
file (``--config``, else ``PAPERBOY_CONFIG``, else ``./config.toml`` when present), then the
defaults below. Unknown keys are errors: a typo should not
silently fall back to a default.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.logs import LEVELS
from bot.text import trim

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class BotConfig:
    token: str = ""
    dev_guild: int = 0  # 0: sync commands globally
    bookmark_emoji: str = "🔖"
    manager_role: str = ""  # members with this role may manage subscriptions, like Manage Channels
    log_level: str = "INFO"


@dataclass(frozen=True)
class DatabaseConfig:
    path: str = "paperboy.db"
    busy_seconds: float = 30.0  # how long a write waits for another process's write lock


@dataclass(frozen=True)
class DeliveryConfig:
    timezone: str = "UTC"
    post_time: str = "09:00"
    weekdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    catch_up_days: int = 7
    broken_after_days: int = 3
    late_papers_days: int = 2  # papers joining a posted day this many days back are still posted
    edit_window_days: int = 7  # messages of days this far back are edited when their papers change
    nonce_window_seconds: float = 120.0  # trust Discord's nonce dedupe this long, then read history


@dataclass(frozen=True)
class SourcesConfig:
    folder: str = ""  # e.g. "seeds" (the offline demo); "" turns the folder source off
    url_template: str = ""  # e.g. https://example.org/archive/{yyyy}/{mm}/{dd}.md
    huggingface: bool = True
    huggingface_url: str = "https://huggingface.co/api/daily_papers"
    poll_minutes: int = 30
    lookback_days: int = 3  # how many past days the URL and API sources ask for on each poll
    timeout_seconds: float = 20.0
    retries: int = 3
    max_body_mb: float = 5.0  # a larger answer is refused, unread
    max_retry_after_seconds: float = 60.0  # a longer Retry-After leaves the URL to the next poll
    poll_budget_seconds: float = 300.0  # the time one poll of one source may take, retries included
    arxiv: bool = True  # complete every paper from the arXiv API
    arxiv_url: str = "https://export.arxiv.org/api/query"
    arxiv_interval_seconds: float = 3.0  # at most one request this often, as arXiv asks
    arxiv_batch: int = 100  # ids per request


@dataclass(frozen=True)
class OpsConfig:
    listen: str = ""  # "127.0.0.1:9300" serves /healthz and /metrics there; "" = off


@dataclass(frozen=True)
class Config:
    bot: BotConfig = field(default_factory=BotConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    ops: OpsConfig = field(default_factory=OpsConfig)
    path: str | None = None  # the file this came from, for messages

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.delivery.timezone)

    @property
    def post_time(self) -> time:
        return parse_hhmm(self.delivery.post_time)


def parse_hhmm(text: str) -> time:
    match = HHMM.match(text.strip())
    if not match:
        raise ValueError(f"'{trim(text, 60)}' is not a time; use HH:MM, like 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"'{trim(name, 60)}' is not an IANA timezone, like Europe/Paris or UTC"
        ) from None


def parse_listen(text: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9300`` for IPv6) as (host, port)."""
    host, colon, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"'{text}' is not host:port, like 127.0.0.1:9300")
    return host, int(port)


def _weekday(text: str, item: str) -> int:
    """The index in WEEKDAYS of a day name or its start ("mon", "Monday", "tues") in ``item``."""
    word = text.strip().lower()
    for n, name in enumerate(DAY_NAMES):
        if len(word) >= 3 and name.startswith(word):
            return n
    raise ValueError(
        f"weekdays must be some of {', '.join(WEEKDAYS)} or a range like mon-fri, not {item!r}"
    )


def parse_weekdays(values: Any) -> tuple[str, ...]:
    """Weekdays from "mon,wed", "mon-fri", "sat-mon" (a range may wrap) or a list of them."""
    items = values.replace(",", " ").split() if isinstance(values, str) else list(values)
    days: set[int] = set()
    for item in map(str, items):
        first, dash, last = item.partition("-")
        start = _weekday(first, item)
        end = _weekday(last, item) if dash else start
        days.update((start + n) % 7 for n in range((end - start) % 7 + 1))
    if not days:
        raise ValueError(f"weekdays must be some of {', '.join(WEEKDAYS)} or a range like mon-fri")
    return tuple(WEEKDAYS[n] for n in sorted(days))


SECTIONS = {
    "bot": BotConfig,
    "database": DatabaseConfig,
    "delivery": DeliveryConfig,
    "sources": SourcesConfig,
    "ops": OpsConfig,
}


SECRETS = {("bot", "token")}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _section(name: str, cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key '{key}' in [{name}]; known: {', '.join(known)}"
            )
        default = getattr(cls(), key)
        expected = type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected is tuple and isinstance(value, list):
            value = tuple(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            got = type(value).__name__
            if (name, key) not in SECRETS:  # a secret's value is never echoed, even when wrong
                got += f" {_shown(value)}"
            raise ConfigError(f"{where}: [{name}] {key} must be {expected.__name__}, got {got}")
        values[key] = value
    return cls(**values)


def _validate(config: Config, where: str) -> None:
    checks = [
        ("delivery", "timezone", lambda: parse_zone(config.delivery.timezone)),
        ("delivery", "post_time", lambda: parse_hhmm(config.delivery.post_time)),
        ("delivery", "weekdays", lambda: parse_weekdays(config.delivery.weekdays)),
        ("ops", "listen", lambda: config.ops.listen and parse_listen(config.ops.listen)),
    ]
    for section, key, check in checks:
        try:
            check()
        except ValueError as error:
            raise ConfigError(f"{where}: [{section}] {key}: {error}") from None
    bounds = [
        ("delivery", "catch_up_days", config.delivery.catch_up_days, 0),
        ("delivery", "broken_after_days", config.delivery.broken_after_days, 1),
        ("delivery", "late_papers_days", config.delivery.late_papers_days, 0),
        ("delivery", "edit_window_days", config.delivery.edit_window_days, 0),
        ("delivery", "nonce_window_seconds", config.delivery.nonce_window_seconds, 0),
        ("sources", "poll_minutes", config.sources.poll_minutes, 1),
        ("sources", "lookback_days", config.sources.lookback_days, 0),
        ("sources", "retries", config.sources.retries, 0),
        ("bot", "dev_guild", config.bot.dev_guild, 0),
    ]
    for section, key, value, least in bounds:
        if value < least:
            raise ConfigError(f"{where}: [{section}] {key} must be at least {least}, got {value}")
    if not config.sources.timeout_seconds > 0:
        raise ConfigError(f"{where}: [sources] timeout_seconds must be more than 0")
    if config.bot.log_level.upper() not in LEVELS:
        raise ConfigError(
            f"{where}: [bot] log_level must be one of {', '.join(LEVELS)}, "
            f"got {config.bot.log_level!r}"
        )
    if not config.bot.bookmark_emoji.strip():
        raise ConfigError(f"{where}: [bot] bookmark_emoji must not be empty")
    if not config.database.busy_seconds > 0:
        raise ConfigError(f"{where}: [database] busy_seconds must be more than 0")
    for key in ("max_body_mb", "max_retry_after_seconds", "poll_budget_seconds"):
        if not getattr(config.sources, key) > 0:
            raise ConfigError(f"{where}: [sources] {key} must be more than 0")
    if config.sources.arxiv_interval_seconds < 0:
        raise ConfigError(f"{where}: [sources] arxiv_interval_seconds must be 0 or more")
    if not 1 <= config.sources.arxiv_batch <= 2000:
        raise ConfigError(f"{where}: [sources] arxiv_batch must be between 1 and 2000")
    if config.sources.arxiv and not config.sources.arxiv_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"{where}: [sources] arxiv_url must be an http(s) URL, like"
            " https://export.arxiv.org/api/query"
        )
    template = config.sources.url_template
    if template and "{" not in template:
        raise ConfigError(f"{where}: [sources] url_template needs {{yyyy}}, {{mm}} and {{dd}}")
    folder = config.sources.folder
    if folder and not Path(folder).is_dir():
        raise ConfigError(
            f'{where}: [sources] folder {folder} is not a folder; fix the path or set folder = ""'
        )


def _relative_to(config: Config, raw: dict[str, Any]) -> Config:
    """Paths written in the file are relative to the file's folder, not to where it is run from."""
    if config.path is None:
        return config
    folder = Path(config.path).parent

    def resolved(section: str, key: str, value: str) -> str:
        written = key in raw.get(section, {})
        return str(folder / value) if written and value and not Path(value).is_absolute() else value

    return replace(
        config,
        database=replace(config.database, path=resolved("database", "path", config.database.path)),
        sources=replace(
            config.sources, folder=resolved("sources", "folder", config.sources.folder)
        ),
    )


def _credential(env: dict[str, str], name: str) -> str:
    """A systemd credential (LoadCredential=NAME:FILE puts it in $CREDENTIALS_DIRECTORY)."""
    folder = env.get("CREDENTIALS_DIRECTORY")
    path = Path(folder) / name if folder else None
    if path is None or not path.is_file():
        return ""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the credential {path}: {error}") from None


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Read, merge and validate the configuration; ConfigError says what is wrong and where."""
    env = dict(os.environ if env is None else env)
    explicit = path is not None or "PAPERBOY_CONFIG" in env
    chosen = Path(path or env.get("PAPERBOY_CONFIG") or "config.toml")
    raw: dict[str, Any] = {}
    if chosen.is_file():
        try:
            raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read config {chosen}: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{chosen}: not valid TOML: {error}") from None
    elif explicit:
        raise ConfigError(f"config file {chosen} does not exist (copy config.example.toml)")
    where = str(chosen)
    unknown = set(raw) - set(SECTIONS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown section [{sorted(unknown)[0]}]; known: {', '.join(SECTIONS)}"
        )
    parts = {name: _section(name, cls, raw.get(name, {}), where) for name, cls in SECTIONS.items()}
    config = _relative_to(Config(**parts, path=str(chosen) if chosen.is_file() else None), raw)
    token = env.get("DISCORD_TOKEN", "").strip() or _credential(env, "discord-token")
    if token:
        config = replace(config, bot=replace(config.bot, token=token))
    if env.get("PAPERBOY_DB"):
        config = replace(config, database=replace(config.database, path=env["PAPERBOY_DB"]))
    _validate(config, where)
    return config
