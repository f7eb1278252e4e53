"""The fake Discord's world (users, guilds, roles, channels, members) and its JSON shapes (API v10).

Objects are plain mutable records the test builds and the fake reads live: change a role's
``permissions`` and the next REST call sees it (the bot's gateway cache only sees what GUILD_CREATE
carried, so seed the world before the bot starts).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .permissions import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
)

_ids = itertools.count(1_100_000_000_000_000_000)

TEXT, DM, ANNOUNCEMENT, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 1, 5, 11, 12, 15
ANNOUNCEMENT_THREAD = 10
THREAD_TYPES = (ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)
CROSSPOSTED = 1 << 0  # message flag: published to the channels following an announcement channel


def snowflake() -> int:
    return next(_ids)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(eq=False)
class User:
    name: str
    bot: bool = False
    id: int = field(default_factory=snowflake)
    accepts_dms: bool = True  # False: posting in the DM answers 403 50007 like Discord

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass(eq=False)
class Role:
    name: str
    permissions: int
    guild_id: int
    id: int = field(default_factory=snowflake)
    position: int = 1

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass(eq=False)
class Channel:
    name: str
    guild_id: int | None
    type: int = TEXT
    id: int = field(default_factory=snowflake)
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    parent_id: int | None = None
    recipient: User | None = None
    owner_id: int | None = None
    position: int = 0
    topic: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    available_tags: list[dict[str, Any]] = field(default_factory=list)  # a forum's tags
    applied_tags: list[str] = field(default_factory=list)  # a forum post's tag ids

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "name": self.name}
        last = self.messages[-1]["id"] if self.messages else None
        if self.type == DM:
            recipients = [self.recipient.payload()] if self.recipient else []
            return {**data, "name": None, "recipients": recipients, "last_message_id": last}
        data.update(
            guild_id=str(self.guild_id),
            position=self.position,
            permission_overwrites=self.overwrites,
            nsfw=False,
            parent_id=str(self.parent_id) if self.parent_id else None,
            topic=self.topic,
            rate_limit_per_user=0,
            last_message_id=last,
            flags=0,
        )
        if self.type == FORUM:
            data.update(
                available_tags=self.available_tags,
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        if self.is_thread:
            data.update(
                applied_tags=self.applied_tags,
                owner_id=str(self.owner_id) if self.owner_id else None,
                message_count=len(self.messages),
                total_message_sent=len(self.messages),
                member_count=1,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": now_iso(),
                    "locked": False,
                    "invitable": True,
                    "create_timestamp": now_iso(),
                },
            )
        return data


@dataclass(eq=False)
class Member:
    user: User
    roles: list[Role] = field(default_factory=list)
    nick: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "roles": [str(role.id) for role in self.roles],
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": self.nick,
            "avatar": None,
            "pending": False,
            "communication_disabled_until": None,
        }


@dataclass(eq=False)
class Guild:
    """A guild. ``bot_role`` is the bot's own role: set its ``permissions`` to shape what it may do."""

    name: str
    owner: User
    id: int = field(default_factory=snowflake)
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    bot_role: Role | None = None
    system_channel_id: int | None = None
    on_channel: Callable[[Channel], None] | None = field(default=None, repr=False)

    @property
    def everyone(self) -> Role:
        return self.roles[0]

    @property
    def text_channels(self) -> list[Channel]:
        return [c for c in self.channels if c.type in (TEXT, ANNOUNCEMENT)]

    def add_role(self, name: str, permissions: int = 0) -> Role:
        role = Role(name, permissions, self.id, position=len(self.roles))
        if not self.roles:  # Discord: @everyone has the guild's id and position 0
            role.id, role.position = self.id, 0
        self.roles.append(role)
        return role

    def add_member(
        self,
        user: User,
        *more_roles: Role,
        roles: tuple[Role, ...] | list[Role] = (),
        permissions: int | None = None,
    ) -> Member:
        """Make ``user`` a member with ``roles``; ``permissions`` adds a role of their own granting it."""
        chosen = [*more_roles, *roles]
        if permissions is not None:
            chosen.append(self.add_role(f"{user.name}-role", permissions))
        member = self.members.get(user.id)
        if member is None:
            member = self.members[user.id] = Member(user, chosen)
        else:
            member.roles.extend(chosen)
        return member

    def add_channel(
        self,
        name: str,
        *,
        overwrites: list[dict[str, Any]] | None = None,
        topic: str | None = None,
        type: int = TEXT,
        parent: Channel | None = None,
        id: int | None = None,
        tags: tuple[str, ...] | list[str] = (),
    ) -> Channel:
        """The one way a channel comes to be: text by default, a thread with ``type`` and ``parent``,
        an announcement channel with ``type=ANNOUNCEMENT``, a forum with ``type=FORUM`` and its
        ``tags`` (names; each gets an id).

        ``overwrites`` are Discord overwrites, easiest built with ``overwrite()``. ``id`` is for a
        thread started from a message, which takes the message's id.
        """
        channel = Channel(
            name,
            self.id,
            type=type,
            overwrites=list(overwrites or []),
            parent_id=parent.id if parent else None,
            position=len(self.channels),
            topic=topic,
        )
        if id is not None:
            channel.id = id
        channel.available_tags = [
            {
                "id": str(snowflake()),
                "name": name,
                "moderated": False,
                "emoji_id": None,
                "emoji_name": None,
            }
            for name in tags
        ]
        self.channels.append(channel)
        if self.on_channel:
            self.on_channel(channel)
        return channel

    def permissions(self, user_id: int, channel: Channel | None = None) -> int:
        """Discord's algorithm: roles, then @everyone, role and member overwrites of the channel."""
        if user_id == self.owner.id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        roles = [self.everyone, *(member.roles if member else [])]
        base = 0
        for role in roles:
            base |= role.permissions
        if base & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel is None:
            return base
        if channel.is_thread and channel.parent_id:
            channel = next((c for c in self.channels if c.id == channel.parent_id), channel)
        role_ids = {str(role.id) for role in roles} - {str(self.id)}
        for over in channel.overwrites:
            if over["id"] == str(self.id):
                base = (base & ~int(over["deny"])) | int(over["allow"])
        allow = deny = 0
        for over in channel.overwrites:
            if int(over["type"]) == 0 and over["id"] in role_ids:
                allow |= int(over["allow"])
                deny |= int(over["deny"])
        base = (base & ~deny) | allow
        for over in channel.overwrites:
            if int(over["type"]) == 1 and over["id"] == str(user_id):
                base = (base & ~int(over["deny"])) | int(over["allow"])
        return base

    def member_payload(self, user: User) -> dict[str, Any]:
        member = self.members.get(user.id) or self.add_member(user)
        return member.payload()

    def payload(self) -> dict[str, Any]:
        """The GUILD_CREATE shape: everything discord.py caches for a guild."""
        return {
            **self.summary(),
            "channels": [c.payload() for c in self.channels if not c.is_thread],
            "threads": [c.payload() for c in self.channels if c.is_thread],
            "members": [member.payload() for member in self.members.values()],
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "joined_at": now_iso(),
        }

    def summary(self) -> dict[str, Any]:
        """The REST guild object (GET /guilds/{id})."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner.id),
            "roles": [role.payload() for role in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": str(self.system_channel_id) if self.system_channel_id else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "nsfw_level": 0,
            "mfa_level": 0,
            "verification_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "max_members": 500000,
            "vanity_url_code": None,
            "application_id": None,
        }


def overwrite(target: Role | User | Member, *, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A permission overwrite as Discord stores it on a channel (type 0 role, 1 member)."""
    if isinstance(target, Member):
        target = target.user
    return {
        "id": str(target.id),
        "type": 0 if isinstance(target, Role) else 1,
        "allow": str(allow),
        "deny": str(deny),
    }


def message(channel: Channel, author: User, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A message object as Discord returns it, built from what a client sent."""
    data: dict[str, Any] = {
        "id": str(snowflake()),
        "channel_id": str(channel.id),
        "author": author.payload(),
        "content": body.get("content") or "",
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts")),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": body.get("attachments") or [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 19 if body.get("message_reference") else 0,
        "flags": int(body.get("flags") or 0),
        **extra,
    }
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    if body.get("message_reference"):
        data["message_reference"] = body["message_reference"]
    if channel.guild_id:
        data["guild_id"] = str(channel.guild_id)
    return data
