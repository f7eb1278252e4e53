"""The full text of ``show``: every field of a paper's record, one a line."""

from __future__ import annotations

from bot.models import PaperRow
from bot.taxonomy import label


def show_text(paper: PaperRow) -> str:
    """Everything known about one paper, one field a line, for ``show``."""
    lines = [
        paper.title,
        f"arXiv {paper.arxiv_id}" + (f"v{paper.version}" if paper.version else ""),
    ]
    if paper.authors:
        lines.append(
            "Authors: " + ", ".join(_with_affiliation(paper, i) for i in range(len(paper.authors)))
        )
    rows = [
        ("Category", label(paper.category) if paper.category else None),
        ("Categories", ", ".join(paper.categories)),
        ("Published", paper.published),
        ("Updated", paper.updated),
        ("DOI", paper.doi),
        ("Journal ref", paper.journal_ref),
        ("Comment", paper.comment),
        ("Upvotes", None if paper.upvotes is None else str(paper.upvotes)),
        ("GitHub", paper.github_repo),
        ("Keywords", "; ".join(paper.keywords)),
        ("Listed", ", ".join(day.isoformat() for day in paper.days)),
        ("Sources", ", ".join(paper.sources)),
        ("Links", f"{paper.arxiv_url}  {paper.hf_url or ''}".rstrip()),
    ]
    lines.extend(f"{name}: {value}" for name, value in rows if value)
    if paper.summary:
        lines += ["", "Summary:", paper.summary]
    if paper.abstract and paper.abstract != paper.summary:
        lines += ["", "Abstract:", paper.abstract]
    return "\n".join(lines)


def _with_affiliation(paper: PaperRow, index: int) -> str:
    name = paper.authors[index]
    places = paper.affiliations[index] if index < len(paper.affiliations) else ()
    return f"{name} ({'; '.join(places)})" if places else name
