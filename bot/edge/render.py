"""Papers as Discord embeds, always within Discord's limits (trimmed with an ellipsis, never failing).

Every text a source wrote (titles, summaries, authors, categories, keywords, comments) goes through
``md`` so it shows literally: a summary holding ``[official code](https://evil.example)`` is not a
masked link, a title cannot close the link around it, ``@everyone`` and ``<@id>`` are plain text.
Links are built here from the arXiv id alone; a URL a source gave is never linked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from urllib.parse import quote

import discord

from bot.models import Page, PaperRow
from bot.subscriptions import Filters
from bot.taxonomy import label
from bot.text import trim

TITLE, DESCRIPTION, FIELD_NAME, FIELD_VALUE, FOOTER, TOTAL = 256, 4096, 256, 1024, 2048, 6000
MESSAGE = 2000  # characters of a message's content
SUMMARY = 1500  # a readable summary; the full text is one click away
FULL = 3000  # /paper show: the summary and the abstract
DETAIL = 300  # each other field of /paper show: ten of them leave room for the abstract
COLOUR = discord.Colour(0xF4A100)
# Search highlights arrive between these (not "**", which a summary may hold) and become bold
# only after the text around them is escaped.
MARKS = ("\ue000", "\ue001")
MARKDOWN = re.compile(r"([\\*_~|`\[\]<])|@(?=everyone|here)")
# Headings, quotes, lists and subtext: a sign at a line's start, then a blank.
LINE_START = re.compile(r"^(\s*)([#>-]|\d+\.)(?=[#>-]*\s)", re.MULTILINE)


def md(text: str) -> str:
    """``text`` as Discord shows it literally: markdown, masked-link, mention and line-start signs
    escaped (a backslash before punctuation is hidden when shown); search highlights (MARKS)
    become bold."""
    escaped = LINE_START.sub(_line_start, MARKDOWN.sub(lambda m: "\\" + m.group(0), text))
    return escaped.replace(MARKS[0], "**").replace(MARKS[1], "**")


def _line_start(match: re.Match[str]) -> str:
    sign = match.group(2)
    return match.group(1) + (sign[:-1] + "\\." if sign.endswith(".") else "\\" + sign)


def echo(text: str, limit: int = 100) -> str:
    """What a user typed, shown back: on one line, cut short, escaped."""
    return md(trim(" ".join(text.split()), limit))


def arxiv_link(paper: PaperRow) -> str:
    return f"https://arxiv.org/abs/{quote(paper.arxiv_id)}"


def links(paper: PaperRow) -> str:
    """Markdown links to the paper on arXiv and (when it is there) Hugging Face, from its id."""
    hf = f" · [Hugging Face](https://huggingface.co/papers/{quote(paper.arxiv_id)})"
    return f"[arXiv]({arxiv_link(paper)}){hf if paper.hf_url else ''}"


def paper_embed(paper: PaperRow, *, marked: bool = False, full: bool = False) -> discord.Embed:
    """One paper: linked title, summary (or the matching snippet), authors, category, days, links.

    ``full`` (``/paper show``) adds everything else the record holds: the abstract, arXiv's
    categories, dates and version, DOI, journal ref, comment, upvotes, GitHub, keywords, sources.
    """
    text = paper.snippet if marked and paper.snippet else paper.summary
    if full and paper.abstract and paper.abstract != text:
        text = (
            f"{trim(md(text), SUMMARY)}\n\n**Abstract**\n{md(paper.abstract)}"
            if text
            else md(paper.abstract)
        )
    else:
        text = md(text)
    embed = discord.Embed(
        title=trim(md(paper.title), TITLE),
        url=arxiv_link(paper),
        description=trim(text, FULL if full else SUMMARY),
        colour=COLOUR,
    )
    if paper.authors:
        embed.add_field(
            name="Authors", value=trim(md(", ".join(paper.authors)), FIELD_VALUE), inline=False
        )
    if paper.category:
        embed.add_field(name="Category", value=trim(md(label(paper.category)), FIELD_VALUE))
    if full:
        for name, value in details(paper):
            embed.add_field(name=name, value=trim(value, DETAIL))
    if paper.days:
        days = ", ".join(day.isoformat() for day in paper.days[-5:])
        embed.add_field(name="Listed", value=trim(days, FIELD_VALUE))
    embed.add_field(name="Links", value=links(paper))
    version = f"v{paper.version}" if full and paper.version else ""
    embed.set_footer(text=f"arXiv {paper.arxiv_id}{version}")
    return fit(embed)


def details(paper: PaperRow) -> list[tuple[str, str]]:
    """The record's other fields that have a value, as (name, text) for embed fields."""
    doi = f"[{md(paper.doi)}](https://doi.org/{quote(paper.doi)})" if paper.doi else ""
    rows = [
        (
            "Categories",
            md(", ".join(paper.categories[1:] if paper.primary_category else paper.categories)),
        ),
        ("Published", md((paper.published or "")[:10])),
        ("Updated", md((paper.updated or "")[:10]) if paper.updated != paper.published else ""),
        ("DOI", doi),
        ("Journal ref", md(paper.journal_ref or "")),
        ("Comment", md(paper.comment or "")),
        ("Upvotes", "" if paper.upvotes is None else str(paper.upvotes)),
        ("GitHub", md(paper.github_repo or "")),
        ("Keywords", md("; ".join(paper.keywords))),
        ("Sources", md(", ".join(paper.sources))),
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
        authors = trim(md(", ".join(paper.authors)), 120) if paper.authors else "unknown authors"
        text = trim(md(paper.snippet or paper.summary), 280)
        title_link = f"[{trim(md(paper.title), 200)}]({arxiv_link(paper)})"
        blocks.append(f"**{number}. {title_link}**\n{authors}\n{text}\n{links(paper)}")
    embed = discord.Embed(
        title=trim(md(title), TITLE),
        description=trim("\n\n".join(blocks), DESCRIPTION),
        colour=COLOUR,
    )
    if footer:
        embed.set_footer(text=trim(footer, FOOTER))  # footers show no markdown
    return fit(embed)


def header_text(day: date, count: int, role: int | None = None) -> str:
    """The line that opens a day in a channel (its thread hangs from it), pinging ``role``."""
    ping = f"<@&{role}> " if role else ""
    return f"{ping}**Papers for {day}** · {count} paper{'s' * (count != 1)}"


def more_text(day: date, count: int) -> str:
    """The line over papers that joined a day after it was posted."""
    return f"**{count} more paper{'s' * (count != 1)} for {day}**"


COMPACT_LINE = 150  # characters of a title in a compact list


def compact_lines(papers: Sequence[PaperRow]) -> str:
    return "\n".join(
        f"{n}. [{trim(md(p.title), COMPACT_LINE)}]({arxiv_link(p)})"
        for n, p in enumerate(papers, 1)
    )


def compact_embed(day: date, papers: Sequence[PaperRow], late: bool = False) -> discord.Embed:
    """A day (or the papers that joined it late) as one numbered list of linked titles."""
    count = len(papers)
    title = (
        more_text(day, count).strip("*")
        if late
        else f"Papers for {day} · {count} paper{'s' * (count != 1)}"
    )
    return discord.Embed(
        title=trim(title, TITLE), description=trim(compact_lines(papers), DESCRIPTION)
    )


def compact_fits(papers: Sequence[PaperRow]) -> bool:
    """Whether the list shows every paper whole (no title cut by the description's limit)."""
    return len(compact_lines(papers)) <= DESCRIPTION


def fit(embed: discord.Embed) -> discord.Embed:
    """Shorten the description until the whole embed is within Discord's 6000 characters."""
    excess = len(embed) - TOTAL
    if excess > 0 and embed.description:
        embed.description = trim(embed.description, max(1, len(embed.description) - excess))
    return embed


def preview_text(
    filters: Filters, days: Sequence[tuple[date, int, Sequence[str]]], span: int
) -> str:
    """/subscription test's answer: per day, how many papers and the first titles; within 2000."""
    total = sum(count for _, count, _ in days)
    what = (
        "these filters"
        if filters.categories or filters.keywords or filters.authors
        else "no filter (every paper)"
    )
    lines = [
        f"In the last {span} days ({len(days)} with papers) {what} would have posted"
        f" {total} paper{'s' * (total != 1)}:"
    ]
    for day, count, titles in reversed(days):
        shown = "; ".join(trim(title, 80) for title in titles)
        more = f" … and {count - len(titles)} more" if count > len(titles) else ""
        lines.append(f"**{day}** · {count}{': ' + shown if shown else ''}{more}")
    text = "\n".join(lines)
    return text if len(text) <= MESSAGE else text[: MESSAGE - 1] + "…"
