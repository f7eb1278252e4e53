"""/paper: search and look up papers. Thin: read the options, ask the search service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.edge.render import MARKS, echo, md, paper_embed, paper_list_embed, trim
from bot.edge.views import (
    NO_MENTIONS,
    PageSource,
    Shown,
    answer_privately,
    bookmark_view,
    first_page,
    in_time,
)
from bot.models import Page, PaperRow
from bot.query import SYNTAX_HELP
from bot.search import parse_day

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

PAGE_SIZE = 5


async def send(interaction: discord.Interaction[Paperboy], **message) -> int | None:
    """Answer publicly (or finish a defer); return the id of the message sent."""
    if interaction.response.is_done():
        sent = await interaction.followup.send(wait=True, allowed_mentions=NO_MENTIONS, **message)
        return sent.id
    response = await interaction.response.send_message(allowed_mentions=NO_MENTIONS, **message)
    return response.message_id


class Papers(
    commands.GroupCog, group_name="paper", group_description="Look up papers from the daily digest"
):
    def __init__(self, bot: Paperboy) -> None:
        self.bot = bot
        self.sources: dict[str, PageSource] = {
            "search": self.search_page,
            "author": self.author_page,
            "category": self.category_page,
            "day": self.day_page,
            "related": self.related_page,
            "top": self.top_page,
        }

    async def cog_load(self) -> None:
        self.bot.page_sources.update(self.sources)

    async def cog_unload(self) -> None:
        for kind in self.sources:
            self.bot.page_sources.pop(kind, None)

    async def show_paper(self, interaction: discord.Interaction[Paperboy], paper: PaperRow) -> None:
        """One paper with a Bookmark button; reacting to the message bookmarks it too."""
        view = bookmark_view(paper.arxiv_id)
        message_id = await send(interaction, embed=paper_embed(paper, full=True), view=view)
        await self.remember(interaction, message_id, [paper.arxiv_id])

    async def remember(
        self, interaction: discord.Interaction[Paperboy], message_id: int | None, ids: list[str]
    ) -> None:
        """Tell the bookmarks service which papers a message shows, so a 🔖 reaction saves them."""
        bookmarks = getattr(self.bot, "bookmarks", None)
        if message_id is None or bookmarks is None:
            return
        await bookmarks.remember_message(
            message_id, interaction.channel_id or 0, interaction.guild_id, ids
        )
        self.bot.dispatch("papers_shown", message_id, ids)

    async def show_pages(
        self, interaction: discord.Interaction[Paperboy], kind: str, args: list, first: Shown
    ) -> None:
        """A numbered list of papers, Previous/Next for the asker and a Bookmark button per paper.
        The buttons carry ``kind`` and ``args``: the page source re-runs the query for any page."""
        view = await first_page(interaction, kind, args, first)
        message_id = await send(interaction, embed=first.embed, view=view)
        await self.remember(interaction, message_id, first.ids)

    @staticmethod
    def shown(title: str, page: Page) -> Shown:
        embed = paper_list_embed(title, page.items, page)
        ids = [paper.arxiv_id for paper in page.items]
        return Shown(embed, ids, page.has_more, page.offset + 1)

    async def search_page(self, interaction: discord.Interaction, args: list, number: int) -> Shown:
        shown, _ = await self.searched(args, number)
        return shown

    async def searched(self, args: list, number: int) -> tuple[Shown, str | None]:
        """A page of a search and, when a typo was corrected, the query it searched instead.

        ``args``: query, author, category, since, until (YYYY-MM-DD) and, on newer buttons,
        whether to search exactly as typed."""
        query, author, category, since, until, *rest = args
        exact = bool(rest and rest[0])
        page = await self.bot.search.search(
            query,
            author=author,
            category=category,
            since=parse_day(since) if since else None,
            until=parse_day(until) if until else None,
            limit=PAGE_SIZE,
            offset=number * PAGE_SIZE,
            correct=not exact,
            highlight=MARKS,
        )
        title = f"Papers matching “{trim(query, 200)}”"
        if page.corrected is not None:
            title = (
                f"Showing results for “{trim(page.corrected, 100)}”; search instead for"
                f" “{trim(query, 100)}” with exact: True"
            )
        return self.shown(title, page), page.corrected

    async def related_page(
        self, interaction: discord.Interaction, args: list, number: int
    ) -> Shown:
        paper, similar = await self.bot.discover.related(args[0], PAGE_SIZE)
        page = Page(similar if number == 0 else [], number * PAGE_SIZE, PAGE_SIZE, False)
        return self.shown(f"Papers like “{trim(paper.title, 200)}”", page)

    async def top_page(self, interaction: discord.Interaction, args: list, number: int) -> Shown:
        period = args[0]
        first, last, ranked = await self.bot.discover.top(period, interaction.guild_id)
        start = number * PAGE_SIZE
        papers = [paper for paper, _ in ranked]
        page = Page(
            papers[start : start + PAGE_SIZE], start, PAGE_SIZE, len(papers) > start + PAGE_SIZE
        )
        span = f"{first}" if first == last else f"{first} to {last}"
        return self.shown(f"Top papers, {span}", page)

    async def author_page(self, interaction: discord.Interaction, args: list, number: int) -> Shown:
        [name] = args
        page = await self.bot.search.by_author(name, limit=PAGE_SIZE, offset=number * PAGE_SIZE)
        return self.shown(f"Papers by {trim(name, 200)}", page)

    async def category_page(
        self, interaction: discord.Interaction, args: list, number: int
    ) -> Shown:
        [name] = args
        page = await self.bot.search.by_category(name, limit=PAGE_SIZE, offset=number * PAGE_SIZE)
        return self.shown(f"{trim(name, 200)} papers", page)

    async def day_page(self, interaction: discord.Interaction, args: list, number: int) -> Shown:
        day, papers = await self.bot.search.day(parse_day(args[0]))
        start = number * PAGE_SIZE
        page = Page(
            papers[start : start + PAGE_SIZE], start, PAGE_SIZE, len(papers) > start + PAGE_SIZE
        )
        return self.shown(f"Papers for {day} · {len(papers)} papers", page)

    async def nothing(self, interaction: discord.Interaction[Paperboy], text: str) -> None:
        """Nothing to show: say why, privately (even after a public defer)."""
        await answer_privately(interaction, text)

    help = app_commands.Group(name="help", description="How to use paperboy's commands")

    @help.command(name="search", description="The search syntax, with examples")
    async def help_search(self, interaction: discord.Interaction[Paperboy]) -> None:
        embed = discord.Embed(title="Searching papers", description=SYNTAX_HELP)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="search", description="Search titles, summaries and authors of every digest"
    )
    @app_commands.describe(
        query='Words, "phrase", -not, prefix*, au: ti: cat: id: since: until: (/paper help search)',
        author='Only papers by: "Y. LeCun", "LeCun, Yann", part of a name, an HF username (au:)',
        category="Only this category: cs.CL, a name, cs.* or a topic (same as cat:)",
        since="Listed on or after: YYYY-MM-DD, or 7d, 2w back (same as since:)",
        until="Listed on or before: YYYY-MM-DD, or 7d, 2w back (same as until:)",
        exact="Search the words exactly as typed, without typo corrections",
    )
    async def search(
        self,
        interaction: discord.Interaction[Paperboy],
        query: str,
        author: str | None = None,
        category: str | None = None,
        since: str | None = None,
        until: str | None = None,
        exact: bool = False,
    ) -> None:
        # A bad date is answered now, not at the first page turn; 7d and 2w become days now.
        first_day = self.bot.search.when(since).isoformat() if since else None
        last_day = self.bot.search.when(until).isoformat() if until else None
        args = [query, author, category, first_day, last_day, exact]
        first, corrected = await in_time(interaction, self.searched(args, 0))
        if not first.ids:
            await self.nothing(
                interaction, f'No papers match "{echo(query)}". Try fewer or other words.'
            )
            return
        if corrected is not None:
            args = [
                corrected,
                author,
                category,
                first_day,
                last_day,
                True,
            ]  # pages of what is shown
        await self.show_pages(interaction, "search", args, first)

    @search.autocomplete("query")
    async def query_suggestions(
        self, interaction: discord.Interaction[Paperboy], current: str
    ) -> list[app_commands.Choice[str]]:
        suggestions = await self.bot.discover.suggestions(current)
        return [app_commands.Choice(name=label, value=value) for label, value in suggestions]

    @app_commands.command(name="related", description="Papers like this one, by title and abstract")
    @app_commands.describe(paper="An arXiv id (2503.14456) or an arXiv / Hugging Face link")
    async def related(self, interaction: discord.Interaction[Paperboy], paper: str) -> None:
        first = await in_time(interaction, self.related_page(interaction, [paper], 0))
        if not first.ids:
            await self.nothing(interaction, f"I found no papers like {echo(paper)}.")
            return
        await self.show_pages(interaction, "related", [paper], first)

    @app_commands.command(
        name="top",
        description="The most upvoted and bookmarked papers of the last day, week or month",
    )
    @app_commands.describe(period="Which digests to rank: the last day, week (default) or month")
    async def top(
        self,
        interaction: discord.Interaction[Paperboy],
        period: Literal["day", "week", "month"] = "week",
    ) -> None:
        first = await in_time(interaction, self.top_page(interaction, [period], 0))
        if not first.ids:
            await self.nothing(interaction, "No digest has been ingested yet.")
            return
        await self.show_pages(interaction, "top", [period], first)

    @app_commands.command(name="author", description="Papers by an author, newest first")
    @app_commands.describe(
        name='A name as people write it ("Y. LeCun", "LeCun, Yann", part of it) or an HF username'
    )
    async def author(self, interaction: discord.Interaction[Paperboy], name: str) -> None:
        first = await in_time(interaction, self.author_page(interaction, [name], 0))
        if not first.ids:
            await self.nothing(interaction, f'I know no papers by anyone named "{echo(name)}".')
            return
        await self.show_pages(interaction, "author", [name], first)

    @author.autocomplete("name")
    async def author_names(
        self, interaction: discord.Interaction[Paperboy], current: str
    ) -> list[app_commands.Choice[str]]:
        names = await self.bot.search.authors(current, limit=25)
        return [
            app_commands.Choice(name=f"{name[:90]} ({count})", value=name[:100])
            for name, count in names
        ]

    @app_commands.command(name="category", description="Papers in a category, newest first")
    @app_commands.describe(
        name="An arXiv category (cs.CL), its name (Computation and Language), an archive (cs.*)"
        " or a digest topic"
    )
    async def category(self, interaction: discord.Interaction[Paperboy], name: str) -> None:
        first = await in_time(interaction, self.category_page(interaction, [name], 0))
        if not first.ids:
            known = ", ".join(c for c, _ in (await self.bot.search.categories())[:10]) or "none yet"
            await self.nothing(
                interaction, f'No papers in "{echo(name)}". Categories I know: {md(known)}.'
            )
            return
        await self.show_pages(interaction, "category", [name], first)

    @category.autocomplete("name")
    @search.autocomplete("category")
    async def category_names(
        self, interaction: discord.Interaction[Paperboy], current: str
    ) -> list[app_commands.Choice[str]]:
        choices = await self.bot.search.category_choices(current, limit=25)
        return [
            app_commands.Choice(name=shown[:100], value=value[:100]) for shown, value in choices
        ]

    @app_commands.command(
        name="day", description="The papers of one day's digest (default: the latest)"
    )
    @app_commands.describe(date="The day, as YYYY-MM-DD")
    async def day(
        self, interaction: discord.Interaction[Paperboy], date: str | None = None
    ) -> None:
        wanted = parse_day(date) if date else None
        day, papers = await self.bot.search.day(wanted)
        if not papers:
            text = (
                f"There is no digest for {wanted}."
                if wanted
                else "No digest has been ingested yet."
            )
            await self.nothing(interaction, text)
            return
        assert day is not None  # papers come from a day
        args = [day.isoformat()]  # the day it is now: "latest" must not move between pages
        await self.show_pages(interaction, "day", args, await self.day_page(interaction, args, 0))

    @app_commands.command(name="show", description="One paper by arXiv id or link")
    @app_commands.describe(
        paper="An arXiv id (2503.14456, arXiv:2503.14456v2) or an arXiv / Hugging Face link"
    )
    async def show(self, interaction: discord.Interaction[Paperboy], paper: str) -> None:
        found = await self.bot.search.show(paper)
        if found is None:
            await self.nothing(interaction, f"I have no paper {echo(paper)} in the digests I know.")
            return
        await self.show_paper(interaction, found)

    @app_commands.command(name="random", description="A random paper from the archive")
    async def random(self, interaction: discord.Interaction[Paperboy]) -> None:
        found = await self.bot.search.random()
        if found is None:
            await self.nothing(interaction, "No digest has been ingested yet.")
            return
        await self.show_paper(interaction, found)


async def setup(bot: Paperboy) -> None:
    await bot.add_cog(Papers(bot))
