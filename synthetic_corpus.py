"""Synthetic paper corpora with the real archive's vocabulary, shared by bench/ and tests/.

Words are drawn with the frequencies they have in the real titles and summaries, and author names
from the real pool, so FTS5 sees realistic posting-list lengths. Deterministic for a given seed.
``synthetic_papers`` is the benchmarks' corpus (summaries as long as real ones);
``quick_papers`` draws a whole day's words at once and writes shorter summaries, for tests that
need a big database fast rather than realistic text. Neither bench/ nor tests/ imports the other:
both import this module.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from bot.digest import parse_digest
from bot.models import Paper

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT.parent / "shared" / "corpus" / "daily-ai-papers"


@dataclass
class Vocabulary:
    title_words: list[str]
    title_weights: list[float]
    summary_words: list[str]
    summary_weights: list[float]
    authors: list[str]
    real: list[Paper]


def _cumulative(counter: Counter[str]) -> tuple[list[str], list[float]]:
    words = [word for word, _ in counter.most_common()]
    return words, list(accumulate(counter[word] for word in words))


def load_vocabulary() -> Vocabulary:
    """Word and author frequencies of the shared archive (or of seeds/ when it is absent)."""
    folder = CORPUS if CORPUS.is_dir() else ROOT / "seeds"
    real = [
        paper
        for path in sorted(folder.rglob("*.md"))
        for paper in parse_digest(path.read_text(encoding="utf-8"), str(path)).papers
    ]
    titles = Counter(word for p in real for word in p.title.split())
    summaries = Counter(word for p in real for word in p.summary.split())
    authors = sorted({name for p in real for name in p.authors})
    return Vocabulary(*_cumulative(titles), *_cumulative(summaries), authors, real)


def _paper(
    arxiv_id: str, title: str, authors: tuple[str, ...], summary: str, day: date, position: int
) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        authors=authors,
        summary=summary,
        day=day,
        position=position,
        arxiv_url=f"https://arxiv.org/abs/{arxiv_id}",
        hf_url=f"https://huggingface.co/papers/{arxiv_id}",
    )


def synthetic_papers(
    vocabulary: Vocabulary, count: int, per_day: int = 1000, seed: int = 7
) -> Iterator[list[Paper]]:
    """``count`` papers in days of ``per_day``; author pool grows with the corpus like real life."""
    rng = random.Random(seed)
    pool = list(vocabulary.authors)
    extra = max(0, count // 4 - len(pool))
    first_names = [name.split()[0] for name in vocabulary.authors if " " in name] or ["Alex"]
    last_names = [name.split()[-1] for name in vocabulary.authors if " " in name] or ["Lee"]
    pool += [
        f"{rng.choice(first_names)} {rng.choice(last_names)} {index}" for index in range(extra)
    ]
    day = date(2000, 1, 3)
    made = 0
    while made < count:
        batch = []
        for position in range(1, min(per_day, count - made) + 1):
            made += 1
            arxiv_id = f"{9000 + made // 100_000:04d}.{made % 100_000:05d}"
            title = " ".join(
                rng.choices(
                    vocabulary.title_words,
                    cum_weights=vocabulary.title_weights,
                    k=rng.randint(6, 14),
                )
            )
            summary = " ".join(
                rng.choices(
                    vocabulary.summary_words,
                    cum_weights=vocabulary.summary_weights,
                    k=rng.randint(110, 180),
                )
            )
            authors = tuple(rng.sample(pool, rng.randint(1, 8)))
            batch.append(_paper(arxiv_id, title, authors, summary, day, position))
        yield batch
        day += timedelta(days=1)


def quick_papers(
    vocabulary: Vocabulary,
    count: int,
    per_day: int,
    seed: int = 11,
    title_words: int = 9,
    summary_words: int = 30,
) -> Iterator[list[Paper]]:
    """``count`` papers in days of ``per_day``, fixed lengths: one rng.choices call per day and field."""
    rng = random.Random(seed)
    pool = vocabulary.authors + [f"Synthetic Author {n}" for n in range(count // 4)]
    day = date(2001, 1, 1)
    for start in range(0, count, per_day):
        size = min(per_day, count - start)
        summaries = rng.choices(
            vocabulary.summary_words, cum_weights=vocabulary.summary_weights, k=size * summary_words
        )
        titles = rng.choices(
            vocabulary.title_words, cum_weights=vocabulary.title_weights, k=size * title_words
        )
        batch = []
        for index in range(size):
            number = start + index
            batch.append(
                _paper(
                    f"{8000 + number // 100_000:04d}.{number % 100_000:05d}",
                    " ".join(titles[index * title_words : (index + 1) * title_words]),
                    tuple(rng.sample(pool, 2)),
                    " ".join(summaries[index * summary_words : (index + 1) * summary_words]),
                    day,
                    index + 1,
                )
            )
        yield batch
        day += timedelta(days=1)
