"""Discovery: papers like this one, the top papers of a period, and suggestions as people type.

- related: a More Like This query. The paper's RELATED_TERMS most telling words (from its
  title, counted TITLE_WEIGHT times, its summary and its abstract; chosen by tf x idf) OR-ed,
  each alike (bm25 weighs each by its own idf), over title, summary and abstract alike (a long
  query is not one typed by a reader: a 10x title would let one shared title word outweigh
  many shared in the abstracts), ranked by text alone (a close paper of last year is as
  related as one of this week; ties go to the newer), the paper itself left out. On the
  derived tantivy index (bot.textindex) when it serves, document frequencies from its term
  dictionary; otherwise FTS5, document counts from posting lists (capped at COUNT_CAP), scoring
  in full only the chosen words in fewer than COUNT_CAP papers (a bounded cost; when there are
  none, all of them within the newest matches, as a broad search is ranked).
  Measured in bench/search_quality.py (bench/README.md: what was tried and what it gave).
- top: papers listed in the last day/week/month of digests (ending on the newest digest day, so
  an archive that stopped still has a top), ranked by Hugging Face upvotes + BOOKMARK_WEIGHT x
  the bookmarks made in this server. One bookmark here counts as BOOKMARK_WEIGHT upvotes:
  upvotes come from the whole Hugging Face crowd, a bookmark from someone in this server.
- suggestions: the newest titles holding the words typed (the last one as a prefix), then
  author names, at most 25 (Discord's cap); newest, not best: bm25 over a prefix is too slow.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from bot.db import searchlog
from bot.db.discovery import DiscoveryStore
from bot.db.papers import Filters, PaperStore
from bot.db.searchlog import marked_sql
from bot.highlight import Marker, Phrase
from bot.models import PaperRow
from bot.query import WORD as TOKEN_WORD
from bot.query import SearchError, parse_query
from bot.search import parse_arxiv_id
from bot.text import fold, trim
from bot.textindex import TextIndex

BOOKMARK_WEIGHT = 5
PERIODS = {"day": 1, "week": 7, "month": 30}
TITLE_WEIGHT = 3
RELATED_TERMS = 25  # Lucene MoreLikeThis's default (maxQueryTerms)
RELATED_FIELDS = {"title": 1.0, "summary": 1.0, "abstract": 1.0}  # as MoreLikeThis: all alike
COUNT_CAP = 2000
MAX_CHOICES = 25
WORD = re.compile(r"[^\W\d_]{3,}")
STOPWORDS = frozenset(
    [
        "about",
        "above",
        "across",
        "after",
        "again",
        "against",
        "also",
        "among",
        "analysis",
        "approach",
        "are",
        "based",
        "been",
        "being",
        "both",
        "but",
        "can",
        "could",
        "demonstrate",
        "different",
        "does",
        "during",
        "each",
        "effective",
        "enables",
        "existing",
        "from",
        "further",
        "have",
        "how",
        "into",
        "its",
        "large",
        "method",
        "methods",
        "more",
        "most",
        "new",
        "not",
        "novel",
        "our",
        "over",
        "paper",
        "performance",
        "propose",
        "proposed",
        "provide",
        "research",
        "results",
        "show",
        "shows",
        "significant",
        "significantly",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "these",
        "this",
        "those",
        "through",
        "using",
        "various",
        "via",
        "was",
        "were",
        "what",
        "when",
        "which",
        "while",
        "with",
        "within",
        "without",
        "work",
    ]
)


def telling_words(title: str, summary: str, abstract: str = "") -> Counter[str]:
    """Candidate words of a paper with their weighted frequency (title words count more); the
    abstract (arXiv's, when completion stored it) counts beside the summary, once if they are
    the same text (a paper known only from arXiv or Hugging Face shows its abstract as summary)."""
    folded = [fold.__wrapped__(text) for text in (title, summary, abstract)]  # uncached: used once
    texts = [(folded[0], TITLE_WEIGHT), (folded[1], 1)]
    if folded[2] and folded[2] != folded[1]:
        texts.append((folded[2], 1))
    words: Counter[str] = Counter()
    for text, weight in texts:
        for word in WORD.findall(text):
            if word not in STOPWORDS:
                words[word] += weight
    return words


def choose(words: Counter[str], counts: Mapping[str, int], total: int) -> list[str]:
    """The RELATED_TERMS most telling of ``words`` by tf x idf (``counts``: papers holding each
    word, of ``total``); a word no other paper holds finds nothing and is left out."""
    weights = {
        word: tf * math.log(1 + total / counts[word])
        for word, tf in words.items()
        if counts.get(word, 0) > 1
    }
    return sorted(weights, key=lambda word: (-weights[word], word))[:RELATED_TERMS]


def or_match(words: Sequence[str]) -> str:
    """The FTS5 expression matching any of ``words`` (letters only, see WORD) in the fields
    related papers are read from."""
    either = " OR ".join(f'"{word}"' for word in words)
    return f"{{{' '.join(RELATED_FIELDS)}}} : ({either})"


class DiscoverService:
    """Related papers, top papers and query suggestions over the paper store."""

    def __init__(self, papers: PaperStore, index: TextIndex | None = None) -> None:
        """``index``: the derived search index; without it (or while it rebuilds) related
        papers come from FTS5."""
        self.papers = papers
        self.index = index
        self.store = DiscoveryStore(papers.db, papers)

    async def related(self, text: str, limit: int = 5) -> tuple[PaperRow, list[PaperRow]]:
        """The paper ``text`` names (id or link) and up to ``limit`` papers most like it."""
        arxiv_id = parse_arxiv_id(text)
        found = await self.store.text_of(arxiv_id)
        if found is None:
            raise SearchError(f"I have no paper {arxiv_id} in the digests I know")
        paper_id, title, summary, abstract = found
        words = telling_words(title, summary, abstract)
        if self.index is not None and await self.index.sync():
            rows = await self._related_on_index(self.index, paper_id, words, limit)
            if rows and rows[0].arxiv_id == arxiv_id:  # the paper first, then papers like it
                return replace(rows[0], title_marked=None, snippet=None), rows[1:]
            answered = rows is not None
        else:
            answered = False
        paper = await self.papers.get(arxiv_id)
        if paper is None:  # deleted in the meantime
            raise SearchError(f"I have no paper {arxiv_id} in the digests I know")
        if answered:  # the index knows no other paper sharing a telling word
            return paper, []
        counts = await self.store.document_counts(words, COUNT_CAP)
        chosen = choose(words, counts, max(1, await self.store.paper_count()))
        if not chosen:
            return paper, []
        # FTS5's bm25 reads every match's posting entries: scored in full only the words in
        # fewer than COUNT_CAP papers (bounded); when every chosen word is commoner (a large
        # archive), all of them, ranked within the newest matches as a broad search is.
        known = [word for word in chosen if counts[word] < COUNT_CAP]
        if not known:
            rows = await self.papers.ranked(or_match(chosen), Filters(), limit + 1, 0)
            return paper, [row for row in rows if row.arxiv_id != arxiv_id][:limit]
        match = or_match(known)
        ids = await self.store.like(match, RELATED_FIELDS, paper_id, limit)
        return paper, await self.papers.rows(*marked_sql(ids, match)) if ids else []

    async def _related_on_index(
        self, index: TextIndex, paper_id: int, words: Counter[str], limit: int
    ) -> list[PaperRow] | None:
        """The paper, then the papers like it, ranked by the derived index (one read of the
        rows for both: each read is a round trip); [] when no word is telling, None when the
        index cannot answer (FTS5 then)."""
        tokens: Counter[str] = Counter()
        for word, weight in words.items():
            folded = index.tokens(word)
            if len(folded) == 1:
                tokens[folded[0]] += weight
        try:
            searcher = index.index.searcher()
            counts = {token: index.papers_with(searcher, token, RELATED_FIELDS) for token in tokens}
            chosen = choose(tokens, counts, max(1, searcher.num_docs))
            ids = (
                index.best_ids(index.like(chosen, RELATED_FIELDS, paper_id), limit)
                if chosen
                else []
            )
        except LookupError:
            return None
        except (OSError, ValueError) as error:
            index.broken(error)
            return None
        if not chosen:
            return []
        # Marked in Python, as search on the index marks: FTS5's highlight() of a 25-word OR
        # reads each word's posting list (13 ms at the median at 100k papers, against 2.5).
        marker = Marker([Phrase((token,)) for token in chosen], index.fold_token)
        return await searchlog.page(self.papers.db, [paper_id, *ids], marker.marks)

    async def top(
        self, period: str, guild_id: int | None, limit: int = 10
    ) -> tuple[date | None, date | None, list[tuple[PaperRow, int]]]:
        """(first day, last day, [(paper, bookmarks here)]) of the period's top papers."""
        if period not in PERIODS:
            raise SearchError(f"'{period}' is not a period; use one of {', '.join(PERIODS)}")
        last = await self.papers.latest_day()
        if last is None:
            return None, None, []
        first = last - timedelta(days=PERIODS[period] - 1)
        ranked = await self.store.top(first, last, guild_id, BOOKMARK_WEIGHT, limit)
        return first, last, ranked

    async def week(self, last: date, guild_id: int | None) -> tuple[date, list[PaperRow]]:
        """The week ending ``last``: (its first day, its top 50 papers), for weekly recaps."""
        first = last - timedelta(days=6)
        ranked = await self.store.top(first, last, guild_id, BOOKMARK_WEIGHT, 50)
        return first, [paper for paper, _ in ranked]

    async def suggestions(self, typed: str) -> list[tuple[str, str]]:
        """(label, value) choices for a query box: matching titles, then author names."""
        typed = typed.strip()[:100]
        if not typed:
            return []
        try:
            query = parse_query(typed)
        except SearchError:
            query = parse_query("")  # a half-typed field (id:25): suggest authors only
        terms = [replace(term, title=True) for term in query.terms]
        if terms and typed[-1].isalnum() and terms[-1].bare:
            terms[-1] = replace(terms[-1], prefix=True)  # the word being typed
        match = replace(query, terms=tuple(terms), excluded=()).fts()
        choices: list[tuple[str, str]] = []
        if match is not None:
            for title in await self.store.titles(match, MAX_CHOICES - 5):
                words = " ".join(TOKEN_WORD.findall(title)) or title
                choices.append((trim(title, 100), trim(f'ti:"{words}"', 100)))
        for name, count in await self.papers.author_names(typed, MAX_CHOICES - len(choices)):
            choices.append((trim(f"{name} ({count} papers)", 100), trim(f'au:"{name}"', 100)))
        return choices[:MAX_CHOICES]
