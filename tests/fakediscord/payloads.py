"""The fake Discord's world and the JSON shapes Discord uses for it (API v10)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_ids = itertools.count(1_100_000_000_000_000_000)

ALL_PERMISSIONS = (1 << 50) - 1
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ADD_REACTIONS = 1 << 6
MANAGE_CHANNELS = 1 << 4
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ADMINISTRATOR = 1 << 3


def snowflake() -> int:
    return next(_ids)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    name: str
    bot: bool = False
    id: int = field(default_factory=snowflake)

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


@dataclass
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
            "flags": 0,
        }


@dataclass
class Channel:
    name: str
    guild_id: int | None
    type: int = 0  # 0 text, 1 DM, 11 public thread
    id: int = field(default_factory=snowflake)
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    parent_id: int | None = None
    recipient: User | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "name": self.name}
        if self.type == 1:
            return {**data, "recipients": [self.recipient.payload()] if self.recipient else []}
        data.update(
            guild_id=str(self.guild_id),
            position=0,
            permission_overwrites=self.overwrites,
            nsfw=False,
            parent_id=str(self.parent_id) if self.parent_id else None,
            topic=None,
            rate_limit_per_user=0,
            last_message_id=None,
            flags=0,
        )
        if self.type == 11:
            data.update(
                owner_id=None,
                message_count=0,
                member_count=1,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": now_iso(),
                    "locked": False,
                },
            )
        return data


@dataclass
class Member:
    user: User
    roles: list[Role] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "roles": [str(role.id) for role in self.roles],
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
        }


@dataclass
class Guild:
    name: str
    owner: User
    id: int = field(default_factory=snowflake)
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)
    system_channel_id: int | None = None

    @property
    def everyone(self) -> Role:
        return self.roles[0]

    def add_role(self, name: str, permissions: int) -> Role:
        role = Role(name, permissions, self.id, position=len(self.roles))
        self.roles.append(role)
        return role

    def add_member(self, user: User, *roles: Role) -> Member:
        member = Member(user, list(roles))
        self.members[user.id] = member
        return member

    def add_text_channel(
        self, name: str, overwrites: list[dict[str, Any]] | None = None
    ) -> Channel:
        channel = Channel(name, self.id, overwrites=overwrites or [])
        self.channels.append(channel)
        return channel

    def permissions(self, user_id: int, channel: Channel) -> int:
        """Discord's permission algorithm: base from roles, then channel overwrites."""
        if user_id == self.owner.id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        roles = [self.everyone, *(member.roles if member else [])]
        base = 0
        for role in roles:
            base |= role.permissions
        if base & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel.parent_id:
            channel = next((c for c in self.channels if c.id == channel.parent_id), channel)
        role_ids = {str(role.id) for role in roles}
        for overwrite in channel.overwrites:
            if overwrite["id"] == str(self.everyone.id):
                base = (base & ~int(overwrite["deny"])) | int(overwrite["allow"])
        allow = deny = 0
        for overwrite in channel.overwrites:
            if overwrite["type"] == 0 and overwrite["id"] in role_ids - {str(self.everyone.id)}:
                allow |= int(overwrite["allow"])
                deny |= int(overwrite["deny"])
        base = (base & ~deny) | allow
        for overwrite in channel.overwrites:
            if overwrite["type"] == 1 and overwrite["id"] == str(user_id):
                base = (base & ~int(overwrite["deny"])) | int(overwrite["allow"])
        return base

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.owner.id),
            "roles": [role.payload() for role in self.roles],
            "channels": [c.payload() for c in self.channels if c.type != 11],
            "threads": [c.payload() for c in self.channels if c.type == 11],
            "members": [member.payload() for member in self.members.values()],
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "joined_at": now_iso(),
            "system_channel_id": str(self.system_channel_id) if self.system_channel_id else None,
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "nsfw_level": 0,
            "mfa_level": 0,
            "verification_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
        }


def overwrite(target: Role | User, *, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A permission overwrite as Discord stores it on a channel."""
    return {
        "id": str(target.id),
        "type": 0 if isinstance(target, Role) else 1,
        "allow": str(allow),
        "deny": str(deny),
    }


def message(channel: Channel, author: User, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A message object built from what a client sent."""
    data = {
        "id": str(snowflake()),
        "channel_id": str(channel.id),
        "author": author.payload(),
        "content": body.get("content") or "",
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": body.get("attachments", []),
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 0,
        "flags": int(body.get("flags") or 0),
        "nonce": body.get("nonce"),
        **extra,
    }
    if channel.guild_id:
        data["guild_id"] = str(channel.guild_id)
    return data
