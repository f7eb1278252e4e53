"""Pure text helpers shared by the store, the services and the edge."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

BOLD = "**"
LAST_SPACE = re.compile(r"\s\S*$")


@lru_cache(maxsize=65536)  # the same names are folded over and over by ingest and lookups
def fold(text: str) -> str:
    """Lower-case without accents: how author names are compared ('Germán' == 'german')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if c.isprintable() and not unicodedata.combining(c))
    return " ".join("".join(kept).split())


def plural(count: int, noun: str) -> str:
    """``1 file``, ``2 files``: regular English plurals only."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def trim(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut to fit with a trailing ellipsis.

    The cut falls between words (unless one word is most of the limit) and never inside a
    ``**bold**`` span: an opening ``**`` whose closing one would be cut off goes too.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    if not text[len(cut)].isspace():
        space = LAST_SPACE.search(cut)
        if space and space.start() >= limit // 2:
            cut = cut[: space.start()]
    cut = cut.rstrip()
    if cut.count(BOLD) % 2:
        cut = cut[: cut.rfind(BOLD)].rstrip()
    return (cut + "…") if cut or limit < 1 else "…"[:limit]


NAME_PUNCTUATION = str.maketrans({".": " ", ",": " ", ";": " "})


def name_terms(text: str) -> tuple[list[str], list[str]]:
    """A typed author name as (words, initials), folded: "LeCun, Y." -> (["lecun"], ["y"]).

    Order does not matter, so "Last, First" reads like "First Last".
    """
    tokens = fold(text).translate(NAME_PUNCTUATION).split()
    return [t for t in tokens if len(t) > 1], [t for t in tokens if len(t) == 1]


def name_matches(words: list[str], initials: list[str], folded_name: str) -> bool:
    """Every word is part of the name and every initial starts one of its names."""
    parts = folded_name.replace("-", " ").split()
    return all(word in folded_name for word in words) and all(
        any(part.startswith(initial) for part in parts) for initial in initials
    )
