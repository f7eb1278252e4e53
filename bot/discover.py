"""Discovery: papers like this one, the top papers of a period, and suggestions as people type.

- related: the paper's most telling words (title words count TITLE_WEIGHT times; each word
  weighed by tf x idf, document counts from the index) OR-ed into one query ranked like a
  search (bm25 x recency, see bot.db.papers.ranked_sql), the paper itself left out.
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
from dataclasses import replace
from datetime import date, timedelta

from bot.db.discovery import DiscoveryStore
from bot.db.papers import Filters, PaperStore
from bot.models import PaperRow
from bot.query import WORD as TOKEN_WORD
from bot.query import SearchError, parse_query
from bot.search import parse_arxiv_id
from bot.text import fold, trim

BOOKMARK_WEIGHT = 5
PERIODS = {"day": 1, "week": 7, "month": 30}
TITLE_WEIGHT = 3
RELATED_TERMS = 10
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


def telling_words(title: str, summary: str) -> Counter[str]:
    """Candidate words of a paper with their weighted frequency (title words count more)."""
    words: Counter[str] = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (summary, 1)):
        for word in WORD.findall(fold(text)):
            if word not in STOPWORDS:
                words[word] += weight
    return words


class DiscoverService:
    """Related papers, top papers and query suggestions over the paper store."""

    def __init__(self, papers: PaperStore) -> None:
        self.papers = papers
        self.store = DiscoveryStore(papers.db, papers)

    async def related(self, text: str, limit: int = 5) -> tuple[PaperRow, list[PaperRow]]:
        """The paper ``text`` names (id or link) and up to ``limit`` papers most like it."""
        arxiv_id = parse_arxiv_id(text)
        found = await self.store.text_of(arxiv_id)
        paper = await self.papers.get(arxiv_id)
        if found is None or paper is None:
            raise SearchError(f"I have no paper {arxiv_id} in the digests I know")
        _, title, summary = found
        words = telling_words(title, summary)
        counts = await self.store.document_counts(words, COUNT_CAP)
        total = max(1, await self.store.paper_count())
        weights = {
            word: tf * math.log(1 + total / counts[word])
            for word, tf in words.items()
            if counts.get(word, 0) > 1  # a word only this paper has finds nothing else
        }
        chosen = sorted(weights, key=lambda word: (-weights[word], word))[:RELATED_TERMS]
        if not chosen:
            return paper, []
        match = " OR ".join(f'"{word}"' for word in chosen)
        rows = await self.papers.ranked(match, Filters(), limit + 1, 0)
        return paper, [row for row in rows if row.arxiv_id != paper.arxiv_id][:limit]

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
