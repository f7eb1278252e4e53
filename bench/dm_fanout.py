"""Personal digest fan-out: one day of papers matched against many readers' follows.

    python -m bench.dm_fanout --people 10000 --follows 5 --papers 50

Readers and follows go into a real database through FollowService; follows are drawn like people
would pick them (authors of the archive, title words and phrases, categories, saved searches with
an exclusion). Prints, per person: the matching cost with the shared matcher (each distinct follow
matched once for everyone), the same with a matcher per person (the baseline, same run), and the
whole digest run (matching, ledger writes, a poster that records instead of posting); then the
lower bound Discord's global rate limit (50 requests/s) sets on sending those DMs (one request
to open each DM channel and one per message), and the ratios of the costs to that bound.

Measured 2026-11-28 (2 shared cores), 10,000 people x 5 follows, 50 papers: matching 69 us a
person with the shared matcher vs 42,719 us with one per person; the whole digest run 24.7 s
(2,469 us a person, mostly ledger writes) against a rate-limit bound of 363.2 s (9,661 messages,
8,501 DM channels): ratios 0.002 (matching) and 0.07 (digest run); the minute job with nobody
due: 316 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

from bot.config import Config
from bot.db.bookmarks import BookmarkStore
from bot.db.core import Database
from bot.db.ledger import DmLedgerStore
from bot.db.papers import PaperStore
from bot.follows import FollowError, FollowService
from bot.matching import Matcher
from bot.personal import ChangeNotice, DigestPart, PersonalDigest
from synthetic_corpus import load_vocabulary, synthetic_papers

GLOBAL_PER_SECOND = 50
CATEGORIES = ["cs.CL", "cs.CV", "cs.LG", "cs.AI", "stat.ML", "cs.RO"]


class Recorder:
    """A DirectPoster that records instead of posting: the cost left is paperboy's own."""

    def __init__(self) -> None:
        self.sent = 0
        self.people: set[int] = set()

    async def direct(self, user_id: int, message: DigestPart | ChangeNotice, nonce: str) -> int:
        self.sent += 1
        self.people.add(user_id)
        return self.sent


def pick_follows(rng: random.Random, vocabulary, papers, count: int) -> list[tuple[str, str]]:
    """``count`` follows: authors (half of them on today's papers), words, phrases, searches."""
    todays = [name for paper in papers for name in paper.authors]
    words = [w for w in vocabulary.title_words[50:3000] if w.isalpha() and len(w) > 3]
    follows: list[tuple[str, str]] = []
    while len(follows) < count:
        roll = rng.random()
        if roll < 0.3:
            pool = todays if rng.random() < 0.5 else vocabulary.authors
            follows.append(("author", rng.choice(pool)))
        elif roll < 0.6:
            follows.append(("keyword", rng.choice(words)))
        elif roll < 0.7:
            follows.append(("keyword", f"{rng.choice(words)} {rng.choice(words)}"))
        elif roll < 0.8:
            follows.append(("category", rng.choice(CATEGORIES)))
        else:
            follows.append(
                ("search", f"{rng.choice(words)} {rng.choice(words)}* -{rng.choice(words)}")
            )
    return follows


async def run(people: int, per_person: int, paper_count: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    vocabulary = load_vocabulary()
    papers = next(synthetic_papers(vocabulary, paper_count, per_day=paper_count))
    day = papers[0].day
    before = datetime.combine(day, clock_time(8), UTC)
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.db")
        try:
            store = PaperStore(db)
            await store.ingest(day, papers, "bench")
            config = replace(Config())
            follows = FollowService(db, store, config, lambda: before, limit=per_person)
            started = time.perf_counter()
            for user_id in range(1, people + 1):
                for kind, value in pick_follows(rng, vocabulary, papers, per_person):
                    with contextlib.suppress(FollowError):  # a duplicate draw: one follow less
                        await follows.follow(user_id, kind, value)
            seeding = time.perf_counter() - started
            rows = await store.day(day)
            readers = await follows.readers()
            by_person = await follows.of_many([r.user_id for r in readers])

            shared = []
            for _ in range(3):
                started = time.perf_counter()
                matcher = Matcher(rows)
                matched = [matcher.for_person(by_person[r.user_id]) for r in readers]
                shared.append(time.perf_counter() - started)
            started = time.perf_counter()
            for reader in readers[: max(1, people // 10)]:
                Matcher(rows).for_person(by_person[reader.user_id])
            alone = (time.perf_counter() - started) / max(1, people // 10)

            poster = Recorder()
            digest = PersonalDigest(
                follows,
                store,
                BookmarkStore(db, store),
                DmLedgerStore(db),
                poster,
                config,
                lambda: before,
            )
            started = time.perf_counter()
            reports = await digest.deliver_due(datetime.combine(day, clock_time(10), UTC))
            whole = time.perf_counter() - started
            started = time.perf_counter()  # the job's next minute: everyone is served
            assert await digest.deliver_due(datetime.combine(day, clock_time(10, 1), UTC)) == {}
            idle = time.perf_counter() - started
        finally:
            await db.close()
    with_papers = sum(1 for m in matched if m)
    requests = poster.sent + len(poster.people)  # open each DM channel, then each message
    bound = requests / GLOBAL_PER_SECOND
    per_shared = statistics.median(shared) / len(readers)
    return {
        "people": len(readers),
        "follows": sum(len(f) for f in by_person.values()),
        "papers": len(rows),
        "people_with_papers": with_papers,
        "digests_delivered": sum(1 for r in reports.values() if r.messages),
        "messages": poster.sent,
        "seeding_s": round(seeding, 1),
        "match_per_person_us (shared, median of 3)": round(per_shared * 1e6, 1),
        "match_per_person_us (matcher per person)": round(alone * 1e6, 1),
        "digest_run_s (match + ledger)": round(whole, 2),
        "digest_per_person_us": round(whole / len(readers) * 1e6, 1),
        "idle_minute_job_ms (nobody due)": round(idle * 1e3, 1),
        "rate_limit_bound_s": round(bound, 1),
        "rate_limit_per_person_us": round(bound / max(1, with_papers) * 1e6, 1),
        "ratio match / bound": round(statistics.median(shared) / bound, 5) if bound else 0.0,
        "ratio digest run / bound": round(whole / bound, 4) if bound else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--follows", type=int, default=5)
    parser.add_argument("--papers", type=int, default=50)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    figures = asyncio.run(run(args.people, args.follows, args.papers, args.seed))
    for key, value in figures.items():
        print(f"{key:>44}: {value}")


if __name__ == "__main__":
    main()
