"""Personal messages as Discord embeds: a digest part, a bookmark change notice, a bookmark list.

Within Discord's limits however long the titles, reasons and notes (trimmed, never failing);
what a source or a person wrote is escaped and links are built from the arXiv id (see render).
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.edge.render import COLOUR, DESCRIPTION, FOOTER, TITLE, arxiv_link, fit, links, md
from bot.models import Saved
from bot.personal import ChangeNotice, DigestPart
from bot.text import trim

PER_PAPER = DESCRIPTION // 10 - 10  # ten papers a message, each block at most this long
FIELD = 1024


def digest_embed(part: DigestPart) -> discord.Embed:
    """Numbered papers, each with its links and why it matched ("author: Yann LeCun"); a title
    of 120 and reasons of 100 characters keep ten blocks and their links whole in 4096."""
    span = (
        f"{part.last_day}"
        if part.first_day == part.last_day
        else f"{part.first_day} to {part.last_day}"
    )
    blocks = []
    for number, (paper, reasons) in enumerate(part.matches, 1):
        why = trim(md("; ".join(reasons)), 100)
        title = trim(md(paper.title), 120)
        blocks.append(f"**{number}. [{title}]({arxiv_link(paper)})**\n{why} · {links(paper)}")
    title = f"Your papers for {span}" + (f" (part {part.part})" if part.part > 1 else "")
    embed = discord.Embed(
        title=trim(title, TITLE), description=trim("\n\n".join(blocks), DESCRIPTION), colour=COLOUR
    )
    if part.note:
        embed.add_field(name="Also", value=trim(md(part.note), FIELD), inline=False)
    embed.set_footer(text="Change what you follow with /following, or when with /follow settings.")
    return fit(embed)


def change_embed(notice: ChangeNotice) -> discord.Embed:
    lines = [
        trim(f"• [{trim(md(paper.title), 150)}]({arxiv_link(paper)}): {md(what)}", PER_PAPER)
        for paper, what in notice.changes
    ]
    embed = discord.Embed(
        title="Your bookmarks changed",
        description=trim("\n".join(lines), DESCRIPTION),
        colour=COLOUR,
    )
    embed.set_footer(text="Stop these notices with /bookmarks notify enabled:False.")
    return fit(embed)


def bookmarks_embed(
    title: str, saved: Sequence[Saved], *, first_number: int = 1, footer: str = ""
) -> discord.Embed:
    """The person's bookmarks: read (✓) or unread (•), authors, and their note."""
    blocks = []
    for number, mark in enumerate(saved, first_number):
        paper = mark.paper
        state = "✓ read" if mark.read_at else "• unread"
        authors = trim(md(", ".join(paper.authors)), 120) if paper.authors else "unknown authors"
        note = f"\n> {trim(md(' '.join(mark.note.split())), 300)}" if mark.note else ""
        blocks.append(
            f"**{number}. [{trim(md(paper.title), 200)}]({arxiv_link(paper)})** ({state})\n"
            f"{authors} · `{paper.arxiv_id}`{note}"
        )
    embed = discord.Embed(
        title=trim(md(title), TITLE),
        description=trim("\n\n".join(blocks), DESCRIPTION),
        colour=COLOUR,
    )
    if footer:
        embed.set_footer(text=trim(footer, FOOTER))
    return fit(embed)
