"""A local stand-in for the arXiv API, for tests and bench/arxiv_coverage.py.

It answers ``GET /api/query?id_list=...&max_results=N`` the way arXiv does (see
../shared/fixtures/arxiv-api/README.md): the recorded entries for the ids the fixtures hold, byte
for byte; entries made in the same shape for any other id it is told about (``add``), so it can
answer for the whole corpus; ids it does not know are simply absent; a malformed id makes the
whole request a 400 with arXiv's error feed. ``script`` makes the next answers other statuses or
bodies (faults, XML bombs). It records every request with the time it arrived.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "arxiv-api"
ENTRY = re.compile(r"<entry>.*?</entry>", re.DOTALL)
ENTRY_ID = re.compile(r"<id>https?://arxiv\.org/abs/([^<]+?)(v\d+)?</id>")
VALID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.-]*(\.[A-Z]{2})?/\d{7})(v\d+)?$")
HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    ' xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
    "  <id>https://arxiv.org/api/standin</id>\n"
    "  <title>arXiv Query: id_list={ids}</title>\n"
    "  <updated>2026-05-11T23:51:23Z</updated>\n"
    "  <opensearch:itemsPerPage>{n}</opensearch:itemsPerPage>\n"
    "  <opensearch:totalResults>{n}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>0</opensearch:startIndex>\n"
)
FIRST = [
    "Yann",
    "Germán",
    "Zoë",
    "Siddharth",
    "Wei",
    "Ana",
    "José",
    "Björn",
    "Chloé",
    "Li",
    "Olúwa",
]
LAST = [
    "LeCun",
    "Ramírez",
    "Müller",
    "Okonkwo",
    "Zhang",
    "Nguyễn",
    "Søndergaard",
    "O'Brien",
    "Wang",
]
PLACES = ["NYU", "Universidad de Chile", "ETH Zürich", "Tsinghua University", "Mila & McGill"]
CATEGORIES = ["cs.CL", "cs.CV", "cs.LG", "cs.AI", "cs.RO", "eess.AS", "stat.ML", "cs.IR"]


def recorded() -> dict[str, str]:
    """id (no version) -> the entry as arXiv sent it, from every recorded answer."""
    found: dict[str, str] = {}
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        body = data["body"].encode("latin-1").decode("utf-8")
        for entry in ENTRY.findall(body):
            match = ENTRY_ID.search(entry)
            if match:
                found.setdefault(match.group(1), entry)
    return found


def error_feed(bad: str) -> bytes:
    path = next(FIXTURES.glob("id_abc_*.json"))
    body = json.loads(path.read_text(encoding="utf-8"))["body"]
    return body.replace("abc", bad).encode("utf-8")


@dataclass(frozen=True)
class Made:
    """What the stand-in says about an id it was told about: what a test compares with."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    affiliations: tuple[tuple[str, ...], ...]
    primary: str
    categories: tuple[str, ...]
    version: int


def make(arxiv_id: str, title: str) -> Made:
    """A deterministic, arXiv-shaped record: 1 to 30 authors, accents, some affiliations."""
    seed = hashlib.sha256(arxiv_id.encode()).digest()
    count = 1 + seed[0] % 30
    authors = tuple(
        f"{FIRST[(seed[1] + i * 7) % len(FIRST)]} {LAST[(seed[2] + i * 5) % len(LAST)]}-{i}"
        for i in range(count)
    )
    affiliations = tuple(
        (PLACES[(seed[3] + i) % len(PLACES)],) if (seed[4] + i) % 3 == 0 else ()
        for i in range(count)
    )
    primary = CATEGORIES[seed[5] % len(CATEGORIES)]
    cross = [c for c in CATEGORIES if c != primary][: seed[6] % 3]
    return Made(arxiv_id, title, authors, affiliations, primary, (primary, *cross), 1 + seed[7] % 3)


def render(made: Made) -> str:
    """``made`` as an Atom entry, hard-wrapped like arXiv's."""
    words = escape(made.title).split()
    title = "\n  ".join(" ".join(words[i : i + 8]) for i in range(0, len(words), 8))
    versioned = f"{made.arxiv_id}v{made.version}"
    parts = [
        "<entry>",
        f"    <id>http://arxiv.org/abs/{versioned}</id>",
        f"    <title>{title}</title>",
        "    <updated>2025-03-20T17:59:59Z</updated>",
        f'    <link href="https://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f"    <summary>  The abstract of {escape(made.title)}.\nIt wraps\n  over lines.</summary>",
        *(
            f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
            for c in made.categories
        ),
        "    <published>2025-03-18T12:00:00Z</published>",
        f"    <arxiv:primary_category term={quoteattr(made.primary)}/>",
    ]
    for name, places in zip(made.authors, made.affiliations, strict=True):
        parts.append(f"    <author>\n      <name>{escape(name)}</name>")
        parts.extend(f"      <arxiv:affiliation>{escape(p)}</arxiv:affiliation>" for p in places)
        parts.append("    </author>")
    parts.append("  </entry>")
    return "\n".join(parts)


@dataclass
class StandIn:
    base: str = ""
    entries: dict[str, str] = field(default_factory=recorded)
    made: dict[str, Made] = field(default_factory=dict)
    requests: list[tuple[float, list[str]]] = field(default_factory=list)
    scripted: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.base}/api/query"

    def add(self, papers: Iterable[tuple[str, str]]) -> None:
        """Answer for these (arXiv id, title) too."""
        for arxiv_id, title in papers:
            if arxiv_id not in self.entries:
                self.made[arxiv_id] = made = make(arxiv_id, title)
                self.entries[arxiv_id] = render(made)

    def forget(self, *ids: str) -> None:
        """Answer as arXiv does for ids it does not know: leave them out."""
        for arxiv_id in ids:
            self.entries.pop(arxiv_id, None)
            self.made.pop(arxiv_id, None)

    def script(self, status: int, body: bytes = b"") -> None:
        self.scripted.append((status, body))

    async def handle(self, request: web.Request) -> web.Response:
        ids = [i for i in request.query.get("id_list", "").split(",") if i]
        self.requests.append((time.monotonic(), ids))
        if self.scripted:
            status, body = self.scripted.pop(0)
            return web.Response(status=status, body=body, headers={"Retry-After": "0"})
        bad = next((i for i in ids if not VALID.match(i)), None)
        if bad is not None:
            return self._feed(error_feed(bad), 400)
        limit = int(request.query.get("max_results", "10"))
        bare = [re.sub(r"v\d+$", "", i) for i in ids]
        return self._feed(feed(self, [i for i in bare if i in self.entries][:limit]), 200)

    @staticmethod
    def _feed(body: bytes, status: int) -> web.Response:
        return web.Response(
            status=status,
            body=body,
            headers={"Content-Type": "application/atom+xml; charset=utf-8"},
        )


@asynccontextmanager
async def serve(standin: StandIn | None = None) -> AsyncIterator[StandIn]:
    """The stand-in on 127.0.0.1 at a free port, for the length of the block."""
    standin = standin or StandIn()
    app = web.Application()
    app.router.add_get("/api/query", standin.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    standin.base = f"http://127.0.0.1:{port}"
    try:
        yield standin
    finally:
        await runner.cleanup()


def feed(standin: StandIn, ids: Iterable[str]) -> bytes:
    """The answer the stand-in gives for ``ids`` (those it knows), without a server."""
    entries = [standin.entries[i] for i in ids if i in standin.entries]
    body = HEAD.format(ids="", n=len(entries)) + "".join(f"  {e}\n" for e in entries) + "</feed>\n"
    return body.encode("utf-8")
