"""Matched terms marked in a title and in a snippet of a summary, computed in Python the way FTS5's
highlight() and snippet() mark them, for the pages the derived index ranks: no FTS5 MATCH per row.

A phrase is what FTS5 calls one: the folded tokens of one word, "quoted phrase" or prefix* (a word's
singular/plural forms are phrases of their own). Text is cut into tokens as FTS5's unicode61
tokenizer cuts it (runs of letters and digits), each token folded by the caller's function (the
index's analyzer), so a token matches exactly when the index matched it. Instances that overlap
are marked as one; a snippet is the window of SNIPPET_TOKENS tokens that FTS5 would pick (the most
distinct phrases, centred on them, or a sentence start when that scores as well), with ELLIPSIS
where text is cut. Pure: no SQL, no tantivy.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

SNIPPET_TOKENS = 24
TOKEN = re.compile(r"[^\W_]+")
# The first SNIPPET_TOKENS tokens; possessive, so that no token is cut in two to make the count.
FIRST_TOKENS = re.compile(rf"(?:[\W_]*+[^\W_]++){{{SNIPPET_TOKENS}}}")
ASCII_WORD = re.compile(r"[a-z0-9]+")  # TOKEN in lower-cased ASCII text
# ASCII letters and digits lower-cased, every other byte a space.
BLANKS = bytes(
    (ord(chr(c).lower()) if chr(c).isalnum() else 32) if c < 128 else c for c in range(256)
)
SHAPE = bytes(32 if c == 32 else ord("a") for c in range(256))  # on blanked text: token -> "a"s
ELLIPSIS = "…"
NON_ASCII = re.compile(r"[^\x00-\x7f]")
OTHER = "\xff"  # stands for a letter or digit that folds to no ASCII letter (kept by BLANKS)
SPACE = " \t\n\r"


class _NotOne(Exception):
    """A character that folds to several (or none) has no stand-in of one character."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """Folded tokens that match in a row; ``prefix``: the last one only has to start the token;
    ``title_only``: a ti: term, never marked outside the title."""

    tokens: tuple[str, ...]
    prefix: bool = False
    title_only: bool = False


@dataclass(frozen=True, slots=True)
class _Instance:
    position: int  # of its first token
    size: int  # tokens
    phrase: int
    start: int = -1  # characters: where its first token starts, its last ends (in a snippet)
    end: int = -1


class Marker:
    """Marks ``phrases`` between ``highlight`` in titles and summaries."""

    def __init__(
        self,
        phrases: Sequence[Phrase],
        fold: Callable[[str], str],
        highlight: tuple[str, str] = ("**", "**"),
    ) -> None:
        self.phrases = [phrase for phrase in phrases if phrase.tokens]
        self.fold = fold
        self.open, self.close = highlight
        self.needles = {phrase.tokens[0] for phrase in self.phrases}
        self.by_first: dict[str, list[int]] = {}  # phrases whose first token must be equal
        self.prefixes: list[int] = []  # one-token prefix phrases: the token must start so
        for number, phrase in enumerate(self.phrases):
            if phrase.prefix and len(phrase.tokens) == 1:
                self.prefixes.append(number)
            else:
                self.by_first.setdefault(phrase.tokens[0], []).append(number)
        self.prefix_tuple = tuple(self.phrases[n].tokens[0] for n in self.prefixes)
        # Where an instance may start in blanked ASCII text: a token equal to a first token, or
        # starting like a prefix (checked in full by _instances_at).
        self.probes = [f" {token} " for token in self.by_first]
        self.probes += [f" {token}" for token in self.prefix_tuple]
        # Text that is not ASCII takes the ASCII path too when each character can stand as one
        # (see _plain); phrases that are not ASCII need the token-by-token path.
        self.ascii_phrases = all(
            token.isascii() for phrase in self.phrases for token in phrase.tokens
        )
        self.chars: dict[str, str | None] = {}

    def marks(self, title: str, summary: str) -> tuple[str, str]:
        """A row's marked title and snippet: what searchlog.page's ``mark`` takes."""
        return self.title(title), self.snippet(summary)

    def title(self, text: str) -> str:
        """``text`` with every phrase instance marked (FTS5's highlight())."""
        plain = self._plain(text)
        if plain is not None:  # as snippet() does: no list of every token
            blanked = plain.encode("latin-1").translate(BLANKS).decode("latin-1")
            if not any(needle in blanked for needle in self.needles):
                return text
            found = [
                (instance.start, instance.end)
                for offset in self._candidates(f" {blanked} ")
                for instance in self._instances_at(blanked, offset, 0, title=True)
            ]
            merged = _overlapping(found)
        elif not self._may_match(text):
            return text
        else:
            spans, folded = self._tokens(text)
            runs = _coalesced(self._instances(folded, title=True))
            merged = [(spans[first][0], spans[last][1]) for first, last in runs]
        if not merged:
            return text
        out, offset = [], 0
        for start, end in merged:
            out += [text[offset:start], self.open, text[start:end], self.close]
            offset = end
        out.append(text[offset:])
        return "".join(out)

    def snippet(self, text: str) -> str:
        """The best window of SNIPPET_TOKENS tokens of ``text``, phrases marked (FTS5's snippet())."""
        plain = self._plain(text)
        if plain is None:
            if not self._may_match(text):
                return self._start_only(text)  # no instance: FTS5 shows the first tokens
            spans, folded = self._tokens(text)
            found = [
                replace(i, start=spans[i.position][0], end=spans[i.position + i.size - 1][1])
                for i in self._instances(folded, title=False)
            ]
            return self._window(
                text,
                found,
                _sentence_starts(text, spans),
                len(spans),
                lambda first, last: (spans[first][0], spans[last][1]),
            )
        # Nearly every summary: str methods and a few small loops, none per token.
        # Lower case, separators as spaces, offsets unchanged:
        blanked = plain.encode("latin-1").translate(BLANKS).decode("latin-1")
        if not any(needle in blanked for needle in self.needles):
            return self._start_only(text)
        starts = self._candidates(f" {blanked} ")
        sentences_at = _sentence_offsets(text)
        # Token starts are where " a" stands in this copy (letters and digits as "a"):
        shape = f" {blanked}".encode("latin-1").translate(SHAPE).decode("latin-1")
        positions: dict[int, int] = {}  # char offset -> token position
        count, previous = 0, 0
        for offset in sorted({0, *starts, *sentences_at}):
            count += shape.count(" a", previous, offset)
            positions[offset], previous = count, offset
        size = count + shape.count(" a", previous)
        found = []
        for offset in starts:
            found += self._instances_at(blanked, offset, positions[offset])
        if not found:
            return self._start_only(text)
        sentences = [0, *(positions[o] for o in sentences_at if positions[o] > 0)]
        known = {position: offset for offset, position in positions.items()}

        def token_start(position: int) -> int:
            if position in known:
                return known[position]
            return len(blanked) - len(blanked.split(None, position)[-1])

        def bounds(first: int, last: int) -> tuple[int, int]:
            begin = token_start(first)
            rest = blanked[begin:]
            after = rest.split(None, last + 1 - first)[-1]  # from the token after the last
            return begin, len(blanked[: begin + len(rest) - len(after)].rstrip(" "))

        return self._window(text, found, sentences if size > SNIPPET_TOKENS else [], size, bounds)

    def _window(
        self,
        text: str,
        found: list[_Instance],
        sentences: list[int],
        size: int,
        bounds: Callable[[int, int], tuple[int, int]],
    ) -> str:
        """FTS5's snippet of a column of ``size`` tokens with these instances (their character
        spans set) and sentence starts; ``bounds(first, last)``: where the first token starts
        and the last ends (the last is never the final token)."""
        start = _best_start(found, sentences, size)
        end = start + SNIPPET_TOKENS - 1  # the window's last token
        whole = end >= size - 1  # the window reaches the last token: the text's end is shown
        if whole:
            offset, stop = bounds(start, start)[0] if start > 0 else 0, len(text)
        else:
            offset, stop = bounds(start, end)
            offset = offset if start > 0 else 0
        out = [ELLIPSIS] if start > 0 else []
        for first, last, first_char, last_char in _coalesced_spans(found):
            if first < start:
                continue  # begins before the window: FTS5 leaves it unmarked
            if first > end:
                break
            out += [text[offset:first_char], self.open]
            if last > end:  # runs past the window: closed where it is cut
                out += [text[first_char:stop], self.close]
                offset = stop
                break
            out += [text[first_char:last_char], self.close]
            offset = last_char
        out.append(text[offset:] if whole else text[offset:stop] + ELLIPSIS)
        return "".join(out)

    def _plain(self, text: str) -> str | None:
        """``text`` with each character that is not ASCII replaced by one that is, or by OTHER,
        offsets unchanged: a letter or digit by its fold when that is one ASCII letter or digit
        (é: e), else by OTHER (a token character no phrase holds); anything else by a space (a
        separator). None when a character folds to more than one (ß: ss) or the phrases are
        not ASCII: the token-by-token path then."""
        if text.isascii():
            return text
        if not self.ascii_phrases:
            return None
        try:
            return NON_ASCII.sub(self._one_character, text)
        except _NotOne:
            return None

    def _one_character(self, match: re.Match[str]) -> str:
        char = match.group()
        if char not in self.chars:
            folded = self.fold(char) if char.isalnum() else " "
            if folded == " " or (len(folded) == 1 and folded.isalnum()):
                self.chars[char] = folded if folded.isascii() else OTHER
            else:
                self.chars[char] = None  # folds to several characters, or to none
        stand_in = self.chars[char]
        if stand_in is None:
            raise _NotOne
        return stand_in

    def _may_match(self, text: str) -> bool:
        """False when no phrase can match in ``text`` (no token starts like one): a cheap test."""
        folded = text.lower() if text.isascii() else self.fold(text)
        return any(needle in folded for needle in self.needles)

    @staticmethod
    def _start_only(text: str) -> str:
        """The first SNIPPET_TOKENS tokens, with ELLIPSIS when more follow."""
        first = FIRST_TOKENS.match(text)
        if first is None or TOKEN.search(text, first.end()) is None:
            return text
        return text[: first.end()] + ELLIPSIS

    def _tokens(self, text: str) -> tuple[list[tuple[int, int]], list[str]]:
        if text.isascii():
            matches = list(ASCII_WORD.finditer(text.lower()))
            return [m.span() for m in matches], [m.group() for m in matches]
        matches = list(TOKEN.finditer(text))
        fold = self.fold  # only for the few words that are not ASCII: lower() does the rest
        words = [m.group() for m in matches]
        return [m.span() for m in matches], [w.lower() if w.isascii() else fold(w) for w in words]

    def _candidates(self, padded: str) -> list[int]:
        """Offsets (in the blanked text that ``padded`` holds between two spaces) of the tokens
        where an instance may start, in order."""
        found = set()
        for probe in self.probes:
            at = padded.find(probe)
            while at >= 0:
                found.add(at)
                at = padded.find(probe, at + 1)
        return sorted(found)

    def _instances_at(
        self, blanked: str, offset: int, position: int, *, title: bool = False
    ) -> list[_Instance]:
        """The instances starting at token ``position``, at ``offset`` of the blanked ASCII
        text (title-only phrases only with ``title``), their character spans set."""
        end = blanked.find(" ", offset)
        token = blanked[offset : end if end >= 0 else len(blanked)]
        numbers = self.by_first.get(token, [])
        if self.prefixes:
            numbers = sorted(
                [
                    *numbers,
                    *(n for n in self.prefixes if token.startswith(self.phrases[n].tokens[0])),
                ]
            )
        found = []
        for number in numbers:
            phrase = self.phrases[number]
            if phrase.title_only and not title:
                continue
            following = [token]
            if len(phrase.tokens) > 1:
                following = blanked[offset:].split(None, len(phrase.tokens))[: len(phrase.tokens)]
            if _matches(phrase, following, 0):
                at = offset  # where the phrase's last token starts: only blanks in between
                for before, token in itertools.pairwise(following):
                    at = blanked.find(token, at + len(before))
                end = at + len(following[-1])
                found.append(_Instance(position, len(phrase.tokens), number, offset, end))
        return found

    def _instances(self, folded: list[str], *, title: bool) -> list[_Instance]:
        """Every phrase instance in the folded tokens, by position (then phrase), as FTS5 lists them."""
        firsts, prefixes = self.by_first, self.prefix_tuple
        candidates = [
            position
            for position, token in enumerate(folded)
            if token in firsts or (prefixes and token.startswith(prefixes))
        ]
        found = []
        for position in candidates:
            token = folded[position]
            numbers = firsts.get(token, [])
            if prefixes:
                numbers = sorted(
                    [
                        *numbers,
                        *(n for n in self.prefixes if token.startswith(self.phrases[n].tokens[0])),
                    ]
                )
            for number in numbers:
                phrase = self.phrases[number]
                if (title or not phrase.title_only) and _matches(phrase, folded, position):
                    found.append(_Instance(position, len(phrase.tokens), number))
        return found


def _matches(phrase: Phrase, folded: list[str], position: int) -> bool:
    size = len(phrase.tokens)
    if position + size > len(folded):
        return False
    if phrase.prefix:
        return folded[position : position + size - 1] == list(phrase.tokens[:-1]) and folded[
            position + size - 1
        ].startswith(phrase.tokens[-1])
    return folded[position : position + size] == list(phrase.tokens)


def _coalesced(found: Sequence[_Instance]) -> list[tuple[int, int]]:
    """(first, last) token of each run of overlapping instances (adjacent ones stay apart)."""
    merged: list[tuple[int, int]] = []
    for instance in found:
        last = instance.position + instance.size - 1
        if merged and instance.position <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((instance.position, last))
    return merged


def _overlapping(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans, in order of their starts, with overlapping ones made one (as _coalesced
    does with tokens: spans of whole tokens overlap exactly when they share a token)."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _coalesced_spans(found: Sequence[_Instance]) -> list[tuple[int, int, int, int]]:
    """_coalesced, with the characters each run starts and ends at."""
    merged: list[tuple[int, int, int, int]] = []
    for instance in found:
        last = instance.position + instance.size - 1
        if merged and instance.position <= merged[-1][1]:
            first, before, start, end = merged[-1]
            if last > before:
                merged[-1] = (first, last, start, instance.end)
            else:
                merged[-1] = (first, before, start, end)
        else:
            merged.append((instance.position, last, instance.start, instance.end))
    return merged


def _sentence_starts(text: str, spans: Sequence[tuple[int, int]]) -> list[int]:
    """Tokens that begin a sentence: the first, and any after '.' or ':' and white space."""
    if not spans:
        return []
    position = {start: number for number, (start, _) in enumerate(spans)}
    return [0, *(position[at] for at in _sentence_offsets(text) if position.get(at, 0) > 0)]


def _sentence_offsets(text: str) -> list[int]:
    """Offsets of the tokens that start a sentence (see _sentence_starts), but the first."""
    found = []
    for mark in ".:":
        at = text.find(mark)
        while at >= 0:
            end = at + 1
            while end < len(text) and text[end] in SPACE:
                end += 1
            if end > at + 1 and end < len(text) and text[end].isalnum():
                found.append(end)
            at = text.find(mark, at + 1)
    return sorted(found)


def _score(found: Sequence[_Instance], start: int) -> tuple[int, int, int]:
    """FTS5's window score from token ``start``: 1000 per distinct phrase, 1 per repeat; and the
    first and end token of the instances it holds."""
    seen: set[int] = set()
    score, first, last = 0, -1, 0
    for instance in found:
        if start <= instance.position < start + SNIPPET_TOKENS:
            score += 1 if instance.phrase in seen else 1000
            seen.add(instance.phrase)
            first = instance.position if first < 0 else first
            last = instance.position + instance.size
    return score, first, last


def _best_start(found: Sequence[_Instance], sentences: Sequence[int], size: int) -> int:
    best, best_start = 0, 0
    for instance in found:
        score, first, last = _score(found, instance.position)
        start = first - int((SNIPPET_TOKENS - (last - first)) / 2)
        start = max(0, min(start, size - SNIPPET_TOKENS))
        if score > best:
            best, best_start = score, start
        if sentences and size > SNIPPET_TOKENS:
            at = max(0, bisect.bisect_right(sentences, instance.position) - 1)
            if sentences[at] < instance.position:
                score = _score(found, sentences[at])[0] + (120 if sentences[at] == 0 else 100)
                if score > best:
                    best, best_start = score, sentences[at]
    return best_start
