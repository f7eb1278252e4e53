"""The arXiv category taxonomy, shipped with the bot (bot/arxiv_taxonomy.tsv), and the one way a
category people type becomes a filter: a code ("cs.CL", any case), a name ("Computation and
Language"), an archive ("cs.*" or "cs"), or else a digest's topic label as it is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.text import fold


@cache
def names() -> dict[str, str]:
    """code -> name for every arXiv category and archive."""
    text = resources.files("bot").joinpath("arxiv_taxonomy.tsv").read_text(encoding="utf-8")
    found = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            code, name = line.split("\t", 1)
            found[code.strip()] = name.strip()
    return found


@cache
def _codes_folded() -> dict[str, str]:
    return {code.casefold(): code for code in names()}


def name(code: str) -> str | None:
    """The name of an arXiv category code (any case), or None for anything else."""
    canonical = _codes_folded().get(code.strip().casefold())
    return names()[canonical] if canonical else None


def label(tag: str) -> str:
    """'cs.CL: Computation and Language' for an arXiv code; a topic label as it is."""
    known = name(tag)
    return f"{tag}: {known}" if known and known.casefold() != tag.casefold() else tag


@dataclass(frozen=True, slots=True)
class CategoryFilter:
    """Tags that match (compared without case) and archive prefixes ('cs.')."""

    tags: tuple[str, ...]
    prefixes: tuple[str, ...] = ()

    def matches(self, tags: Iterable[str]) -> bool:
        wanted = {tag.casefold() for tag in self.tags}
        prefixes = tuple(prefix.casefold() for prefix in self.prefixes)
        return any(t.casefold() in wanted or t.casefold().startswith(prefixes) for t in tags)


def resolve(text: str) -> CategoryFilter | None:
    """What a typed category means; None when nothing was typed."""
    typed = " ".join(text.split())
    if not typed:
        return None
    archive = typed.removesuffix("*").removesuffix(".")
    if typed.endswith("*") or ("." not in typed and archive.casefold() in _codes_folded()):
        known = _codes_folded().get(archive.casefold(), archive)
        return CategoryFilter((known,), (known + ".",))
    code = _codes_folded().get(typed.casefold())
    if code is not None:
        return CategoryFilter((code,))
    by_name = [c for c, n in names().items() if fold(n) == fold(typed)]
    archives = tuple(c + "." for c in by_name if "." not in c)  # "Computer Science": cs.*
    # The typed words are kept as a tag too: they may be a digest's topic label.
    return CategoryFilter((*by_name, typed), archives)
