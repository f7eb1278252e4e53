"""The digest parser, on the real archive and on hand-made broken digests."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digest import parse_digest
from bot.ids import normalize_arxiv_id
from bot.models import Paper
from tests.helpers import examples, needs_shared

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "daily-ai-papers"
SEEDS = ROOT / "seeds"
ARCHIVE = sorted(CORPUS.rglob("*.md")) if CORPUS.is_dir() else []
needs_corpus = needs_shared(CORPUS)


def parse(path: Path):
    return parse_digest(path.read_text(encoding="utf-8"), str(path))


def paper(path: Path, arxiv_id: str) -> Paper:
    found = [p for p in parse(path).papers if p.arxiv_id == arxiv_id]
    assert len(found) == 1, f"{arxiv_id} not found once in {path}"
    return found[0]


def table_rows(text: str) -> int:
    """Rows of a digest table counted the dumb way: lines that start a row."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return sum(
        1
        for line in rows
        if not re.match(r"^\|\s*(Title|Category)\s*\|", line) and not re.match(r"^\|[-|: ]+$", line)
    )


@needs_corpus
@pytest.mark.parametrize("path", ARCHIVE + sorted(SEEDS.glob("*.md")), ids=lambda p: p.name)
def test_every_real_digest_parses_without_problems(path: Path) -> None:
    digest = parse(path)
    assert digest.problems == []
    assert len(digest.papers) == table_rows(path.read_text(encoding="utf-8"))
    assert [p.position for p in digest.papers] == list(range(1, len(digest.papers) + 1))


@needs_corpus
def test_the_whole_archive_yields_every_row() -> None:
    files = ARCHIVE + sorted(SEEDS.glob("*.md"))
    assert sum(len(parse(path).papers) for path in files) == 2510


@needs_corpus
def test_title_wrapped_over_three_lines_is_joined_cleanly() -> None:
    row = paper(CORPUS / "2025/08/13.md", "2508.09050")
    assert row.title == (
        "Bridging Theory and Practice in Quantum Game Theory: Optimized Implementation of the "
        "Battle of the Sexes with Error Mitigation on NISQ Hardware"
    )
    assert row.authors == (
        "Jhon Alejandro Andrade",
        "Mateo Buenaventura Samboni",
        "Carlos Andres Duran Paredes",
        "Germán Díaz Agreda",
        "sebasmos",
    )
    assert row.day == date(2025, 8, 13)
    assert row.summary.startswith(
        'This paper reports the experimental realization of the quantum "Battle'
    )
    assert row.arxiv_url == "https://arxiv.org/abs/2508.09050"
    assert row.hf_url == "https://huggingface.co/papers/2508.09050"


@needs_corpus
def test_wrapped_title_with_a_second_line() -> None:
    row = paper(CORPUS / "2025/09/23.md", "2509.17399")
    assert "  " not in row.title
    assert row.title.endswith(
        "India: Dataset and Assessment of LLMs for Cultural Text Adaptation in Indian Context"
    )
    assert row.authors == ("Maunendra Sankar Desarkar", "mrajbrahma", "pramitsahoo")


@needs_corpus
def test_link_column_row() -> None:
    digest = parse(CORPUS / "2024/09/05.md")
    first = digest.papers[0]
    assert first.arxiv_id == "2409.02889"
    assert (
        first.title
        == "LongLLaVA: Scaling Multi-modal LLMs to 1000 Images Efficiently via Hybrid Architecture"
    )
    assert first.authors == ("Benyou Wang", "Chen Zhang", "Shunian Chen", "Xidong Wang", "songdj")
    assert first.arxiv_url == "https://arxiv.org/abs/2409.02889"
    assert first.hf_url == "https://huggingface.co/papers/2409.02889"
    assert first.summary.endswith("and multi-modal agents.")
    assert first.category is None


@needs_corpus
def test_dash_read_more_title() -> None:
    first = parse(CORPUS / "2024/09/09.md").papers[0]
    assert first.title == (
        "How Do Your Code LLMs Perform? Empowering Code Instruction Tuning with High-Quality Data"
    )
    assert first.arxiv_id == "2409.03810"
    assert first.authors == ("mdizhang", "bitwjg", "dongguanting", "fudayuan", "banksy235")


def test_category_column_row() -> None:
    digest = parse(SEEDS / "2025-04-04.md")
    first = digest.papers[0]
    assert first.category == "Machine Learning"
    assert first.arxiv_id == "2504.01990"
    assert first.title == (
        "Advances and Challenges in Foundation Agents: From Brain-Inspired Intelligence to "
        "Evolutionary, Collaborative, and Safe Systems"
    )
    assert first.authors == ("KaitaoSong", "JinlinW", "Peiyan", "xinfeng1i", "Bang-UdeM-Mila")
    assert first.summary.startswith("This survey provides a comprehensive overview")
    assert {p.category for p in digest.papers} >= {"Machine Learning"}


