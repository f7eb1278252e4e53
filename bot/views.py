"""Buttons: the persistent Bookmark button, and Previous/Next pages only the asker can turn."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

log = logging.getLogger(__name__)

PAGE_TIMEOUT = 300.0  # seconds before Previous/Next stop working
SORRY = "Something went wrong on my side; it has been logged. Please try again."


async def tell(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral answer through whichever channel the interaction still has open.

    After a public "thinking…" defer the first follow-up would replace it publicly, so the
    placeholder is deleted first and the answer follows privately.
    """
    response = interaction.response
    try:
        if not response.is_done():
            await response.send_message(text, ephemeral=True)
            return
        if response.type is discord.InteractionResponseType.deferred_channel_message:
            with contextlib.suppress(discord.NotFound):  # already gone: an earlier private answer
                await interaction.delete_original_response()
        await interaction.followup.send(text, ephemeral=True)
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
    await tell(interaction, SORRY)


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
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
    ) -> BookmarkButton:
        return cls(match["arxiv_id"], item.label or "Bookmark")

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            added = await interaction.client.bookmarks.add(interaction.user.id, self.arxiv_id)
        except Exception as error:  # a dynamic item has no view of ours to route errors through
            await item_failed(interaction, error, self.item)
            return
        text = (
            f"Saved arXiv {self.arxiv_id} to your bookmarks."
            if added
            else f"arXiv {self.arxiv_id} is already in your bookmarks."
        )
        await interaction.response.send_message(text, ephemeral=True)


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
        turning = str((interaction.data or {}).get("custom_id", "")).startswith("paperboy:page:")
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
