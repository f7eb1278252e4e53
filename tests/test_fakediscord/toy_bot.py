"""A small throwaway bot for testing the fake Discord itself.

It has one command group with every kind of answer (plain, ephemeral, deferred with a file,
modal, autocomplete, member option), a view with buttons and a select, and raw reaction
listeners, and records what it saw in ``Seen``.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field

import discord
from discord import app_commands
from discord.ext import commands

from fakediscord import Channel, FakeDiscord, Guild, User


@dataclass
class Seen:
    """What the throwaway bot observed, for the tests to assert on."""

    searches: list[dict] = field(default_factory=list)
    clicks: list[int] = field(default_factory=list)
    picks: list[list[str]] = field(default_factory=list)
    reactions: list[tuple[str, int, str]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)


class Buttons(discord.ui.View):
    def __init__(self, seen: Seen) -> None:
        super().__init__(timeout=None)
        self.seen = seen

    @discord.ui.button(label="Save", custom_id="save")
    async def save(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.seen.clicks.append(interaction.user.id)
        await interaction.response.send_message("saved", ephemeral=True)

    @discord.ui.button(label="Refresh", custom_id="refresh")
    async def refresh(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()  # type 6: update the message later
        await interaction.edit_original_response(content="refreshed", view=None)

    @discord.ui.select(
        custom_id="topic",
        options=[discord.SelectOption(label=x, value=x) for x in ("nlp", "vision", "rl")],
        max_values=2,
    )
    async def topic(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        self.seen.picks.append(select.values)
        await interaction.response.edit_message(content=f"topics: {', '.join(select.values)}")


class Note(discord.ui.Modal, title="A note"):
    text = discord.ui.TextInput(label="Note", custom_id="text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.text.value}", ephemeral=True)


class Paper(app_commands.Group):
    def __init__(self, seen: Seen) -> None:
        super().__init__(name="paper", description="Find papers")
        self.seen = seen

    @app_commands.command(description="Search the digests")
    @app_commands.describe(query="Words to look for", author="Only this author", limit="How many")
    async def search(
        self,
        interaction: discord.Interaction,
        query: str,
        author: str | None = None,
        limit: app_commands.Range[int, 1, 10] = 5,
    ) -> None:
        self.seen.searches.append({"query": query, "author": author, "limit": limit})
        await interaction.response.send_message(
            f"results for {query}", view=Buttons(self.seen), ephemeral=query == "secret"
        )

    @app_commands.command(description="Papers by an author")
    @app_commands.describe(name="The author's name")
    async def author(self, interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"author {name}")

    @author.autocomplete("name")
    async def author_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n.lower()]

    @app_commands.command(description="Share the results with someone")
    @app_commands.describe(member="Who to share with")
    async def share(self, interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"shared with {member.display_name}")

    @app_commands.command(description="Write a note")
    async def note(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Note())

    @app_commands.command(description="A slow export, sent as a file")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.seen.release.wait()
        data = discord.File(io.BytesIO(b"id,title\n1,Goose\n"), filename="papers.csv")
        await interaction.followup.send("your export", file=data, ephemeral=True)


def make_bot(seen: Seen) -> commands.Bot:
    intents = discord.Intents.none()
    intents.guilds = intents.guild_reactions = True
    bot = commands.Bot(
        command_prefix=commands.when_mentioned, intents=intents, guild_ready_timeout=0.05
    )
    bot.tree.add_command(Paper(seen))

    @bot.event
    async def setup_hook() -> None:
        await bot.tree.sync()

    @bot.event
    async def on_raw_reaction_add(event: discord.RawReactionActionEvent) -> None:
        seen.reactions.append(("add", event.user_id, str(event.emoji)))

    @bot.event
    async def on_raw_reaction_remove(event: discord.RawReactionActionEvent) -> None:
        seen.reactions.append(("remove", event.user_id, str(event.emoji)))

    return bot


@dataclass
class Lab:
    fake: FakeDiscord
    bot: commands.Bot
    guild: Guild
    channel: Channel
    alice: User
    seen: Seen


def text(content: str) -> discord.http.MultipartParameters:
    """The parameters of a plain message, for posting with ``bot.http`` directly."""
    return discord.http.handle_message_parameters(content=content)
