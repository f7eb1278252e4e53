"""The one piece of delivery that talks to Discord: posts, threads and notes to people."""

from __future__ import annotations

import asyncio
import logging
import time

import discord

from bot.delivery import ChannelUnavailable, DeliveryInterrupted, Outgoing
from bot.render import paper_embed, trim
from bot.views import BookmarkButton, item_failed

log = logging.getLogger(__name__)
THREAD_EXISTS = 160004  # "A thread has already been created for this message"


def _compact(message: Outgoing) -> discord.Embed:
    lines = [f"{n}. [{trim(p.title, 150)}]({p.arxiv_url})" for n, p in enumerate(message.papers, 1)]
    return discord.Embed(
        title=trim(message.text.replace("**", ""), 256), description=trim("\n".join(lines), 4096)
    )


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
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: object
    ) -> BookmarkSelect:
        return cls(list(item.options))  # discord.py then fills in the picked values

    async def callback(self, interaction: discord.Interaction) -> None:
        picked = list(self.item.values)
        try:
            added = [
                arxiv_id
                for arxiv_id in picked
                if await interaction.client.bookmarks.add(interaction.user.id, arxiv_id)
            ]
        except Exception as error:  # a dynamic item has no view of ours to route errors through
            await item_failed(interaction, error, self.item)
            return
        text = f"Saved {len(added)} of {len(picked)} papers to your bookmarks"
        if len(added) < len(picked):
            text += " (the rest were already there)"
        await interaction.response.send_message(text + ".", ephemeral=True)


def _compact_menu(message: Outgoing) -> discord.ui.View:
    options = [
        discord.SelectOption(label=trim(p.title, 100), value=p.arxiv_id, description=p.arxiv_id)
        for p in message.papers[:25]  # Discord's limit on a menu's options
    ]
    view = discord.ui.View(timeout=None)
    view.add_item(BookmarkSelect(options))
    return view


class Pacer:
    """Spreads requests under the global limit instead of letting Discord bounce them with 429s."""

    def __init__(self, per_second: float = 48.0) -> None:
        self.spacing = 1.0 / per_second
        self.next = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self.next)
        self.next = slot + self.spacing  # claimed before sleeping: no lock needed in one loop
        if slot > now:
            await asyncio.sleep(slot - now)


class DiscordPoster:
    def __init__(self, bot: discord.Client, pacer: Pacer | None = None) -> None:
        self.bot = bot
        self.pacer = pacer or Pacer()

    async def send(self, channel_id: int, message: Outgoing, nonce: str) -> int:
        kwargs: dict = {"nonce": nonce}
        if message.kind == "paper":
            paper = message.papers[0]
            view = discord.ui.View(timeout=None)
            view.add_item(BookmarkButton(paper.arxiv_id))
            kwargs.update(embed=paper_embed(paper), view=view)
        elif message.kind == "compact":
            kwargs.update(embed=_compact(message), view=_compact_menu(message))
        else:
            kwargs["content"] = message.text
        channel = self.bot.get_partial_messageable(channel_id)
        await self.pacer.wait()
        try:
            sent = await channel.send(**kwargs)
        except discord.Forbidden as error:
            raise ChannelUnavailable(
                f"I can't post in <#{channel_id}>: {error.text or 'missing permissions'}"
            ) from error
        except discord.NotFound as error:
            raise ChannelUnavailable(f"The channel <#{channel_id}> no longer exists") from error
        except discord.HTTPException as error:
            raise DeliveryInterrupted(f"Discord answered {error.status}: {error.text}") from error
        return sent.id

    async def thread(self, channel_id: int, message_id: int, name: str) -> int:
        await self.pacer.wait()
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            thread = await channel.get_partial_message(message_id).create_thread(name=name)
        except discord.HTTPException as error:
            if error.code == THREAD_EXISTS:
                return message_id  # a thread started from a message has that message's id
            if isinstance(error, discord.Forbidden | discord.NotFound):
                raise ChannelUnavailable(
                    f"I can't create threads in <#{channel_id}>: {error.text}"
                ) from error
            raise DeliveryInterrupted(f"Discord answered {error.status}: {error.text}") from error
        return thread.id

    async def tell(self, user_id: int, guild_id: int, text: str) -> None:
        """A direct message to the person, else the server's system channel, else only the log."""
        try:
            await (await self.bot.create_dm(discord.Object(user_id))).send(text)
            return
        except discord.HTTPException as error:
            log.info("could not DM user %s: %s", user_id, error)
        guild = self.bot.get_guild(guild_id)
        if guild is not None and guild.system_channel is not None:
            try:
                await guild.system_channel.send(f"<@{user_id}> {text}")
                return
            except discord.HTTPException as error:
                log.info("could not post in the system channel of guild %s: %s", guild_id, error)
        log.warning("nobody could be told: %s", text)
