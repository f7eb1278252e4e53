"""Digest sources over real HTTP, against a local server: never the internet."""

from __future__ import annotations

import logging
import shutil
import socket
from dataclasses import replace
from datetime import date
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.config import Config, SourcesConfig
from bot.db.papers import PaperStore
from bot.db.sources import SourceState
from bot.models import IngestReport
from bot.sources import Source, build_sources, poll_all
from bot.sources.http import Http
from bot.sources.huggingface import HuggingFaceSource
from bot.sources.url import UrlTemplateSource
from tests.fixtures_sources import Site, Sleeps, answer, clock
from tests.helpers import DATA, SEEDS, offline


def digest(day: str = "2025-03-19") -> bytes:
    return (SEEDS / f"{day}.md").read_bytes()


def sources(
    config: Config, store: PaperStore, session: aiohttp.ClientSession | None = None
) -> list[Source]:
    """The configured sources, as the scheduler builds them (a folder needs no session)."""
    http = Http(session)  # type: ignore[arg-type]
    return build_sources(config, store, SourceState(store.db), http, clock)


def url_source(site, store, session, sleep=None, **options) -> UrlTemplateSource:
    http = Http(session, options.pop("timeout", 5.0), 2, Sleeps() if sleep is None else sleep)
    http = replace(http, **options)
    template = f"{site.base}/archive/{{yyyy}}/{{mm}}/{{dd}}.md"
    return UrlTemplateSource(template, store, SourceState(store.db), clock, 1, http)


async def test_the_folder_source_ingests_new_and_changed_files(tmp_path: Path, store) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEEDS / "2025-03-19.md", folder)
    config = replace(Config(), sources=offline(folder))
    [source] = sources(config, store)
    assert (await source.poll()).new == 22
    assert (await source.poll()).skipped_files == 1
    shutil.copy(DATA / "2025-03-20.md", folder)
    again = await source.poll()
    assert (again.new, again.skipped_files) == (1, 1)


async def test_the_folder_source_logs_each_problem_with_its_file_and_line(
    tmp_path: Path, store, caplog
) -> None:
    shutil.copy(DATA / "malformed.md", tmp_path)
    config = replace(Config(), sources=offline(tmp_path))
    [source] = sources(config, store)
    report = await source.poll()
    assert report.new == 3 and report.problems
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert logged == [f"{source.name}: {problem}" for problem in report.problems]
    assert all(f"{tmp_path / 'malformed.md'}:" in line for line in logged)


async def test_a_published_day_is_ingested_and_then_asked_for_conditionally(
    site, store, session
) -> None:
    headers = {"ETag": '"v1"', "Last_Modified": "Wed, 19 Mar 2025 08:00:00 GMT"}
    site.script(
        "/archive/2025/03/19.md",
        answer(200, digest(), **headers),
        answer(304),
    )
    source = url_source(site, store, session)
    first = await source.poll()
    assert first.new == 22
    second = await url_source(site, store, session).poll()  # a new instance: the state is in the DB
    assert (second.papers, second.new) == (0, 0)
    asked = [h for path, h in site.requests if path == "/archive/2025/03/19.md"]
    assert asked[-1]["If-None-Match"] == '"v1"'
    assert asked[-1]["If-Modified-Since"] == "Wed, 19 Mar 2025 08:00:00 GMT"


