"""Which of a day's papers match a follow, and why: pure, and computed once per distinct follow.

The rules, the same for every person (so 10,000 people following "diffusion" cost one match):
- author: a paper author whose folded name is the followed name, or holds it as whole words
  ("lecun" matches "Yann LeCun"; "le" does not);
- keyword: the words, as a phrase of whole words, in the title, summary or keywords;
- category: the paper's category, case-insensitively;
- search: the full search syntax (bot/search.py: words, "phrases", -exclusions, prefix*) over
  title, summary, authors and category, word for word as the FTS5 index reads them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import PaperRow
from bot.search import parse_query
from bot.text import fold

KINDS = ("author", "keyword", "category", "search")
WORD = re.compile(r"\w+")


def words(text: str) -> str:
    """Folded whole words joined by single spaces, padded so ' phrase ' finds whole words."""
    return " " + " ".join(WORD.findall(fold(text))) + " "


@dataclass(frozen=True, slots=True)
class Follow:
    """One thing a person follows; ``reason`` is how a match is explained to them."""

    id: int
    kind: str
    value: str

    @property
    def reason(self) -> str:
        return f"{self.kind}: {self.value}"


class _Indexed:
    __slots__ = ("authors", "category", "paper", "searchable", "text")

    def __init__(self, paper: PaperRow) -> None:
        self.paper = paper
        self.authors = [words(name) for name in paper.authors]
        self.category = fold(paper.category or "")
        self.text = words(f"{paper.title} {paper.summary} {' '.join(paper.keywords)}")
        self.searchable = words(
            f"{paper.title} {paper.summary} {' '.join(paper.authors)} {paper.category or ''}"
        )


def _phrase_test(phrase: str) -> re.Pattern[str]:
    """A search phrase as FTS5 reads it: '"a b"' or '"a b"*' (prefix on the last word)."""
    prefix = phrase.endswith("*")
    body = " ".join(WORD.findall(fold(phrase)))
    return re.compile(" " + re.escape(body) + ("" if prefix else " "))


class Matcher:
    """A day's papers, indexed once; ``matching(kind, value)`` is cached per distinct follow."""

    def __init__(self, papers: Sequence[PaperRow]) -> None:
        self.papers = [_Indexed(paper) for paper in papers]
        self._cache: dict[tuple[str, str], tuple[int, ...]] = {}

    def matching(self, kind: str, value: str) -> tuple[int, ...]:
        """Positions (in the papers given) of the papers this follow matches."""
        key = (kind, fold(value))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = tuple(self._match(kind, value))
        return found

    def _match(self, kind: str, value: str) -> list[int]:
        if kind == "category":
            wanted = fold(value)
            return [n for n, p in enumerate(self.papers) if wanted and p.category == wanted]
        if kind == "search":
            query = parse_query(value)
            include = [_phrase_test(phrase) for phrase in query.include]
            exclude = [_phrase_test(phrase) for phrase in query.exclude]
            if not include:
                return []
            return [
                n
                for n, p in enumerate(self.papers)
                if all(t.search(p.searchable) for t in include)
                and not any(t.search(p.searchable) for t in exclude)
            ]
        phrase = words(value)
        if not phrase.strip():
            return []
        if kind == "author":
            return [n for n, p in enumerate(self.papers) if any(phrase in a for a in p.authors)]
        if kind == "keyword":
            return [n for n, p in enumerate(self.papers) if phrase in p.text]
        raise ValueError(f"unknown kind of follow {kind!r}")

    def for_person(self, follows: Sequence[Follow]) -> list[tuple[PaperRow, tuple[str, ...]]]:
        """Each matching paper once, in the day's order, with every follow it matched."""
        reasons: dict[int, list[str]] = {}
        for follow in follows:
            for position in self.matching(follow.kind, follow.value):
                reasons.setdefault(position, []).append(follow.reason)
        return [(self.papers[n].paper, tuple(reasons[n])) for n in sorted(reasons)]
