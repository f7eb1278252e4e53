"""The arXiv source: the Atom parser on recorded answers and hostile XML, and completion of stored
papers in batches against a local stand-in of the API (tests/arxiv_standin.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.db import PaperStore
from bot.db.arxiv import ArxivStore
from bot.enrich import Enricher
from bot.models import Paper
from bot.sources.arxiv import ArxivClient, ArxivError, parse_feed
from bot.sources.http import Http
from tests.arxiv_standin import FIXTURES, StandIn, error_feed, serve
from tests.helpers import open_store

START = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def recorded(prefix: str) -> bytes:
    """A recorded answer's body, as the bytes arXiv sent."""
    path = next(FIXTURES.glob(f"{prefix}_s0_m100_*.json"))
    return json.loads(path.read_text(encoding="utf-8"))["body"].encode("latin-1")


def test_a_versioned_id_parses_with_its_primary_category_and_version() -> None:
    (entry,) = parse_feed(recorded("id_2104.12255v1")).entries
    assert entry.arxiv_id == "2104.12255"
    assert entry.version == 1
    assert entry.title == "0"
    assert entry.primary_category == "cs.CR"
    assert entry.categories == ("cs.CR",)
    assert entry.authors == ("Quan Thoi Minh Nguyen",)
    assert entry.published == entry.updated == "2021-04-20T16:07:14Z"
    assert entry.abstract.startswith("What is the funniest number in cryptography? 0.")
    assert "\n" not in entry.abstract


def test_old_style_ids_keep_affiliations_and_the_journal_ref() -> None:
    (entry,) = parse_feed(recorded("id_astro-ph_0601001")).entries
    assert entry.arxiv_id == "astro-ph/0601001"
    assert entry.authors[:3] == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi")
    assert entry.affiliations[:3] == (("Ohio State",), ("Ohio State",), ("CfA",))
    assert entry.journal_ref == "ActaAstron.56:1-50,2006"
    assert entry.primary_category == "astro-ph"
    assert entry.comment is not None and entry.comment.startswith("62 pages")


def test_a_hundred_entries_all_carry_a_primary_category_and_authors_in_utf8() -> None:
    feed = parse_feed(recorded("q_testing"))
    assert len(feed.entries) == 100
    assert all(e.primary_category and e.authors and e.title for e in feed.entries)
    names = {name for e in feed.entries for name in e.authors}
    assert {"Aurora Ramírez", "José Raúl Romero", "Sébastien Lafond"} <= names
    assert sum(1 for e in feed.entries if e.doi) == 32
    assert all("\n" not in e.title and "  " not in e.title for e in feed.entries)
    first = feed.entries[0]
    assert first.categories == ("cs.SE", "cs.LG")
    assert first.doi == "10.1109/ICSTW55395.2022.00035"


def test_an_empty_feed_has_no_entries_and_an_error_feed_is_not_an_entry() -> None:
    assert parse_feed(recorded("id_0000.0000")).entries == []
    feed = parse_feed(recorded("id_abc"))
    assert feed.entries == []
    assert feed.errors == ["incorrect id format for abc"]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2503.14456v1</id>
