"""arXiv identifiers: the key every paper is stored under.

People paste ids in many shapes (``2503.14456``, ``arXiv:2503.14456v2``, an arXiv or Hugging Face
URL); all of them mean the same paper, so the version suffix is dropped and one form is kept.
"""

from __future__ import annotations

import re

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}"
_ID = rf"(?P<id>{_NEW}|{_OLD})(?:v\d+)?"

_BARE = re.compile(rf"^(?:arxiv:\s*)?{_ID}$", re.IGNORECASE)
_URL = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|alphaxiv\.org/abs/){_ID}",
    re.IGNORECASE,
)


def normalize_arxiv_id(text: str) -> str | None:
    """The canonical id for what a person typed, or None when it is not an arXiv id or URL."""
    text = text.strip().strip("<>")
    match = _BARE.match(text) or _URL.search(text)
    return match.group("id") if match else None


def arxiv_id_in(text: str) -> str | None:
    """The first arXiv id found in an arXiv or Hugging Face link inside ``text``."""
    match = _URL.search(text)
    return match.group("id") if match else None


_MENTION = re.compile(rf"(?<![\w/])arxiv:\s*{_ID}(?!\w)", re.IGNORECASE)


def arxiv_ids_in(text: str) -> list[str]:
    """Every paper ``text`` links (arXiv, Hugging Face, alphaXiv) or names as ``arXiv:ID``, each
    once, in order of appearance."""
    found = sorted(
        [(m.start(), m.group("id")) for m in _URL.finditer(text)]
        + [(m.start(), m.group("id")) for m in _MENTION.finditer(text)]
    )
    return list(dict.fromkeys(arxiv_id for _, arxiv_id in found))
