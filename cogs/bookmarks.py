"""Bookmarks: react to a paper to keep it; /bookmarks to list, remove, export or clear. All private."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.bookmarks import FORMATS
from bot.edge.forms import NoteModal
from bot.edge.readers import bookmarks_embed
from bot.edge.views import Confirm, Shown, first_page
from bot.ids import normalize_arxiv_id
from cogs.papers import PAGE_SIZE

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

log = logging.getLogger(__name__)


class Bookmarks(
    commands.GroupCog,
    group_name="bookmarks",
    group_description="Your saved papers (only you see them)",
):
    def __init__(self, bot: Paperboy) -> None:
        self.bot = bot
        self.emoji = bot.config.bot.bookmark_emoji
        self.menu = app_commands.ContextMenu(name="Bookmark papers", callback=self.bookmark_papers)
        bot.tree.add_command(self.menu)

    async def cog_load(self) -> None:
        self.bot.page_sources["bookmarks"] = self.page

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)
        self.bot.page_sources.pop("bookmarks", None)

    async def page(self, interaction: discord.Interaction, args: list, number: int) -> Shown:
        """Page ``number`` of the asker's bookmarks (``args``: [unread only]); the page buttons
        answer only the asker, so these are always the asker's own."""
        [unread] = args
        saved, has_more = await self.bot.bookmarks.marked(
            interaction.user.id, limit=PAGE_SIZE, offset=number * PAGE_SIZE, unread=bool(unread)
        )
        title = "Your unread bookmarks" if unread else "Your bookmarks"
        embed = bookmarks_embed(
            title, saved, first_number=number * PAGE_SIZE + 1, footer=f"Page {number + 1}"
        )
        return Shown(embed, [mark.paper.arxiv_id for mark in saved], has_more, bookmarks=False)

    async def bookmark_papers(
        self, interaction: discord.Interaction[Paperboy], message: discord.Message
    ) -> None:
        """Apps -> Bookmark papers on any message: save every arXiv or Hugging Face paper it links."""
        parts = [message.content] + [
            f"{embed.url or ''} {embed.description or ''}" for embed in message.embeds
        ]
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.bot.bookmarks.bookmark_links(interaction.user.id, "\n".join(parts))
        await interaction.followup.send(result.describe(), ephemeral=True)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        await self._reaction(event, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        await self._reaction(event, added=False)

    async def _reaction(self, event: discord.RawReactionActionEvent, added: bool) -> None:
        """Cheap checks first (emoji, guild, not the bot), then one lookup of the message's papers."""
        if (
            str(event.emoji) != self.emoji
            or event.guild_id is None
            or self.bot.user is None
            or event.user_id == self.bot.user.id
        ):
            return
        if event.member is not None and event.member.bot:
            return
        arxiv_ids = await self.bot.bookmarks.papers_for_message(event.message_id)
        for arxiv_id in arxiv_ids:
            if added:
                await self.bot.bookmarks.add(event.user_id, arxiv_id)
            else:
                await self.bot.bookmarks.remove(event.user_id, arxiv_id)
        if arxiv_ids:
            log.debug("user %s %s %s", event.user_id, "saved" if added else "dropped", arxiv_ids)
        self.bot.dispatch("bookmarks_changed", event.user_id, arxiv_ids, added)

    @app_commands.command(name="list", description="Your bookmarked papers, newest first")
    @app_commands.describe(show="all (default) or only the unread ones")
    @app_commands.choices(
        show=[app_commands.Choice(name=name, value=name) for name in ("all", "unread")]
    )
    async def list_bookmarks(
        self,
        interaction: discord.Interaction[Paperboy],
        show: app_commands.Choice[str] | None = None,
    ) -> None:
        unread = show is not None and show.value == "unread"
        first = await self.page(interaction, [unread], 0)
        if not first.ids:
            empty = (
                "You have no unread bookmarks."
                if unread
                else f"You have no bookmarks yet. React with {self.emoji} to a paper, or use its "
                "Bookmark button, or Apps -> Bookmark papers on any message."
            )
            await interaction.response.send_message(empty, ephemeral=True)
            return
        view = await first_page(interaction, "bookmarks", [unread], first)
        await interaction.response.send_message(embed=first.embed, view=view, ephemeral=True)

    @app_commands.command(name="mark", description="Mark a bookmark read or unread")
    @app_commands.describe(paper="The arXiv id of the bookmarked paper", state="read or unread")
    @app_commands.choices(
        state=[app_commands.Choice(name=name, value=name) for name in ("read", "unread")]
    )
    async def mark(
        self,
        interaction: discord.Interaction[Paperboy],
        paper: str,
        state: app_commands.Choice[str],
    ) -> None:
        text = await self.bot.bookmarks.mark(interaction.user.id, paper, state.value == "read")
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="note", description="Write a short note on a bookmark")
    @app_commands.describe(paper="The arXiv id of the bookmarked paper")
    async def note(self, interaction: discord.Interaction[Paperboy], paper: str) -> None:
        arxiv_id, current = await self.bot.bookmarks.note(interaction.user.id, paper)
        await interaction.response.send_modal(NoteModal(arxiv_id, current))

    @app_commands.command(
        name="notify", description="A DM when a bookmarked paper gets code or a new version"
    )
    @app_commands.describe(enabled="True to get the notices, False to stop them")
    async def notify(self, interaction: discord.Interaction[Paperboy], enabled: bool) -> None:
        text = await self.bot.personal.set_notify(interaction.user.id, enabled)
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="remove", description="Remove one paper from your bookmarks")
    @app_commands.describe(paper="The arXiv id of the bookmarked paper")
    async def remove(self, interaction: discord.Interaction[Paperboy], paper: str) -> None:
        arxiv_id = normalize_arxiv_id(paper) or paper.strip()
        removed = await self.bot.bookmarks.remove(interaction.user.id, arxiv_id)
        text = (
            f"Removed arXiv {arxiv_id} from your bookmarks."
            if removed
            else f"arXiv {arxiv_id} is not in your bookmarks."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @remove.autocomplete("paper")
    @mark.autocomplete("paper")
    @note.autocomplete("paper")
    async def own_bookmarks(
        self, interaction: discord.Interaction[Paperboy], current: str
    ) -> list[app_commands.Choice[str]]:
        page = await self.bot.bookmarks.saved(interaction.user.id, limit=100)
        wanted = current.casefold()
        matching = [p for p in page.items if wanted in p.arxiv_id or wanted in p.title.casefold()]
        return [
            app_commands.Choice(name=f"{p.arxiv_id} · {p.title}"[:100], value=p.arxiv_id)
            for p in matching[:25]
        ]

    @app_commands.command(name="export", description="Download your bookmarks as a file")
    @app_commands.describe(format="BibTeX (imports in Zotero), CSV or Markdown")
    @app_commands.choices(format=[app_commands.Choice(name=name, value=name) for name in FORMATS])
    async def export(
        self, interaction: discord.Interaction[Paperboy], format: app_commands.Choice[str]
    ) -> None:
        if not (await self.bot.bookmarks.saved(interaction.user.id, limit=1)).items:
            await interaction.response.send_message(
                f"You have no bookmarks to export yet. React with {self.emoji} to a paper first.",
                ephemeral=True,
            )
            return
        filename, content = await self.bot.bookmarks.export(interaction.user.id, format.value)
        file = discord.File(io.BytesIO(content), filename=filename)
        await interaction.response.send_message(
            f"Your bookmarks as {format.name}:", file=file, ephemeral=True
        )

    @app_commands.command(name="clear", description="Delete all your bookmarks (asks first)")
    async def clear(self, interaction: discord.Interaction[Paperboy]) -> None:
        await self._confirmed(
            interaction, "Delete all your bookmarks?", self.bot.bookmarks.clear, "bookmarks deleted"
        )

    @app_commands.command(
        name="forget-me", description="Delete everything paperboy stores about you (asks first)"
    )
    async def forget_me(self, interaction: discord.Interaction[Paperboy]) -> None:
        await self._confirmed(
            interaction,
            "Delete everything I store about you: bookmarks, notes, follows, digest settings "
            "and the record of DMs I sent you?",
            self.bot.privacy.forget,
            None,
        )

    async def _confirmed(
        self,
        interaction: discord.Interaction[Paperboy],
        question: str,
        action: Callable[[int], Awaitable[object]],
        done: str | None,
    ) -> None:
        view = Confirm(interaction.user.id, interaction.id)
        await interaction.response.send_message(question, view=view, ephemeral=True)
        await view.wait()
        if view.confirmed is None:
            await interaction.edit_original_response(
                content="No answer; nothing was deleted.", view=None
            )
            return
        answer = view.interaction
        if view.confirmed:
            result = await action(interaction.user.id)
            text = f"Done: {result} {done}." if done else str(result)
            await answer.response.edit_message(content=text, view=None)
        else:
            await answer.response.edit_message(content="Cancelled; nothing was deleted.", view=None)


async def setup(bot: Paperboy) -> None:
    await bot.add_cog(Bookmarks(bot))
