"""What the command line prints: whole papers in `show`, cut listings, bold only on a terminal,
and every kind of bad input named in one line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.common import SUMMARY
from bot.models import Paper
from bot.text import trim
from tests.cli import cli
from tests.helpers import SEEDS, open_store

LONG = "2503.14378"  # a seed paper whose summary runs past 1,000 characters


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("out") / "p.db"
    assert cli("ingest", str(SEEDS), db=db).returncode == 0
    return db


def summary_of(db: Path, arxiv_id: str) -> str:
    [paper] = json.loads(cli("show", arxiv_id, "--json", db=db).stdout)
    return str(paper["summary"])


def test_show_prints_the_whole_summary(seeds_db: Path) -> None:
    summary = summary_of(seeds_db, LONG)
    assert len(summary) > 1000
    shown = cli("show", LONG, db=seeds_db).stdout
    assert f"\n{summary}\n" in shown
    assert "…" not in shown


async def test_show_prints_upvotes_code_and_keywords(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    paper = Paper(
        arxiv_id="2503.00001",
        title="A Paper With Everything",
        authors=("Ada",),
        summary="Short.",
        arxiv_url="https://arxiv.org/abs/2503.00001",
        upvotes=142,
        github_repo="https://github.com/x/y",
        keywords=("RWKV", "state tracking"),
        day=date(2025, 3, 20),
        position=1,
    )
    async with open_store(db) as store:
        await store.ingest(date(2025, 3, 20), [paper], "hf:2025-03-20")  # as the HF API
    shown = cli("show", "2503.00001", db=db).stdout.splitlines()
    assert "Upvotes: 142" in shown and "GitHub: https://github.com/x/y" in shown
    assert "Keywords: RWKV; state tracking" in shown


def test_a_listing_cuts_summaries_between_words_with_an_ellipsis(seeds_db: Path) -> None:
    summary = summary_of(seeds_db, LONG)
    listed = cli("day", "2025-03-19", db=seeds_db).stdout.splitlines()
    number = next(i for i, line in enumerate(listed) if f"({LONG};" in line)
    line = next(text for text in listed[number + 1 :] if text.endswith("…")).strip()
    assert len(line) <= SUMMARY
    kept = line[:-1]
    assert summary.startswith(kept)
    assert summary[len(kept)] == " "  # the cut fell between two words


@given(
    st.lists(
        st.one_of(st.text(alphabet="abc xyz", min_size=1, max_size=12), st.just("**")),
        max_size=40,
    ).map("".join),
    st.integers(min_value=1, max_value=80),
)
def test_trim_never_cuts_inside_bold_and_fits(text: str, limit: int) -> None:
    cut = trim(text, limit)
    assert len(cut) <= limit
    if cut != text.strip():
        assert cut.endswith("…")
        kept = cut[:-1]
        assert text.strip().startswith(kept)
        if text.strip().count("**") % 2 == 0:
            assert kept.count("**") % 2 == 0  # a span that is opened is closed


def test_trim_prefers_a_word_boundary() -> None:
    assert trim("the quick brown fox jumps", 12) == "the quick…"
    assert trim("see **the quick brown** fox jumps", 20) == "see…"
    assert trim("see **the quick** brown fox jumps", 22) == "see **the quick**…"
    assert trim("abcdefghijklmnopqrstuvwxyz", 10) == "abcdefghi…"  # one long word: cut it


def test_matches_are_bold_on_a_terminal_and_plain_when_piped(seeds_db: Path) -> None:
    on_terminal = cli("search", "goose", db=seeds_db, terminal=True).stdout
    assert "\033[1mGoose\033[0m" in on_terminal
    piped = cli("search", "goose", db=seeds_db).stdout
    assert 'RWKV-7 "Goose" with' in piped
    assert "**" not in piped and "\033[" not in piped


def test_words_starting_with_a_dash_exclude_instead_of_being_flags(seeds_db: Path) -> None:
    both = {p["arxiv_id"] for p in json.loads(cli("search", "video", "--json", db=seeds_db).stdout)}
    without = cli("search", "video", "-diffusion", "--json", db=seeds_db)
    assert without.returncode == 0, without.stderr
    kept = {p["arxiv_id"] for p in json.loads(without.stdout)}
    assert kept and kept < both
    assert all("diffusion" not in summary_of(seeds_db, arxiv_id).lower() for arxiv_id in kept)
    alone = cli("search", "-diffusion", db=seeds_db)
    assert alone.returncode == 1
    assert alone.stderr.strip() == (
        "error: '-diffusion' only excludes; add a word to look for, like: model -diffusion"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", 'error: nothing to search for: give words, "a phrase" or prefix*, or a filter'),
        ("!!! ...", "error: nothing to search for in '!!! ...'; use words"),
    ],
)
def test_an_empty_query_says_there_is_nothing_to_search_for(
    seeds_db: Path, query: str, message: str
) -> None:
    result = cli("search", query, db=seeds_db)
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert "No papers found" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--offset", "99999999999999999999"], "argument --offset: 99999999999999999999 is out"),
        (["--offset", "-1"], "argument --offset: -1 is out of range; use 0 to 1000000"),
        (["--limit", "0"], "argument --limit: 0 is out of range; use 1 to 100"),
        (["--limit", "-5"], "argument --limit: -5 is out of range"),
        (["--limit", "100000"], "argument --limit: 100000 is out of range"),
        (["--limit", "ten"], "argument --limit: 'ten' is not a whole number"),
    ],
)
def test_out_of_range_pages_are_refused_not_clamped(
    seeds_db: Path, args: list[str], message: str
) -> None:
    result = cli("search", "model", *args, db=seeds_db)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_page_with_more_after_it_says_how_to_get_it(seeds_db: Path) -> None:
    first = cli("search", "model", "--limit", "3", db=seeds_db)
    assert first.stderr.strip().splitlines()[-1] == "more: --offset 3"
    total = len(json.loads(cli("search", "model", "--limit", "100", "--json", db=seeds_db).stdout))
    last = cli("search", "model", "--limit", "3", "--offset", str(total - 1), db=seeds_db)
    assert "more:" not in last.stderr


def test_a_day_without_papers_names_the_nearest_days(seeds_db: Path) -> None:
    result = cli("day", "2025-03-25", db=seeds_db)
    assert result.returncode == 1
    assert result.stdout == ""  # no heading after the message
    assert result.stderr.strip() == (
        "error: no papers for 2025-03-25; the nearest days with papers: 2025-03-19 and 2025-04-04"
    )


def test_db_and_config_work_after_the_command_too(seeds_db: Path, tmp_path: Path) -> None:
    result = cli("db", "info", "--db", str(seeds_db), db=tmp_path / "other.db")
    assert f"database: {seeds_db}" in result.stdout
    found = cli("search", "goose", "--db", str(seeds_db), "--json", db=tmp_path / "other.db")
    assert json.loads(found.stdout)[0]["arxiv_id"] == "2503.14456"
    typo = cli("search", "goose", "--lmit", "3", db=seeds_db)
    assert typo.returncode == 2 and "unrecognized arguments: --lmit 3" in typo.stderr
