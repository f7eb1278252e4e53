"""The arXiv API: ``GET {url}?id_list=ID,ID,...&max_results=N`` answers an Atom feed per batch.

The feed is parsed with defusedxml's ElementTree, with DTDs forbidden: the answer is untrusted
bytes from the network, and the stdlib parser alone expands internal entities (a "billion laughs"
bomb takes gigabytes) while lxml resolves external ones unless told not to. An Atom feed never
needs a DTD, so any document that has one (and so every entity trick) is refused as a whole.
feedparser was not used: it is lenient by design (it guesses its way through broken XML) and
would hide the arxiv: namespace fields behind its own renaming.

Requests are paced to at most one per ``interval`` seconds (arXiv asks for 3) and retried with
backoff by bot.sources.http.fetch. An id arXiv does not know is simply absent from the feed. A
batch answered with a 400 (a malformed id) or with something unreadable is asked id by id, so one
bad id or one poisoned answer never blocks the rest; unreadable answers from the first ids on mean
arXiv itself is unwell, and the run stops with nothing marked.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.ids import normalize_arxiv_id
from bot.sources.http import Http, fetch

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
VERSION = re.compile(r"v(\d+)$")
PROBES = 3  # unreadable answers in a row, from the first id on, that mean arXiv is not well


class ArxivError(Exception):
    """arXiv could not be asked, or answered something unreadable; the message says which."""


@dataclass(frozen=True, slots=True)
class ArxivEntry:
    """One paper as arXiv describes its latest version."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    affiliations: tuple[tuple[str, ...], ...]  # per author, in order; empty when none given
    abstract: str
    primary_category: str | None
    categories: tuple[str, ...]  # the primary first
    published: str | None
    updated: str | None
    version: int | None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    def fields(self) -> dict[str, Any]:
        """The values this source contributes to a paper's record (bot.records), empty ones left
        out."""
        values: dict[str, Any] = {
            "title": self.title,
            "authors": list(self.authors),
            "affiliations": [list(a) for a in self.affiliations]
            if any(self.affiliations)
            else None,
            "abstract": self.abstract,
            "primary_category": self.primary_category,
            "categories": list(self.categories),
            "published": self.published,
            "updated": self.updated,
            "version": self.version,
            "comment": self.comment,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
        }
        return {name: value for name, value in values.items() if value not in (None, "", [])}


@dataclass(frozen=True, slots=True)
class Feed:
    entries: list[ArxivEntry]
    errors: list[str] = field(default_factory=list)  # arXiv's error entries ("incorrect id ...")


