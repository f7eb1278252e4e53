"""The derived search index: tantivy (tantivy-py) beside the database, rebuilt from SQLite.

SQLite is the only store of record. The index holds what ranking and filtering read (title,
summary, abstract, authors, category; tags, author ids, listing days, arXiv id) and is kept in
step by the change log that triggers write in the same transaction as every paper write
(migration 0020): before each search the index applies the log past the sequence number saved
with its last commit (``state.json``, written after the tantivy commit; applying a change twice
is harmless). A missing, unreadable or foreign folder, another schema version, or a log that
does not continue the saved number means a rebuild from SQLite, in a thread, with no manual
step; until it is ready (or when tantivy is not importable) search falls back to FTS5.

Searching it (queries built from parsed terms, exact ranking by bm25 x recency, its own
vocabulary, marking what matched) is bot.indexsearch.

Serving costs no round trip to SQLite in the common case: whether anything was committed since the
last check is told by ``searchlog.ChangeWatch`` (this connection's commit count, the WAL-index
header for any other writer), checked in full at least every RECHECK_SECONDS all the
same; the newest listing day is read with the change log; singular/plural forms and the counts
typo corrections weigh come from the index's own term dictionary (``Searcher.doc_freq``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.db import searchlog
from bot.db.core import Database
from bot.indexsearch import BOOSTS, IndexReading

log = logging.getLogger(__name__)

VERSION = 1  # bump when the schema or analyzer changes: an index of another version is rebuilt
HEAP = 50_000_000
RECHECK_SECONDS = 2.0  # a full freshness check (one round trip) at least this often
FOLDED_WORDS = 1024  # words kept folded for marking (about 150 KB: bench/memory.py)


def available() -> bool:
    """Whether tantivy can be imported here (if not, search stays on FTS5)."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


@dataclass
class _State:
    seq: int
    version: int = VERSION


class TextIndex(IndexReading):
    """The tantivy index of one database, in ``folder`` (searching it: bot.indexsearch)."""

    def __init__(
        self,
        db: Database,
        folder: Path,
        *,
        rebuilds: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``rebuilds``: rebuild a missing or damaged index (the bot); a one-shot command
        passes False and lets FTS5 answer instead. ``clock`` (seconds) paces full checks."""
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
        # A word as the index holds it; marking a page folds each of its words, mostly the same few.
        self.fold_token = functools.lru_cache(maxsize=FOLDED_WORDS)(
            lambda token: "".join(self.analyzer.analyze(token))
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
        self.newest: date | None = None  # the newest listing day, read with the change log
        self.lock = asyncio.Lock()
        self.task: asyncio.Task[None] | None = None
        self.clock = clock
        self.watch = searchlog.ChangeWatch(db)
        self.token: tuple[Any, ...] | None = None  # self.watch's token at the last full check
        self.checked = -math.inf  # when that was, by ``clock``

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
        if (
            self.token is not None
            and self.clock() - self.checked < RECHECK_SECONDS
            and self.watch.token() == self.token
            and self.state_file.is_file()
        ):
            return True  # nothing committed since the last full check: no round trip
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
        self.token = None

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
        token = self.watch.token()  # taken before reading: a later commit changes it
        newest, self.newest = await searchlog.state(self.db)
        if newest == self.seq:
            self.token, self.checked = token, self.clock()
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
