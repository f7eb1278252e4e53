"""The derived search index: tantivy (tantivy-py) beside the database, rebuilt from SQLite.

SQLite is the only store of record. The index holds what ranking and filtering read (title,
summary, abstract, authors, category; tags, author ids, listing days, arXiv id) and is kept in
step by the change log that triggers write in the same transaction as every paper write
(migration 0020): before each search the index applies the log past the sequence number saved
with its last commit (``state.json``, written after the tantivy commit; applying a change twice
is harmless). A missing, unreadable or foreign folder, another schema version, or a log that
does not continue the saved number means a rebuild from SQLite, in a thread, with no manual
step; until it is ready (or when tantivy is not importable) search falls back to FTS5.

User text never reaches tantivy's query parser: queries are built from bot.query's parsed
terms, each word cut into tokens by the same analyzer that indexed the text.

Ranking: bm25 over the fields (title 10, authors 4, category 2, summary and abstract 1, the
weights FTS5 used) times 1 + RECENCY_BOOST x recency, recency = 1 / (1 + age / RECENCY_HALF_LIFE)
with age the days from a paper's last listing to the newest listing day (as before). Exact, not
windowed: tantivy gives the bm25 top n; since recency multiplies by at most 1 + RECENCY_BOOST,
an unseen match cannot beat a seen one whose score is above the n-th bm25 x (1 + RECENCY_BOOST),
and n grows until that holds for the page asked for.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.db import searchlog
from bot.db.core import Database
from bot.db.papers import RECENCY_BOOST, RECENCY_HALF_LIFE, Filters
from bot.query import Query, Term

log = logging.getLogger(__name__)

VERSION = 1  # bump when the schema or analyzer changes: an index of another version is rebuilt
BOOSTS = {"title": 10.0, "authors": 4.0, "category": 2.0, "summary": 1.0, "abstract": 1.0}
HEAP = 50_000_000
FIRST_N = 64
REGEX_META = set("\\.+*?()|[]{}^$#&-~\"'<>@=!%/:;,`")


def available() -> bool:
    """Whether tantivy can be imported here (if not, search stays on FTS5)."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def _escape(text: str) -> str:
    return "".join("\\" + c if c in REGEX_META else c for c in text)


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


@dataclass
class _State:
    seq: int
    version: int = VERSION


