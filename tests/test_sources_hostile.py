"""Hostile servers: nothing a server answers can stall polling, flood memory or the log, or make a
wrong body stick. Real HTTP against a local aiohttp server."""

from __future__ import annotations

import json
import logging
import threading
from datetime import date

import pytest

from bot.digest import Digest
from bot.ingest import ingest_bytes, read_markdown
from bot.models import IngestReport
from tests.fixtures_sources import Site, Sleeps, answer
from tests.helpers import DATA
from tests.test_sources import digest, hf_source, url_source

DAY = "/archive/2025/03/19.md"


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("value", ["1e9", "inf", "86400"])
async def test_a_retry_after_beyond_the_cap_is_not_waited_out(
    site, store, session, caplog, value: str
) -> None:
    site.script(DAY, answer(429, Retry_After=value), answer(200, digest()))
    site.script("/archive/2025/03/20.md", answer(200, (DATA / "2025-03-20.md").read_bytes()))
    sleeps = Sleeps()
    report = await url_source(site, store, session, sleep=sleeps, max_retry_after=60.0).poll()
    assert sleeps == []
    assert report.new > 0  # the next day was still polled
    assert any("more than the 60 s allowed; left for the next poll" in m for m in errors(caplog))
    assert await store.day(date(2025, 3, 19)) == []  # asked again next poll, not waited for


async def test_a_retry_after_within_the_cap_is_obeyed(site, store, session) -> None:
    site.script(DAY, answer(503, Retry_After="30"), answer(200, digest()))
    sleeps = Sleeps()
    report = await url_source(site, store, session, sleep=sleeps, max_retry_after=60.0).poll()
    assert sleeps == [30.0]
    assert report.new == 22


async def test_one_poll_ends_when_its_time_is_spent_however_the_server_stalls(
    site, store, session, caplog
) -> None:
    site.script(DAY, Site.HANG)
    site.script("/archive/2025/03/20.md", Site.HANG)
    source = url_source(site, store, session, timeout=30.0, poll_seconds=0.3)
    report = await source.poll()  # without the budget: 2 days x 3 attempts x 30 s
    assert report.papers == 0
    said = [m for m in errors(caplog) if "time" in m and "this poll" in m]
    assert len(said) == 1, errors(caplog)  # one line, and the other day is not even tried
    assert len(site.requests) == 1


async def test_an_endless_body_is_cut_at_the_limit_in_one_log_line(
    site, store, session, caplog
) -> None:
    site.script(DAY, {"stream": 200_000_000})
    report = await url_source(site, store, session, max_body=1_000_000).poll()
    assert report.papers == 0
    assert site.streamed < 20_000_000  # the client hung up soon after the limit
    [line] = [m for m in errors(caplog) if "19.md" in m]
    assert "over the 1,000,000 byte limit" in line


async def test_a_declared_huge_body_is_refused_unread(site, store, session, caplog) -> None:
    site.script(DAY, answer(200, b"x" * 2_000_001))
    await url_source(site, store, session, max_body=2_000_000).poll()
    assert any(
        "answer of 2,000,001 bytes is over the 2,000,000 byte limit" in m for m in errors(caplog)
    )


async def test_a_huge_api_answer_of_junk_items_logs_one_line(site, store, session, caplog) -> None:
    items = [{"paper": {"id": "nope", "title": ""}}] * 50_000
    site.script("/api/daily_papers?date=2025-03-20", answer(200, json.dumps(items).encode()))
    report = await hf_source(site, store, session, max_body=10_000_000).poll()
    assert report.papers == 0
    assert errors(caplog) == [
        "huggingface 2025-03-20: 50000 of 50000 items have no arXiv id or title"
        " (items 1, 2, 3, 4, 5, ...); skipped"
    ]


async def test_validators_of_an_answer_that_stored_nothing_are_not_kept(
    site, store, session
) -> None:
    site.script(
        DAY,
        answer(200, b"<html>Oops, try later</html>", ETag='"error-page"'),
        answer(200, digest(), ETag='"real"'),
    )
    await url_source(site, store, session).poll()
    report = await url_source(site, store, session).poll()
    asked = [headers for path, headers in site.requests if path == DAY]
    assert "If-None-Match" not in asked[1]
    assert report.new == 22
    await url_source(site, store, session).poll()
    assert [headers for path, headers in site.requests if path == DAY][2]["If-None-Match"] == (
        '"real"'
    )


async def test_a_body_for_another_day_stores_nothing_and_says_so(
    site, store, session, caplog
) -> None:
    site.script("/archive/2025/03/20.md", answer(200, digest("2025-03-19")))
    report = await url_source(site, store, session).poll()
    assert report.papers == 0
    assert [p.reason for p in report.problems] == [
        "the digest is for 2025-03-19, not 2025-03-20 as its address says; nothing stored"
    ]
    assert await store.day(date(2025, 3, 19)) == []
    assert await store.day(date(2025, 3, 20)) == []
    assert any("2025-03-19, not 2025-03-20" in m for m in errors(caplog))


async def test_a_fetched_body_is_parsed_off_the_event_loop(store) -> None:
    threads: list[int] = []

    def read(data: bytes, name: str) -> Digest:
        threads.append(threading.get_ident())
        return read_markdown(data, name)

    report = IngestReport()
    stored = await ingest_bytes(store, digest(), name="d", key="k", report=report, read=read)
    assert stored and report.new == 22
    assert threads and threads[0] != threading.get_ident()


async def test_a_flood_of_problems_is_logged_in_a_few_lines(site, store, session, caplog) -> None:
    junk = b"## Papers for 2025-03-19\n\n| Title | Authors | Summary |\n|--|--|--|\n"
    junk += b"| no link here | a | b |\n" * 10_000
    site.script(DAY, answer(200, junk + digest().split(b"|---", 1)[1].split(b"\n", 1)[1]))
    report = await url_source(site, store, session).poll()
    assert len(report.problems) == 10_000
    assert report.new == 22
    warned = [m for m in errors(caplog) if "19.md" in m]
    assert len(warned) == 11
    assert warned[-1].endswith(f"and 9990 more problems in {site.base}{DAY}")
