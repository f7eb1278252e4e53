"""The one piece of delivery that talks to Discord: posts, threads and notes to people."""

from __future__ import annotations

import asyncio
import logging
import time

import discord

from bot.delivery import ChannelUnavailable, DeliveryInterrupted, Outgoing
from bot.edge.readers import change_embed, digest_embed
from bot.edge.render import compact_embed, header_text, paper_embed
from bot.edge.views import NO_MENTIONS as QUIET
from bot.edge.views import bookmark_view, compact_menu
from bot.personal import ChangeNotice, DigestPart, DirectMessagesClosed

log = logging.getLogger(__name__)
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
DMS_TOO_FAST = 40003  # "You are opening direct messages too fast"


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
        channel = self.bot.get_partial_messageable(channel_id)
        await self.pacer.wait()
        try:
            sent = await self._send(channel, message, nonce)
        except discord.Forbidden as error:
            raise ChannelUnavailable(
                f"I can't post in <#{channel_id}>: {error.text or 'missing permissions'}"
            ) from error
        except discord.NotFound as error:
            raise ChannelUnavailable(f"The channel <#{channel_id}> no longer exists") from error
        except discord.HTTPException as error:
            raise DeliveryInterrupted(f"Discord answered {error.status}: {error.text}") from error
        return sent.id

    async def _send(
        self, channel: discord.PartialMessageable, message: Outgoing, nonce: str
    ) -> discord.Message:
        if message.kind == "paper":
            view = bookmark_view(message.papers[0].arxiv_id)
            embed = paper_embed(message.papers[0])
            return await channel.send(embed=embed, view=view, nonce=nonce, allowed_mentions=QUIET)
        if message.kind == "compact":
            embed = compact_embed(message.day, message.papers)
            view = compact_menu(message.papers)
            return await channel.send(embed=embed, view=view, nonce=nonce, allowed_mentions=QUIET)
        if message.kind == "header":
            text = header_text(message.day, len(message.papers))
            return await channel.send(text, nonce=nonce, allowed_mentions=QUIET)
        return await channel.send(message.text, nonce=nonce, allowed_mentions=QUIET)

    async def thread(self, channel_id: int, message_id: int, name: str) -> int:
        await self.pacer.wait()
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.TextChannel):
                raise ChannelUnavailable(f"<#{channel_id}> is not a text channel: no threads there")
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

    async def direct(self, user_id: int, message: DigestPart | ChangeNotice, nonce: str) -> int:
        """A personal digest part or change notice, in the person's DM channel, with a nonce."""
        embed = digest_embed(message) if isinstance(message, DigestPart) else change_embed(message)
        await self.pacer.wait()
        try:
            channel = await self.bot.create_dm(discord.Object(user_id))
            sent = await channel.send(embed=embed, nonce=nonce)
        except discord.Forbidden as error:
            if error.code == DMS_TOO_FAST:  # a 403 that passes: try again on the next round
                raise DeliveryInterrupted(f"Discord answered 403: {error.text}") from error
            raise DirectMessagesClosed(error.code, error.text) from error  # would refuse again
        except discord.HTTPException as error:
            raise DeliveryInterrupted(f"Discord answered {error.status}: {error.text}") from error
        return sent.id

    async def notify(self, user_id: int, guild_id: int, text: str) -> None:
        """A direct message to the person, else the server's system channel, else only the log."""
        try:
            await (await self.bot.create_dm(discord.Object(user_id))).send(
                text, allowed_mentions=QUIET
            )
            return
        except discord.HTTPException as error:
            log.info("could not DM user %s: %s", user_id, error)
        guild = self.bot.get_guild(guild_id)
        if guild is not None and guild.system_channel is not None:
            try:
                # The one ping paperboy sends: the person whose subscription broke.
                mention = discord.AllowedMentions(users=[discord.Object(user_id)])
                await guild.system_channel.send(f"<@{user_id}> {text}", allowed_mentions=mention)
                return
            except discord.HTTPException as error:
                log.info("could not post in the system channel of guild %s: %s", guild_id, error)
        log.warning("nobody could be told: %s", text)
