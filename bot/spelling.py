"""Forgiving words: a word's other grammatical number, and typo corrections drawn from what the
papers really say. Pure: how many papers hold a word comes from the caller (the derived index's
term dictionary, or FTS5 when the index cannot serve).
"""

from __future__ import annotations

import string
from collections.abc import Awaitable, Callable, Container, Iterable, Mapping, Sequence

from bot.query import Query
from bot.text import fold

FEW = 3  # fewer hits than this and the query is retried with typo corrections
# Longer words are not corrected: no real word is this long, and the candidates one edit away
# grow with the length times the alphabet (a 10 KB "word" took 40 s and gigabytes).
LONGEST_TYPO = 30
CORRECTION_FACTOR = 20  # a correction must be this many times more common than the typed word
COUNT_CAP = 500  # word counts stop here: enough to compare, cheap for common words
LETTERS = string.ascii_lowercase

# How many papers hold each word (counted up to the cap; absent words left out).
Counter = Callable[[Iterable[str], int], Awaitable[dict[str, int]]]


def plural_forms(word: str) -> list[str]:
    """The other grammatical number of an English word, as candidates (the index says which exist)."""
    if len(word) < 3 or not word.isalpha():
        return []
    if word.endswith("ies") and len(word) > 4:
        return [word[:-3] + "y"]
    if word.endswith(("ss", "us", "is")):
        return [word + "es"]
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return [word[:-2], word[:-1]]
    if word.endswith("s"):
        return [word[:-1]]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word[:-1] + "ies"]
    if word.endswith(("x", "z", "ch", "sh")):
        return [word + "es"]
    return [word + "s"]


def query_forms(query: Query) -> dict[str, list[str]]:
    """For each plain word of ``query``, its other singular/plural forms as candidates."""
    return {term.words[0]: plural_forms(fold(term.words[0])) for term in query.terms if term.bare}


def existing_forms(
    candidates: Mapping[str, Sequence[str]], exists: Container[str]
) -> dict[str, list[str]]:
    """``candidates`` (see query_forms) cut to the forms an index holds, words left with none
    left out: what search ORs with each word (``exists``: the forms the index holds)."""
    found = {word: [form for form in forms if form in exists] for word, forms in candidates.items()}
    return {word: forms for word, forms in found.items() if forms}


def slip(typed: str, meant: str) -> float:
    """How much likelier than a plain one-letter slip typing ``typed`` for ``meant`` is.

    First letters are rarely wrong; a doubled letter typed once (or once typed twice) is the
    commonest slip, then two swapped letters.
    """
    weight = 1.0 if typed[:1] == meant[:1] else 0.05
    if len(typed) != len(meant):
        longer, shorter = (typed, meant) if len(typed) > len(meant) else (meant, typed)
        at = next(
            (i for i, (a, b) in enumerate(zip(shorter, longer, strict=False)) if a != b),
            len(shorter),
        )
        if at > 0 and longer[at] == longer[at - 1]:
            weight *= 10
    elif sorted(typed) == sorted(meant):
        weight *= 4
    return weight


def one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    return (deletes | swaps | changes | inserts) - {word}


async def corrections(query: Query, count: Counter) -> dict[str, str]:
    """Plain words of ``query`` that look like typos, each with the index word to try instead.

    Candidates are the index's words one edit away, weighed by how many papers hold them
    (counted up to COUNT_CAP) times how likely that slip is (see ``slip``).
    """
    words = {
        term.words[0]: fold(term.words[0])
        for term in query.terms
        if term.bare and 3 <= len(term.words[0]) <= LONGEST_TYPO and term.words[0].isalpha()
    }
    if not words:
        return {}
    own = await count(words.values(), COUNT_CAP)
    # A word many papers use is no typo; only rare or unknown ones get candidates.
    rare = {w: f for w, f in words.items() if own.get(f, 0) * CORRECTION_FACTOR < COUNT_CAP}
    edits = {word: one_edit(folded) for word, folded in rare.items()}
    counts = own | await count(set().union(*edits.values()), COUNT_CAP)
    found = {}
    for word, folded in rare.items():
        known = [
            (counts[edit] * slip(folded, edit), edit) for edit in edits[word] if edit in counts
        ]
        if not known:
            continue
        _, best = min(known, key=lambda pair: (-pair[0], pair[1]))
        if counts[best] >= max(1, CORRECTION_FACTOR * counts.get(folded, 0)):
            found[word] = best
    return found
