"""The one place app-command errors are answered and logged (installed as the tree's on_error).

Errors are checked in this order:
1. A SearchError from a service: its message is written for the user; logged at debug.
2. A check failure (missing permission, cooldown): Discord's own text is clear; logged at debug.
3. A bad option value (TransformerError): say which value was not understood; logged at info.
4. A DatabaseError: the user is asked to retry in a minute; logged at error with the traceback.
5. Anything else: the user gets a short apology; logged at error with the traceback.
Every log line names the command, the user id and the guild id; the bot keeps running either way.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.db import DatabaseError
from bot.search import SearchError
from bot.views import SORRY, tell

log = logging.getLogger(__name__)

DATABASE_DOWN = "The paper archive is not answering right now; please try again in a minute."


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """Answer the user privately with what went wrong and log it at the level it deserves."""
    cause = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    command = interaction.command.qualified_name if interaction.command else "?"
    where = (command, interaction.user.id, interaction.guild_id)
    if isinstance(cause, SearchError):
        log.debug("/%s (user %s, guild %s): %s", *where, cause)
        await tell(interaction, str(cause))
    elif isinstance(cause, app_commands.CheckFailure):
        log.debug("/%s (user %s, guild %s) refused: %s", *where, cause)
        await tell(interaction, str(cause))
    elif isinstance(cause, app_commands.TransformerError):
        log.info("/%s (user %s, guild %s) could not read %r", *where, cause.value)
        await tell(interaction, f"I could not understand {cause.value!r}.")
    elif isinstance(cause, DatabaseError):
        log.error("/%s (user %s, guild %s): database failed", *where, exc_info=cause)
        await tell(interaction, DATABASE_DOWN)
    else:
        log.error("/%s (user %s, guild %s) failed", *where, exc_info=cause)
        await tell(interaction, SORRY)
