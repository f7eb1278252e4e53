"""Views: the lasting Bookmark button and compact menu, and lasting Previous/Next pages only the
asker can turn (their custom ids carry the query and page: they survive waits and restarts)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

import discord

from bot.edge.render import paper_list_embed
from bot.errors import UserError
from bot.models import PaperRow
from bot.text import trim

MESSAGE = 2000  # the most text Discord takes in one message
# No message of paperboy's pings anyone: set on the bot, and again on each send so that no path
# (a follow-up, a DM, a system-channel note) depends on the default reaching it.
NO_MENTIONS = discord.AllowedMentions.none()

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

log = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; it has been logged. Please try again."
# Seconds a lookup may take before the interaction is deferred ("thinking…") and finished by a
# follow-up. Fast answers stay one message; slow ones are acknowledged within ~20 ms, far inside
# Discord's 3 s window even on a loaded host (bench/dispatch.py: p99 120 ms at 1M papers without).
DEFER_AFTER = 0.02
T = TypeVar("T")


async def in_time(
    interaction: discord.Interaction, work: Awaitable[T], *, private: bool = False
) -> T:
    """Run ``work``; if it is slow, defer the interaction while it finishes (``private``: the
    "thinking…" placeholder, and so the answer that replaces it, only the clicker sees)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(thinking=True, ephemeral=private)
    return await task


def paperboy(interaction: discord.Interaction) -> Paperboy:
    """The bot an interaction reached, typed: every interaction this process sees is paperboy's."""
    return cast("Paperboy", interaction.client)


async def answer_privately(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral answer through whichever channel the interaction still has open.

    After a public "thinking…" defer the first follow-up would replace it publicly, so the
    placeholder is deleted first and the answer follows privately.
    """
    response = interaction.response
    text = trim(text, MESSAGE)  # whatever a service put in it, Discord takes 2000 at most
    try:
        if not response.is_done():
            await response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if response.type is discord.InteractionResponseType.deferred_channel_message:
            with contextlib.suppress(discord.NotFound):  # already gone: an earlier private answer
                await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as error:
        log.warning("could not tell user %s: %s", interaction.user.id, error)


async def item_failed(interaction: discord.Interaction, error: Exception, item: Any) -> None:
    """A button's callback raised: log it with who clicked what, and apologise privately."""
    log.error(
        "button %s failed for user %s in guild %s",
        getattr(item, "custom_id", item),
        interaction.user.id,
        interaction.guild_id,
        exc_info=error,
    )
    await answer_privately(interaction, SORRY)


def paper_button(label: str, emoji: str, custom_id: str) -> discord.ui.Button:
    """A grey button acting on one paper, whose id lives in ``custom_id``."""
    return discord.ui.Button(
        label=label, emoji=emoji, style=discord.ButtonStyle.secondary, custom_id=custom_id
    )


class BookmarkButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"paperboy:bookmark:(?P<arxiv_id>[\w./-]+)"
):
    """Saves one paper for whoever clicks; the id lives in custom_id, so it works after restarts."""

    def __init__(self, arxiv_id: str, label: str = "Bookmark") -> None:
        super().__init__(paper_button(label, "🔖", f"paperboy:bookmark:{arxiv_id}"))
        self.arxiv_id = arxiv_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> BookmarkButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["arxiv_id"], label or "Bookmark")

    async def callback(self, interaction: discord.Interaction) -> None:
        bookmarks = paperboy(interaction).bookmarks
        try:
            added = await bookmarks.add(interaction.user.id, self.arxiv_id, interaction.guild_id)
            known = added or await bookmarks.known(self.arxiv_id)
        except Exception as error:  # a dynamic item has no view of ours to route errors through
            await item_failed(interaction, error, self.item)
            return
        if added:
            text = f"Saved arXiv {self.arxiv_id} to your bookmarks."
        elif known:
            text = f"arXiv {self.arxiv_id} is already in your bookmarks."
        else:
            text = f"I know no paper arXiv {self.arxiv_id}, so there is nothing to save."
        await interaction.response.send_message(text, ephemeral=True)


class RelatedButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"paperboy:related:(?P<arxiv_id>[\w./-]+)"
):
    """Shows the clicker, privately, papers like this one; works after restarts like Bookmark."""

    def __init__(self, arxiv_id: str) -> None:
        super().__init__(paper_button("Related", "🔎", f"paperboy:related:{arxiv_id}"))
        self.arxiv_id = arxiv_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> RelatedButton:
        return cls(match["arxiv_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            paper, similar = await in_time(
                interaction, paperboy(interaction).discover.related(self.arxiv_id), private=True
            )
        except UserError as error:
            await answer_privately(interaction, str(error))
            return
        except Exception as error:  # a dynamic item has no view of ours to route errors through
            await item_failed(interaction, error, self.item)
            return
        if not similar:
            await answer_privately(interaction, f"I found no papers like {self.arxiv_id}.")
            return
        embed = paper_list_embed(f"Papers like “{paper.title[:200]}”", similar)
        if interaction.response.is_done():  # deferred privately: the follow-up replaces it
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=True)


def bookmark_view(arxiv_id: str) -> discord.ui.View:
    """A lasting view holding one paper's Bookmark and Related buttons."""
    view = discord.ui.View(timeout=None)
    view.add_item(BookmarkButton(arxiv_id))
    view.add_item(RelatedButton(arxiv_id))
    return view


class BookmarkSelect(
    discord.ui.DynamicItem[discord.ui.Select], template=r"paperboy:bookmark-select"
):
    """The compact post's menu: picking papers bookmarks them for the picker (survives restarts)."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        options = options or [discord.SelectOption(label="-")]
        super().__init__(
            discord.ui.Select(
                custom_id="paperboy:bookmark-select",
                placeholder="Bookmark papers from this list",
                min_values=1,
                max_values=len(options),
                options=options,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: object
    ) -> BookmarkSelect:
        options = list(item.options) if isinstance(item, discord.ui.Select) else None
        return cls(options)  # discord.py then fills in the picked values

    async def callback(self, interaction: discord.Interaction) -> None:
        picked = list(self.item.values)
        try:
            added = [
                arxiv_id
                for arxiv_id in picked
                if await paperboy(interaction).bookmarks.add(
                    interaction.user.id, arxiv_id, interaction.guild_id
                )
            ]
        except Exception as error:  # a dynamic item has no view of ours to route errors through
            await item_failed(interaction, error, self.item)
            return
        text = f"Saved {len(added)} of {len(picked)} papers to your bookmarks"
        if len(added) < len(picked):
            text += " (the rest were already there)"
        await interaction.response.send_message(text + ".", ephemeral=True)


def compact_menu(papers: Sequence[PaperRow]) -> discord.ui.View:
    """The compact post's menu: up to 25 papers (Discord's limit on a menu's options)."""
    options = [
        discord.SelectOption(label=trim(p.title, 100), value=p.arxiv_id, description=p.arxiv_id)
        for p in papers[:25]
    ]
    view = discord.ui.View(timeout=None)
    view.add_item(BookmarkSelect(options))
    return view


PAGES = "paperboy:pages"
CUSTOM_ID = 100  # characters Discord allows in a custom id
GONE = "These pages are no longer available: run the command again."


@dataclass(frozen=True)
class Shown:
    """One page as a source renders it: the embed, the papers on it (numbered from ``first``,
    each with a Bookmark button when ``bookmarks``) and whether a next page exists."""

    embed: discord.Embed
    ids: list[str]
    has_more: bool
    first: int = 1
    bookmarks: bool = True


