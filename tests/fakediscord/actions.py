"""What users do, as gateway events: slash commands, autocomplete, clicks, selects, modals, reactions.

``UserActions`` is mixed into FakeDiscord: these are the fake's driving methods (``fake.slash``,
``fake.click``, ...). Slash options are checked against the schema the bot really synced, and
components against the message they are on, so a test cannot do what Discord would never let a
user do. A new kind of user action (a context menu, a message edit by a user) is one more method
here, built on ``_interact`` or ``dispatch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .interactions import Interaction
from .schema import command_data
from .state import DM, Channel, Guild, User, snowflake

if TYPE_CHECKING:
    from .server import FakeDiscord

PING, APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every component, however deeply nested (action rows, containers, sections, labels)."""
    for component in components or []:
        yield component
        yield from walk_components(component.get("components") or [])
        for key in ("accessory", "component"):
            if component.get(key):
                yield from walk_components([component[key]])


def find_component(msg: dict[str, Any], custom_id: str) -> dict[str, Any]:
    found = next(
        (c for c in walk_components(msg.get("components")) if c.get("custom_id") == custom_id),
        None,
    )
    if found is None:
        ids = [c["custom_id"] for c in walk_components(msg.get("components")) if "custom_id" in c]
        raise AssertionError(f"message {msg['id']} has no component {custom_id!r}; it has {ids}")
    if found.get("disabled"):
        raise AssertionError(f"component {custom_id!r} on message {msg['id']} is disabled")
    return found


