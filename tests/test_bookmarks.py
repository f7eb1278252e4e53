"""BookmarkService on a real SQLite file: saving, paging, the message mapping, exports, forgetting."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.bookmarks import BookmarkService, bibtex, markdown
from bot.db import Database, PaperStore
from bot.models import Saved
from tests.helpers import ingest

SPECIAL = "2504.00001"
PLAIN = "2504.00002"
DIGEST = """## Papers for 2025-04-01

| Title | Authors | Summary |
|-------|---------|---------|
| Braces {and} 100% of R&D_x with $5 #1 ~ ^ \\alpha, "quoted" (Read more on \
[arXiv](https://arxiv.org/abs/2504.00001) or \
[HuggingFace](https://huggingface.co/papers/2504.00001))| Zoë Müller, O'Brien {Jr} | Special. |
| Plain Second Paper (Read more on [arXiv](https://arxiv.org/abs/2504.00002) or \
[HuggingFace](https://huggingface.co/papers/2504.00002))| Ann Lee | Plain. |
"""


class Clock:
    """Each call is one minute later, so bookmark order is well defined."""

    def __init__(self) -> None:
        self.now = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


async def open_service(path: Path) -> tuple[Database, BookmarkService]:
    db = await Database.open(path)
    return db, BookmarkService(db, PaperStore(db), Clock())


@pytest.fixture
async def db_path(tmp_path: Path, empty_db: Path) -> Path:
    digest = tmp_path / "2025-04-01.md"
    digest.write_text(DIGEST, encoding="utf-8")
    path = empty_db
    db = await Database.open(path)
    try:
        report = await ingest(PaperStore(db), digest)
        assert report.new == 2
    finally:
        await db.close()
    return path


@pytest.fixture
async def service(db_path: Path) -> AsyncIterator[BookmarkService]:
    db, bookmarks = await open_service(db_path)
    try:
        yield bookmarks
    finally:
        await db.close()


async def ids(service: BookmarkService, user_id: int) -> list[str]:
    return [paper.arxiv_id for paper in (await service.saved(user_id, limit=100)).items]


async def test_add_is_new_once_and_unknown_papers_are_refused(service) -> None:
    assert await service.add(1, SPECIAL) is True
    assert await service.add(1, SPECIAL) is False
    assert await service.add(1, "2999.99999") is False
    assert await ids(service, 1) == [SPECIAL]


async def test_list_is_newest_first_and_paged(service) -> None:
    await service.add(1, SPECIAL)
    await service.add(1, PLAIN)
    first = await service.saved(1, limit=1)
    assert [p.arxiv_id for p in first.items] == [PLAIN] and first.has_more
    second = await service.saved(1, limit=1, offset=1)
    assert [p.arxiv_id for p in second.items] == [SPECIAL] and not second.has_more


async def test_remove_and_clear_touch_only_that_user(service) -> None:
    for user in (1, 2):
        await service.add(user, SPECIAL)
        await service.add(user, PLAIN)
    assert await service.remove(1, SPECIAL) is True
    assert await service.remove(1, SPECIAL) is False
    assert await ids(service, 1) == [PLAIN]
    assert await service.clear(2) == 2
    assert await ids(service, 2) == []
    assert await ids(service, 1) == [PLAIN]
    assert await service.forget_user(1) == (1, 0)  # (bookmarks, notes)
    assert await ids(service, 1) == []


async def test_message_mapping_is_stored_and_survives_reopening(db_path, service) -> None:
    await service.remember_message(10, 20, 30, [SPECIAL, PLAIN, "2999.99999"])
    await service.remember_message(10, 20, 30, [SPECIAL])  # remembered twice: no error, no dupes
    assert await service.papers_for_message(10) == [SPECIAL, PLAIN]
    assert await service.papers_for_message(11) == []
    db, again = await open_service(db_path)
    try:
        assert await again.papers_for_message(10) == [SPECIAL, PLAIN]
    finally:
        await db.close()


async def test_bibtex_escapes_specials_and_names_the_arxiv_eprint(service) -> None:
    await service.add(1, SPECIAL)
    filename, content = await service.export(1, "bibtex")
    assert filename == "bookmarks.bib"
    assert content.decode() == (
        "@misc{arxiv250400001,\n"
        "  title = {{Braces \\{and\\} 100\\% of R\\&D\\_x with \\$5 \\#1 \\textasciitilde{}"
        ' \\textasciicircum{} \\textbackslash{}alpha, "quoted"}},\n'
        "  author = {Zoë Müller and O'Brien \\{Jr\\}},\n"
        "  year = {2025},\n"
        "  eprint = {2504.00001},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2504.00001},\n"
        "  note = {Bookmarked with paperboy on 2025-04-02; unread}\n"
        "}\n"
    )


async def test_bibtex_keys_are_unique_and_primary_class_only_for_arxiv_classes(service) -> None:
    paper = await service.store.papers.get(PLAIN)
    saved = [
        Saved(replace(paper, category="cs.CL"), "2025-04-02"),
        Saved(replace(paper, arxiv_id="hep-th/9901001", category="Machine Learning"), "2025-04-02"),
    ]
    text = bibtex(saved)
    assert text.count("@misc{arxiv250400002,") == 1
    assert text.count("@misc{arxivhepth9901001,") == 1
    assert text.count("primaryClass") == 1
    assert "  primaryClass = {cs.CL},\n" in text


async def test_csv_round_trips_every_column(service) -> None:
    await service.add(1, SPECIAL)
    filename, content = await service.export(1, "csv")
    assert filename == "bookmarks.csv"
    [row] = list(csv.DictReader(io.StringIO(content.decode())))
    assert row == {
        "arxiv_id": SPECIAL,
        "title": 'Braces {and} 100% of R&D_x with $5 #1 ~ ^ \\alpha, "quoted"',
        "authors": "Zoë Müller; O'Brien {Jr}",
        "category": "",
        "days": date(2025, 4, 1).isoformat(),
        "arxiv_url": "https://arxiv.org/abs/2504.00001",
        "hf_url": "https://huggingface.co/papers/2504.00001",
        "bookmarked_at": "2025-04-02T09:01:00+00:00",
        "read_at": "",
        "note": "",
    }


async def test_markdown_lists_links_newest_first(service) -> None:
    await service.add(1, SPECIAL)
    await service.add(1, PLAIN)
    filename, content = await service.export(1, "markdown")
    assert filename == "bookmarks.md"
    lines = content.decode().splitlines()
    assert lines[0] == "# My paperboy bookmarks"
    assert lines[2] == (
        "- [ ] [Plain Second Paper](https://arxiv.org/abs/2504.00002) — Ann Lee"
        " ([arXiv](https://arxiv.org/abs/2504.00002)"
        " · [Hugging Face](https://huggingface.co/papers/2504.00002))"
    )
    assert lines[3].startswith(
        '- [ ] [Braces {and} 100% of R&D_x with $5 #1 ~ ^ \\\\alpha, "quoted"]'
        "(https://arxiv.org/abs/2504.00001) — Zoë Müller, O'Brien {Jr}"
    )


async def test_markdown_keeps_a_bracketed_title_inside_its_link(service) -> None:
    paper = replace(await service.store.papers.get(PLAIN), title="On [MASK] tokens")
    assert "- [ ] [On \\[MASK\\] tokens](https://arxiv.org/abs/2504.00002)" in markdown(
        [Saved(paper, "2025-04-02")]
    )


async def test_unknown_export_format_names_the_choices(service) -> None:
    with pytest.raises(ValueError, match="choose one of bibtex, csv, markdown"):
        await service.export(1, "pdf")
