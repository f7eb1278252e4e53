"""Views: the lasting Bookmark button and compact menu, and Previous/Next pages only the asker can turn."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.models import PaperRow
from bot.text import trim

MESSAGE = 2000  # the most text Discord takes in one message
# No message of paperboy's pings anyone: set on the bot, and again on each send so that no path
# (a follow-up, a DM, a system-channel note) depends on the default reaching it.
NO_MENTIONS = discord.AllowedMentions.none()

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 300.0  # seconds before Previous/Next stop working
SORRY = "Something went wrong on my side; it has been logged. Please try again."


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


class BookmarkButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"paperboy:bookmark:(?P<arxiv_id>[\w./-]+)"
):
    """Saves one paper for whoever clicks; the id lives in custom_id, so it works after restarts."""

    def __init__(self, arxiv_id: str, label: str = "Bookmark") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🔖",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paperboy:bookmark:{arxiv_id}",
            )
        )
        self.arxiv_id = arxiv_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> BookmarkButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["arxiv_id"], label or "Bookmark")

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            added = await paperboy(interaction).bookmarks.add(interaction.user.id, self.arxiv_id)
        except Exception as error:  # a dynamic item has no view of ours to route errors through
            await item_failed(interaction, error, self.item)
            return
        text = (
            f"Saved arXiv {self.arxiv_id} to your bookmarks."
            if added
            else f"arXiv {self.arxiv_id} is already in your bookmarks."
        )
        await interaction.response.send_message(text, ephemeral=True)


def bookmark_view(arxiv_id: str) -> discord.ui.View:
    """A lasting view holding one paper's Bookmark button."""
    view = discord.ui.View(timeout=None)
    view.add_item(BookmarkButton(arxiv_id))
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
                if await paperboy(interaction).bookmarks.add(interaction.user.id, arxiv_id)
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


PageRenderer = Callable[[int], Awaitable[tuple[discord.Embed, list[str], bool]]]


class Paginator(discord.ui.View):
    """Previous/Next over pages rendered on demand; page n is ``render(n)`` -> (embed, ids, has_more)."""

    def __init__(
        self,
        owner_id: int,
        render: PageRenderer,
        *,
        has_more: bool,
        ids: list[str],
        page_size: int,
        timeout: float = PAGE_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.page_size = page_size
        self.render = render
        self.page = 0
        self.interaction: discord.Interaction | None = None  # set once the pages are sent
        self._arrange(has_more, ids)

    def _arrange(self, has_more: bool, ids: list[str]) -> None:
        self.clear_items()
        self.add_item(self.previous)
        self.add_item(self.next)
        self.previous.disabled = self.page == 0
        self.next.disabled = not has_more
        for number, arxiv_id in enumerate(ids, 1):
            self.add_item(BookmarkButton(arxiv_id, label=str(self.page * self.page_size + number)))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        data: dict[str, Any] = dict(interaction.data or {})
        turning = str(data.get("custom_id", "")).startswith("paperboy:page:")
        if not turning or interaction.user.id == self.owner_id:
            return True  # anyone may bookmark from the list; only the asker turns pages
        await interaction.response.send_message(
            "Only the person who asked can turn these pages.", ephemeral=True
        )
        return False

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = max(0, self.page + step)
        embed, ids, has_more = await self.render(self.page)
        self._arrange(has_more, ids)
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(
        label="Previous",
        emoji="◀️",
        style=discord.ButtonStyle.primary,
        custom_id="paperboy:page:previous",
    )
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(
        label="Next", emoji="▶️", style=discord.ButtonStyle.primary, custom_id="paperboy:page:next"
    )
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, 1)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: Any) -> None:
        await item_failed(interaction, error, item)

    async def on_timeout(self) -> None:
        self.previous.disabled = self.next.disabled = True
        if self.interaction is not None:
            try:
                await self.interaction.edit_original_response(view=self)
            except discord.HTTPException as error:  # the message may be gone; nothing else to do
                log.debug("could not disable page buttons: %s", error)


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
