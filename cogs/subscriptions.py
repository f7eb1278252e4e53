"""/subscribe, /unsubscribe, /subscriptions: which channels get the daily papers, and how."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.edge.render import md
from bot.subscriptions import LAYOUTS, Subscription
from bot.text import trim

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

ZONES = sorted(available_timezones())
NEEDED = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "add_reactions": "Add Reactions",
}
THREADS = {
    "create_public_threads": "Create Public Threads",
    "send_messages_in_threads": "Send Messages in Threads",
}

OPTIONS = {
    "channel": "Where to post (default: this channel)",
    "time": "Time of day to post, HH:MM (default 09:00)",
    "timezone": "IANA timezone for that time, like Europe/Paris",
    "weekdays": "Days to post, like mon,tue,wed,thu,fri",
    "categories": "Only papers in these categories, comma separated: cs.CL, cs.*, Machine Learning",
    "keywords": "Only papers mentioning these words (comma separated)",
    "authors": "Only papers by these authors (comma separated)",
    "layout": "thread: one thread per day; channel: straight in the channel; compact: one message",
}
LAYOUT_CHOICES = [app_commands.Choice(name=name, value=name) for name in LAYOUTS]


Postable = discord.TextChannel  # what a subscription can post in


def here(interaction: discord.Interaction[Paperboy]) -> Postable | None:
    """The channel the command was used in, when a subscription could post there."""
    channel = interaction.channel
    return channel if isinstance(channel, Postable) else None


def missing_permissions(channel: Postable, me: discord.Member, layout: str) -> list[str]:
    granted = channel.permissions_for(me)
    needed = {**NEEDED, **(THREADS if layout == "thread" else {})}
    return [label for name, label in needed.items() if not getattr(granted, name)]


class Subscriptions(commands.Cog):
    def __init__(self, bot: Paperboy) -> None:
        self.bot = bot

    def may_manage(self, member: discord.Member, channel: discord.abc.GuildChannel) -> bool:
        role = self.bot.config.bot.manager_role
        return channel.permissions_for(member).manage_channels or any(
            r.name == role for r in member.roles if role
        )

    async def refuse(
        self, interaction: discord.Interaction[Paperboy], channel: Postable | None
    ) -> bool:
        """True (after saying why) when this person may not change subscriptions here."""
        if (
            interaction.guild is None
            or channel is None
            or not isinstance(interaction.user, discord.Member)
        ):
            await interaction.response.send_message(
                "Subscriptions are made in a server's text channel.", ephemeral=True
            )
            return True
        if not self.may_manage(interaction.user, channel):
            role = self.bot.config.bot.manager_role
            extra = f" or the {role} role" if role else ""
            await interaction.response.send_message(
                f"Only members with Manage Channels in {channel.mention}{extra} can change its subscription.",
                ephemeral=True,
            )
            return True
        return False

    async def checked(
        self,
        interaction: discord.Interaction[Paperboy],
        channel: discord.TextChannel | None,
        layout: str,
    ) -> Postable | None:
        """The target channel, or None after saying who or what lacks permissions there."""
        target = channel or here(interaction)
        if await self.refuse(interaction, target) or target is None:
            return None
        missing = missing_permissions(target, target.guild.me, layout)
        if missing:
            await interaction.response.send_message(
                f"I can't post in {target.mention}: missing {' and '.join(missing)}.",
                ephemeral=True,
            )
            return None
        return target

    async def confirm(
        self, interaction: discord.Interaction[Paperboy], verb: str, subscription: Subscription
    ) -> None:
        when = int(subscription.next_post(self.bot.clock()).timestamp())
        await interaction.response.send_message(
            trim(f"{verb} <#{subscription.channel_id}>: {md(subscription.describe())}", 1900)
            + f". Next post <t:{when}:F>.",
            ephemeral=True,
        )

    @app_commands.describe(**OPTIONS)
    @app_commands.choices(layout=LAYOUT_CHOICES)
    async def save(
        self,
        interaction: discord.Interaction[Paperboy],
        channel: discord.TextChannel | None = None,
        time: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
        categories: str | None = None,
        keywords: str | None = None,
        authors: str | None = None,
        layout: app_commands.Choice[str] | None = None,
    ) -> None:
        """The callback of both /subscribe and /subscription edit: edit keeps what is not given."""
        editing = interaction.command is not None and interaction.command.name == "edit"
        fields = {
            "time": time,
            "timezone": timezone,
            "weekdays": weekdays,
            "categories": categories,
            "keywords": keywords,
            "authors": authors,
            "layout": layout.value if layout else None,
        }
        wanted = channel or here(interaction)
        current = await self.bot.subscriptions.get(wanted.id) if wanted else None
        chosen = fields["layout"] or (current.layout if editing and current else "thread")
        target = await self.checked(interaction, channel, chosen)
        if target is None:
            return
        service = self.bot.subscriptions
        if editing:
            subscription, new = await service.edit(target.id, **fields), False
        else:
            subscription, new = await service.subscribe(
                target.guild.id, target.id, interaction.user.id, **fields
            )
        await self.confirm(interaction, "Subscribed" if new else "Updated", subscription)

    subscribe = app_commands.guild_only(
        app_commands.Command(
            name="subscribe", description="Post each new day's papers in a channel", callback=save
        )
    )
    subscription = app_commands.Group(
        name="subscription", description="Change a channel's paper subscription", guild_only=True
    )
    edit = app_commands.Command(
        name="edit",
        description="Change some settings of a channel's subscription; the rest stay",
        callback=save,
        parent=subscription,
    )
    subscription.add_command(edit)

    @subscribe.autocomplete("timezone")
    @edit.autocomplete("timezone")
    async def zones(
        self, interaction: discord.Interaction[Paperboy], current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.casefold()
        return [
            app_commands.Choice(name=zone, value=zone)
            for zone in ZONES
            if wanted in zone.casefold()
        ][:25]

    @app_commands.command(name="unsubscribe", description="Stop posting papers in a channel")
    @app_commands.guild_only()
    @app_commands.describe(channel="The channel (default: this channel)")
    async def unsubscribe(
        self, interaction: discord.Interaction[Paperboy], channel: discord.TextChannel | None = None
    ) -> None:
        target = channel or here(interaction)
        if await self.refuse(interaction, target) or target is None:
            return
        removed = await self.bot.subscriptions.unsubscribe(target.id)
        text = (
            f"{target.mention} will get no more papers."
            if removed
            else f"{target.mention} was not subscribed."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="subscriptions", description="This server's subscribed channels and their next post"
    )
    @app_commands.guild_only()
    async def subscriptions(self, interaction: discord.Interaction[Paperboy]) -> None:
        if interaction.guild_id is None:  # guild_only: Discord never sends one from a DM
            return
        found = [
            s
            for s in await self.bot.subscriptions.in_guild(interaction.guild_id)
            if can_view(interaction, s.channel_id)
        ]
        if not found:
            await interaction.response.send_message(
                "No channel here is subscribed yet: try /subscribe.", ephemeral=True
            )
            return
        now = self.bot.clock()
        lines = [
            f"<#{s.channel_id}>: {trim(md(s.describe()), 300)}; next"
            f" <t:{int(s.next_post(now).timestamp())}:F>"
            for s in found
        ]
        await interaction.response.send_message(trim("\n".join(lines), 2000), ephemeral=True)


def can_view(interaction: discord.Interaction[Paperboy], channel_id: int) -> bool:
    """Whether the member asking may see the channel: a subscription's filters are the business
    of those who can read its posts."""
    guild, member = interaction.guild, interaction.user
    channel = guild.get_channel_or_thread(channel_id) if guild else None
    if channel is None or not isinstance(member, discord.Member):
        return False
    return channel.permissions_for(member).view_channel


async def setup(bot: Paperboy) -> None:
    await bot.add_cog(Subscriptions(bot))
