"""The README and config.example.toml say what the code does: the archive template, the commands."""

from __future__ import annotations

import re
from datetime import date

from bot.cli import build_parser
from bot.sources.url import day_url
from tests.helpers import CORPUS, ROOT, needs_shared

README = (ROOT / "README.md").read_text("utf-8")
EXAMPLE = (ROOT / "config.example.toml").read_text("utf-8")
TEMPLATE = re.compile(r'url_template = "(https://raw\.githubusercontent\.com/[^"]+)"')


def test_the_archive_template_is_the_same_in_the_readme_and_the_example_config() -> None:
    [in_readme] = TEMPLATE.findall(README)
    [in_example] = TEMPLATE.findall(EXAMPLE)
    assert in_readme == in_example
    assert day_url(in_readme, date(2025, 3, 9)).endswith("/archive/2025/03/09.md")


@needs_shared(CORPUS)
def test_the_template_follows_the_archive_layout() -> None:
    [template] = TEMPLATE.findall(README)
    relative = day_url(template, date(2025, 3, 19)).split("/archive/", 1)[1]
    assert (CORPUS / relative).is_file()  # the shared copy is the archive/ folder of that repo


def test_every_command_is_in_the_readme() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, parser in commands.items():
        assert f"python -m bot {name}" in README, name
        nested = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        for action in nested:
            for sub in action.choices:
                assert f"python -m bot {name} {sub}" in README, f"{name} {sub}"
