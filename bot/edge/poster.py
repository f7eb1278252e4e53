"""The one piece of delivery that talks to Discord: posts, threads, forum posts, edits, history
reads, crossposts and notes to people. Each Discord error becomes one of delivery's two kinds."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import discord

from bot.edge.readers import change_embed, digest_embed
from bot.edge.render import (
    compact_embed,
    compact_fits,
    header_text,
    more_text,
    paper_embed,
    paper_list_embed,
)
from bot.edge.views import bookmark_view, compact_menu
from bot.models import PaperRow
from bot.personal import ChangeNotice, DigestPart, DirectMessagesClosed
from bot.posting import ChannelGone, ChannelUnavailable, DeliveryInterrupted, Outgoing
from bot.taxonomy import name
from bot.text import fold

log = logging.getLogger(__name__)
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
ALREADY_CROSSPOSTED = 40033
UNKNOWN_CHANNEL, UNKNOWN_MESSAGE = 10003, 10008
ARCHIVED_THREAD = 50083  # "Tried to perform an operation on an archived thread"
DMS_TOO_FAST = 40003  # "You are opening direct messages too fast"
HISTORY_LIMIT = 500  # messages read after the last one sent when looking for a lost post
Rendered = tuple[str, discord.Embed | None, discord.ui.View | None, discord.AllowedMentions]


class Pacer:
    """Spreads requests under the global limit instead of letting Discord bounce them with 429s.

    ``per_second`` may be ``math.inf`` (no spacing: the tests' fake Discord has no global limit);
    ``clock`` and ``sleep`` are time.monotonic and asyncio.sleep unless a test sets them."""

    def __init__(
        self,
        per_second: float = 48.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.spacing = 1.0 / per_second
        self.next = 0.0
        self.clock, self.sleep = clock, sleep

    async def wait(self) -> None:
        now = self.clock()
        slot = max(now, self.next)
        self.next = slot + self.spacing  # claimed before sleeping: no lock needed in one loop
        if slot > now:
            await self.sleep(slot - now)


def render(message: Outgoing) -> Rendered:
    """Content, embed, view and who may be pinged: the day's role by its header, nobody else."""
    nobody = discord.AllowedMentions.none()
    if message.kind == "paper":
        paper = message.papers[0]
        return "", paper_embed(paper), bookmark_view(paper.arxiv_id), nobody
    if message.kind == "compact":
        embed = compact_embed(message.day, message.papers, message.late)
        return "", embed, compact_menu(message.papers), nobody
    if message.kind == "header":
        role = message.mention_role
        text = header_text(message.day, len(message.papers), role)
        if role:
            pings = discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(role)], replied_user=False
            )
            return text, None, None, pings
        return text, None, None, nobody
    if message.kind == "recap":
        embed = paper_list_embed(message.text, message.papers)
        return "", embed, compact_menu(message.papers), nobody
    if message.kind == "more":
        return more_text(message.day, len(message.papers)), None, None, nobody
    return message.text, None, None, nobody


def signature(content: str, embeds: list[discord.Embed]) -> tuple[str, str, str]:
    """What tells one of the bot's messages from another: its text, first embed's link and title."""
    embed = embeds[0] if embeds else None
    return content, (embed.url or "") if embed else "", (embed.title or "") if embed else ""


def category_labels(paper: PaperRow) -> set[str]:
    """Every way a paper's categories are written: the digest's topic, arXiv codes (cs.CL) and
    their names (Computation and Language); a forum tag named like any of them applies."""
    codes = {paper.category, paper.primary_category, *paper.categories} - {None, ""}
    return {str(code) for code in codes} | {found for code in codes if (found := name(str(code)))}


@contextlib.contextmanager
def discord_errors(channel_id: int, doing: str = "post") -> Iterator[None]:
    """Forbidden / NotFound: the channel's fault (ChannelUnavailable); the rest: interrupted."""
    try:
        yield
    except discord.Forbidden as error:
        raise ChannelUnavailable(
            f"I can't {doing} in <#{channel_id}>: {error.text or 'missing permissions'}"
        ) from error
    except discord.NotFound as error:
        raise ChannelGone(f"The channel <#{channel_id}> no longer exists") from error
    except discord.HTTPException as error:
        raise DeliveryInterrupted(f"Discord answered {error.status}: {error.text}") from error


