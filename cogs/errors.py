"""The one place app-command errors are answered and logged.

Errors are checked in this order:
1. A SearchError raised by a service: its message is written for the user; logged at debug.
2. A check failure (missing permission, cooldown): Discord's own text is clear; logged at debug.
3. A bad option value (TransformerError): say which value was not understood; logged at info.
4. Anything else: logged with the command, user and guild at error level (with the traceback);
   the user gets a short apology. The bot keeps running either way.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.search import SearchError

log = logging.getLogger(__name__)


async def tell(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral answer through whichever channel the interaction still has open."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as error:
        log.warning("could not tell user %s about an error: %s", interaction.user.id, error)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    command = interaction.command.qualified_name if interaction.command else "?"
    if isinstance(cause, SearchError):
        log.debug("/%s: %s", command, cause)
        await tell(interaction, str(cause))
    elif isinstance(cause, app_commands.CheckFailure):
        log.debug("/%s refused for user %s: %s", command, interaction.user.id, cause)
        await tell(interaction, str(cause))
    elif isinstance(cause, app_commands.TransformerError):
        log.info("/%s: could not read %r", command, cause.value)
        await tell(interaction, f"I could not understand {cause.value!r}.")
    else:
        log.error(
            "/%s failed for user %s in guild %s",
            command,
            interaction.user.id,
            interaction.guild_id,
            exc_info=cause,
        )
        await tell(
            interaction, "Something went wrong on my side; it has been logged. Please try again."
        )


class Errors(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = on_app_command_error

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Errors(bot))
