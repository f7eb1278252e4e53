"""What people type into search, parsed: words, phrases, exclusions, prefixes and field syntax.

User text never reaches FTS5 as syntax. ``parse_query`` keeps words, "quoted phrases", -excluded
words, a trailing * for a prefix, and the fields ``au:``/``author:``, ``ti:``/``title:``, ``cat:``,
``id:``, ``since:``/``until:``; it rebuilds an expression in which every term is a quoted string
(see ``Query.fts``), so quotes, NEAR, AND, brackets, emoji or 10 KB of text can only ever match or
not match. Pure: no SQL, no clock (relative dates take ``today`` from the caller).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.errors import UserError
from bot.ids import normalize_arxiv_id
from bot.text import trim

MAX_TERMS = 16
WORD = re.compile(r"\w+")
FIELDS = {
    "au": "author",
    "author": "author",
    "ti": "title",
    "title": "title",
    "cat": "category",
    "id": "id",
    "since": "since",
    "until": "until",
}
TOKEN = re.compile(
    r"(-?)(?:(" + "|".join(FIELDS) + r'):\s*(?=\S))?(?:"([^"]*)"?|(\S+))', re.IGNORECASE
)
EXAMPLES = {
    "author": "au:BlinkDL",
    "title": "ti:goose",
    "category": 'cat:"Machine Learning"',
    "id": "id:2503.14456",
    "since": "since:7d",
    "until": "until:2025-03-01",
}
RELATIVE = re.compile(r"^(\d{1,4})([dwmy])$", re.IGNORECASE)
UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


class SearchError(UserError):
    """A request the service cannot answer as asked; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must appear together: one word, a "phrase", or a prefix*, maybe in the title only."""

    words: tuple[str, ...]
    quoted: bool = False
    prefix: bool = False
    title: bool = False

    @property
    def bare(self) -> bool:
        """One plain word: the kind that plural forms and typo corrections may replace."""
        return len(self.words) == 1 and not self.quoted and not self.prefix

    def fts(self, variants: Sequence[str] = ()) -> str:
        """This term as FTS5 syntax: quoted strings only; ``variants`` are OR-ed alternatives."""
        forms = [self.words[0], *variants] if self.bare and variants else [" ".join(self.words)]
        quoted = ['"' + form.replace('"', "") + '"' for form in forms]
        text = quoted[0] + ("*" if self.prefix else "")
        if len(quoted) > 1:
            text = "(" + " OR ".join(quoted) + ")"
        return f"title : {text}" if self.title else text

    def text(self) -> str:
        """As a person would type it."""
        body = " ".join(self.words)
        if self.quoted or len(self.words) > 1:
            body = f'"{body}"'
        return ("ti:" if self.title else "") + body + ("*" if self.prefix else "")


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: terms that must all match, terms that must not, and the filters."""

    terms: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    authors: tuple[str, ...] = ()
    not_authors: tuple[str, ...] = ()
    category: str | None = None
    arxiv_ids: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    fields: tuple[str, ...] = field(default=(), compare=False)  # the field parts as typed

    @property
    def include(self) -> tuple[str, ...]:
        return tuple(term.fts() for term in self.terms)

    @property
    def exclude(self) -> tuple[str, ...]:
        return tuple(term.fts() for term in self.excluded)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.authors
            or self.not_authors
            or self.category
            or self.arxiv_ids
            or self.since
            or self.until
        )

    def fts(self, variants: Mapping[str, Sequence[str]] | None = None) -> str | None:
        """The FTS5 expression, or None when no words are left to match on.

        ``variants`` maps a plain word to other forms that count as a match (its plural, say).
        """
        if not self.terms:
            return None
        variants = variants or {}
        expression = " AND ".join(
            term.fts(variants.get(term.words[0], ()) if term.bare else ()) for term in self.terms
        )
        if self.excluded:
            expression = f"({expression}) NOT ({' OR '.join(self.exclude)})"
        return expression

    def corrected(self, corrections: Mapping[str, str]) -> Query:
        """The same query with plain words replaced as ``corrections`` says."""

        def fix(term: Term) -> Term:
            if term.bare and term.words[0] in corrections:
                return replace(term, words=(corrections[term.words[0]],))
            return term

        return replace(self, terms=tuple(fix(term) for term in self.terms))

    def text(self) -> str:
        """The query as a person would type it (words first, then the fields as typed)."""
        words = [term.text() for term in self.terms]
        words += ["-" + term.text() for term in self.excluded]
        return " ".join([*words, *self.fields])


def _words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text))


def _shown(text: str, limit: int) -> str:
    """Typed text quoted back in a one-line message: its white space (newlines too) as spaces."""
    return " ".join(text[: limit * 4].split())[:limit]


