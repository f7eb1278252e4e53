"""`python -m bot` as a person runs it (in-process, see tests/cli.py), a real database file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from tests.cli import cli
from tests.helpers import DATA, ROOT, SEEDS


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "p.db"
    result = cli("ingest", str(SEEDS), str(DATA / "2025-03-20.md"), db=db)
    assert result.returncode == 0, result.stderr
    return db


def test_ingest_prints_a_summary_and_problems_with_file_and_line(tmp_path: Path) -> None:
    result = cli("ingest", str(SEEDS), str(DATA / "malformed.md"), db=tmp_path / "p.db")
    assert result.returncode == 1  # problems: what could be read is stored, and the exit says so
    assert (
        "3 files, 42 papers: 42 new, 0 updated, 0 unchanged, 0 removed; 4 problems" in result.stdout
    )
    assert f"{DATA / 'malformed.md'}:8: no arXiv id in row" in result.stderr


def test_ingest_exits_0_only_when_every_file_was_read_whole(tmp_path: Path) -> None:
    clean = cli("ingest", str(SEEDS), db=tmp_path / "p.db")
    assert clean.returncode == 0
    assert clean.stdout.strip() == (
        "2 files, 39 papers: 39 new, 0 updated, 0 unchanged, 0 removed; 0 problems"
    )
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "a.md").write_text("no digest here\n", "utf-8")
    (broken / "b.md").write_bytes(b"\xff\xfe garbage")
    failed = cli("ingest", str(broken), db=tmp_path / "p.db")
    assert failed.returncode == 1
    assert failed.stdout.startswith("2 files, 0 papers: ")


def test_ingest_twice_reports_the_unchanged_files(tmp_path: Path) -> None:
    cli("ingest", str(SEEDS), db=tmp_path / "p.db")
    result = cli("ingest", str(SEEDS), db=tmp_path / "p.db")
    assert result.returncode == 0
    assert result.stdout.strip() == "2 files, all unchanged since last time; 0 problems"
    one_more = tmp_path / "more"
    one_more.mkdir()
    (one_more / "2025-03-20.md").write_bytes((DATA / "2025-03-20.md").read_bytes())
    mixed = cli("ingest", str(SEEDS), str(one_more), db=tmp_path / "p.db")
    assert mixed.stdout.startswith(
        "3 files (2 unchanged since last time), 2 papers in the 1 read: 1 new, 1 updated,"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [("", "an empty path was given"), (" ", "an empty path was given"), ("{empty}", "no digest")],
)
def test_ingest_refuses_an_empty_path_or_a_folder_without_digests(
    tmp_path: Path, path: str, message: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.md").write_text("x", "utf-8")  # the current folder holds a .md: untouched
    result = cli(
        "ingest", path.format(empty=tmp_path / "empty"), db=tmp_path / "p.db", cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {message}")
    assert not (tmp_path / "p.db").exists()


def test_search_json_lists_papers_with_their_fields(seeded: Path) -> None:
    result = cli("search", "goose", "--json", "--limit", "1", db=seeded)
    assert result.returncode == 0, result.stderr
    [paper] = json.loads(result.stdout)
    assert paper["arxiv_id"] == "2503.14456"
    assert paper["title"] == 'RWKV-7 "Goose" with Expressive Dynamic State Evolution'
    assert paper["authors"] == ["saitejautpala", "Guangyu", "SmerkyG", "ZhangRC", "BlinkDL"]
    assert paper["category"] is None
    assert paper["days"] == ["2025-03-19", "2025-03-20"]
    assert paper["summary"] == "Listed again the next day."


def test_search_filters_on_the_command_line(seeded: Path) -> None:
    result = cli("search", "", "--author", "zoe", "--since", "2025-03-20", "--json", db=seeded)
    assert [p["arxiv_id"] for p in json.loads(result.stdout)] == ["2503.99999"]


def test_show_and_day_print_json(seeded: Path) -> None:
    shown = json.loads(cli("show", "arXiv:2503.14456v2", "--json", db=seeded).stdout)
    assert [p["arxiv_id"] for p in shown] == ["2503.14456"]
    day = json.loads(cli("day", "2025-04-04", "--json", db=seeded).stdout)
    assert day[0]["category"] == "Machine Learning"
    assert all(p["days"][-1] >= "2025-04-04" for p in day)


def test_text_output_shows_title_authors_and_links(seeded: Path) -> None:
    result = cli("show", "2503.99999", db=seeded)
    assert result.stdout.startswith("A New Paper About Zebras\narXiv 2503.99999\n")
    assert "Authors: Zoë Müller\n" in result.stdout
    assert "Listed: 2025-03-20\n" in result.stdout
    assert "https://arxiv.org/abs/2503.99999" in result.stdout
    search = cli("search", "zebras", db=seeded)
    assert "1. A New Paper About Zebras  (2503.99999; 2025-03-20)" in search.stdout  # piped: plain


def test_db_info_shows_the_schema_version(seeded: Path) -> None:
    result = cli("db", "info", db=seeded)
    assert "schema version: " in result.stdout
    assert "papers: 40" in result.stdout


def test_db_flag_beats_the_environment_which_beats_the_config(tmp_path: Path, seeded: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "from-config.db"}"\n', "utf-8")
    for name in ("from-config.db", "env.db"):
        (tmp_path / name).touch()  # an empty file is a database to open (a missing one is not)
    via_flag = cli(
        "--config", str(config), "--db", str(seeded), "db", "info", db=tmp_path / "env.db"
    )
    assert f"database: {seeded}" in via_flag.stdout
    via_env = cli("--config", str(config), "db", "info", db=tmp_path / "env.db")
    assert f"database: {tmp_path / 'env.db'}" in via_env.stdout
    via_config = cli("--config", str(config), "db", "info")
    assert f"database: {tmp_path / 'from-config.db'}" in via_config.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "/no/such/digest.md"], "error: /no/such/digest.md: no such file or folder"),
        (["day", "2025-13-01"], "'2025-13-01' is not a date; use YYYY-MM-DD"),
        (["search", "x", "--since", "yesterday"], "'yesterday' is not a date"),
        (
            ["--config", "/no/such.toml", "db", "info"],
            "error: config file /no/such.toml does not exist",
        ),
        (["show", "not-an-id"], "error: 'not-an-id' is not an arXiv id"),
    ],
)
def test_errors_are_one_clear_line_and_a_failing_exit(tmp_path: Path, args, message) -> None:
    result = cli(*args, db=tmp_path / "p.db")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_config_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[delivery]\ntimezone = 'Mars/Olympus'\n", "utf-8")
    result = cli("--config", str(config), "db", "info", db=tmp_path / "p.db")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {config}: [delivery] timezone: 'Mars/Olympus' is not an IANA timezone,"
        " like Europe/Paris or UTC"
    )


def test_the_example_config_loads_with_its_documented_defaults() -> None:
    config = load_config(ROOT / "config.example.toml", env={})
    assert config.bot.bookmark_emoji == "🔖"
    assert config.delivery.post_time == "09:00"
    assert config.sources.folder == ""  # the seeds are the offline demo, not a daily source


def test_paths_in_a_config_file_are_relative_to_its_folder(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "digests").mkdir()
    (tmp_path / "etc" / "digests" / "d.md").write_bytes((SEEDS / "2025-03-19.md").read_bytes())
    config = tmp_path / "etc" / "config.toml"
    config.write_text('[database]\npath = "p.db"\n[sources]\nfolder = "digests"\n', "utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = cli("--config", str(config), "ingest", "../etc/digests", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "etc" / "p.db").is_file()
    assert not (elsewhere / "p.db").exists()
    loaded = load_config(config, env={"PAPERBOY_DB": "here.db"})
    assert loaded.sources.folder == str(tmp_path / "etc" / "digests")
    assert loaded.database.path == "here.db"  # the environment is as typed, from the current folder


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bot]\ntokn = 'x'\n", "unknown key 'tokn' in [bot]"),
        ("[bots]\n", "unknown section [bots]"),
        ("[delivery]\ncatch_up_days = 'seven'\n", "[delivery] catch_up_days must be int"),
        ("[delivery]\npost_time = '9am'\n", "[delivery] post_time: '9am' is not a time"),
        ("[delivery]\nweekdays = ['funday']\n", "[delivery] weekdays"),
        ("[sources]\npoll_minutes = 0\n", "poll_minutes must be at least 1"),
        ("[bot]\nlog_level = 'LOUD'\n", "[bot] log_level must be one of DEBUG, INFO, WARNING"),
        ("[bot]\nbookmark_emoji = ' '\n", "[bot] bookmark_emoji must not be empty"),
        ("[delivery]\nbroken_after_days = 0\n", "broken_after_days must be at least 1, got 0"),
        ("[sources]\nretries = -1\n", "[sources] retries must be at least 0, got -1"),
        ("[sources]\nlookback_days = -2\n", "lookback_days must be at least 0, got -2"),
        ("[sources]\ntimeout_seconds = -1\n", "timeout_seconds must be more than 0"),
        ("[sources]\ntimeout_seconds = 0\n", "timeout_seconds must be more than 0"),
        ("[sources]\nfolder = 'no-such-folder'\n", "folder-is-missing"),
        ("[sources]\narxiv_batch = 0\n", "[sources] arxiv_batch must be between 1 and 2000"),
        ("[sources]\narxiv_interval_seconds = -1\n", "arxiv_interval_seconds must be 0 or more"),
        ("[sources]\narxiv_url = 'export.arxiv.org'\n", "[sources] arxiv_url must be an http"),
        ("[sources]\narxiv = 'yes'\n", "[sources] arxiv must be bool"),
        ("not toml at all [", "not valid TOML"),
    ],
)
def test_bad_configs_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    if message == "folder-is-missing":
        message = f"[sources] folder {tmp_path / 'no-such-folder'} is not a folder"
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert message in str(error.value)


def test_sane_values_at_the_edges_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[bot]\nlog_level = 'debug'\n[delivery]\nbroken_after_days = 1\ncatch_up_days = 0\n"
        "[sources]\nretries = 0\nlookback_days = 0\ntimeout_seconds = 0.5\nfolder = '.'\n",
        "utf-8",
    )
    config = load_config(path, env={})
    assert (config.sources.retries, config.sources.folder) == (0, str(tmp_path / "."))


def test_the_default_config_polls_hugging_face_daily_papers() -> None:
    config = load_config(ROOT / "config.example.toml", env={})
    assert config.sources.huggingface is True
    assert config.sources.huggingface_url == "https://huggingface.co/api/daily_papers"
    assert load_config(env={}).sources.huggingface is True


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[bot]\ntoken = 'from-file'\n", "utf-8")
    config = load_config(path, env={"DISCORD_TOKEN": "from-env", "PAPERBOY_DB": "/x.db"})
    assert (config.bot.token, config.database.path) == ("from-env", "/x.db")


def test_search_understands_field_syntax(seeded: Path) -> None:
    result = cli("search", "au:BlinkDL goose", "--json", db=seeded)
    assert [p["arxiv_id"] for p in json.loads(result.stdout)] == ["2503.14456"]
    none = cli("search", "au:BlinkDL zebras", "--json", db=seeded)
    assert json.loads(none.stdout) == []


def test_search_corrects_a_typo_and_says_so_on_stderr(seeded: Path) -> None:
    result = cli("search", "gose", "--json", db=seeded)
    assert json.loads(result.stdout)[0]["arxiv_id"] == "2503.14456"
    assert "Showing results for goose; search instead for gose with --exact" in result.stderr
    exact = cli("search", "gose", "--exact", "--json", db=seeded)
    assert json.loads(exact.stdout) == [] and "Showing" not in exact.stderr


def test_a_bad_field_is_one_line_and_status_1(seeded: Path) -> None:
    result = cli("search", "x since:March", db=seeded)
    assert result.returncode == 1
    assert result.stderr.startswith("error: 'March' is not a date")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_related_lists_other_papers_as_json(seeded: Path) -> None:
    result = cli("related", "2503.14456", "--json", db=seeded)
    assert result.returncode == 0, result.stderr
    found = [p["arxiv_id"] for p in json.loads(result.stdout)]
    assert found and "2503.14456" not in found
    unknown = cli("related", "2101.00001", db=seeded)
    assert unknown.returncode == 1 and "no paper 2101.00001" in unknown.stderr


def test_top_ranks_the_period_by_upvotes(seeded: Path) -> None:
    week = json.loads(cli("top", "--week", "--json", db=seeded).stdout)
    month = json.loads(cli("top", "--month", "--json", "--limit", "50", db=seeded).stdout)
    day = json.loads(cli("top", "--day", "--json", "--limit", "50", db=seeded).stdout)
    assert len(day) <= len(month) and week
    upvotes = [p["upvotes"] or 0 for p in month]
    assert upvotes == sorted(upvotes, reverse=True)
    assert all("2025-04-04" in p["days"] for p in day)
    text = cli("top", db=seeded)
    assert text.stdout.startswith("Top papers, ") and "1. " in text.stdout


def test_the_token_can_come_from_a_systemd_credential(tmp_path: Path) -> None:
    (tmp_path / "discord-token").write_text("from-credential\n", "utf-8")
    via_credential = load_config(env={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert via_credential.bot.token == "from-credential"
    both = {"CREDENTIALS_DIRECTORY": str(tmp_path), "DISCORD_TOKEN": "from-env"}
    assert load_config(env=both).bot.token == "from-env"
    assert load_config(env={"CREDENTIALS_DIRECTORY": str(tmp_path / "none")}).bot.token == ""
