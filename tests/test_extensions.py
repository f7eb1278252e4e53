"""All cogs load together: no clashing command names, and every command and option explains itself."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import pkgutil
from collections.abc import Iterator
from typing import Any

import cogs
from bot.edge import client

SUBCOMMAND, GROUP, CHAT_INPUT = 1, 2, 1
PLACEHOLDER = "…"  # what discord.py sends when a command has no docstring or description


def undescribed(item: dict[str, Any], path: str = "") -> Iterator[str]:
    """The command paths (and 'command option' pairs) Discord would show without a description."""
    name = f"{path} {item['name']}".strip()
    for option in item.get("options") or []:
        if option["type"] in (SUBCOMMAND, GROUP):
            yield from undescribed(option, name)
        elif _blank(option):
            yield f"{name} {option['name']}"
    context_menu = not path and item.get("type", CHAT_INPUT) != CHAT_INPUT  # these have none
    if not context_menu and _blank(item):
        yield name


def _blank(item: dict[str, Any]) -> bool:
    return item.get("description", "").strip() in ("", PLACEHOLDER)


def synced(world) -> list[dict[str, Any]]:
    return [command for commands in world.fake.commands.values() for command in commands]


async def test_every_cog_in_the_folder_is_listed_and_all_of_them_load_together(world) -> None:
    modules = [f"cogs.{module.name}" for module in pkgutil.iter_modules(cogs.__path__)]
    with_setup = {name for name in modules if hasattr(importlib.import_module(name), "setup")}
    assert with_setup <= set(client.EXTENSIONS), "a cog with setup() is missing from EXTENSIONS"
    present = {name for name in client.EXTENSIONS if importlib.util.find_spec(name)}
    assert set(world.bot.extensions) == present  # a clash would have kept one of them out


async def test_command_names_are_unique_and_the_paper_group_is_complete(world) -> None:
    names = [command["name"] for command in synced(world)]
    assert len(names) == len(set(names)), f"clashing commands: {sorted(names)}"
    (paper,) = [command for command in synced(world) if command["name"] == "paper"]
    assert sorted(option["name"] for option in paper["options"]) == [
        "author",
        "category",
        "day",
        "help",
        "random",
        "related",
        "search",
        "show",
        "top",
    ]


async def test_every_command_and_option_has_a_description(world) -> None:
    missing = [path for command in synced(world) for path in undescribed(command)]
    assert missing == []


def test_the_description_check_catches_a_missing_one() -> None:
    command = {
        "name": "paper",
        "description": "Papers",
        "options": [
            {
                "type": SUBCOMMAND,
                "name": "search",
                "description": PLACEHOLDER,
                "options": [{"type": 3, "name": "query", "description": ""}],
            }
        ],
    }
    assert list(undescribed(command)) == ["paper search query", "paper search"]


async def test_a_clashing_cog_is_refused_loudly_and_the_others_still_load(
    world, tmp_path, monkeypatch, caplog
) -> None:
    (tmp_path / "clashing_cog.py").write_text(
        "from discord import app_commands\n"
        "async def setup(bot):\n"
        "    bot.tree.add_command(app_commands.Group(name='paper', description='A second /paper'))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(client, "EXTENSIONS", ("clashing_cog",))
    with caplog.at_level(logging.ERROR, logger="bot.edge.client"):
        assert await world.bot.load_extensions() == []
    assert "extension clashing_cog failed to load" in caplog.text
    assert "CommandAlreadyRegistered" in caplog.text
    assert "cogs.papers" in world.bot.extensions