async def test_not_published_yet_is_quiet(site, store, session, caplog) -> None:
    caplog.set_level(logging.INFO)
    report = await url_source(site, store, session).poll()
    assert report.papers == 0
    assert [path for path, _ in site.requests] == [
        "/archive/2025/03/19.md",
        "/archive/2025/03/20.md",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_server_errors_are_retried_with_backoff(site, store, session) -> None:
    site.script(
        "/archive/2025/03/19.md",
        answer(503),
        answer(500),
        answer(200, digest()),
    )
    sleeps = Sleeps()
    report = await url_source(site, store, session, sleep=sleeps).poll()
    assert report.new == 22
    # Exponential with jitter: about 1 s, then about 2 s (each between half and all of it).
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


async def test_a_client_error_is_not_retried(site, store, session, caplog) -> None:
    site.script("/archive/2025/03/19.md", answer(403))
    sleeps = Sleeps()
    report = await url_source(site, store, session, sleep=sleeps).poll()
    assert (report.papers, sleeps) == (0, [])
    assert [path for path, _ in site.requests].count("/archive/2025/03/19.md") == 1
    assert any("19.md answered HTTP 403" in r.getMessage() for r in caplog.records)


async def test_retry_after_is_honoured(site, store, session) -> None:
    site.script(
        "/archive/2025/03/19.md",
        answer(429, Retry_After="7"),
        answer(200, digest()),
    )
    sleeps = Sleeps()
    await url_source(site, store, session, sleep=sleeps).poll()
    assert sleeps == [7.0]


async def test_a_timeout_is_retried(site, store, session, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    site.script("/archive/2025/03/19.md", Site.HANG, answer(200, digest()))
    sleeps = Sleeps()
    source = url_source(site, store, session, sleep=sleeps, timeout=0.2)
    report = await source.poll()
    assert report.new == 22
    assert len(sleeps) == 1
    assert any("19.md: TimeoutError; retry 1/2" in r.getMessage() for r in caplog.records)


async def test_a_day_that_keeps_failing_is_logged_and_the_next_day_still_polled(
    site, store, session, caplog
) -> None:
    site.script("/archive/2025/03/19.md", answer(500))
    site.script("/archive/2025/03/20.md", answer(200, (DATA / "2025-03-20.md").read_bytes()))
    report = await url_source(site, store, session).poll()
    assert report.new == 2
    assert any(
        "/archive/2025/03/19.md failed after 3 attempts (HTTP 500)" in r.message
        for r in caplog.records
    )


async def test_garbage_is_a_problem_and_loses_nothing(site, store, session, caplog) -> None:
    site.script(
        "/archive/2025/03/19.md",
        answer(200, digest(), ETag='"v1"'),
        answer(200, b"<html>Rate limited</html>", ETag='"v2"'),
    )
    await url_source(site, store, session).poll()
    report = await url_source(site, store, session).poll()
    assert report.papers == 0
    assert [p.reason for p in report.problems] == ["no table with a Title column"]
    assert any("no table with a Title column" in r.getMessage() for r in caplog.records)
    assert len(await store.day(date(2025, 3, 19))) == 22


HF_DAY = (DATA / "hf" / "2025-03-20.json").read_bytes()


def hf_source(site, store, session, **options) -> HuggingFaceSource:
    http = Http(session, retries=0, **options)
    return HuggingFaceSource(f"{site.base}/api/daily_papers", store, clock, 0, http)


async def test_the_hugging_face_api_maps_every_field(site, store, session) -> None:
    site.script("/api/daily_papers?date=2025-03-20", answer(200, HF_DAY))
    report = await hf_source(site, store, session).poll()
    assert report.new == 3
    paper = await store.get("2503.14456")
    assert paper.title == 'RWKV-7 "Goose" with Expressive Dynamic State Evolution'
    assert paper.authors == ("Bo Peng", "Daniel Goldstein")
    assert paper.summary.startswith("RWKV-7 Goose is a recurrent architecture")
    assert (paper.upvotes, paper.github_repo, paper.keywords) == (
        142,
        "https://github.com/BlinkDL/RWKV-LM",
        ("RWKV", "delta rule", "state tracking"),
    )
    assert paper.days == (date(2025, 3, 20),)
    assert [p.arxiv_id for p in await store.day(date(2025, 3, 20))] == [
        "2503.14456",
        "2503.14378",
        "2503.12345",
    ]


async def test_missing_or_wrongly_typed_api_fields_are_tolerated(
    site, store, session, caplog
) -> None:
    site.script("/api/daily_papers?date=2025-03-20", answer(200, HF_DAY))
    await hf_source(site, store, session).poll()
    plain = await store.get("2503.14378")
    assert (plain.summary, plain.upvotes, plain.github_repo, plain.keywords) == (
        "Only an abstract, no AI summary, no GitHub, no keywords.",
        0,
        None,
        (),
    )
    odd = await store.get("2503.12345")
    assert (odd.title, odd.authors, odd.upvotes, odd.github_repo) == (
        "The item's title is used when the paper has none",
        (),
        None,
        None,
    )
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped == [
        "huggingface 2025-03-20: 2 of 5 items have no arXiv id or title (items 3, 4); skipped"
    ]


async def test_malformed_api_json_is_one_log_line(site, store, session, caplog) -> None:
    site.script(
        "/api/daily_papers?date=2025-03-20",
        answer(200, b"{not json"),
    )
    report = await hf_source(site, store, session).poll()
    assert report.papers == 0
    assert next(r.message for r in caplog.records if r.levelno == logging.ERROR).startswith(
        "huggingface 2025-03-20: unreadable answer:"
    )


async def test_one_failing_source_does_not_stop_the_others(site, store, session) -> None:
    site.script("/api/daily_papers?date=2025-03-20", answer(200, b"[]]"))
    site.script("/archive/2025/03/20.md", answer(200, (DATA / "2025-03-20.md").read_bytes()))
    config = replace(
        Config(),
        sources=SourcesConfig(
            folder="",
            url_template=f"{site.base}/archive/{{yyyy}}/{{mm}}/{{dd}}.md",
            huggingface=True,
            huggingface_url=f"{site.base}/api/daily_papers",
            lookback_days=0,
            retries=0,
        ),
    )
    reports = await poll_all(sources(config, store, session))
    assert {name: report.new for name, report in reports.items()} == {
        f"url {site.base}/archive/{{yyyy}}/{{mm}}/{{dd}}.md": 2,
        "huggingface": 0,
    }


class Broken:
    """A source that breaks its promise never to raise."""

    name = "broken"

    async def poll(self) -> IngestReport:
        raise RuntimeError("boom")


async def test_a_source_that_raises_is_logged_and_the_next_one_polled(
    tmp_path: Path, store, caplog
) -> None:
    shutil.copy(SEEDS / "2025-03-19.md", tmp_path)
    folder = sources(replace(Config(), sources=offline(tmp_path)), store)
    reports = await poll_all([Broken(), *folder])
    assert (reports["broken"].papers, reports[folder[0].name].new) == (0, 22)
    assert any(r.exc_info and "source broken failed" in r.getMessage() for r in caplog.records)


async def test_without_network_a_poll_is_one_line_and_a_later_poll_recovers(
    store, session, caplog
) -> None:
    """The bot started before the network: each poll logs one line (after retrying with
    backoff), skips the other days, and the first poll after the network is back ingests."""
    caplog.set_level(logging.INFO)
    with socket.socket() as probe:  # a port nobody listens on, until the "network" comes up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{port}/api/daily_papers"
    source = HuggingFaceSource(url, store, clock, 3, Http(session, 1.0, 2, sleeps))
    assert (await source.poll()).new == 0
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert line.startswith(f"huggingface: {url}?date=2025-03-17 failed after 3 attempts")
    assert len(sleeps) == 2 and sleeps[0] <= sleeps[1]  # backoff between attempts

    async def api(request: web.Request) -> web.Response:
        body = HF_DAY if request.query.get("date") == "2025-03-20" else b"[]"
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/api/daily_papers", api)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        assert (await source.poll()).new == 3
    finally:
        await runner.cleanup()