def interaction_payload(
    fake: FakeDiscord, ix: Interaction, extra: dict[str, Any]
) -> dict[str, Any]:
    """The INTERACTION_CREATE body, with every key discord.py reads."""
    channel, guild, user = ix.channel, ix.guild, ix.user
    payload: dict[str, Any] = {
        "id": str(ix.id),
        "application_id": str(fake.application_id),
        "type": ix.type,
        "data": ix.data,
        "channel_id": str(channel.id),
        "channel": channel.payload(),
        "token": ix.token,
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 25 * 1024 * 1024,
        **extra,
    }
    if guild is not None:
        member = guild.member_payload(user)
        member["permissions"] = str(guild.permissions(user.id, channel))
        payload.update(
            guild_id=str(guild.id),
            guild={"id": str(guild.id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            member=member,
            app_permissions=str(guild.permissions(fake.bot_user.id, channel)),
            authorizing_integration_owners={"0": str(guild.id)},
            context=0,
        )
        payload["channel"]["permissions"] = member["permissions"]
    else:
        payload.update(
            user=user.payload(),
            app_permissions=str(1 << 11 | 1 << 14 | 1 << 15),
            authorizing_integration_owners={"0": str(fake.application_id)},
            context=1,
        )
    return payload


class UserActions:
    """The test's hands, mixed into FakeDiscord: everything a Discord user can do to the bot.

    Every action takes the acting ``user``; a ``channel`` defaults to the first text channel of
    the first guild. Interactions return an ``Interaction`` whose answers can be awaited.
    """

    async def _interact(
        self: FakeDiscord,
        kind: int,
        data: dict[str, Any],
        user: User,
        channel: Channel | None,
        guild: Guild | None,
        **extra: Any,
    ) -> Interaction:
        if guild is None:
            guild = self.guild_of(channel) if channel else self.default_guild()
        channel = channel or self.default_channel(guild)
        if channel.type == DM:
            guild = None
        ix = Interaction(
            snowflake(), secrets.token_urlsafe(32), kind, user, channel, guild, data, self
        )
        ix.message_id = (extra.get("message") or {}).get("id")
        ix.created = self.clock()
        self.interactions[ix.token] = ix
        await self.dispatch(
            "INTERACTION_CREATE", interaction_payload(self, ix, extra), required=True
        )
        return ix

    async def slash(
        self: FakeDiscord,
        path: str,
        *,
        user: User,
        channel: Channel | None = None,
        guild: Guild | None = None,
        options: dict[str, Any] | None = None,
        **more: Any,
    ) -> Interaction:
        """Run ``/path`` as ``user``: ``await fake.slash("paper search", user=alice, query="x")``.

        ``channel`` is where the command runs; an option named like a keyword of this method
        (``channel``, ``guild``, ``user``) goes in ``options={"channel": forum}``.
        """
        scope = guild or (self.guild_of(channel) if channel else self.default_guild())
        data = command_data(self, path, {**(options or {}), **more}, scope)
        return await self._interact(APPLICATION_COMMAND, data, user, channel, guild)

    async def autocomplete(
        self: FakeDiscord,
        path: str,
        *,
        focused: str,
        user: User,
        value: str | None = None,
        channel: Channel | None = None,
        guild: Guild | None = None,
        timeout: float = 5,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """The choices the bot offers while ``user`` types ``value`` into option ``focused``."""
        if value is not None:
            options[focused] = value
        scope = guild or (self.guild_of(channel) if channel else self.default_guild())
        data = command_data(self, path, options, scope, focused=focused)
        ix = await self._interact(AUTOCOMPLETE, data, user, channel, guild)
        answer = await ix.response(timeout)
        assert answer["type"] == 8, f"autocomplete answered with callback type {answer['type']}"
        return ix.choices

    async def click(
        self: FakeDiscord, msg: dict[str, Any] | str | int, custom_id: str, *, user: User
    ) -> Interaction:
        """Press the button ``custom_id`` on a message the bot sent."""
        found = self.find_message(msg["id"] if isinstance(msg, dict) else msg)
        button = find_component(found, custom_id)
        assert button["type"] == 2, f"{custom_id!r} is a component of type {button['type']}"
        data = {"custom_id": custom_id, "component_type": 2}
        await self._view_attached(found["id"], custom_id)
        return await self._component(found, data, user)

    async def select(
        self: FakeDiscord,
        msg: dict[str, Any] | str | int,
        custom_id: str,
        values: list[str],
        *,
        user: User,
    ) -> Interaction:
        """Pick ``values`` in the select menu ``custom_id`` (string selects check the options)."""
        found = self.find_message(msg["id"] if isinstance(msg, dict) else msg)
        menu = find_component(found, custom_id)
        assert menu["type"] in (3, 5, 6, 7, 8), f"{custom_id!r} is not a select menu"
        allowed = [o["value"] for o in menu.get("options") or []]
        unknown = [v for v in values if menu["type"] == 3 and v not in allowed]
        assert not unknown, f"{custom_id!r} has no options {unknown}; it has {allowed}"
        low, high = menu.get("min_values", 1), menu.get("max_values", 1)
        assert low <= len(values) <= high, f"{custom_id!r} takes {low}..{high} values"
        data = {"custom_id": custom_id, "component_type": menu["type"], "values": values}
        await self._view_attached(found["id"], custom_id)
        return await self._component(found, data, user)

    async def submit_modal(
        self: FakeDiscord,
        opened_by: Interaction,
        values: dict[str, str],
        *,
        user: User | None = None,
    ) -> Interaction:
        """Fill in and submit the modal the bot opened in answer to ``opened_by``."""
        modal = (await opened_by.response()).get("data") or {}
        assert opened_by.modal is not None, f"{opened_by} was not answered with a modal"
        inputs = [c for c in walk_components(modal.get("components")) if c.get("type") == 4]
        rows = []
        for text_input in inputs:
            value = values.get(text_input["custom_id"], "")
            assert value or not text_input.get("required", True), (
                f"the modal's {text_input['custom_id']!r} is required"
            )
            component = {"type": 4, "custom_id": text_input["custom_id"], "value": value}
            rows.append({"type": 1, "components": [component]})
        data = {"custom_id": modal["custom_id"], "components": rows}
        return await self._interact(
            MODAL_SUBMIT, data, user or opened_by.user, opened_by.channel, opened_by.guild
        )

    async def _view_attached(self: FakeDiscord, message_id: str, custom_id: str) -> None:
        """Wait until the running bot has stored the view of ``message_id`` (if it will).

        The fake answers a callback before discord.py has read the answer and stored the view;
        a click in that gap reaches no view, which never happens to a person. Persistent views
        and dynamic items need no wait. Without a known bot this returns at once.
        """
        store = getattr(getattr(self.bot, "_connection", None), "_view_store", None)
        if store is None:
            return

        def ready() -> bool:
            persistent = any(key[1] == custom_id for key in store._views.get(None, {}))
            dynamic = any(p.fullmatch(custom_id) for p in store._dynamic_items)
            return persistent or dynamic or int(message_id) in store._synced_message_views

        for _ in range(200):  # the gap is a few turns of the loop: yield, do not sleep
            if ready():
                return
            await asyncio.sleep(0)
        with contextlib.suppress(AssertionError):  # a view-less message: let the click fail
            await self.wait_for(ready, 1.0, f"the bot to attach a view to message {message_id}")

    async def _component(
        self: FakeDiscord, msg: dict[str, Any], data: dict[str, Any], user: User
    ) -> Interaction:
        channel = self.channel(msg["channel_id"])
        return await self._interact(COMPONENT, data, user, channel, None, message=msg)

    async def react(
        self: FakeDiscord, msg: dict[str, Any] | str | int, emoji: str = "🔖", *, user: User
    ) -> bool:
        """``user`` adds a reaction; True once MESSAGE_REACTION_ADD was sent (False: no intent).

        ``msg`` is a message dict (one the fake never stored works too), or a stored message's id.
        """
        found = self._reacted_message(msg)
        return await self.apply_reaction(found, emoji, user, True)

    async def unreact(
        self: FakeDiscord, msg: dict[str, Any] | str | int, emoji: str = "🔖", *, user: User
    ) -> bool:
        """``user`` removes a reaction; True once MESSAGE_REACTION_REMOVE was sent."""
        found = self._reacted_message(msg)
        return await self.apply_reaction(found, emoji, user, False)

    def _reacted_message(self: FakeDiscord, msg: dict[str, Any] | str | int) -> dict[str, Any]:
        if isinstance(msg, dict):
            return self._messages.get(msg["id"], msg)
        return self.find_message(msg)