@needs_corpus
def test_empty_author_cell_gives_no_authors() -> None:
    row = paper(CORPUS / "2025/09/29.md", "2509.22622")
    assert row.title == "LongLive: Real-time Interactive Long Video Generation"
    assert row.authors == ()
    assert row.summary.startswith("LONGLIVE")


@needs_corpus
def test_non_ascii_text_is_kept() -> None:
    row = paper(CORPUS / "2025/06/24.md", "2506.16929")
    assert row.title.endswith("in the context of São Paulo")
    assert "  " not in row.title


def test_first_and_last_row_of_a_seed() -> None:
    digest = parse(SEEDS / "2025-03-19.md")
    assert digest.day == date(2025, 3, 19)
    assert digest.papers[0].arxiv_id == "2503.14456"
    assert digest.papers[0].title == 'RWKV-7 "Goose" with Expressive Dynamic State Evolution'
    assert digest.papers[0].authors == ("saitejautpala", "Guangyu", "SmerkyG", "ZhangRC", "BlinkDL")
    last = digest.papers[-1]
    assert last.position == len(digest.papers)
    assert last.arxiv_url == f"https://arxiv.org/abs/{last.arxiv_id}"


def test_malformed_rows_are_reported_with_their_lines_and_the_rest_is_kept() -> None:
    path = DATA / "malformed.md"
    digest = parse(path)
    assert [p.arxiv_id for p in digest.papers] == ["2501.00001", "2501.00002", "2501.00005"]
    assert [str(problem) for problem in digest.problems] == [
        f"{path}:8: no arXiv id in row for 'A Row Without Any Link'",
        f"{path}:9: expected 3 cells, found 2",
        f"{path}:12: empty title",
        f"{path}:13: arXiv 2501.00001 already listed on line 7; kept the first",
    ]
    second = digest.papers[1]
    assert second.authors == ()
    assert second.summary == "Second summary, no authors."
    assert digest.papers[2].summary == "Summary with a pipe | inside it."


def test_day_comes_from_the_file_name_when_there_is_no_heading() -> None:
    digest = parse(DATA / "2025-02-03.md")
    assert digest.day == date(2025, 2, 3)
    assert [p.title for p in digest.papers] == ["Headless Paper"]


def test_a_file_with_no_day_is_one_problem() -> None:
    digest = parse(DATA / "notes.md")
    assert digest.papers == []
    assert [str(p) for p in digest.problems] == [
        f"{DATA / 'notes.md'}:1: no '## Papers for YYYY-MM-DD' heading and no date in the file name"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2503.14456",
        "arXiv:2503.14456v2",
        " https://arxiv.org/abs/2503.14456v1 ",
        "https://arxiv.org/pdf/2503.14456",
        "https://huggingface.co/papers/2503.14456",
        "<https://arxiv.org/abs/2503.14456>",
    ],
)
def test_arxiv_ids_in_every_shape_mean_the_same_paper(text: str) -> None:
    assert normalize_arxiv_id(text) == "2503.14456"


@pytest.mark.parametrize(
    "text", ["", "hello", "2503", "12345.6789", "https://example.org/2503.14456"]
)
def test_things_that_are_not_arxiv_ids(text: str) -> None:
    assert normalize_arxiv_id(text) is None


SEED_TEXT = (SEEDS / "2025-03-19.md").read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.splitlines()


@st.composite
def mutated_digest(draw: st.DrawFn) -> str:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "pipe", "truncate"]))
        index = draw(st.integers(0, max(0, len(lines) - 1)))
        if not lines:
            break
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            lines.insert(index, draw(st.text(max_size=80)))
        elif action == "pipe":
            at = draw(st.integers(0, len(lines[index])))
            lines[index] = lines[index][:at] + "|" + lines[index][at:]
        else:
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
    return "\n".join(lines)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_digest())
def test_mutated_digests_never_raise_and_problems_point_inside_the_file(text: str) -> None:
    digest = parse_digest(text, "fuzz.md")
    line_count = max(1, len(text.splitlines()))
    for problem in digest.problems:
        assert 1 <= problem.line <= line_count
    assert len({p.arxiv_id for p in digest.papers}) == len(digest.papers)


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises(text: str) -> None:
    digest = parse_digest(text, "2025-01-01.md")
    assert all(problem.line >= 1 for problem in digest.problems)


def test_a_heading_with_an_impossible_date_says_so_not_no_heading() -> None:
    text = "## Papers for 2025-13-45\n\n| Title | Authors | Summary |\n|---|---|---|\n"
    text += "| X (Read more on [arXiv](https://arxiv.org/abs/2503.00001)) | A | S |\n"
    alone = parse_digest(text, "digest.md")
    assert alone.day is None and alone.papers == []
    assert [(p.line, p.reason) for p in alone.problems] == [
        (1, "the heading's date 2025-13-45 is not a real date")
    ]
    named = parse_digest(text, "archive/2025/03/19.md")
    assert named.day == date(2025, 3, 19) and len(named.papers) == 1
    assert [p.reason for p in named.problems] == [
        "the heading's date 2025-13-45 is not a real date; used 2025-03-19 from the file name"
    ]
