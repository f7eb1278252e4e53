"""/follow, /following, /unfollow: a person's own daily digest by DM. Everything is private."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.edge.forms import FollowingView, following_embed
from bot.matching import Follow
from cogs.subscriptions import ZONES

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

log = logging.getLogger(__name__)
Choices = list[app_commands.Choice[str]]


class Follows(commands.Cog):
    follow = app_commands.Group(name="follow", description="Get new papers by DM, once a day")

    def __init__(self, bot: Paperboy) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction[Paperboy], command: object
    ) -> None:
        """After any command, tell a person whose digest paused (DMs closed) why, once."""
        if interaction.response.type is discord.InteractionResponseType.modal:
            return  # a modal cannot be followed up; the next command tells them
        notice = await self.bot.follows.pause_notice(interaction.user.id)
        if notice is not None:
            await interaction.followup.send(notice, ephemeral=True)

    async def _follow(
        self, interaction: discord.Interaction[Paperboy], kind: str, value: str
    ) -> None:
        follow = await self.bot.follows.follow(interaction.user.id, kind, value)
        reader = await self.bot.follows.ensure_reader(interaction.user.id)
        when = reader.next_post(self.bot.clock())
        await interaction.response.send_message(
            f"Following {follow.reason}. New matching papers come by DM; next digest "
            f"<t:{int(when.timestamp())}:F> ({reader.describe()}). Change it with /follow settings.",
            ephemeral=True,
        )

    async def _suggest(self, kind: str, current: str) -> Choices:
        return [
            app_commands.Choice(name=label[:100], value=value[:100])
            for label, value in (await self.bot.follows.suggestions(kind, current))[:25]
        ]

    @follow.command(name="author", description="Papers by an author")
    @app_commands.describe(name="The author's name, as papers list it")
    async def author(self, interaction: discord.Interaction[Paperboy], name: str) -> None:
        await self._follow(interaction, "author", name)

    @author.autocomplete("name")
    async def author_names(
        self, interaction: discord.Interaction[Paperboy], current: str
    ) -> Choices:
        return await self._suggest("author", current)

    @follow.command(name="keyword", description="Papers whose title, summary or keywords say it")
    @app_commands.describe(words="A word or phrase, matched as whole words")
    async def keyword(self, interaction: discord.Interaction[Paperboy], words: str) -> None:
        await self._follow(interaction, "keyword", words)

    @keyword.autocomplete("words")
    async def keywords(self, interaction: discord.Interaction[Paperboy], current: str) -> Choices:
        return await self._suggest("keyword", current)

    @follow.command(name="category", description="Papers in a category")
    @app_commands.describe(name="A category, like cs.CL")
    async def category(self, interaction: discord.Interaction[Paperboy], name: str) -> None:
        await self._follow(interaction, "category", name)

    @category.autocomplete("name")
    async def categories(self, interaction: discord.Interaction[Paperboy], current: str) -> Choices:
        return await self._suggest("category", current)

    @follow.command(name="search", description="Papers matching a saved search")
    @app_commands.describe(query='Search syntax: words, "a phrase", -excluded, prefix*')
    async def search(self, interaction: discord.Interaction[Paperboy], query: str) -> None:
        await self._follow(interaction, "search", query)

    @follow.command(name="settings", description="When your digest comes: time, timezone, days")
    @app_commands.describe(
        time="Time of day, HH:MM (default 09:00)",
        timezone="IANA timezone, like Europe/Paris",
        weekdays="Days, like mon-fri or mon,wed,fri",
    )
    async def settings(
        self,
        interaction: discord.Interaction[Paperboy],
        time: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
    ) -> None:
        reader = await self.bot.follows.settings(interaction.user.id, time, timezone, weekdays)
        when = reader.next_post(self.bot.clock())
        await interaction.response.send_message(
            f"Your digest: {reader.describe()}. Next one <t:{int(when.timestamp())}:F>.",
            ephemeral=True,
        )

    @settings.autocomplete("timezone")
    async def zones(self, interaction: discord.Interaction[Paperboy], current: str) -> Choices:
        wanted = current.casefold()
        return [app_commands.Choice(name=z, value=z) for z in ZONES if wanted in z.casefold()][:25]

    @follow.command(name="resume", description="Resume your digest after opening your DMs")
    async def resume(self, interaction: discord.Interaction[Paperboy]) -> None:
        resumed = await self.bot.follows.resume(interaction.user.id)
        text = (
            "Your digest is on again; the next one comes at your time."
            if resumed
            else "Your digest is not paused."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="following", description="What you follow, with remove buttons")
    async def following(self, interaction: discord.Interaction[Paperboy]) -> None:
        user_id = interaction.user.id

        async def load() -> list[Follow]:
            return await self.bot.follows.following(user_id)

        follows = await load()
        limit = self.bot.follows.limit
        view = FollowingView(user_id, follows, load, limit)
        await interaction.response.send_message(
            embed=following_embed(follows, 0, limit), view=view, ephemeral=True
        )

    @app_commands.command(name="unfollow", description="Stop following something")
    @app_commands.describe(follow="One of your follows")
    async def unfollow(self, interaction: discord.Interaction[Paperboy], follow: str) -> None:
        removed = None
        if follow.isdigit():
            removed = await self.bot.follows.unfollow(interaction.user.id, int(follow))
        text = (
            f"You no longer follow {removed.reason}."
            if removed
            else "That is not one of your follows; pick one from the list, or see /following."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @unfollow.autocomplete("follow")
    async def own_follows(
        self, interaction: discord.Interaction[Paperboy], current: str
    ) -> Choices:
        wanted = current.casefold()
        return [
            app_commands.Choice(name=f.reason[:100], value=str(f.id))
            for f in await self.bot.follows.following(interaction.user.id)
            if wanted in f.reason.casefold()
        ][:25]


async def setup(bot: Paperboy) -> None:
    await bot.add_cog(Follows(bot))
