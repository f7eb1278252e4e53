"""Papers as Discord embeds, always within Discord's limits (trimmed with an ellipsis, never failing)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import discord

from bot.models import Page, PaperRow
from bot.taxonomy import label
from bot.text import trim

TITLE, DESCRIPTION, FIELD_NAME, FIELD_VALUE, FOOTER, TOTAL = 256, 4096, 256, 1024, 2048, 6000
SUMMARY = 1500  # a readable summary; the full text is one click away
FULL = 3000  # /paper show: the summary and the abstract
COLOUR = discord.Colour(0xF4A100)


def links(paper: PaperRow) -> str:
    """Markdown links to the paper on arXiv and (when known) Hugging Face."""
    hf = f" · [Hugging Face]({paper.hf_url})" if paper.hf_url else ""
    return f"[arXiv]({paper.arxiv_url}){hf}"


def paper_embed(paper: PaperRow, *, marked: bool = False, full: bool = False) -> discord.Embed:
    """One paper: linked title, summary (or the matching snippet), authors, category, days, links.

    ``full`` (``/paper show``) adds everything else the record holds: the abstract, arXiv's
    categories, dates and version, DOI, journal ref, comment, upvotes, GitHub, keywords, sources.
    """
    text = paper.snippet if marked and paper.snippet else paper.summary
    if full and paper.abstract and paper.abstract != text:
        text = (
            f"{trim(text, SUMMARY)}\n\n**Abstract**\n{paper.abstract}" if text else paper.abstract
        )
    embed = discord.Embed(
        title=trim(paper.title, TITLE),
        url=paper.arxiv_url,
        description=trim(text, FULL if full else SUMMARY),
        colour=COLOUR,
    )
    if paper.authors:
        embed.add_field(
            name="Authors", value=trim(", ".join(paper.authors), FIELD_VALUE), inline=False
        )
    if paper.category:
        embed.add_field(name="Category", value=trim(label(paper.category), FIELD_VALUE))
    if full:
        for name, value in details(paper):
            embed.add_field(name=name, value=trim(value, FIELD_VALUE))
    if paper.days:
        days = ", ".join(day.isoformat() for day in paper.days[-5:])
        embed.add_field(name="Listed", value=trim(days, FIELD_VALUE))
    embed.add_field(name="Links", value=links(paper))
    version = f"v{paper.version}" if full and paper.version else ""
    embed.set_footer(text=f"arXiv {paper.arxiv_id}{version}")
    return fit(embed)


def details(paper: PaperRow) -> list[tuple[str, str]]:
    """The record's other fields that have a value, as (name, text) for embed fields."""
    rows = [
        (
            "Categories",
            ", ".join(paper.categories[1:] if paper.primary_category else paper.categories),
        ),
        ("Published", (paper.published or "")[:10]),
        ("Updated", (paper.updated or "")[:10] if paper.updated != paper.published else ""),
        ("DOI", f"[{paper.doi}](https://doi.org/{paper.doi})" if paper.doi else ""),
        ("Journal ref", paper.journal_ref or ""),
        ("Comment", paper.comment or ""),
        ("Upvotes", "" if paper.upvotes is None else str(paper.upvotes)),
        ("GitHub", paper.github_repo or ""),
        ("Keywords", "; ".join(paper.keywords)),
        ("Sources", ", ".join(paper.sources)),
    ]
    return [(name, value) for name, value in rows if value]


def paper_list_embed(
    title: str,
    papers: Sequence[PaperRow],
    page: Page | None = None,
    *,
    first_number: int = 1,
    footer: str = "",
) -> discord.Embed:
    """A numbered list of papers with authors and a line of summary or snippet each.

    With a ``page``, numbering continues from its offset and the footer says "Page n".
    """
    if page is not None:
        first_number, footer = page.offset + 1, footer or f"Page {page.number}"
    blocks = []
    for number, paper in enumerate(papers, first_number):
        authors = trim(", ".join(paper.authors), 120) if paper.authors else "unknown authors"
        text = trim(paper.snippet or paper.summary, 280)
        blocks.append(
            f"**{number}. [{trim(paper.title, 200)}]({paper.arxiv_url})**\n{authors}\n{text}\n{links(paper)}"
        )
    embed = discord.Embed(
        title=trim(title, TITLE), description=trim("\n\n".join(blocks), DESCRIPTION), colour=COLOUR
    )
    if footer:
        embed.set_footer(text=trim(footer, FOOTER))
    return fit(embed)


def header_text(day: date, count: int) -> str:
    """The line that opens a day in a channel (its thread hangs from it)."""
    return f"**Papers for {day}** · {count} paper{'s' * (count != 1)}"


def compact_embed(day: date, papers: Sequence[PaperRow]) -> discord.Embed:
    """A whole day as one numbered list of linked titles."""
    lines = [f"{n}. [{trim(p.title, 150)}]({p.arxiv_url})" for n, p in enumerate(papers, 1)]
    count = len(papers)
    return discord.Embed(
        title=trim(f"Papers for {day} · {count} paper{'s' * (count != 1)}", TITLE),
        description=trim("\n".join(lines), DESCRIPTION),
    )


def fit(embed: discord.Embed) -> discord.Embed:
    """Shorten the description until the whole embed is within Discord's 6000 characters."""
    excess = len(embed) - TOTAL
    if excess > 0 and embed.description:
        embed.description = trim(embed.description, max(1, len(embed.description) - excess))
    return embed
