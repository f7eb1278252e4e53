"""Embeds stay within Discord's limits whatever a digest holds: trimmed with an ellipsis, never failing."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from bot.edge.readers import bookmarks_embed, change_embed, digest_embed
from bot.edge.render import compact_embed, paper_embed, paper_list_embed, trim
from bot.models import Page, PaperRow, Saved
from bot.personal import ChangeNotice, DigestPart


def huge_paper(number: int = 1) -> PaperRow:
    return PaperRow(
        arxiv_id=f"2501.{number:05d}",
        title="A Very Long Title " * 40,
        authors=tuple(f"Author Number {i}" for i in range(400)),
        summary="word " * 3000,
        category="Category " * 200,
        arxiv_url=f"https://arxiv.org/abs/2501.{number:05d}",
        hf_url=f"https://huggingface.co/papers/2501.{number:05d}",
        days=tuple(date(2025, 1, d) for d in range(1, 29)),
    )


def test_trim_marks_what_it_cut() -> None:
    assert trim("short", 10) == "short"
    assert trim("x" * 20, 10) == "x" * 9 + "…"


def test_a_huge_paper_fits_one_embed() -> None:
    embed = paper_embed(huge_paper())
    assert len(embed.title) <= 256 and embed.title.endswith("…")
    assert len(embed.description) <= 4096
    assert all(len(field.value) <= 1024 and len(field.name) <= 256 for field in embed.fields)
    assert len(embed) <= 6000
    assert embed.url == "https://arxiv.org/abs/2501.00001"


def test_a_list_of_huge_papers_fits_one_embed() -> None:
    embed = paper_list_embed("T" * 400, [huge_paper(n) for n in range(1, 6)], footer="F" * 3000)
    assert len(embed.title) <= 256
    assert len(embed.description) <= 4096
    assert len(embed.footer.text) <= 2048
    assert len(embed) <= 6000
    assert embed.description.startswith("**1. [A Very Long Title")


def test_a_page_numbers_the_list_from_its_offset_and_says_which_page() -> None:
    papers = [huge_paper(n) for n in range(11, 16)]
    embed = paper_list_embed("Results", papers, Page(papers, offset=10, limit=5, has_more=True))
    assert embed.description.startswith("**11. [A Very Long Title")
    assert embed.footer.text == "Page 3"


def test_a_marked_paper_shows_the_matching_snippet_instead_of_the_summary() -> None:
    paper = replace(
        huge_paper(), summary="The whole summary.", snippet="…the \ue000goose\ue001 part…"
    )
    assert paper_embed(paper, marked=True).description == "…the **goose** part…"
    assert paper_embed(paper).description == "The whole summary."


def test_a_huge_full_record_fits_one_embed() -> None:
    paper = replace(
        huge_paper(),
        abstract="abstract " * 3000,
        primary_category="cs.CL",
        categories=("cs.CL", *(f"cs.X{i}" for i in range(300))),
        published="2025-01-01T00:00:00Z",
        updated="2025-02-01T00:00:00Z",
        version=7,
        doi="10.1000/" + "x" * 2000,
        journal_ref="J " * 1000,
        comment="c " * 1000,
        upvotes=10**9,
        github_repo="https://github.com/" + "a" * 2000,
        keywords=tuple(f"keyword, with comma {i}" for i in range(300)),
        sources=("arxiv", "digest", "huggingface"),
    )
    embed = paper_embed(paper, full=True)
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert all(len(field.value) <= 1024 and len(field.name) <= 256 for field in embed.fields)
    names = [field.name for field in embed.fields]
    assert names[:3] == ["Authors", "Category", "Categories"]
    assert {"DOI", "Journal ref", "Comment", "Upvotes", "GitHub", "Keywords", "Sources"} <= set(
        names
    )
    assert embed.footer.text == "arXiv 2501.00001v7"
    assert "**Abstract**" in (embed.description or "")


def test_a_post_stays_short_without_the_full_record() -> None:
    paper = replace(huge_paper(), abstract="abstract", doi="10.1/x", sources=("arxiv",))
    names = [field.name for field in paper_embed(paper).fields]
    assert names == ["Authors", "Category", "Listed", "Links"]


HOSTILE = PaperRow(
    arxiv_id="2503.99991",
    title="Evil](https://evil.example/t) **Bold** @everyone",
    authors=("Mallory [x](https://evil.example/a)",),
    summary="See [official code](https://evil.example/c)",
    category="<@&456>",
    arxiv_url="https://evil.example/arxiv.org/abs/2503.99991",
    hf_url="https://evil.example/huggingface.co/papers/2503.99991",
)
UNESCAPED_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)")


def embed_texts(embed) -> list[str]:
    return [embed.title or "", embed.description or "", *(f.value for f in embed.fields)]


def links_in(embed) -> set[str]:
    return {url for text in embed_texts(embed) for _, url in UNESCAPED_LINK.findall(text)}


def test_every_embed_shows_source_text_literally_and_links_only_what_paperboy_builds() -> None:
    ours = {"https://arxiv.org/abs/2503.99991", "https://huggingface.co/papers/2503.99991"}
    note = "read this\n# not a heading [x](https://evil.example/n) @here"
    embeds = [
        paper_embed(HOSTILE),
        paper_embed(HOSTILE, full=True),
        paper_list_embed("Results", [HOSTILE]),
        compact_embed(date(2025, 3, 21), [HOSTILE]),
        digest_embed(
            DigestPart(date(2025, 3, 21), date(2025, 3, 21), ((HOSTILE, ("kw: **x**",)),), 1)
        ),
        change_embed(ChangeNotice(((HOSTILE, "code: [here](https://evil.example/g)"),))),
        bookmarks_embed("Yours", [Saved(HOSTILE, "2025-03-21", note=note)]),
    ]
    for embed in embeds:
        assert links_in(embed) <= ours, embed.description
        assert embed.url in (None, "https://arxiv.org/abs/2503.99991")
        for text in embed_texts(embed):
            assert not re.search(r"(?<!\\)@(everyone|here)|(?<!\\)<@|^#", text, re.MULTILINE), text
