"""Pure text helpers shared by the store, the services and the edge."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)  # the same names are folded over and over by ingest and lookups
def fold(text: str) -> str:
    """Lower-case without accents: how author names are compared ('Germán' == 'german')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if c.isprintable() and not unicodedata.combining(c))
    return " ".join("".join(kept).split())


def trim(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut to fit with a trailing ellipsis."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