PageSource = Callable[[discord.Interaction, list[Any], int], Awaitable[Shown]]


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=PAGES + r":(?P<kind>[a-z]+):(?P<owner>\d+):(?P<page>\d+):(?P<key>.+)",
):
    """Previous or Next: the custom id carries the list's kind, its asker, the page it opens and
    the query, so it keeps working after any wait and any restart, for the asker only."""

    def __init__(
        self,
        kind: str,
        owner: int,
        page: int,
        key: str,
        label: str = "Next",
        disabled: bool = False,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="◀️" if label == "Previous" else "▶️",
                style=discord.ButtonStyle.primary,
                custom_id=f"{PAGES}:{kind}:{owner}:{page}:{key}",
                disabled=disabled,
            )
        )
        self.kind, self.owner, self.page, self.key = kind, owner, page, key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> PageButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        owner, page = int(match["owner"]), int(match["page"])
        return cls(match["kind"], owner, page, match["key"], label or "Next")

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.owner:
            await interaction.response.send_message(
                "Only the person who asked can turn these pages.", ephemeral=True
            )
            return
        try:
            await self._turn(interaction)
        except Exception as error:  # a dynamic item has no view of ours to route errors through
            await item_failed(interaction, error, self.item)

    async def _turn(self, interaction: discord.Interaction) -> None:
        bot = paperboy(interaction)
        args = await bot.pages.decode(self.kind, self.key)
        source = bot.page_sources.get(self.kind)
        if args is None or source is None:
            await answer_privately(interaction, GONE)
            return
        shown = await source(interaction, args, self.page)
        view = pages_view(self.kind, self.owner, self.page, self.key, shown)
        await interaction.response.edit_message(embed=shown.embed, view=view)
        if interaction.message is not None and shown.bookmarks:
            # A 🔖 on this message now saves the papers it shows, not the first page's.
            await bot.bookmarks.remember_message(
                interaction.message.id,
                interaction.channel_id or 0,
                interaction.guild_id,
                shown.ids,
                replace=True,
            )
            bot.dispatch("papers_shown", interaction.message.id, shown.ids)


class OldPageButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"paperboy:page:(?P<way>previous|next)"
):
    """Previous/Next of lists sent before the buttons carried their query: they cannot know it,
    so they say so instead of letting the click fail silently."""

    def __init__(self, way: str = "next") -> None:
        super().__init__(discord.ui.Button(label=way.title(), custom_id=f"paperboy:page:{way}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> OldPageButton:
        return cls(match["way"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_privately(interaction, GONE)


def key_room(kind: str, owner: int) -> int:
    """Characters left for the query in a page button's custom id (pages up to 99,999)."""
    return CUSTOM_ID - len(f"{PAGES}:{kind}:{owner}:99999:")


async def first_page(
    interaction: discord.Interaction, kind: str, args: list[Any], shown: Shown
) -> discord.ui.View:
    """The view of a list's first page, its query made into the page buttons' key."""
    owner = interaction.user.id
    key = await paperboy(interaction).pages.encode(kind, args, key_room(kind, owner))
    return pages_view(kind, owner, 0, key, shown)


def pages_view(kind: str, owner: int, page: int, key: str, shown: Shown) -> discord.ui.View:
    """Previous/Next for the asker, then a Bookmark button per paper for anyone."""
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(kind, owner, max(page - 1, 0), key, "Previous", page == 0))
    view.add_item(PageButton(kind, owner, page + 1, key, "Next", not shown.has_more))
    if shown.bookmarks:
        for number, arxiv_id in enumerate(shown.ids, shown.first):
            view.add_item(BookmarkButton(arxiv_id, label=str(number)))
    return view


class Confirm(discord.ui.View):
    """Yes/No for something that cannot be undone; only the asker can answer."""

    def __init__(self, owner_id: int, token: int) -> None:
        super().__init__(timeout=120)
        self.owner_id = owner_id
        self.confirmed: bool | None = None
        # Unique per question, so two people asking at once never get each other's buttons.
        self.yes.custom_id = f"paperboy:confirm:{token}:yes"
        self.no.custom_id = f"paperboy:confirm:{token}:no"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "This question is not yours to answer.", ephemeral=True
        )
        return False

    @discord.ui.button(label="Yes, delete them", style=discord.ButtonStyle.danger)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.confirmed = True
        await self._close(interaction)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def no(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.confirmed = False
        await self._close(interaction)

    async def _close(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction
        self.stop()
