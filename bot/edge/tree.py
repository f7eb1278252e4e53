"""The command tree: the one place app-command errors are answered and logged.

Errors are checked in this order:
1. A UserError from a service (a bad date, an unknown subscription...): its message is written for
   the user; logged at debug.
2. A check failure (missing permission, cooldown): Discord's own text is clear; logged at debug.
3. A bad option value (TransformerError): say which value was not understood; logged at info.
4. A DatabaseError: the user is asked to retry in a minute; logged at error with the traceback.
5. Anything else: the user gets a short apology; logged at error with the traceback.
Every log line names the command, the user id and the guild id; the bot keeps running either way.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.db import DatabaseError
from bot.edge.render import echo
from bot.edge.views import SORRY, answer_privately
from bot.errors import UserError

if TYPE_CHECKING:
    from bot.edge.client import Paperboy

log = logging.getLogger(__name__)

DATABASE_DOWN = "The paper archive is not answering right now; please try again in a minute."


class PaperboyTree(app_commands.CommandTree["Paperboy"]):
    async def _call(self, interaction: discord.Interaction[Paperboy]) -> None:
        """Every slash command (and autocomplete) runs here: time it for the latency histogram."""
        begun = time.monotonic()
        try:
            await super()._call(interaction)
        finally:
            if interaction.type is discord.InteractionType.application_command:
                name = interaction.command.qualified_name if interaction.command else "?"
                interaction.client.metrics.command_latency.labels(name).observe(
                    time.monotonic() - begun
                )

    async def on_error(
        self, interaction: discord.Interaction[Paperboy], error: app_commands.AppCommandError
    ) -> None:
        """Answer the user privately with what went wrong and log it at the level it deserves."""
        cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "?"
        where = (command, interaction.user.id, interaction.guild_id)
        if isinstance(cause, UserError):
            log.debug("/%s (user %s, guild %s): %s", *where, cause)
            await answer_privately(interaction, str(cause))
        elif isinstance(cause, app_commands.CheckFailure):
            log.debug("/%s (user %s, guild %s) refused: %s", *where, cause)
            await answer_privately(interaction, str(cause))
        elif isinstance(cause, app_commands.TransformerError):
            log.info("/%s (user %s, guild %s) could not read %r", *where, cause.value)
            await answer_privately(
                interaction, f"I could not understand “{echo(str(cause.value))}”."
            )
        elif isinstance(cause, DatabaseError):
            log.error("/%s (user %s, guild %s): database failed", *where, exc_info=cause)
            await answer_privately(interaction, DATABASE_DOWN)
        else:
            log.error("/%s (user %s, guild %s) failed", *where, exc_info=cause)
            await answer_privately(interaction, SORRY)
