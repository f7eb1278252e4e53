"""One true record per paper: each source's values, kept apart, and the precedence that picks what
is shown. Pure: no SQL. The store keeps ``Values`` per paper and calls ``shown`` after each change.

Within one source a field keeps the value of the newest (day, origin) that carried it, so a later
day that lacks a field (a degraded item with only an id and a title) changes nothing it does not
carry. Across sources, ``shown`` applies PRECEDENCE field by field. Both steps are independent of
the order values arrived in: the same values give the same record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.models import Paper
from bot.text import fold

ARXIV, HUGGINGFACE, DIGEST = "arxiv", "huggingface", "digest"
SOURCES = (ARXIV, HUGGINGFACE, DIGEST)

# field shown <- (source, field) in order of preference; the first one present wins.
PRECEDENCE: dict[str, tuple[tuple[str, str], ...]] = {
    "title": ((ARXIV, "title"), (HUGGINGFACE, "title"), (DIGEST, "title")),
    "authors": ((ARXIV, "authors"), (HUGGINGFACE, "authors"), (DIGEST, "authors")),
    "summary": (
        (DIGEST, "summary"),
        (HUGGINGFACE, "summary"),
        (HUGGINGFACE, "abstract"),
        (ARXIV, "abstract"),
    ),
    "abstract": ((ARXIV, "abstract"), (HUGGINGFACE, "abstract")),
    "category": ((ARXIV, "primary_category"), (DIGEST, "topic")),
    "primary_category": ((ARXIV, "primary_category"),),
    "arxiv_url": ((DIGEST, "arxiv_url"),),
    "hf_url": ((HUGGINGFACE, "hf_url"), (DIGEST, "hf_url")),
    "upvotes": ((HUGGINGFACE, "upvotes"),),
    "github": ((HUGGINGFACE, "github"),),
    "keywords": ((HUGGINGFACE, "keywords"),),
    "published": ((ARXIV, "published"),),
    "updated": ((ARXIV, "updated"),),
    "version": ((ARXIV, "version"),),
    "doi": ((ARXIV, "doi"),),
    "journal_ref": ((ARXIV, "journal_ref"),),
    "comment": ((ARXIV, "comment"),),
    "affiliations": ((ARXIV, "affiliations"),),
}


@dataclass(frozen=True, slots=True)
class Value:
    """One value one source gave, with when (a day, or arXiv's update time) and where from."""

    value: Any
    day: str
    origin: str

    def newer_than(self, other: Value) -> bool:
        """Whether this replaces ``other``: a later (day, origin); a tie is the same file read
        again, so what it says now wins."""
        return (self.day, self.origin) >= (other.day, other.origin)


Values = dict[tuple[str, str], Value]  # (source, field) -> value


def source_kind(key: str) -> str:
    """Which source a listing key belongs to: Hugging Face days are stored as ``hf:YYYY-MM-DD``."""
    return HUGGINGFACE if key.startswith("hf:") else DIGEST


def carried(paper: Paper, source: str) -> dict[str, Any]:
    """The fields a listed paper actually carries; empty ones are absent, so they erase nothing."""
    fields: dict[str, Any] = {
        "title": paper.title,
        "authors": list(paper.authors),
        "summary": paper.summary,
        "abstract": paper.abstract,
        "hf_url": paper.hf_url,
    }
    if source == DIGEST:
        fields.update(topic=paper.category, arxiv_url=paper.arxiv_url)
    else:
        fields.update(
            upvotes=paper.upvotes, github=paper.github_repo, keywords=list(paper.keywords)
        )
    return {name: value for name, value in fields.items() if value not in (None, "", [])}


def merge(stored: Values, incoming: Values) -> Values:
    """``stored`` with each incoming value that is at least as new as the one it replaces."""
    merged = dict(stored)
    for key, value in incoming.items():
        if key not in merged or value.newer_than(merged[key]):
            merged[key] = value
    return merged


@dataclass(frozen=True, slots=True)
class Record:
    """What is shown for a paper, computed from its values by PRECEDENCE."""

    title: str
    authors: tuple[str, ...]
    aliases: tuple[str, ...]  # names other sources give that are not shown: still searchable
    summary: str
    abstract: str
    category: str | None
    primary_category: str | None
    categories: tuple[str, ...]
    arxiv_url: str
    hf_url: str | None
    upvotes: int | None
    github: str | None
    keywords: tuple[str, ...]
    details: dict[str, Any]  # what only display reads, stored as JSON

    def columns(self) -> tuple[Any, ...]:
        """The values of RECORD_COLUMNS, in order."""
        return (
            self.title,
            self.summary,
            ", ".join((*self.authors, *self.aliases)),
            self.category,
            self.arxiv_url,
            self.hf_url,
            self.upvotes,
            self.github,
            ", ".join(self.keywords),
            self.abstract,
            self.primary_category,
            _json(self.details),
        )


# The columns of `papers` a Record fills, in Record.columns() order.
RECORD_COLUMNS = (
    "title",
    "summary",
    "authors",
    "category",
    "arxiv_url",
    "hf_url",
    "upvotes",
    "github_repo",
    "keywords",
    "abstract",
    "primary_category",
    "details",
)


DETAILS = ("published", "updated", "version", "doi", "journal_ref", "comment")


def _pick(values: Values, field: str) -> Any:
    for key in PRECEDENCE[field]:
        if key in values:
            return values[key].value
    return None


def shown(arxiv_id: str, values: Values) -> Record:
    """The record to show for ``arxiv_id`` from every source's values."""
    picked = {name: _pick(values, name) for name in PRECEDENCE}
    authors = tuple(picked["authors"] or ())
    seen = {fold(name) for name in authors}
    aliases: list[str] = []
    for source in SOURCES:
        for name in values[(source, "authors")].value if (source, "authors") in values else ():
            folded = fold(name)
            if folded not in seen:
                seen.add(folded)
                aliases.append(name)
    categories = list(
        values[(ARXIV, "categories")].value if (ARXIV, "categories") in values else ()
    )
    if (DIGEST, "topic") in values:
        topic = values[(DIGEST, "topic")].value
        if fold(topic) not in {fold(c) for c in categories}:
            categories.append(topic)
    keywords = tuple(picked["keywords"] or ())
    details = {
        "categories": categories,
        "keywords": list(keywords),
        "sources": sorted({source for source, _ in values}),
        **{name: picked[name] for name in DETAILS if picked[name] is not None},
    }
    if picked["affiliations"] and any(picked["affiliations"]):
        details["affiliations"] = picked["affiliations"]
    return Record(
        title=picked["title"] or arxiv_id,
        authors=authors,
        aliases=tuple(aliases),
        summary=picked["summary"] or "",
        abstract=picked["abstract"] or "",
        category=picked["category"],
        primary_category=picked["primary_category"],
        categories=tuple(categories),
        arxiv_url=picked["arxiv_url"] or f"https://arxiv.org/abs/{arxiv_id}",
        hf_url=picked["hf_url"],
        upvotes=picked["upvotes"],
        github=picked["github"],
        keywords=keywords,
        details=details,
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
