"""Pure text helpers shared by the store, the services and the edge."""

from __future__ import annotations

import re
import unicodedata

BOLD = "**"
LAST_SPACE = re.compile(r"\s\S*$")


def fold(text: str) -> str:
    """Lower-case without accents: how author names are compared ('Germán' == 'german')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (c for c in decomposed if c.isprintable() and not unicodedata.combining(c))
    return " ".join("".join(kept).split())


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
