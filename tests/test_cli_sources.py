"""`python -m bot poll`, `enrich` and `search --category` as a person runs them (in-process,
see tests/cli.py), a real database file, the arXiv stand-in on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli.sources import _bar
from tests.arxiv_standin import StandIn, serve
from tests.cli import cli as run_cli
from tests.helpers import SEEDS


async def cli(*args: str, config: Path) -> tuple[int, str, str]:
    """The command in a thread, so the stand-in on this test's loop answers it meanwhile."""
    ran = await asyncio.to_thread(run_cli, "--config", str(config), *args, cwd=config.parent)
    return ran.returncode, ran.stdout, ran.stderr


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with serve() as server:
        yield server


def write_config(tmp_path: Path, url: str, *, arxiv: bool = True) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{tmp_path / "p.db"}"\n'
        f'[sources]\nfolder = "seeds"\nhuggingface = false\narxiv = {str(arxiv).lower()}\n'
        f'arxiv_url = "{url}"\n'
        "arxiv_interval_seconds = 0\narxiv_batch = 10\nretries = 0\ntimeout_seconds = 5\n",
        encoding="utf-8",
    )
    return config


async def test_poll_ingests_every_source_and_completes_the_new_papers(
    tmp_path: Path, standin: StandIn
) -> None:
    titles = [("2503.14456", "RWKV-7"), ("2504.01990", "Advances and Challenges")]
    standin.add(titles)
    config = write_config(tmp_path, standin.url)
    code, out, err = await cli("poll", config=config)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"folder {tmp_path / 'seeds'}: 2 files, ") and " new," in lines[0]
    assert lines[1].startswith("arxiv: ") and "2 completed from arXiv" in lines[1]
    asked = {i for _, ids in standin.requests for i in ids}
    assert len(asked) == int(lines[1].split()[1]) == 39
    code, out, _ = await cli("show", "--json", "2503.14456", config=config)
    (shown,) = json.loads(out)
    made = standin.made["2503.14456"]
    assert shown["primary_category"] == made.primary
    assert shown["authors"] == list(made.authors)
    assert shown["sources"] == ["arxiv", "digest"]
    assert set(shown) >= {"categories", "abstract", "published", "updated", "version", "doi"}
    assert {"journal_ref", "comment", "upvotes", "github", "keywords"} <= set(shown)
    code, text, _ = await cli("show", "2503.14456", config=config)
    assert f"Category: {made.primary}: " in text and "Abstract:\nThe abstract of" in text
    again, out, _ = await cli("poll", config=config)
    assert again == 0 and "arxiv: 0 papers asked" in out  # unknown ids wait days, not polls


async def test_enrich_completes_the_backlog_and_says_what_is_left(
    tmp_path: Path, standin: StandIn
) -> None:
    config = write_config(tmp_path, standin.url, arxiv=False)
    code, _, err = await cli("ingest", str(tmp_path / "seeds"), config=config)
    assert code == 0, err
    code, _, err = await cli("enrich", config=config)
    assert code == 1 and err == "error: arXiv completion is off ([sources] arxiv = false)\n"
    config = write_config(tmp_path / "on", standin.url)
    shutil.copy(tmp_path / "p.db", tmp_path / "on" / "p.db")
    code, out, err = await cli("enrich", "--limit", "15", config=config)
    assert code == 0, err
    assert out.startswith("15 papers asked: 0 completed from arXiv, 15 unknown to arXiv;")
    assert out.rstrip().endswith("still pending")
    code, out, _ = await cli("enrich", config=config)
    assert code == 0 and out.endswith("0 still pending\n")
    code, out, _ = await cli("enrich", config=config)
    assert out == "Every paper is complete (or waiting to ask arXiv again).\n"


async def test_enrich_without_arxiv_is_one_line_and_a_failing_status(tmp_path: Path) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/api/query")
    assert (await cli("ingest", str(tmp_path / "seeds"), config=config))[0] == 0
    code, out, err = await cli("enrich", config=config)
    assert code == 1 and "Traceback" not in err
    assert "0 papers asked" in out and "stopped: arxiv: " in out


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
async def test_enrich_limit_must_be_positive(tmp_path: Path, limit: str) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/api/query")
    code, _, err = await cli("enrich", "--limit", limit, config=config)
    assert code == 2 and f"'{limit}' is not a positive whole number" in err


async def test_search_by_category_on_the_command_line(tmp_path: Path, standin: StandIn) -> None:
    config = write_config(tmp_path, standin.url)
    assert (await cli("ingest", str(tmp_path / "seeds"), config=config))[0] == 0
    code, out, _ = await cli(
        "search", "--json", "", "--category", "machine learning", config=config
    )
    assert code == 0 and len(json.loads(out)) == 5  # the seeds' digest topic label
    with sqlite3.connect(tmp_path / "p.db") as connection:
        standin.add(connection.execute("SELECT arxiv_id, title FROM papers").fetchall())
    assert (await cli("enrich", config=config))[0] == 0
    in_cl = {i for i, made in standin.made.items() if "cs.CL" in made.categories}
    assert in_cl
    # "abstract" is only in arXiv's abstracts (see tests/arxiv_standin.py): they are searchable.
    code, out, err = await cli(
        "search", "--json", "--limit", "100", "--category", "cs.CL", "abstract", config=config
    )
    assert code == 0, err
    assert {paper["arxiv_id"] for paper in json.loads(out)} == in_cl
    code, text, _ = await cli("search", "--category", "cs.CL", "abstract", config=config)
    assert text.startswith("1. ") and "  [cs.CL]" in text


def test_the_progress_bar_counts_papers(capsys: pytest.CaptureFixture[str]) -> None:
    _bar(50, 200)
    _bar(200, 200)
    err = capsys.readouterr().err
    assert (
        err
        == "\r[#######-----------------------] 50/200 papers\r[##############################] 200/200 papers\n"
    )


def test_poll_without_network_is_one_line_per_source_and_exit_1(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens there
    config.write_text(
        f'[database]\npath = "p.db"\n[sources]\nhuggingface_url = "{closed}/api/daily_papers"\n'
        f'arxiv_url = "{closed}/api/query"\nretries = 0\nlookback_days = 3\n',
        encoding="utf-8",
    )
    result = run_cli("--config", str(config), "poll", cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line]
    assert (
        len(errors) == 1
        and "huggingface: " in errors[0]
        and "failed after 1 attempt (" in errors[0]
    )
    assert "Traceback" not in result.stderr