class DiscordPoster:
    def __init__(self, bot: discord.Client, pacer: Pacer | None = None) -> None:
        self.bot = bot
        self.pacer = pacer or Pacer()

    def fingerprint(self, message: Outgoing) -> str:
        content, embed, view, _ = render(message)
        shown = {
            "content": content,
            "embed": embed.to_dict() if embed else None,
            "components": view.to_components() if view else [],
        }
        return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]

    def fits(self, message: Outgoing) -> bool:
        return compact_fits(message.papers)

    async def kind(self, channel_id: int) -> str:
        channel = self.bot.get_channel(channel_id)
        if isinstance(channel, discord.ForumChannel):
            return "forum"
        if isinstance(channel, discord.TextChannel) and channel.is_news():
            return "announcement"
        return "text"

    async def send(self, channel_id: int, message: Outgoing, nonce: str) -> int:
        channel = self.bot.get_partial_messageable(channel_id)
        content, embed, view, mentions = render(message)
        await self.pacer.wait()
        extra: dict[str, Any] = {"embed": embed} if embed else {}
        if view is not None:
            extra["view"] = view
        with discord_errors(channel_id):
            sent = await channel.send(
                content or None, nonce=nonce, allowed_mentions=mentions, **extra
            )
        return sent.id

    async def edit(self, channel_id: int, message_id: int, message: Outgoing) -> bool:
        content, embed, view, mentions = render(message)
        partial = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        await self.pacer.wait()
        with discord_errors(channel_id, "edit messages"):
            try:
                await partial.edit(
                    content=content or None, embed=embed, view=view, allowed_mentions=mentions
                )
            except discord.NotFound as error:
                if error.code in (UNKNOWN_MESSAGE, UNKNOWN_CHANNEL):
                    return False  # deleted by a moderator (or its thread was): leave it so
                raise
            except discord.HTTPException as error:
                if error.code != ARCHIVED_THREAD:
                    raise
                log.info("message %s is in an archived thread: not edited", message_id)
        return True

    async def find(
        self, channel_id: int, after: int | None, message: Outgoing, nonce: str
    ) -> int | None:
        """Read the channel after ``after`` (else its newest messages) for a message of ours
        that carries ``nonce`` or shows ``message``."""
        channel = self.bot.get_partial_messageable(channel_id)
        me = self.bot.user.id if self.bot.user else 0
        content, embed, _, _ = render(message)
        wanted = signature(content, [embed] if embed else [])
        await self.pacer.wait()
        with discord_errors(channel_id, "read messages"):
            if after is None:
                history = channel.history(limit=100)
            else:
                history = channel.history(
                    limit=HISTORY_LIMIT, after=discord.Object(after), oldest_first=True
                )
            async for candidate in history:
                if candidate.author.id != me:
                    continue
                if (
                    str(candidate.nonce) == nonce
                    or signature(candidate.content, candidate.embeds) == wanted
                ):
                    return candidate.id
        return None

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

    async def forum_post(self, channel_id: int, message: Outgoing, name: str) -> int:
        """The day's forum post, tagged with the forum's tags named like the papers' categories;
        a post of that name the bot already made (a restart mid-way) is used instead."""
        forum = self.bot.get_channel(channel_id)
        if not isinstance(forum, discord.ForumChannel):
            raise ChannelUnavailable(f"<#{channel_id}> is not a forum channel")
        me = self.bot.user.id if self.bot.user else 0
        for thread in forum.threads:
            if thread.name == name and thread.owner_id == me:
                return thread.id
        named = {fold(label) for paper in message.papers for label in category_labels(paper)}
        tags = [tag for tag in forum.available_tags if fold(tag.name) in named][:5]
        content, _, _, mentions = render(message)
        await self.pacer.wait()
        with discord_errors(channel_id, "create posts"):
            created = await forum.create_thread(
                name=name, content=content, applied_tags=tags, allowed_mentions=mentions
            )
        return created.thread.id

    async def publish(self, channel_id: int, message_id: int) -> None:
        partial = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        await self.pacer.wait()
        with discord_errors(channel_id, "publish messages"):
            try:
                await partial.publish()
            except discord.HTTPException as error:
                if error.code != ALREADY_CROSSPOSTED:  # a restart between publish and the ledger
                    raise

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
        """A direct message to the person, else the server's system channel, else only the log.
        ``user_id`` 0: the subscription belongs to the server (its maker asked to be forgotten)."""
        if user_id:
            try:
                await (await self.bot.create_dm(discord.Object(user_id))).send(
                    text, allowed_mentions=discord.AllowedMentions.none()
                )
                return
            except discord.HTTPException as error:
                log.info("could not DM user %s: %s", user_id, error)
        guild = self.bot.get_guild(guild_id)
        if guild is not None and guild.system_channel is not None:
            ping = discord.AllowedMentions(users=[discord.Object(user_id)]) if user_id else None
            try:
                await guild.system_channel.send(
                    f"<@{user_id}> {text}" if user_id else text,
                    allowed_mentions=ping or discord.AllowedMentions.none(),
                )
                return
            except discord.HTTPException as error:
                log.info("could not post in the system channel of guild %s: %s", guild_id, error)
        log.warning("nobody could be told: %s", text)
