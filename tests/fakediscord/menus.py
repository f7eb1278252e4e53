"""Context menus and what members write: the user actions that message commands need.

A message command (application command type 3, "Apps -> Bookmark papers" on a message) reaches the
bot as an APPLICATION_COMMAND interaction whose ``data`` carries ``target_id`` and the target
message in ``resolved.messages``, content included: Discord hands it over without the privileged
Message Content intent. ``say`` posts a member's message (with MESSAGE_CREATE, as Discord would) so
a test has something to point the menu at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .interactions import Interaction
from .state import Channel, Guild, User

if TYPE_CHECKING:
    from .server import FakeDiscord

APPLICATION_COMMAND, CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 2, 1, 2, 3


def find_menu(fake: FakeDiscord, name: str, kind: int, guild: Guild | None) -> dict[str, Any]:
    """The synced context-menu command of ``kind`` named ``name`` (guild commands first)."""
    for scope in ([guild.id] if guild else []) + [None]:
        for command in fake.commands.get(scope, []):
            if command["name"] == name and command.get("type", CHAT_INPUT) == kind:
                return command
    menus = sorted(c["name"] for cs in fake.commands.values() for c in cs if c.get("type") == kind)
    raise AssertionError(f"no {name!r} menu of type {kind} was synced; the bot synced {menus}")


class MenuActions:
    """Mixed into FakeDiscord next to UserActions: members' messages and context menus."""

    async def say(
        self: FakeDiscord, channel: Channel, text: str, *, user: User, **fields: Any
    ) -> dict[str, Any]:
        """``user`` posts ``text`` (plus ``embeds`` and the like) in ``channel``."""
        return await self.post(channel, user, {"content": text, **fields}, [])

    async def message_command(
        self: FakeDiscord, name: str, target: dict[str, Any], *, user: User
    ) -> Interaction:
        """``user`` picks Apps -> ``name`` on the message ``target`` (any author's)."""
        found = self._messages.get(str(target["id"]), target)
        channel = self.channel(found["channel_id"])
        guild = self.guild_of(channel)
        command = find_menu(self, name, MESSAGE_COMMAND, guild)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": MESSAGE_COMMAND,
            "target_id": str(found["id"]),
            "resolved": {"messages": {str(found["id"]): dict(found)}},
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return await self._interact(APPLICATION_COMMAND, data, user, channel, guild)
