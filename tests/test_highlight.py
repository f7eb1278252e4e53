"""Titles and snippets marked in Python (bot/highlight.py) are exactly what FTS5's highlight()
and snippet() give for the same row and phrases, so the derived index's pages look as before."""

from __future__ import annotations

import sqlite3
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.highlight import ELLIPSIS, Marker, Phrase
from tests.helpers import examples

WORDS = [
    "alpha",
    "beta",
    "model",
    "models",
    "learn",
    "café",
    "naïve",
    "zoë",
    "x",
    "3d",
    "a1",
    "ab",
    "abab",
]
SEPARATORS = [" ", " ", ", ", ". ", ": ", " - ", "  ", ".\n", "(", ") ", "_", ".", "… ", "\t"]


def fold(text: str) -> str:
    """What FTS5's unicode61 (remove_diacritics 2) makes of a token, for these words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fts5(title: str, summary: str, phrases: list[Phrase]) -> tuple[str, str] | None:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (title, summary,"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    connection.execute("INSERT INTO t (title, summary) VALUES (?, ?)", (title, summary))
    match = " OR ".join(
        ("title : " if p.title_only else "") + '"' + " ".join(p.tokens) + '"' + "*" * p.prefix
        for p in phrases
    )
    row = connection.execute(
        "SELECT highlight(t, 0, '[', ']'), snippet(t, 1, '[', ']', '…', 24) FROM t WHERE t MATCH ?",
        (match,),
    ).fetchone()
    connection.close()
    return row


texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=70).map(
    lambda pairs: "".join(word + separator for word, separator in pairs)
)
cased = st.tuples(texts, st.sampled_from([str, str.upper, str.title])).map(lambda p: p[1](p[0]))
folded_words = st.sampled_from(WORDS).map(fold)
phrase = st.one_of(
    st.tuples(folded_words).map(Phrase),
    st.lists(folded_words, min_size=2, max_size=3).map(lambda w: Phrase(tuple(w))),
    folded_words.map(lambda w: Phrase((w[:2],), prefix=True)),
    folded_words.map(lambda w: Phrase((w,), title_only=True)),
)


@settings(max_examples=examples(400), deadline=None)
@given(title=texts, summary=cased, phrases=st.lists(phrase, min_size=1, max_size=4))
def test_marks_and_snippets_are_fts5s(title: str, summary: str, phrases: list[Phrase]) -> None:
    expected = fts5(title, summary, phrases)
    if expected is None:
        return  # FTS5 would not return the row: nothing to mark
    marker = Marker(phrases, fold, ("[", "]"))
    assert (marker.title(title), marker.snippet(summary)) == expected


def test_a_word_inside_another_word_is_not_marked() -> None:
    marker = Marker([Phrase(("model",))], fold)
    assert marker.title("Remodelled models, a model") == "Remodelled models, a **model**"
    assert marker.snippet("remodel modelling") == "remodel modelling"


def test_title_only_terms_are_not_marked_in_the_snippet() -> None:
    marker = Marker([Phrase(("goose",), title_only=True)], fold)
    assert marker.title("Goose") == "**Goose**"
    assert marker.snippet("A goose.") == "A goose."


def test_a_long_summary_is_cut_around_its_matches_with_ellipses() -> None:
    filler = " ".join(f"w{n}" for n in range(60))
    summary = f"{filler}. The zebra crossed. {filler}"
    snippet = Marker([Phrase(("zebra",))], fold).snippet(summary)
    assert snippet.startswith(ELLIPSIS + "The **zebra** crossed.") and snippet.endswith(ELLIPSIS)
    assert snippet == fts5("t", summary, [Phrase(("zebra",))])[1].replace("[", "**").replace(
        "]", "**"
    )


def test_accents_and_case_are_folded_as_the_index_folds_them() -> None:
    marker = Marker([Phrase(("cafe",))], fold, ("<", ">"))
    assert marker.title("Le CAFÉ naïf") == "Le <CAFÉ> naïf"


def test_a_phrase_ends_at_its_last_word_even_when_an_earlier_word_holds_it() -> None:
    phrases = [Phrase(("x", "abab", "ab"))]
    marker = Marker(phrases, fold, ("[", "]"))
    title, summary = "x abab ab, then abab", "Here x abab ab ends."
    assert (marker.title(title), marker.snippet(summary)) == fts5(title, summary, phrases)
    assert marker.title(title) == "[x abab ab], then abab"
