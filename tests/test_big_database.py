"""On a 100k-paper database, /paper search answers well inside Discord's 3-second window.

A deadline check (the interaction is acknowledged in time), not a benchmark: bench/search.py
measures speed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.config import DatabaseConfig
from tests.big_corpus import big_database

DISCORD_WINDOW = 3.0


@pytest.fixture(scope="session")
def big_db(tmp_path_factory) -> Path:
    return big_database(100_000, tmp_path_factory.mktemp("big"))


@pytest.mark.slow
@pytest.mark.parametrize("query", ["models", "language models -vision", '"large language"'])
async def test_search_on_100k_papers_answers_inside_the_window(
    big_db, fake_discord, run_bot, query
) -> None:
    fake_discord.add_guild().add_channel("papers")
    user = fake_discord.add_user("alice")
    async with run_bot(database=DatabaseConfig(path=str(big_db))):
        started = time.monotonic()
        interaction = await fake_discord.slash("paper search", user=user, query=query)
        response = await interaction.response(timeout=DISCORD_WINDOW)
        acknowledged = time.monotonic() - started
        assert response["type"] in (4, 5)
        assert acknowledged < DISCORD_WINDOW / 3, f"acknowledged after {acknowledged:.2f} s"
        reply = await interaction.reply(timeout=10)
        assert reply["embeds"][0]["description"].startswith("**1. [")
