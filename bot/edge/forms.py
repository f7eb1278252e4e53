"""A person's own forms: the note modal of a bookmark and the /following list with remove buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import discord

from bot.bookmarks import NOTE_LIMIT
from bot.edge.render import COLOUR, DESCRIPTION, fit
from bot.edge.views import answer_privately, item_failed, paperboy
from bot.errors import UserError
from bot.matching import Follow
from bot.text import trim

PER_PAGE = 20  # remove buttons a page: four rows of five, the fifth row turns pages


class NoteModal(discord.ui.Modal):
    """A short note on one bookmark, prefilled with the current one; empty removes it."""

    def __init__(self, arxiv_id: str, current: str) -> None:
        super().__init__(title=trim(f"Note on arXiv {arxiv_id}", 45), timeout=600)
        self.arxiv_id = arxiv_id
        self.text: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
            label="Your note (only you see it)",
            style=discord.TextStyle.paragraph,
            default=current or None,
            required=False,
            max_length=NOTE_LIMIT,
            custom_id="note",
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = paperboy(interaction)
        try:
            text = await bot.bookmarks.set_note(interaction.user.id, self.arxiv_id, self.text.value)
        except UserError as error:
            text = str(error)
        await interaction.response.send_message(text, ephemeral=True)

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        await item_failed(interaction, error, self)


def following_embed(follows: Sequence[Follow], page: int, limit: int) -> discord.Embed:
    if not follows:
        text = "You follow nothing yet. Start with /follow author, keyword, category or search."
    else:
        first = page * PER_PAGE
        lines = [
            f"{n}. {trim(f.reason, 150)}"
            for n, f in enumerate(follows[first : first + PER_PAGE], first + 1)
        ]
        text = "\n".join(lines)
    embed = discord.Embed(
        title=f"You follow {len(follows)} of at most {limit}",
        description=trim(text, DESCRIPTION),
        colour=COLOUR,
    )
    embed.set_footer(text="Press a number to stop following it. Only you see this list.")
    return fit(embed)


Loader = Callable[[], Awaitable[list[Follow]]]


class _Press(discord.ui.Button["FollowingView"]):
    """A button of the list: removes ``follow`` or turns the page by ``step``."""

    def __init__(self, label: str, custom_id: str, row: int, follow: Follow | None, step: int = 0):
        style = discord.ButtonStyle.secondary if follow else discord.ButtonStyle.primary
        super().__init__(label=label, style=style, custom_id=custom_id, row=row)
        self.follow, self.step = follow, step

    async def callback(self, interaction: discord.Interaction) -> None:
        view = self.view
        assert view is not None
        if self.follow is not None:
            await paperboy(interaction).follows.unfollow(interaction.user.id, self.follow.id)
        view.page += self.step
        await view.redraw(interaction)


class FollowingView(discord.ui.View):
    """One remove button per follow on the page; the list redraws after each removal."""

    def __init__(self, owner_id: int, follows: list[Follow], load: Loader, limit: int) -> None:
        super().__init__(timeout=300)
        self.owner_id, self.follows, self.load, self.limit = owner_id, follows, load, limit
        self.page = 0
        self._arrange()

    def _arrange(self) -> None:
        self.clear_items()
        pages = max(1, -(-len(self.follows) // PER_PAGE))
        self.page = min(self.page, pages - 1)
        first = self.page * PER_PAGE
        for number, follow in enumerate(self.follows[first : first + PER_PAGE], first + 1):
            row = (number - first - 1) // 5
            self.add_item(_Press(f"✕ {number}", f"paperboy:unfollow:{follow.id}", row, follow))
        if pages > 1:
            for step, label in ((-1, "Previous"), (1, "Next")):
                turn = _Press(label, f"paperboy:following:{label.lower()}", 4, None, step)
                turn.disabled = not 0 <= self.page + step < pages
                self.add_item(turn)

    async def redraw(self, interaction: discord.Interaction) -> None:
        self.follows = await self.load()
        self._arrange()
        embed = following_embed(self.follows, self.page, self.limit)
        await interaction.response.edit_message(embed=embed, view=self)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await answer_privately(interaction, "This list is not yours.")
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: object
    ) -> None:
        await item_failed(interaction, error, item)
