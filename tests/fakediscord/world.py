"""The seeded world of a FakeDiscord and what happens to it: guilds, channels, messages, reactions.

A mixin so the REST routes, the driving helpers and tests share one set of methods; the state
itself (``users``, ``guilds``, ``channels``, ``meta``) lives on FakeDiscord.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .permissions import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    EVERYONE_DEFAULT,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
)
from .rest import Fault
from .state import (
    DM,
    Channel,
    Guild,
    User,
    message,
    snowflake,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

GUILDS, GUILD_MESSAGES, GUILD_REACTIONS, DIRECT_MESSAGES, DM_REACTIONS = (
    1 << 0,
    1 << 9,
    1 << 10,
    1 << 12,
    1 << 13,
)


@dataclass
class MessageMeta:
    """What the fake knows about a message beyond its JSON: for nonces, uploads and reactions."""

    created: float
    author_id: int
    nonce: str | None
    files: dict[str, bytes] = field(default_factory=dict)
    reactions: dict[str, list[int]] = field(default_factory=dict)


class World:
    """Building and changing the world; mixed into FakeDiscord."""

    def add_user(
        self: FakeDiscord, name: str, bot: bool = False, *, accepts_dms: bool = True
    ) -> User:
        user = User(name, bot=bot, accepts_dms=accepts_dms)
        self.users[user.id] = user
        return user

    def add_guild(
        self: FakeDiscord,
        name: str = "Research Lab",
        *,
        owner: User | None = None,
        bot_permissions: int | None = None,
    ) -> Guild:
        """A guild with @everyone, the bot (in role ``guild.bot_role``) and the owner as members.

        The bot's role has every permission but Administrator, so channel overwrites apply to it.
        """
        owner = owner or self.owner
        self.users.setdefault(owner.id, owner)
        guild = Guild(name, owner, on_channel=self._register_channel)
        guild.add_role("@everyone", EVERYONE_DEFAULT)
        default = ALL_PERMISSIONS & ~ADMINISTRATOR
        guild.bot_role = guild.add_role(
            self.bot_user.name, default if bot_permissions is None else bot_permissions
        )
        guild.add_member(self.bot_user, guild.bot_role)
        guild.add_member(owner)
        self.guilds.append(guild)
        return guild

    def _register_channel(self: FakeDiscord, channel: Channel) -> None:
        self.channels[channel.id] = channel

    def default_guild(self: FakeDiscord) -> Guild:
        assert self.guilds, "add a guild first: fake.add_guild()"
        return self.guilds[0]

    def default_channel(self: FakeDiscord, guild: Guild) -> Channel:
        assert guild.text_channels, f"add a channel first: guild.add_channel(...) in {guild.name}"
        return guild.text_channels[0]

    def guild(self: FakeDiscord, guild_id: str | int) -> Guild:
        found = next((g for g in self.guilds if g.id == int(guild_id)), None)
        if found is None:
            raise Fault(404, 10004, "Unknown Guild")
        return found

    def guild_of(self: FakeDiscord, channel: Channel | None) -> Guild | None:
        if channel is None or channel.guild_id is None:
            return None
        return next((g for g in self.guilds if g.id == channel.guild_id), None)

    def channel(self: FakeDiscord, channel_id: str | int) -> Channel:
        found = self.channels.get(int(channel_id)) if str(channel_id).isdigit() else None
        if found is None:
            raise Fault(404, 10003, "Unknown Channel")
        return found

    def require(self: FakeDiscord, channel: Channel, permission: int) -> None:
        """Raise Discord's 403 unless the bot may see ``channel`` and has ``permission`` in it."""
        guild = self.guild_of(channel)
        if guild is None:
            return
        granted = guild.permissions(self.bot_user.id, channel)
        if not granted & VIEW_CHANNEL:
            raise Fault(403, 50001, "Missing Access")
        if permission & SEND_MESSAGES and channel.is_thread:
            permission = (permission & ~SEND_MESSAGES) | SEND_MESSAGES_IN_THREADS
        if granted & permission != permission:
            raise Fault(403, 50013, "Missing Permissions")

    def dm_channel(self: FakeDiscord, user: User) -> Channel:
        found = next((c for c in self.channels.values() if c.recipient is user), None)
        if found is None:
            found = Channel(user.name, None, type=DM, recipient=user)
            self.channels[found.id] = found
        return found

    async def delete_channel(self: FakeDiscord, channel: Channel) -> dict[str, Any]:
        """Remove a channel (and its threads) as an admin would; the bot gets CHANNEL_DELETE."""
        payload = channel.payload()
        guild = self.guild_of(channel)
        gone = [channel] + [c for c in self.channels.values() if c.parent_id == channel.id]
        for dead in gone:
            self.channels.pop(dead.id, None)
            if guild and dead in guild.channels:
                guild.channels.remove(dead)
        event = "THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE"
        await self.dispatch(event, payload, intent=GUILDS)
        return payload

    async def create_thread(
        self: FakeDiscord, parent: Channel, name: str, kind: int, thread_id: int | None = None
    ) -> Channel:
        guild = self.guild_of(parent)
        assert guild is not None, "threads live in guild channels"
        thread = guild.add_channel(name, type=kind, parent=parent, id=thread_id)
        thread.owner_id = self.bot_user.id
        member = {"id": str(thread.id), "user_id": str(self.bot_user.id), "flags": 0}
        member["join_timestamp"] = thread.payload()["thread_metadata"]["create_timestamp"]
        event = {**thread.payload(), "newly_created": True, "member": member}
        await self.dispatch("THREAD_CREATE", event, intent=GUILDS)
        return thread

    # Messages.

    async def post(
        self: FakeDiscord,
        channel: Channel,
        author: User,
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        *,
        in_channel: bool = True,
        **extra: Any,
    ) -> dict[str, Any]:
        """Create a message as Discord would; ``in_channel=False`` for ephemeral or loading ones."""
        msg = message(channel, author, body, **extra)
        nonce = body.get("nonce")
        self.meta[msg["id"]] = MessageMeta(
            self.clock(), author.id, None if nonce is None else str(nonce)
        )
        msg["attachments"] = self.store_files(msg, files)
        self._messages[msg["id"]] = msg
        if in_channel:
            channel.messages.append(msg)
            await self.announce(channel, msg)
        return msg

    def store_files(
        self: FakeDiscord, msg: dict[str, Any], files: list[tuple[str, bytes]]
    ) -> list[dict]:
        stored = self.meta[msg["id"]].files
        attachments = []
        for name, data in files:
            stored[name] = data
            attachments.append(
                {
                    "id": str(snowflake()),
                    "filename": name,
                    "size": len(data),
                    "url": f"{self.base_url}/attachments/{msg['id']}/{name}",
                    "proxy_url": f"{self.base_url}/attachments/{msg['id']}/{name}",
                }
            )
        return attachments

    async def announce(self: FakeDiscord, channel: Channel, msg: dict[str, Any]) -> None:
        """A message became visible in ``channel``: record it and send MESSAGE_CREATE."""
        self.created.append(msg)
        await self.dispatch("MESSAGE_CREATE", dict(msg), intent=self.message_intent(channel.id))

    def message_intent(self: FakeDiscord, channel_id: str | int) -> int:
        found = self.channels.get(int(channel_id))
        return DIRECT_MESSAGES if found is None or found.type == DM else GUILD_MESSAGES

    def find_message(self: FakeDiscord, message_id: str | int) -> dict[str, Any]:
        found = self._messages.get(str(message_id))
        if found is None or found.get("deleted"):
            raise Fault(404, 10008, "Unknown Message")
        return found

    def messages(self: FakeDiscord, channel: Channel | int | str) -> list[dict[str, Any]]:
        """Messages visible in ``channel``, oldest first (ephemeral ones are not)."""
        channel_id = channel.id if isinstance(channel, Channel) else int(channel)
        found = self.channels.get(channel_id)
        return list(found.messages) if found else []

    def dms(self: FakeDiscord, user: User) -> list[dict[str, Any]]:
        """What the bot sent ``user`` in their DM channel, oldest first."""
        return [m for c in self.channels.values() if c.recipient is user for m in c.messages]

    def attachments(self: FakeDiscord, msg: dict[str, Any]) -> dict[str, bytes]:
        """The uploaded files of a message: filename -> bytes."""
        return dict(self.meta[msg["id"]].files)

    async def apply_reaction(
        self: FakeDiscord, msg: dict[str, Any], emoji: str, user: User, add: bool
    ) -> bool:
        """Add or remove ``user``'s reaction and send the event; False if nothing was sent."""
        name, emoji_id = _parse_emoji(emoji)
        key = f"{name}:{emoji_id}" if emoji_id else name
        meta = self.meta.setdefault(msg["id"], MessageMeta(self.clock(), 0, None))
        users = meta.reactions.setdefault(key, [])
        if add == (user.id in users):
            return False  # Discord sends nothing for a no-op
        users.append(user.id) if add else users.remove(user.id)
        msg["reactions"] = _reaction_summary(meta.reactions, self.bot_user.id)
        channel = self.channel(msg["channel_id"])
        guild = self.guild_of(channel)
        data: dict[str, Any] = {
            "user_id": str(user.id),
            "channel_id": msg["channel_id"],
            "message_id": msg["id"],
            "emoji": {"id": emoji_id, "name": name, **({"animated": False} if emoji_id else {})},
            "type": 0,
            "burst": False,
        }
        if add:
            data.update(burst_colors=[], message_author_id=msg["author"]["id"])
        if guild:
            data["guild_id"] = str(guild.id)
            if add:
                data["member"] = guild.member_payload(user)
        event = "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE"
        return await self.dispatch(event, data, intent=GUILD_REACTIONS if guild else DM_REACTIONS)


def _parse_emoji(emoji: str) -> tuple[str, str | None]:
    """``🔖``, ``name:id`` or ``<:name:id>`` -> (name, id)."""
    text = emoji.strip("<>").removeprefix("a:").lstrip(":")
    if ":" in text:
        name, emoji_id = text.rsplit(":", 1)
        return name, emoji_id
    return text, None


def _reaction_summary(reactions: dict[str, list[int]], me: int) -> list[dict[str, Any]]:
    summary = []
    for key, users in reactions.items():
        if not users:
            continue
        name, emoji_id = _parse_emoji(key)
        summary.append(
            {
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": me in users,
                "me_burst": False,
                "burst_colors": [],
                "emoji": {"id": emoji_id, "name": name},
            }
        )
    return summary
