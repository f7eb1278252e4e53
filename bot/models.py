"""Records that flow between the layers: a paper as a source lists it, as the store hands it out,
a page of results, and what an ingest did. Pure data: no SQL, no Discord."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.text import plural


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperFields:
    """What is known about one paper, whoever says it."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...] = ()
    summary: str = ""  # the short summary posts show (a digest's, or Hugging Face's AI summary)
    abstract: str = ""
    category: str | None = None  # a digest's topic label; on a stored paper, the shown category
    arxiv_url: str = ""
    hf_url: str | None = None
    upvotes: int | None = None
    github_repo: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper(PaperFields):
    """One paper as one day's source lists it, at its position in that day's list."""

    day: date
    position: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperRow(PaperFields):
    """A stored paper with every day that listed it, as the search service hands it out."""

    days: tuple[date, ...] = ()
    title_marked: str | None = None  # the title with matched terms marked, for search hits
    snippet: str | None = None  # a piece of the summary with matched terms marked
    primary_category: str | None = None  # arXiv's
    categories: tuple[str, ...] = ()  # arXiv's, then the digest's topic label
    published: str | None = None  # v1, ISO 8601
    updated: str | None = None  # the latest version
    version: int | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    affiliations: tuple[tuple[str, ...], ...] = ()  # per author, when arXiv gives them
    sources: tuple[str, ...] = ()  # which sources know the paper: arxiv, digest, huggingface

    def as_dict(self) -> dict[str, Any]:
        return {
            "arxiv_id": self.arxiv_id,
            "title": self.title,
            "authors": list(self.authors),
            "category": self.category,
            "primary_category": self.primary_category,
            "categories": list(self.categories),
            "summary": self.summary,
            "abstract": self.abstract,
            "days": [day.isoformat() for day in self.days],
            "published": self.published,
            "updated": self.updated,
            "version": self.version,
            "doi": self.doi,
            "journal_ref": self.journal_ref,
            "comment": self.comment,
            "arxiv_url": self.arxiv_url,
            "hf_url": self.hf_url,
            "upvotes": self.upvotes,
            "github": self.github_repo,
            "github_repo": self.github_repo,  # the older name of "github", kept for scripts
            "keywords": list(self.keywords),
            "sources": list(self.sources),
            **({"snippet": self.snippet} if self.snippet is not None else {}),
        }


@dataclass(frozen=True, slots=True)
class Saved:
    """A bookmarked paper as its owner sees it: when saved, when read (None: unread), a note."""

    paper: PaperRow
    bookmarked_at: str
    read_at: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of results; ``has_more`` says whether asking for the next page is worth it."""

    items: list[PaperRow]
    offset: int
    limit: int
    has_more: bool

    @property
    def number(self) -> int:
        return self.offset // self.limit + 1 if self.limit else 1


@dataclass(frozen=True, slots=True)
class Problem:
    """A part of a digest that could not be read, located for the person who fixes it."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What storing one day from one source did."""

    papers: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: bool = False  # the file was byte-for-byte what was ingested before


@dataclass
class IngestReport:
    """The results of one ingest run (files, a poll), accumulated, with the problems met."""

    results: list[IngestResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: int = 0  # files with nothing readable in them: what was stored is kept
    failures: int = 0  # fetches or reads that failed outright (a source's poll was not clean)

    def add(self, result: IngestResult) -> None:
        self.results.append(result)

    def _sum(self, name: str) -> int:
        return sum(getattr(result, name) for result in self.results)

    @property
    def files(self) -> int:
        return len(self.results) + self.unreadable

    @property
    def skipped_files(self) -> int:
        return self._sum("skipped")

    @property
    def papers(self) -> int:
        return self._sum("papers")

    @property
    def new(self) -> int:
        return self._sum("new")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def removed(self) -> int:
        return self._sum("removed")

    @property
    def clean(self) -> bool:
        """Every file read whole: no problem, no file without a readable paper."""
        return not self.problems and not self.unreadable

    def summary(self) -> str:
        """One line: files (and how many were unchanged, so not read again), papers, problems."""
        problems = plural(len(self.problems), "problem")
        read = self.files - self.skipped_files
        if not self.skipped_files:
            head = plural(self.files, "file")
        elif not read:
            return f"{plural(self.files, 'file')}, all unchanged since last time; {problems}"
        else:
            head = f"{plural(self.files, 'file')} ({self.skipped_files} unchanged since last time)"
        in_read = f" in the {read} read" if self.skipped_files else ""
        return (
            f"{head}, {plural(self.papers, 'paper')}{in_read}: {self.new} new,"
            f" {self.updated} updated, {self.unchanged} unchanged, {self.removed} removed;"
            f" {problems}"
        )