def _text(element: Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def parse_feed(data: bytes) -> Feed:
    """The entries of an arXiv Atom answer; ArxivError for anything that is not one (a DTD, and
    with it every entity, included)."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise ArxivError(f"refused the arXiv answer: {type(error).__name__} ({error})") from None
    except ParseError as error:
        raise ArxivError(f"the arXiv answer is not XML: {error}") from None
    if root.tag != f"{ATOM}feed":
        raise ArxivError(f"the arXiv answer is not an Atom feed (root <{root.tag}>)")
    feed = Feed([])
    for entry in root.iter(f"{ATOM}entry"):
        ident = _text(entry.find(f"{ATOM}id"))
        arxiv_id = normalize_arxiv_id(ident)
        if arxiv_id is None:  # an error entry: <id>https://arxiv.org/api/errors#...</id>
            feed.errors.append(_text(entry.find(f"{ATOM}summary")) or ident)
            continue
        feed.entries.append(_entry(entry, arxiv_id, ident))
    return feed


def _entry(entry: Element, arxiv_id: str, ident: str) -> ArxivEntry:
    authors, affiliations = [], []
    for author in entry.findall(f"{ATOM}author"):
        name = _text(author.find(f"{ATOM}name"))
        if name:
            authors.append(name)
            affiliations.append(
                tuple(_text(a) for a in author.findall(f"{ARXIV}affiliation") if _text(a))
            )
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [c.get("term", "").strip() for c in entry.findall(f"{ATOM}category")]
    primary_code = (primary.get("term", "").strip() if primary is not None else "") or next(
        (c for c in categories if c), None
    )
    ordered = list(dict.fromkeys(c for c in [primary_code, *categories] if c))
    version = VERSION.search(ident)

    def optional(tag: str) -> str | None:
        return _text(entry.find(tag)) or None

    return ArxivEntry(
        arxiv_id=arxiv_id,
        title=_text(entry.find(f"{ATOM}title")),
        authors=tuple(authors),
        affiliations=tuple(affiliations),
        abstract=_text(entry.find(f"{ATOM}summary")),
        primary_category=primary_code,
        categories=tuple(ordered),
        published=optional(f"{ATOM}published"),
        updated=optional(f"{ATOM}updated"),
        version=int(version.group(1)) if version else None,
        comment=optional(f"{ARXIV}comment"),
        journal_ref=optional(f"{ARXIV}journal_ref"),
        doi=optional(f"{ARXIV}doi"),
    )


@dataclass(frozen=True, slots=True)
class Lookup:
    """What arXiv said about a batch: the entries found, and the ids it does not know."""

    found: dict[str, ArxivEntry]
    unknown: list[str]


class ArxivClient:
    """Asks arXiv for batches of ids, at most one request per ``interval`` seconds."""

    def __init__(
        self,
        url: str,
        http: Http,
        interval: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.http = http
        self.interval = interval
        self.monotonic = monotonic
        self.requests = 0
        self._last: float | None = None
        self._gate = asyncio.Lock()

    async def lookup(self, ids: Sequence[str]) -> Lookup:
        """Entries for ``ids`` (canonical ids, no versions). A batch arXiv refuses as malformed
        (HTTP 400) or answers unreadably is asked id by id, so one bad id costs only itself."""
        try:
            feed = await self._ask(ids)
        except ArxivError as error:
            if len(ids) == 1:
                raise
            log.warning("arxiv: %s; asking the %d ids one by one", error, len(ids))
            return await self._one_by_one(ids, probes=PROBES)
        if feed is None:
            return Lookup({}, list(ids)) if len(ids) == 1 else await self._one_by_one(ids)
        if not feed.entries and len(ids) > 1:
            # arXiv sometimes answers a busy moment with an empty feed; a whole batch of ids that
            # digests listed being unknown is far less likely, so ask once more before believing it.
            log.info("arxiv: an empty answer for %d ids; asking once more", len(ids))
            feed = await self._ask(ids) or feed
        wanted = set(ids)
        found = {e.arxiv_id: e for e in feed.entries if e.arxiv_id in wanted}
        return Lookup(found, [arxiv_id for arxiv_id in ids if arxiv_id not in found])

    async def _one_by_one(self, ids: Sequence[str], probes: int | None = None) -> Lookup:
        """Each id alone; an id whose answer is unreadable counts as unknown (asked again days
        later), unless the first ``probes`` answers (or all, for fewer ids) are unreadable: then
        arXiv itself is answering nonsense and ArxivError stops the run, so nothing is marked."""
        found: dict[str, ArxivEntry] = {}
        unknown: list[str] = []
        readable = probes is None
        for number, arxiv_id in enumerate(ids, 1):
            try:
                one = await self.lookup([arxiv_id])
            except ArxivError as error:
                if not readable and probes is not None and number >= min(probes, len(ids)):
                    raise
                log.warning("arxiv: %s: %s; counted as unknown", arxiv_id, error)
                unknown.append(arxiv_id)
                continue
            readable = True
            found.update(one.found)
            unknown.extend(one.unknown)
        return Lookup(found, unknown)

    async def _ask(self, ids: Sequence[str]) -> Feed | None:
        """The feed for one request; None when arXiv answers 400 (a malformed id)."""
        url = f"{self.url}?id_list={quote(','.join(ids), safe=',/')}&max_results={len(ids)}"
        async with self._gate:
            if self._last is not None:
                wait = self.interval - (self.monotonic() - self._last)
                if wait > 0:
                    await self.http.sleep(wait)
            try:
                fetched = await fetch(self.http, url, source="arxiv")
            finally:
                self._last = self.monotonic()
                self.requests += 1
        if fetched.status == 400:
            errors = _errors(fetched.body)
            log.info("arxiv: %d ids refused as malformed: %s", len(ids), "; ".join(errors)[:200])
            return None
        if fetched.status != 200:
            raise ArxivError(f"arxiv: {url} answered HTTP {fetched.status}")
        return parse_feed(fetched.body)


def _errors(body: bytes) -> list[str]:
    try:
        return parse_feed(body).errors
    except ArxivError as error:
        return [str(error)]