def parse_when(text: str, today: date) -> date:
    """A day: YYYY-MM-DD, or a span back from ``today`` (7d, 2w, 3m, 1y); SearchError otherwise."""
    text = text.strip()
    relative = RELATIVE.match(text)
    if relative:
        return today - timedelta(days=int(relative.group(1)) * UNIT_DAYS[relative.group(2).lower()])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SearchError(
            f"'{_shown(text, 40)}' is not a date; use YYYY-MM-DD (2025-03-19) or a span back from today"
            " (7d, 2w, 3m, 1y)"
        ) from None


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date, or a SearchError saying what was wrong with it."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise SearchError(
            f"'{trim(_shown(text, 200), 60)}' is not a date; use YYYY-MM-DD, like 2025-03-19"
        ) from None


class _Builder:
    """Collects the parts of one query as the tokens come."""

    def __init__(self, today: date | None) -> None:
        self.today = today
        self.terms: list[Term] = []
        self.excluded: list[Term] = []
        self.authors: list[str] = []
        self.not_authors: list[str] = []
        self.categories: list[str] = []
        self.ids: list[str] = []
        self.since: date | None = None
        self.until: date | None = None
        self.fields: list[str] = []

    def add_term(self, term: Term, negative: bool) -> None:
        target = self.excluded if negative else self.terms
        if term not in target and len(self.terms) + len(self.excluded) < MAX_TERMS:
            target.append(term)

    def add_field(self, name: str, value: str, negative: bool, typed: str) -> None:
        value = value.strip()
        if not value:
            return
        if len(self.fields) >= MAX_TERMS:
            raise SearchError(f"too many fields in one search (at most {MAX_TERMS})")
        if negative and name != "author":
            raise SearchError(f"'-{name}:' cannot be negated; leave out the minus sign")
        self.fields.append(typed)
        if name == "author":
            (self.not_authors if negative else self.authors).append(value[:200])
        elif name == "category":
            self.categories.append(value[:200])
        elif name == "id":
            arxiv_id = normalize_arxiv_id(value)
            if arxiv_id is None:
                raise SearchError(f"'id:{_shown(value, 40)}' is not an arXiv id; try id:2503.14456")
            self.ids.append(arxiv_id)
        else:
            day = parse_day(value) if self.today is None else parse_when(value, self.today)
            if name == "since":
                self.since = max(self.since or day, day)
            else:
                self.until = min(self.until or day, day)

    def query(self) -> Query:
        categories = {category.casefold(): category for category in self.categories}
        if len(categories) > 1:
            raise SearchError(
                "a paper has one category: use one cat: per search"
                f" (got {', '.join(sorted(categories.values()))})"
            )
        return Query(
            tuple(self.terms),
            tuple(self.excluded),
            tuple(self.authors),
            tuple(self.not_authors),
            next(iter(categories.values()), None),
            tuple(dict.fromkeys(self.ids)),
            self.since,
            self.until,
            tuple(self.fields),
        )


def parse_query(text: str, today: date | None = None) -> Query:
    """Parse what was typed; fields that make no sense raise SearchError with what to type instead.

    ``today`` enables relative dates (since:7d); without it only YYYY-MM-DD is understood.
    """
    builder = _Builder(today)
    for match in TOKEN.finditer(text):
        negative, name, quoted, bare = match.groups()
        value = quoted if quoted is not None else bare
        kind = FIELDS[name.lower()] if name else None
        if bare and bare.endswith(":") and bare[:-1].lower() in FIELDS:
            example = EXAMPLES[FIELDS[bare[:-1].lower()]]
            raise SearchError(f"'{bare}' needs something after it, like {example}")
        if kind is None and bare and not negative and normalize_arxiv_id(bare):
            kind = "id"  # an arXiv id or link typed alone finds that paper
        if kind is not None and kind != "title":
            builder.add_field(kind, value, bool(negative), match.group(0))
            continue
        words = _words(value)
        if not words:
            continue
        prefix = quoted is None and value.endswith("*") and len(words) == 1
        builder.add_term(
            Term(words, quoted=quoted is not None, prefix=prefix, title=kind == "title"),
            bool(negative),
        )
    return builder.query()


SYNTAX_HELP = """\
**Words** match titles, summaries and authors; every word must match. A word also finds its \
singular or plural (transformer, transformers).
**"exact phrase"** matches those words in that order; quoted words are never corrected.
**-word** leaves out papers with that word; **prefix\\*** matches words that start so (diffus\\*).
**au:** or **author:** a name or part of one: `au:BlinkDL`, `au:"Zoë Müller"`; `-au:name` leaves them out.
**ti:** or **title:** in the title only: `ti:goose`, `ti:"state space"`.
**cat:** a category: `cat:"Machine Learning"`. **id:** one paper: `id:2503.14456` (an arXiv id or link typed alone means the same).
**since:** / **until:** a day, `since:2025-03-01`, or a span back from today: `since:7d`, `until:2w` \
(d, w, m = 30 days, y).
The command's options mean the same as these fields, and both can be used at once.
A search with almost no hits is retried with typos corrected from the words papers really use \
("gose" → goose); the answer says so. Examples:
`diffusion au:smith since:30d` · `"state space" -transformer` · `ti:rwkv cat:"Machine Learning"`"""
