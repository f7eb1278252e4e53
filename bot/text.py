"""Pure text helpers shared by the store, the services and the edge."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case without accents: how author names are compared ('Germán' == 'german')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if c.isprintable() and not unicodedata.combining(c))
    return " ".join("".join(kept).split())


def trim(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut to fit with a trailing ellipsis."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
