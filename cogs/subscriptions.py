"""/subscribe, /unsubscribe, /subscriptions: which channels get the daily papers, and how."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.delivery import PREVIEW_DAYS
from bot.edge.permissions import Postable, missing_permissions, refusal
from bot.edge.render import md, preview_text
from bot.edge.views import Shown, first_page
from bot.subscriptions import LAYOUTS, MATCH_MODES, Subscription
from bot.text import trim

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

ZONES = sorted(available_timezones())
OPTIONS = {
    "channel": "Where to post (default: this channel)",
    "time": "Time of day to post, HH:MM (default 09:00)",
    "timezone": "IANA timezone for that time, like Europe/Paris",
    "weekdays": "Days to post, like mon-fri or mon,wed,fri",
    "categories": "Only papers in these categories, comma separated: cs.CL, cs.*, Machine Learning",
    "keywords": "Only papers mentioning these words (comma separated); -word leaves papers out",
    "authors": "Only papers by these authors (comma separated)",
    "match": "any: a paper matching one filter (default); all: one matching every filter",
    "layout": "thread: one thread per day; channel: straight in the channel; compact: one message",
    "role": "A role to ping with each day's header (pick @everyone to ping nobody)",
    "publish": "In an announcement channel: publish each message to the servers following it",
    "weekly": "Also post the week's top 10 papers on the last of the weekdays (default: no)",
}
FILTERS = {name: OPTIONS[name] for name in ("categories", "keywords", "authors", "match")}
LAYOUT_CHOICES = [app_commands.Choice(name=name, value=name) for name in LAYOUTS]
MATCH_CHOICES = [app_commands.Choice(name=name, value=name) for name in MATCH_MODES]
PER_PAGE = 5  # channels per page of /subscriptions


def here(interaction: discord.Interaction[Paperboy]) -> Postable | None:
    """The channel the command was used in, when a subscription could post there."""
    channel = interaction.channel
    return channel if isinstance(channel, discord.TextChannel | discord.ForumChannel) else None


class Subscriptions(commands.Cog):
    def __init__(self, bot: Paperboy) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.page_sources["subscriptions"] = self.listing

    async def cog_unload(self) -> None:
        self.bot.page_sources.pop("subscriptions", None)

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
        channel: Postable | None,
        layout: str,
        publish: bool,
        role: discord.Role | None,
    ) -> Postable | None:
        """The target channel, or None after saying who or what lacks permissions there."""
        target = channel or here(interaction)
        if await self.refuse(interaction, target) or target is None:
            return None
        problem = refusal(target, publish) or self.lacking(target, layout, role)
        if problem:
            await interaction.response.send_message(problem, ephemeral=True)
            return None
        return target

    @staticmethod
    def lacking(target: Postable, layout: str, role: discord.Role | None) -> str | None:
        missing = missing_permissions(target, target.guild.me, layout, role)
        if not missing:
            return None
        kind = "the forum " if isinstance(target, discord.ForumChannel) else ""
        return f"I can't post in {kind}{target.mention}: missing {' and '.join(missing)}."

    async def confirm(
        self, interaction: discord.Interaction[Paperboy], verb: str, subscription: Subscription
    ) -> None:
        when = int(subscription.next_post(self.bot.clock()).timestamp())
        await interaction.response.send_message(
            trim(f"{verb} <#{subscription.channel_id}>: {shown(subscription)}", 1900)
            + f". Next post <t:{when}:F>.",
            ephemeral=True,
        )

    @app_commands.describe(**OPTIONS)
    @app_commands.choices(layout=LAYOUT_CHOICES, match=MATCH_CHOICES)
    async def save(
        self,
        interaction: discord.Interaction[Paperboy],
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        time: str | None = None,
        timezone: str | None = None,
        weekdays: str | None = None,
        categories: str | None = None,
        keywords: str | None = None,
        authors: str | None = None,
        match: app_commands.Choice[str] | None = None,
        layout: app_commands.Choice[str] | None = None,
        role: discord.Role | None = None,
        publish: bool | None = None,
        weekly: bool | None = None,
    ) -> None:
        """The callback of both /subscribe and /subscription edit: edit keeps what is not given."""
        editing = interaction.command is not None and interaction.command.name == "edit"
        fields: dict[str, Any] = {
            "time": time,
            "timezone": timezone,
            "weekdays": weekdays,
            "categories": categories,
            "keywords": keywords,
            "authors": authors,
            "layout": layout.value if layout else None,
            "match": match.value if match else None,
            "mention_role": None if role is None else (0 if role.is_default() else role.id),
            "publish": publish,
            "weekly": weekly,
        }
        wanted = channel or here(interaction)
        current = await self.bot.subscriptions.get(wanted.id) if wanted else None
        kept = current if editing else None
        chosen = (layout.value if layout else None) or (kept.layout if kept else "thread")
        pinged = role if role is None or not role.is_default() else None
        if role is None and kept and kept.mention_role and interaction.guild:
            pinged = interaction.guild.get_role(kept.mention_role)
        publishing = publish if publish is not None else bool(kept and kept.publish)
        target = await self.checked(interaction, channel, chosen, publishing, pinged)
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
        self,
        interaction: discord.Interaction[Paperboy],
        channel: discord.TextChannel | discord.ForumChannel | None = None,
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
        name="subscriptions",
        description="This server's subscribed channels: settings, last and next post, health",
    )
    @app_commands.guild_only()
    async def subscriptions(self, interaction: discord.Interaction[Paperboy]) -> None:
        if interaction.guild_id is None:  # guild_only: Discord never sends one from a DM
            return
        first = await self.listing(interaction, [interaction.guild_id], 0)
        if first.embed.description is None:
            await interaction.response.send_message(
                "No channel here is subscribed yet: try /subscribe.", ephemeral=True
            )
            return
        view = await first_page(interaction, "subscriptions", [interaction.guild_id], first)
        await interaction.response.send_message(embed=first.embed, view=view, ephemeral=True)

    async def listing(self, interaction: discord.Interaction, args: list, number: int) -> Shown:
        """One page of the server's subscriptions, only of channels the asker can see."""
        [guild_id] = args
        guild, member = self.bot.get_guild(guild_id), interaction.user
        found = await self.bot.subscriptions.in_guild(guild_id)
        visible = [s for s in found if self.sees(guild, member, s.channel_id)]
        now = self.bot.clock()
        start = number * PER_PAGE
        lines = [
            f"<#{s.channel_id}>: {trim(shown(s), 300)}\n{s.health(now)}"
            for s in visible[start : start + PER_PAGE]
        ]
        pages = max(1, -(-len(visible) // PER_PAGE))
        embed = discord.Embed(
            title="Subscriptions in this server", description="\n\n".join(lines) or None
        )
        embed.set_footer(text=f"Page {number + 1} of {pages}")
        return Shown(embed, [], start + PER_PAGE < len(visible), bookmarks=False)

    @staticmethod
    def sees(guild: discord.Guild | None, member: object, channel_id: int) -> bool:
        """A member sees a subscription when they can view its channel (a deleted channel: when
        they may manage the server's channels)."""
        if guild is None or not isinstance(member, discord.Member):
            return False
        channel = guild.get_channel(channel_id)
        if channel is None:
            return member.guild_permissions.manage_channels
        return channel.permissions_for(member).view_channel

    @subscription.command(
        name="test", description="Privately: what these filters would have posted, last 14 days"
    )
    @app_commands.describe(**FILTERS)
    @app_commands.choices(match=MATCH_CHOICES)
    async def test(
        self,
        interaction: discord.Interaction[Paperboy],
        categories: str | None = None,
        keywords: str | None = None,
        authors: str | None = None,
        match: app_commands.Choice[str] | None = None,
    ) -> None:
        filters = self.bot.subscriptions.filters(
            categories=categories,
            keywords=keywords,
            authors=authors,
            match=match.value if match else None,
        )
        days = await self.bot.delivery.preview(filters, self.bot.clock().date())
        text = preview_text(filters, days, PREVIEW_DAYS)
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: Paperboy) -> None:
    await bot.add_cog(Subscriptions(bot))


def shown(subscription: Subscription) -> str:
    """Its description with what people typed escaped; the role it mentions stays a mention
    (shown, never pinged: these replies allow no mentions)."""
    return md(subscription.describe()).replace("\\<@&", "<@&")