<title>&lol3;</title></entry></feed>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2503.14456v1</id>
<title>&secret;</title></entry></feed>"""


@pytest.mark.parametrize("body", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_entities_and_dtds_are_refused(body: bytes) -> None:
    with pytest.raises(ArxivError, match="refused the arXiv answer: DTDForbidden"):
        parse_feed(body)


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<html>busy</html>", "not an Atom feed"),
        (b"<feed", "not XML"),
        (b"", "not XML"),
    ],
)
def test_what_is_not_a_feed_is_one_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(ArxivError, match=message):
        parse_feed(body)


# Completion of stored papers against the stand-in.


@dataclass
class Rig:
    store: PaperStore
    standin: StandIn
    enricher: Enricher
    client: ArxivClient
    now: list[datetime]
    waits: list[float]


IDS = ["2104.12255", "1605.08386", "1707.08567", "astro-ph/0601001", "quant-ph/0201082"]


async def listed(store: PaperStore, ids: list[str]) -> None:
    """The papers as a digest of 2025-03-19 lists them: a title and usernames only."""
    papers = [
        Paper(arxiv_id=i, title=f"Paper {i}", authors=("someuser",), day=START.date(), position=n)
        for n, i in enumerate(ids, 1)
    ]
    await store.ingest(START.date(), papers, "digest.md")


@pytest.fixture
async def rig(empty_db: Path) -> AsyncIterator[Rig]:
    now = [START]
    waits: list[float] = []
    ticks = [0.0]

    async def sleep(seconds: float) -> None:  # the interval is waited out on a fake clock
        waits.append(seconds)
        ticks[0] += seconds

    async with (
        open_store(empty_db) as store,
        serve() as standin,
        aiohttp.ClientSession() as session,
    ):
        http = Http(session, timeout=5, retries=2, sleep=sleep)
        client = ArxivClient(standin.url, http, interval=3.0, monotonic=lambda: ticks[0])
        enricher = Enricher(ArxivStore(store.db), client, lambda: now[0], batch=2)
        yield Rig(store, standin, enricher, client, now, waits)


async def test_papers_are_completed_in_batches_at_most_one_request_per_interval(rig: Rig) -> None:
    await listed(rig.store, IDS)
    report = await rig.enricher.run()
    assert (report.asked, report.completed, report.unknown) == (5, 5, 0)
    assert [len(ids) for _, ids in rig.standin.requests] == [2, 2, 1]
    assert rig.waits == [3.0, 3.0]  # the fake clock did not move between requests: full waits
    paper = await rig.store.get("astro-ph/0601001")
    assert paper is not None
    assert paper.authors[:2] == ("Andrew Gould", "Susan Dorsher")
    assert paper.primary_category == "astro-ph" and paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.affiliations[2] == ("CfA",)
    assert paper.sources == ("arxiv", "digest")
    assert await rig.enricher.run() == type(report)()  # nothing is asked twice


async def test_a_run_respects_its_limit_and_takes_the_newest_papers_first(rig: Rig) -> None:
    await listed(rig.store, IDS)
    report = await rig.enricher.run(limit=3)
    assert report.asked == 3
    asked = [i for _, ids in rig.standin.requests for i in ids]
    assert asked == ["quant-ph/0201082", "astro-ph/0601001", "1707.08567"]
    assert await rig.enricher.pending() == 2


async def test_an_id_arxiv_does_not_know_is_recorded_and_asked_again_only_days_later(
    rig: Rig,
) -> None:
    await listed(rig.store, ["0808.05394", "1707.08567"])
    report = await rig.enricher.run()
    assert (report.completed, report.unknown) == (1, 1)
    assert await rig.enricher.run() == type(report)()  # not every poll
    rig.now[0] = START + timedelta(hours=23)
    assert (await rig.enricher.run()).asked == 0
    rig.now[0] = START + timedelta(days=1, minutes=1)
    again = await rig.enricher.run()
    assert (again.asked, again.unknown) == (1, 1)
    rig.now[0] = START + timedelta(days=2, minutes=2)
    assert (await rig.enricher.run()).asked == 0  # the wait doubles: 2 days after the second miss
    paper = await rig.store.get("0808.05394")
    assert paper is not None and paper.title == "Paper 0808.05394" and paper.sources == ("digest",)


async def test_an_empty_answer_for_a_batch_is_asked_once_more(rig: Rig) -> None:
    await listed(rig.store, IDS[:2])
    empty = recorded("id_0000.0000")
    assert parse_feed(empty).entries == []
    rig.standin.script(200, empty)
    report = await rig.enricher.run()
    assert (report.completed, report.unknown) == (2, 0)
    assert [len(ids) for _, ids in rig.standin.requests] == [2, 2]


async def test_a_batch_refused_as_malformed_is_asked_id_by_id(rig: Rig) -> None:
    await listed(rig.store, IDS[:2])
    rig.standin.script(400, error_feed("1605.08386,2104.12255"))
    report = await rig.enricher.run()
    assert (report.completed, report.unknown) == (2, 0)
    assert [len(ids) for _, ids in rig.standin.requests] == [2, 1, 1]


async def test_server_errors_are_retried_with_backoff(rig: Rig) -> None:
    await listed(rig.store, IDS[:1])
    rig.standin.script(503)
    rig.standin.script(503)
    report = await rig.enricher.run()
    assert report.completed == 1 and report.error is None
    assert len(rig.standin.requests) == 3


async def test_arxiv_down_stops_the_run_and_loses_nothing(rig: Rig) -> None:
    await listed(rig.store, IDS[:3])
    before = await rig.store.get("1605.08386")
    for _ in range(3):
        rig.standin.script(503)
    report = await rig.enricher.run()
    assert report.asked == 0 and report.error is not None and "HTTP 503" in report.error
    assert await rig.enricher.pending() == 3
    assert await rig.store.get("1605.08386") == before
    later = await rig.enricher.run()  # arXiv is back: the same papers are completed
    assert later.completed == 3


async def test_a_hostile_answer_stops_the_run_and_changes_nothing(rig: Rig) -> None:
    await listed(rig.store, IDS[:1])
    rig.standin.script(200, BOMB)
    report = await rig.enricher.run()
    assert report.error is not None and "DTDForbidden" in report.error
    paper = await rig.store.get("2104.12255")
    assert paper is not None and paper.title == "Paper 2104.12255"
    assert await rig.enricher.pending() == 1


async def test_one_unreadable_answer_costs_only_its_own_id(rig: Rig) -> None:
    await listed(rig.store, IDS[:3])
    rig.standin.script(200, BOMB)  # the batch of two
    rig.standin.script(200, b"<html>")  # the first of them alone
    report = await rig.enricher.run()
    assert (report.completed, report.unknown, report.error) == (2, 1, None)
    assert [len(ids) for _, ids in rig.standin.requests] == [2, 1, 1, 1]
    (unreadable,) = rig.standin.requests[1][1]
    paper = await rig.store.get(unreadable)
    assert paper is not None and paper.sources == ("digest",)  # asked again days later
    for other in (i for i in IDS[:3] if i != unreadable):
        completed = await rig.store.get(other)
        assert completed is not None and "arxiv" in completed.sources


async def test_nothing_readable_from_arxiv_stops_the_run_and_marks_nothing(rig: Rig) -> None:
    await listed(rig.store, IDS)
    for _ in range(3):
        rig.standin.script(200, b"<html>maintenance</html>")
    report = await rig.enricher.run()
    assert report.asked == 0 and report.error is not None and "not an Atom feed" in report.error
    assert [len(ids) for _, ids in rig.standin.requests] == [2, 1, 1]  # the batch, then each id
    assert await rig.enricher.pending() == 5


async def test_no_network_at_all_keeps_papers_pending(tmp_path: Path) -> None:
    async with open_store(tmp_path / "p.db") as store, aiohttp.ClientSession() as session:
        await listed(store, IDS[:2])

        async def no_wait(seconds: float) -> None:
            return None

        http = Http(session, timeout=1, retries=1, sleep=no_wait)
        client = ArxivClient("http://127.0.0.1:9/api/query", http, interval=0)  # nothing listens
        enricher = Enricher(ArxivStore(store.db), client, lambda: START)
        report = await enricher.run()
        assert report.asked == 0 and report.error is not None
        assert await enricher.pending() == 2
