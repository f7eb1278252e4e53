"""Reading the derived tantivy index (bot/textindex.py): queries built from parsed terms, exact
ranking by bm25 x recency, related papers' query (``like``, ranked by bm25 alone: ``best_ids``),
the index's own vocabulary, and marking what matched.

User text never reaches tantivy's query parser: queries are built from bot.query's parsed
terms, each word cut into tokens by the same analyzer that indexed the text. ``IndexReading`` is
mixed into ``TextIndex``, which owns the index, its schema and analyzer.

Ranking: bm25 over the fields (title 10, authors 4, category 2, summary and abstract 1, the
weights FTS5 used) times 1 + RECENCY_BOOST x recency, recency = 1 / (1 + age / RECENCY_HALF_LIFE)
with age the days from a paper's last listing to the newest listing day (as before). Exact, not
windowed: tantivy gives the bm25 top n; since recency multiplies by at most 1 + RECENCY_BOOST,
an unseen match cannot beat a seen one whose score is above the n-th bm25 x (1 + RECENCY_BOOST),
and hits are read in bm25 order only until that holds for the page asked for (see ranked_ids).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot.db.papers import RECENCY_BOOST, RECENCY_HALF_LIFE, Filters
from bot.highlight import Marker, Phrase
from bot.query import Query, Term
from bot.spelling import existing_forms, query_forms

BOOSTS = {"title": 10.0, "authors": 4.0, "category": 2.0, "summary": 1.0, "abstract": 1.0}
FIRST_HITS = 256  # ranked_ids' first search (its cost hardly grows with the number of hits)
GROWTH = 4  # how many more hits each further search of ranked_ids asks for
REGEX_META = set("\\.+*?()|[]{}^$#&-~\"'<>@=!%/:;,`")


def _escape(text: str) -> str:
    return "".join("\\" + c if c in REGEX_META else c for c in text)


class IndexReading:
    """The searching half of TextIndex (see the module docstring)."""

    tantivy: Any
    schema: Any
    analyzer: Any
    fold_token: Callable[[str], str]
    index: Any
    folder: Path

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

        Walks the bm25 order (one search of FIRST_HITS, GROWTH times more when that is not
        enough), reading each hit's stored id and day only until no unread hit can reach the
        ``count``-th combined score: its bm25 x (1 + RECENCY_BOOST) is below it.
        LookupError when the index went out of use since the caller's sync (a rebuild began).
        """
        if self.index is None:
            raise LookupError(f"search index {self.folder} is rebuilding")
        searcher = self.index.searcher()
        top = newest.toordinal() if newest else 0
        scored: list[tuple[float, int]] = []
        best: list[float] = []  # the ``count`` best combined scores so far (a min-heap)
        limit = max(FIRST_HITS, 6 * count)
        while True:
            hits = searcher.search(compiled, limit, count=False).hits
            for score, address in hits[len(scored) :]:
                if len(best) == count and best[0] > score * (1 + RECENCY_BOOST):
                    return self._best(scored, count)  # nothing unread can reach the page
                doc = searcher.doc(address)
                last = doc.get_first("last")
                recency = 1.0 / (1 + (top - last) / RECENCY_HALF_LIFE) if last else 0.0
                combined = score * (1 + RECENCY_BOOST * recency)
                scored.append((-combined, doc.get_first("id")))
                if len(best) < count:
                    heapq.heappush(best, combined)
                elif combined > best[0]:
                    heapq.heapreplace(best, combined)
            if len(hits) < limit:
                return self._best(scored, count)  # every match is read
            limit *= GROWTH

    @staticmethod
    def _best(scored: list[tuple[float, int]], count: int) -> list[int]:
        return [paper_id for _, paper_id in sorted(scored)[:count]]

    def like(self, tokens: Sequence[str], fields: Mapping[str, float], leave_out: int) -> Any:
        """Papers holding any of ``tokens`` (as indexed) in ``fields`` (name -> weight), but the
        paper ``leave_out`` (a row id): bot.discover's related papers."""
        q, occur = self.tantivy.Query, self.tantivy.Occur
        options = [
            (occur.Should, q.boost_query(q.term_query(self.schema, name, token, "freq"), weight))
            for token in tokens
            for name, weight in fields.items()
        ]
        return q.boolean_query(
            [*options, (occur.MustNot, q.term_query(self.schema, "id", leave_out))]
        )

    def best_ids(self, compiled: Any, count: int) -> list[int]:
        """Ids of the ``count`` best matches by bm25 alone, best first; ties: the newer listing,
        then the lower id (hits are read until the ``count``-th score's ties are all in).
        LookupError when the index went out of use since the caller's sync (a rebuild began)."""
        if self.index is None:
            raise LookupError(f"search index {self.folder} is rebuilding")
        if count <= 0:
            return []
        searcher = self.index.searcher()
        limit = count + 1
        while True:
            hits = searcher.search(compiled, limit, count=False).hits
            if len(hits) < limit or hits[-1][0] < hits[count - 1][0]:
                break
            limit *= 4
        ranked = []
        for score, address in hits:
            doc = searcher.doc(address)
            ranked.append((-score, -(doc.get_first("last") or 0), doc.get_first("id")))
        return [paper_id for _, _, paper_id in sorted(ranked)[:count]]

    # The index's vocabulary, and marking what matched.

    def _token(self, word: str) -> str | None:
        """``word`` as the index holds it, or None when it is not one token."""
        if word.isascii() and word.isalnum() and word.islower():
            return word
        tokens = self.tokens(word)
        return tokens[0] if len(tokens) == 1 else None

    def papers_with(self, searcher: Any, token: str, fields: Iterable[str] = BOOSTS) -> int:
        """Papers holding ``token`` in the one of ``fields`` where it is commonest (deleted
        papers count until their segment is merged: enough to weigh and compare)."""
        return max(searcher.doc_freq(name, token) for name in fields)

    async def document_counts(self, words: Iterable[str], cap: int) -> dict[str, int]:
        """How many papers hold each word, up to ``cap``; absent words left out (no round trip:
        the index's term dictionary; the same contract as DiscoveryStore.document_counts)."""
        if self.index is None:
            raise LookupError(f"search index {self.folder} is rebuilding")
        frequency = self.index.searcher().doc_freq
        fields = list(BOOSTS)
        counts = {}
        for word in words:  # typo candidates: hundreds, nearly all absent (a tight loop)
            token = self._token(word)
            if token is None:
                continue
            found = max([frequency(name, token) for name in fields])
            if found:
                counts[word] = min(found, cap)
        return counts

    def variants(self, query: Query) -> dict[str, list[str]]:
        """For each plain word of ``query``, its other singular/plural forms the index holds."""
        candidates = query_forms(query)
        searcher = self.index.searcher()
        held = {
            form
            for forms in candidates.values()
            for form in forms
            if (token := self._token(form)) and self.papers_with(searcher, token)
        }
        return existing_forms(candidates, held)

    def marker(
        self,
        query: Query,
        variants: Mapping[str, Sequence[str]],
        highlight: tuple[str, str] = ("**", "**"),
    ) -> Marker:
        """What marks ``query``'s matches in a page's titles and snippets (as FTS5 would)."""
        phrases = [
            Phrase(tuple(self.tokens(form)), term.prefix, term.title)
            for term in query.terms
            for form in (
                [term.words[0], *variants.get(term.words[0], ())]
                if term.bare
                else [" ".join(term.words)]
            )
        ]
        return Marker(phrases, self.fold_token, highlight)
