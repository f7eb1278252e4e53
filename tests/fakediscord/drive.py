"""What users do, as gateway events: slash commands, autocomplete, clicks, selects, reactions.

Slash options are checked against the schema the bot really synced, so a test cannot call a
command or option that Discord would never send.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

from tests.fakediscord.payloads import Channel, Guild, User, snowflake
from tests.fakediscord.server import FakeDiscord, FakeInteraction

OPTION_TYPES = {3: str, 4: int, 5: bool, 10: (int, float)}


def _command(fake: FakeDiscord, name: str) -> dict[str, Any]:
    for commands in fake.commands.values():
        for command in commands:
            if command["name"] == name:
                return command
    raise AssertionError(f"/{name} was never synced; synced: {_names(fake)}")


def _names(fake: FakeDiscord) -> list[str]:
    return sorted({c["name"] for commands in fake.commands.values() for c in commands})


def _options(
    fake: FakeDiscord, path: str, values: dict[str, Any], focused: str | None
) -> dict[str, Any]:
    """The nested `data` of an application command interaction, validated against the schema."""
    top, *rest = path.split()
    command = _command(fake, top)
    node, chain = command, []
    for part in rest:
        node = next(
            (o for o in node.get("options", []) if o["name"] == part and o["type"] in (1, 2)), None
        )
        if node is None:
            raise AssertionError(f"/{top} has no subcommand {part!r}")
        chain.append(node)
    schema = {o["name"]: o for o in node.get("options", [])}
    options = []
    for key, value in values.items():
        if key not in schema:
            raise AssertionError(f"/{path} has no option {key!r}; it has {sorted(schema)}")
        expected = OPTION_TYPES.get(schema[key]["type"], str)
        if not isinstance(value, expected) and key != focused:
            raise AssertionError(f"/{path} {key} must be {expected}, got {value!r}")
        option = {"type": schema[key]["type"], "name": key, "value": value}
        if key == focused:
            option["focused"] = True
        options.append(option)
    missing = [
        n for n, o in schema.items() if o.get("required") and n not in values and focused is None
    ]
    if missing:
        raise AssertionError(f"/{path} needs {missing}")
    for sub in reversed(chain):
        options = [{"type": sub["type"], "name": sub["name"], "options": options}]
    return {"id": command["id"], "name": top, "type": 1, "options": options}


class Driver:
    """The test's hands: everything a Discord user can do to the bot."""

    def __init__(
        self,
        fake: FakeDiscord,
        guild: Guild,
        channel: Channel,
        views: Callable[[], Any] | None = None,
    ) -> None:
        self.fake, self.guild, self.channel = fake, guild, channel
        self.views = (
            views  # the bot's message-id -> view map, to click only once a view is attached
        )

    async def _attached(self, message_id: str, timeout: float = 5) -> None:
        """Wait (yielding to the loop, not sleeping) until the bot has stored the message's view.

        The fake records a callback before discord.py has read the answer and stored the view;
        a click in that gap would reach no view, which never happens to a human.
        """
        if self.views is None:
            return
        deadline = asyncio.get_running_loop().time() + timeout
        while int(message_id) not in self.views():
            if asyncio.get_running_loop().time() > deadline:
                return  # a message with only persistent (dynamic) buttons has no view to wait for
            await asyncio.sleep(0)

    async def _send(
        self, kind: int, data: dict[str, Any], user: User, channel: Channel | None, **extra
    ) -> FakeInteraction:
        channel = channel or self.channel
        interaction = FakeInteraction(
            snowflake(), secrets.token_urlsafe(24), kind, user, channel, server=self.fake
        )
        interaction.message_id = extra.get("message", {}).get("id")
        self.fake.interactions[interaction.token] = interaction
        member = self.guild.members.get(user.id) or self.guild.add_member(user)
        payload = {
            "id": str(interaction.id),
            "application_id": str(self.fake.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(self.guild.id),
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "member": {
                **member.payload(),
                "permissions": str(self.guild.permissions(user.id, channel)),
            },
            "token": interaction.token,
            "version": 1,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(self.guild.permissions(self.fake.bot_user.id, channel)),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild.id)},
            "context": 0,
            "attachment_size_limit": 25 * 1024 * 1024,
            **extra,
        }
        await self.fake.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def slash(
        self, path: str, *, user: User, channel: Channel | None = None, **values: Any
    ) -> FakeInteraction:
        return await self._send(2, _options(self.fake, path, values, None), user, channel)

    async def autocomplete(
        self, path: str, *, focused: str, user: User, **values: Any
    ) -> list[dict[str, Any]]:
        interaction = await self._send(4, _options(self.fake, path, values, focused), user, None)
        await interaction.response()
        return interaction.choices

    async def click(self, msg: dict[str, Any], custom_id: str, *, user: User) -> FakeInteraction:
        if not any(
            c.get("custom_id") == custom_id
            for row in msg.get("components", [])
            for c in row["components"]
        ):
            raise AssertionError(f"no component {custom_id!r} on message {msg['id']}")
        data = {"custom_id": custom_id, "component_type": 2}
        if not custom_id.startswith("paperboy:bookmark:"):
            await self._attached(msg["id"])
        return await self._send(3, data, user, None, message=_clean(msg))

    async def select(
        self, msg: dict[str, Any], custom_id: str, values: list[str], *, user: User
    ) -> FakeInteraction:
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
        await self._attached(msg["id"])
        return await self._send(3, data, user, None, message=_clean(msg))

    async def react(self, msg: dict[str, Any], emoji: str, *, user: User) -> None:
        await self.fake.dispatch(
            "MESSAGE_REACTION_ADD", self._reaction(msg, emoji, user, member=True)
        )

    async def unreact(self, msg: dict[str, Any], emoji: str, *, user: User) -> None:
        await self.fake.dispatch(
            "MESSAGE_REACTION_REMOVE", self._reaction(msg, emoji, user, member=False)
        )

    def _reaction(
        self, msg: dict[str, Any], emoji: str, user: User, member: bool
    ) -> dict[str, Any]:
        data = {
            "user_id": str(user.id),
            "channel_id": msg["channel_id"],
            "message_id": msg["id"],
            "guild_id": str(self.guild.id),
            "emoji": {"id": None, "name": emoji},
            "type": 0,
            "burst": False,
            "burst_colors": [],
            "message_author_id": msg["author"]["id"],
        }
        if member:
            found = self.guild.members.get(user.id) or self.guild.add_member(user)
            data["member"] = found.payload()
        return data


def _clean(msg: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in msg.items() if not key.startswith("_")}
