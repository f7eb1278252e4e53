"""Which papers a follow matches: whole words, names, categories and the full search syntax."""

from __future__ import annotations

import pytest

from bot.matching import Follow, Matcher
from bot.models import PaperRow


def paper(
    arxiv_id: str,
    title: str,
    *,
    summary: str = "",
    abstract: str = "",
    authors=(),
    category=None,
    keywords=(),
):
    return PaperRow(
        arxiv_id=arxiv_id,
        title=title,
        summary=summary,
        abstract=abstract,
        authors=tuple(authors),
        category=category,
        keywords=tuple(keywords),
    )


PAPERS = [
    paper("1", "Reinforcement Learning from World Models", authors=["Yann LeCun", "Ana Lévy"]),
    paper("2", "A Diffusion Transformer", summary="We scale diffusion.", category="cs.CV"),
    paper("3", "Sparse attention", authors=["Germán Ros"], keywords=["RL", "long context"]),
    paper("4", "Lecun-style energy models", category="CS.LG"),
    paper("5", "Stray", summary="A paper with no category", abstract="About cs.LG and diffusion"),
]


def ids(kind: str, value: str) -> list[str]:
    return [PAPERS[n].arxiv_id for n in Matcher(PAPERS).matching(kind, value)]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("author", "Yann LeCun", ["1"]),
        ("author", "lecun", ["1"]),  # a surname alone, any case
        ("author", "le", []),  # not a piece of a word
        ("author", "german ros", ["3"]),  # accents folded
        ("author", "Y. LeCun", ["1"]),  # initials
        ("author", "LeCun, Yann", ["1"]),  # "Last, First"
        ("author", "X. LeCun", []),
        ("author", "Ros Germán", ["3"]),
        ("keyword", "rl", ["3"]),  # a keyword; "world" does not contain the word "rl"
        ("keyword", "world models", ["1"]),
        ("keyword", "models world", []),  # a phrase keeps its order
        ("keyword", "diffusion", ["2", "5"]),  # the abstract counts
        ("category", "cs.lg", ["4"]),
        ("category", "Machine Learning", ["4"]),  # the name of cs.LG
        ("category", "cs.*", ["2", "4"]),  # an archive
        ("category", "cs", ["2", "4"]),  # an archive's code is the archive
        ("category", "stat.ML", []),
        ("category", "vision", []),  # a name must be whole
        ("search", "diffusion -transformer", ["5"]),  # 2 says transformer
        ("search", 'spars* "attention"', ["3"]),
        ("search", "lecun", ["1", "4"]),  # search reads authors and titles
        ("search", '" NEAR( ) "', []),  # syntax people type is plain words, never FTS5 syntax
    ],
)
def test_follow_rules(kind: str, value: str, expected: list[str]) -> None:
    assert ids(kind, value) == expected


def test_a_person_gets_each_paper_once_with_every_reason() -> None:
    follows = [
        Follow(1, "author", "Yann LeCun"),
        Follow(2, "keyword", "world models"),
        Follow(3, "category", "cs.CV"),
    ]
    found = Matcher(PAPERS).for_person(follows)
    assert [(p.arxiv_id, why) for p, why in found] == [
        ("1", ("author: Yann LeCun", "keyword: world models")),
        ("2", ("category: cs.CV",)),
    ]


def test_the_same_follow_is_matched_once_for_everyone() -> None:
    matcher = Matcher(PAPERS)
    first = matcher.matching("keyword", "Diffusion")
    assert matcher.matching("keyword", "DIFFUSION") is first  # cached by folded value
