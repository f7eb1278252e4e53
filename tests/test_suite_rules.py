"""The suite's own rules: which tests a run selects, and who may import whom outside the bot.

tests/ and bench/ never import each other. Both use synthetic_corpus.py (top level) and the fake
Discord, a package of its own: its folder is tests/fakediscord/, pyproject.toml installs it as
``fakediscord``, and everyone imports it by that name only.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

import fakediscord
from tests.conftest import slow_tests_run

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "fakediscord"


@functools.cache
def imported(folder: Path) -> tuple[tuple[str, str], ...]:
    """(file, module) for every absolute import in the Python files under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [(str(path), name) for name in names]
    return tuple(found)


def offending(folder: Path, allowed: tuple[str, ...], *prefixes: str) -> list[tuple[str, str]]:
    return [
        (file, module)
        for file, module in imported(folder)
        if module.split(".")[0] in prefixes
        and not any(module == ok or module.startswith(ok + ".") for ok in allowed)
    ]


def test_tests_never_import_bench() -> None:
    assert offending(ROOT / "tests", (), "bench") == []


def test_bench_never_imports_tests() -> None:
    assert offending(ROOT / "bench", (), "tests") == []


def test_the_fake_discord_is_imported_by_its_own_name_only() -> None:
    """``tests.fakediscord`` would load a second copy of the fake beside ``fakediscord``: two
    FakeDiscord classes, two sets of state."""
    for folder in (ROOT / "tests", ROOT / "bench"):
        assert offending(folder, ("tests.fakediscord",), "tests") == offending(folder, (), "tests")


def test_the_fake_discord_stands_alone() -> None:
    """Publishable on its own: nothing from paperboy or the rest of tests/, and its own modules
    imported relatively, so it works under any name and from any folder."""
    assert offending(FAKE, (), "tests", "bot", "cogs", "bench", "fakediscord") == []


def test_fakediscord_is_this_checkouts_tests_fakediscord_folder() -> None:
    """The installed name maps to the folder (``pip install -e .``), not to some other package."""
    assert Path(fakediscord.__file__).parent.parts[-2:] == ("tests", "fakediscord")
    assert fakediscord.FakeDiscord.__module__ == "fakediscord.server"


def test_the_check_flags_forbidden_imports_and_passes_allowed_ones(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text(
        "import bench.search\nfrom fakediscord import FakeDiscord\n"
        "from tests.helpers import DATA\nimport benchmark\nfrom . import rest\n"
        "from tests.fakediscord.server import FakeDiscord\n"
    )
    flagged = [module for _, module in offending(tmp_path, (), "tests", "bench")]
    assert flagged == ["bench.search", "tests.helpers", "tests.fakediscord.server"]
    assert [m for _, m in offending(tmp_path, (), "fakediscord")] == ["fakediscord"]


@pytest.mark.parametrize(
    ("asked", "environ", "runs"),
    [
        (False, {}, False),
        (False, {"CI": "true"}, True),
        (False, {"CI": "1"}, True),
        (False, {"CI": "false"}, False),
        (False, {"CI": ""}, False),
        (True, {}, True),
    ],
)
def test_slow_tests_run_when_asked_or_on_ci(
    asked: bool, environ: dict[str, str], runs: bool
) -> None:
    assert slow_tests_run(asked, environ) is runs


def test_the_subprocess_and_100k_paper_tests_are_marked_slow() -> None:
    from tests import test_big_database, test_sigkill

    for test in (
        test_sigkill.test_sigkill_mid_fan_out_posts_each_paper_once,
        test_big_database.test_search_on_100k_papers_answers_inside_the_window,
    ):
        assert "slow" in [mark.name for mark in test.pytestmark]


def test_tests_that_read_shared_skip_locally_but_fail_on_ci(tmp_path) -> None:
    """Without ../shared a local run skips the corpus tests; CI=true makes them fail instead."""
    from tests.helpers import CORPUS, needs_shared

    absent = tmp_path / "shared" / "corpus"
    [local] = needs_shared(absent, {}).mark.kwargs.get("reason", "").split(" is absent")[:1]
    assert needs_shared(absent, {}).mark.name == "skip" and local == str(absent)
    on_ci = needs_shared(absent, {"CI": "true"}).mark
    assert (on_ci.name, on_ci.args) == ("usefixtures", ("missing_shared",))
    if CORPUS.exists():
        assert needs_shared(CORPUS, {"CI": "true"}).mark.name == "shared"  # present: runs
