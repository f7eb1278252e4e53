"""Which of a day's papers match a follow, and why: pure, and computed once per distinct follow.

The rules, the same for every person (so 10,000 people following "diffusion" cost one match):
- author: a paper author whose name holds every word of the followed name as a whole word, in
  any order, and a name starting with each initial ("lecun", "Y. LeCun" and "LeCun, Yann" match
  "Yann LeCun"; "le" does not);
- keyword: the words, as a phrase of whole words, in the title, summary, abstract or keywords;
- category: a code (cs.CL), a name (Computation and Language), an archive (cs.*) or a topic
  label, as bot/taxonomy.py resolves it, against every category the paper is filed under;
- search: the full search syntax (bot/search.py: words, "phrases", -exclusions, prefix*) over
  title, summary, abstract, authors and category, word for word as the FTS5 index reads them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import PaperRow
from bot.search import parse_query
from bot.taxonomy import resolve
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
    __slots__ = ("authors", "paper", "searchable", "tags", "text")

    def __init__(self, paper: PaperRow) -> None:
        self.paper = paper
        self.authors = [words(name) for name in paper.authors]
        self.tags = (*paper.categories, *([paper.category] if paper.category else []))
        body = f"{paper.title} {paper.summary} {paper.abstract}"
        self.text = words(f"{body} {' '.join(paper.keywords)}")
        self.searchable = words(f"{body} {' '.join(paper.authors)} {paper.category or ''}")


def _index(texts: Sequence[str]) -> dict[str, set[int]]:
    """word -> positions of the texts holding it: a phrase is only checked where all its words are."""
    found: dict[str, set[int]] = {}
    for position, text in enumerate(texts):
        for word in set(text.split()):
            found.setdefault(word, set()).add(position)
    return found


def _phrase_test(phrase: str) -> tuple[list[str], bool, str]:
    """A search phrase as FTS5 reads it ('"a b"' or '"a b"*', a prefix on the last word): its
    words, whether the last is a prefix, and what the padded text must contain."""
    prefix = phrase.endswith("*")
    found = WORD.findall(fold(phrase))
    return found, prefix, " " + " ".join(found) + ("" if prefix else " ")


def _is_name(full: list[str], initials: list[str], name: str) -> bool:
    """``name`` (padded words) holds every full word whole and a word starting with each initial."""
    parts = name.split()
    return all(f" {word} " in name for word in full) and all(
        any(part.startswith(initial) for part in parts) for initial in initials
    )


class Matcher:
    """A day's papers, indexed once; ``matching(kind, value)`` is cached per distinct follow.

    Word indexes narrow each phrase to the papers holding all its words before the phrase itself
    is checked, so a follow that matches nothing today costs a few set lookups.
    """

    def __init__(self, papers: Sequence[PaperRow]) -> None:
        self.papers = [_Indexed(paper) for paper in papers]
        self._text = _index([p.text for p in self.papers])
        self._authors = _index([" ".join(p.authors) for p in self.papers])
        self._searchable = _index([p.searchable for p in self.papers])
        self._words = sorted(self._searchable)  # for prefixes: a range of this list
        self._cache: dict[tuple[str, str], tuple[int, ...]] = {}

    def matching(self, kind: str, value: str) -> tuple[int, ...]:
        """Positions (in the papers given) of the papers this follow matches."""
        found = self._cache.get((kind, value))  # as typed: most follows repeat exactly
        if found is None:
            key = (kind, fold(value))  # then as matched: "Diffusion" is "diffusion"
            found = self._cache.get(key)
            if found is None:
                found = self._cache[key] = tuple(sorted(self._match(kind, value)))
            self._cache[kind, value] = found
        return found

    def _candidates(self, index: dict[str, set[int]], terms: list[str], prefix: bool) -> set[int]:
        whole = terms[:-1] if prefix else terms
        sets = [index.get(word, set()) for word in whole]
        if prefix and terms:
            start = terms[-1]
            first = bisect.bisect_left(self._words, start)
            last = bisect.bisect_left(self._words, start + "\U0010ffff")
            sets.append({n for word in self._words[first:last] for n in index.get(word, ())})
        if not sets:
            return set()
        return set.intersection(*sets)

    def _match(self, kind: str, value: str) -> set[int]:
        if kind == "category":
            wanted = resolve(value)
            return {n for n, p in enumerate(self.papers) if wanted and wanted.matches(p.tags)}
        if kind == "search":
            query = parse_query(value)
            include = [_phrase_test(phrase) for phrase in query.include]
            exclude = [_phrase_test(phrase) for phrase in query.exclude]
            if not include:
                return set()
            found = set.intersection(
                *(self._candidates(self._searchable, terms, prefix) for terms, prefix, _ in include)
            )
            return {
                n
                for n in found
                if all(test in self.papers[n].searchable for _, _, test in include)
                and not any(test in self.papers[n].searchable for _, _, test in exclude)
            }
        terms = WORD.findall(fold(value))
        if not terms:
            return set()
        phrase = " " + " ".join(terms) + " "
        if kind == "author":
            full = [term for term in terms if len(term) > 1]
            initials = [term for term in terms if len(term) == 1]
            candidates = (
                self._candidates(self._authors, full, False) if full else range(len(self.papers))
            )
            return {
                n
                for n in candidates
                if any(_is_name(full, initials, name) for name in self.papers[n].authors)
            }
        if kind == "keyword":
            return {
                n
                for n in self._candidates(self._text, terms, False)
                if phrase in self.papers[n].text
            }
        raise ValueError(f"unknown kind of follow {kind!r}")

    def for_person(self, follows: Sequence[Follow]) -> list[tuple[PaperRow, tuple[str, ...]]]:
        """Each matching paper once, in the day's order, with every follow it matched."""
        reasons: dict[int, list[str]] = {}
        for follow in follows:
            for position in self.matching(follow.kind, follow.value):
                reasons.setdefault(position, []).append(follow.reason)
        return [(self.papers[n].paper, tuple(reasons[n])) for n in sorted(reasons)]