class TextIndex:
    """The tantivy index of one database, in ``folder``."""

    def __init__(self, db: Database, folder: Path, *, rebuilds: bool = True) -> None:
        """``rebuilds``: rebuild a missing or damaged index (the bot); a one-shot command
        passes False and lets FTS5 answer instead."""
        import tantivy

        self.tantivy = tantivy
        self.db = db
        self.folder = folder
        self.analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True, fast=True)
        builder.add_integer_field("last", stored=True)
        builder.add_integer_field("days", indexed=True, fast=True)
        builder.add_integer_field("author_ids", indexed=True)
        builder.add_text_field("tags", tokenizer_name="raw")
        builder.add_text_field("arxiv_id", tokenizer_name="raw")
        for name in BOOSTS:
            builder.add_text_field(name, tokenizer_name="folded")
        self.schema = builder.build()
        self.rebuilds = rebuilds
        self.index: Any = None
        self.seq = 0
        self.lock = asyncio.Lock()
        self.task: asyncio.Task[None] | None = None

    @property
    def state_file(self) -> Path:
        return self.folder / "paperboy.json"

    @property
    def ready(self) -> bool:
        return self.index is not None

    # Keeping in step.

    async def open(self) -> None:
        """Open the index, rebuilding it from SQLite when it is missing, stale or damaged."""
        async with self.lock:
            if self._load():
                try:
                    await self._catch_up()
                    return
                except (OSError, ValueError) as error:  # e.g. a database restored from a backup
                    log.warning(
                        "search index %s does not follow %s: %s", self.folder, self.db.path, error
                    )
            self.index = None
            if self.rebuilds:
                await self._rebuild()
                await self._catch_up()

    def start(self) -> asyncio.Task[None]:
        """Open (or rebuild) in the background: until it is ready, search uses FTS5."""
        self.task = asyncio.create_task(self._open_logged())
        return self.task

    async def _open_logged(self) -> None:
        try:
            await self.open()
        except (OSError, ValueError, sqlite3.Error) as error:
            log.warning("search index %s could not be built (%s): FTS5 answers", self.folder, error)
            self.index = None

    async def sync(self) -> bool:
        """Apply the change log; False when the index cannot serve now (search uses FTS5).

        A damaged index (a deleted folder, unreadable files) is rebuilt in the background.
        """
        if self.index is None or self.lock.locked():
            return False
        async with self.lock:
            try:
                return await self._catch_up()
            except (OSError, ValueError) as error:
                self.index = None
                if not self.rebuilds:
                    log.info("search index %s out of use (%s): FTS5 answers", self.folder, error)
                    return False
                log.warning("search index %s unusable (%s): rebuilding", self.folder, error)
        self.start()
        return False

    def broken(self, error: BaseException) -> None:
        """A search found the index unreadable: the next sync rebuilds it."""
        log.warning("search index %s unreadable (%s): rebuilding", self.folder, error)
        self.seq = -1

    def _load(self) -> bool:
        try:
            state = _State(**json.loads(self.state_file.read_text()))
            if state.version != VERSION:
                return False
            if not self.tantivy.Index.exists(str(self.folder)):
                return False
            index = self.tantivy.Index(self.schema, path=str(self.folder), reuse=True)
            index.register_tokenizer("folded", self.analyzer)
            index.searcher().num_docs  # noqa: B018 (reading the segments proves them whole)
        except (OSError, ValueError, TypeError) as error:
            log.info("search index %s will be rebuilt: %s", self.folder, error)
            return False
        self.index, self.seq = index, state.seq
        return True

    async def _rebuild(self) -> None:
        self.index = None
        seq, count = await asyncio.to_thread(self._build)
        if not self._load():
            raise OSError(f"search index {self.folder} unreadable right after its rebuild")
        log.info("search index %s rebuilt from SQLite: %d papers", self.folder, count)
        self.seq = seq

    def _build(self) -> tuple[int, int]:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        index = self.tantivy.Index(self.schema, path=str(self.folder))
        index.register_tokenizer("folded", self.analyzer)
        writer = index.writer(HEAP, 1)
        seq, rows = searchlog.all_documents(self.db.path)
        count = 0
        for row in rows:
            writer.add_document(self._document(row))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self._save(seq)
        return seq, count

    async def _catch_up(self) -> bool:
        """Apply the log past our number; False when another process holds the writer now."""
        if not self.state_file.is_file():  # the folder was deleted under us
            raise OSError(f"{self.state_file} is gone")
        newest = await searchlog.last_change(self.db)
        if newest == self.seq:
            return True
        if self.seq < 0:
            raise ValueError("marked broken by a search")
        if newest < self.seq:  # the log does not continue ours: another or a restored database
            raise ValueError(f"change log at {newest}, index at {self.seq}")
        paper_ids = await searchlog.changes(self.db, self.seq, newest)
        rows = await searchlog.documents(self.db, paper_ids)
        try:
            writer = self.index.writer(HEAP, 1)
        except ValueError as error:  # tantivy's writer lock: another process is applying them
            log.debug("search index %s busy: %s", self.folder, error)
            return False
        for paper_id in paper_ids:
            writer.delete_documents_by_term("id", paper_id)
        for row in rows:
            writer.add_document(self._document(row))
        writer.commit()
        writer.wait_merging_threads()
        self._save(newest)
        self.seq = newest
        self.index.reload()
        await searchlog.forget_changes(self.db, newest)
        return True

    def _save(self, seq: int) -> None:
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"seq": seq, "version": VERSION}))
        temporary.replace(self.state_file)

    def _document(self, row: Sequence[Any]) -> Any:
        paper_id, arxiv_id, title, summary, authors, category, abstract, days, tags, people = row
        ordinals = sorted({_day(day) for day in (days or "").split()})
        return self.tantivy.Document(
            id=paper_id,
            last=ordinals[-1] if ordinals else 0,
            days=ordinals,
            author_ids=[int(a) for a in (people or "").split()],
            tags=[tag.casefold() for tag in (tags or "").split("\x1f") if tag],
            arxiv_id=arxiv_id,
            title=title,
            summary=summary,
            authors=authors,
            category=category,
            abstract=abstract,
        )

    # Searching.

    def tokens(self, text: str) -> list[str]:
        return list(self.analyzer.analyze(text))

    def compile(self, query: Query, variants: Mapping[str, Sequence[str]], filters: Filters) -> Any:
        """The tantivy query for ``query`` and ``filters``; None when a term has no shape here
        (a phrase ending in a prefix, or no letters or digits): the caller then uses FTS5."""
        occur, q = self.tantivy.Occur, self.tantivy.Query
        clauses = []
        for term in query.terms:
            built = self._term(term, variants.get(term.words[0], ()) if term.bare else ())
            if built is None:
                return None
            clauses.append((occur.Must, built))
        for term in query.excluded:
            built = self._term(term, ())
            if built is not None:
                clauses.append((occur.MustNot, built))
        # Filters only narrow: scored 0, they add nothing to bm25 (a Must clause's score adds up).
        clauses += [
            (occur.Must, q.const_score_query(clause, 0.0)) for clause in self._filters(filters)
        ]
        clauses += (
            [
                (
                    occur.MustNot,
                    q.term_set_query(self.schema, "author_ids", list(filters.not_author_ids)),
                )
            ]
            if filters.not_author_ids
            else []
        )
        return q.boolean_query(clauses)

    def _term(self, term: Term, variants: Sequence[str]) -> Any:
        q = self.tantivy.Query
        forms = [
            self.tokens(form)
            for form in ([term.words[0], *variants] if variants else [" ".join(term.words)])
        ]
        if any(not tokens for tokens in forms) or (term.prefix and len(forms[0]) > 1):
            return None
        fields = {"title": BOOSTS["title"]} if term.title else BOOSTS
        options = []
        for tokens in forms:
            for name, boost in fields.items():
                if term.prefix:
                    one = q.regex_query(self.schema, name, _escape(tokens[0]) + ".*")
                elif len(tokens) == 1:
                    # "freq": bm25 needs no positions, and reading them cost memory and time
                    one = q.term_query(self.schema, name, tokens[0], "freq")
                else:
                    one = q.phrase_query(self.schema, name, list[str | tuple[int, str]](tokens))
                options.append((self.tantivy.Occur.Should, q.boost_query(one, boost)))
        return q.boolean_query(options)

    def _filters(self, filters: Filters) -> Iterable[Any]:
        q, occur = self.tantivy.Query, self.tantivy.Occur
        groups = [filters.author_ids] if filters.author_ids is not None else []
        for group in [*groups, *filters.more_author_ids]:
            yield q.term_set_query(self.schema, "author_ids", list(group))
        if filters.arxiv_ids:
            yield q.term_set_query(self.schema, "arxiv_id", list(filters.arxiv_ids))
        if filters.categories is not None or filters.prefixes:
            tags = [tag.casefold() for tag in filters.categories or ()]
            options = [(occur.Should, q.term_set_query(self.schema, "tags", tags))] if tags else []
            options += [
                (occur.Should, q.regex_query(self.schema, "tags", _escape(p.casefold()) + ".*"))
                for p in filters.prefixes
            ]
            yield q.boolean_query(options)
        if filters.since is not None or filters.until is not None:
            yield q.range_query(
                self.schema,
                "days",
                self.tantivy.FieldType.Integer,
                (filters.since or date.min).toordinal(),
                (filters.until or date.max).toordinal(),
            )

    def ranked_ids(self, compiled: Any, newest: date | None, count: int) -> list[int]:
        """Ids of the ``count`` best matches by bm25 x recency, best first (ties: lower id).

        LookupError when the index went out of use since the caller's sync (a rebuild began).
        """
        if self.index is None:
            raise LookupError(f"search index {self.folder} is rebuilding")
        searcher = self.index.searcher()
        top = newest.toordinal() if newest else 0
        n = max(FIRST_N, 4 * count)
        while True:
            hits = searcher.search(compiled, n, count=False).hits
            scored = []
            for score, address in hits:
                doc = searcher.doc(address)
                last = doc["last"][0]
                recency = 1.0 / (1 + (top - last) / RECENCY_HALF_LIFE) if last else 0.0
                scored.append((-score * (1 + RECENCY_BOOST * recency), doc["id"][0]))
            scored.sort()
            if len(hits) < n:
                break
            floor = hits[-1][0] * (1 + RECENCY_BOOST)
            if len(scored) >= count and -scored[count - 1][0] > floor:
                break
            n *= 4
        return [paper_id for _, paper_id in scored[:count]]

    def like(self, tokens: Sequence[str], fields: Sequence[str], leave_out: int) -> Any:
        """Papers holding any of ``tokens`` (as indexed) in ``fields``, each field weighted as
        search weighs it, but the paper ``leave_out`` (a row id): bot.discover's related papers."""
        q, occur = self.tantivy.Query, self.tantivy.Occur
        options = [
            (
                occur.Should,
                q.boost_query(q.term_query(self.schema, name, token, "freq"), BOOSTS[name]),
            )
            for token in tokens
            for name in fields
        ]
        return q.boolean_query(
            [*options, (occur.MustNot, q.term_query(self.schema, "id", leave_out))]
        )


def index_folder(db: Database) -> Path:
    return Path(f"{db.path}.search")


def new_index(db: Database, *, rebuilds: bool = True) -> TextIndex | None:
    """The (unopened) index beside ``db``; None without tantivy or for an in-memory database."""
    if not available() or db.path == ":memory:":
        return None
    return TextIndex(db, index_folder(db), rebuilds=rebuilds)


async def open_index(db: Database, *, rebuilds: bool = True) -> TextIndex | None:
    """The index beside ``db`` (``<db>.search/``), opened (or rebuilt, with ``rebuilds``); None
    without tantivy, for an in-memory database, or when it cannot be used."""
    index = new_index(db, rebuilds=rebuilds)
    if index is None:
        return None
    try:
        await index.open()
    except (OSError, ValueError, sqlite3.Error) as error:
        log.warning("search index %s unavailable, searching with FTS5: %s", index.folder, error)
        return None
    return index if index.ready else None
