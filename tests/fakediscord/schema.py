"""Slash command data checked against the schema the bot synced, as Discord would check it.

Unknown commands, subcommands and options, missing required options, wrong types, values outside
choices or ranges raise AssertionError with a message naming the command and the option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .state import Channel, Guild, Member, Role, User

if TYPE_CHECKING:
    from .server import FakeDiscord

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10
PYTHON_TYPES: dict[int, tuple[type, ...]] = {
    STRING: (str,),
    INTEGER: (int,),
    BOOLEAN: (bool,),
    NUMBER: (int, float),
    USER: (User, Member),
    CHANNEL: (Channel,),
    ROLE: (Role,),
    MENTIONABLE: (User, Member, Role),
}


def find_command(fake: FakeDiscord, name: str, guild: Guild | None) -> dict[str, Any]:
    scopes = ([guild.id] if guild else []) + [None]
    for scope in scopes:
        for command in fake.commands.get(scope, []):
            if command["name"] == name and command.get("type", 1) == 1:
                return command
    synced = sorted({c["name"] for cs in fake.commands.values() for c in cs})
    raise AssertionError(f"/{name} was never synced; the bot synced {synced}")


def _check_value(path: str, schema: dict[str, Any], value: Any) -> None:
    name, kind = schema["name"], schema["type"]
    expected = PYTHON_TYPES.get(kind)
    if expected is None:
        raise AssertionError(f"/{path} {name}: option type {kind} is not supported by the fake")
    if not isinstance(value, expected) or (kind in (INTEGER, NUMBER) and isinstance(value, bool)):
        wanted = " or ".join(t.__name__ for t in expected)
        raise AssertionError(f"/{path} {name} must be {wanted}, got {value!r}")
    choices = [c["value"] for c in schema.get("choices") or []]
    if choices and value not in choices:
        raise AssertionError(f"/{path} {name}={value!r} is not one of the choices {choices}")
    low, high = schema.get("min_value"), schema.get("max_value")
    if kind in (INTEGER, NUMBER) and (
        (low is not None and value < low) or (high is not None and value > high)
    ):
        raise AssertionError(f"/{path} {name}={value!r} is outside [{low}, {high}]")
    short, long = schema.get("min_length"), schema.get("max_length")
    if kind == STRING and (
        (short is not None and len(value) < short) or (long is not None and len(value) > long)
    ):
        raise AssertionError(f"/{path} {name} must be {short}..{long} characters long")


def command_data(
    fake: FakeDiscord,
    path: str,
    values: dict[str, Any],
    guild: Guild | None,
    focused: str | None = None,
) -> dict[str, Any]:
    """The nested ``data`` of a command interaction, validated against the synced schema."""
    top, *rest = path.split()
    command = find_command(fake, top, guild)
    node, chain = command, []
    for part in rest:
        subs = [o for o in node.get("options") or [] if o["type"] in (SUBCOMMAND, GROUP)]
        node = next((o for o in subs if o["name"] == part), None)
        if node is None:
            raise AssertionError(f"/{top} has no subcommand {part!r}; it has {_names(subs)}")
        chain.append(node)
    schema = {o["name"]: o for o in node.get("options") or []}
    nested = [o for o in schema.values() if o["type"] in (SUBCOMMAND, GROUP)]
    if nested:
        raise AssertionError(f"/{path} needs a subcommand: one of {_names(nested)}")
    options, resolved = [], _Resolved(guild)
    for key, value in values.items():
        if key not in schema:
            raise AssertionError(f"/{path} has no option {key!r}; it has {sorted(schema)}")
        option: dict[str, Any] = {"type": schema[key]["type"], "name": key}
        if key == focused:
            if not schema[key].get("autocomplete"):
                raise AssertionError(f"/{path} {key} has no autocomplete")
            option.update(value=str(value), focused=True)
        else:
            _check_value(path, schema[key], value)
            option["value"] = resolved.add(value) if schema[key]["type"] in (6, 7, 8, 9) else value
        options.append(option)
    if focused is None:
        missing = [n for n, o in schema.items() if o.get("required") and n not in values]
        if missing:
            raise AssertionError(f"/{path} is missing required options {missing}")
    elif focused not in values:
        raise AssertionError(f"/{path}: give the focused option {focused!r} a value")
    for sub in reversed(chain):
        options = [{"type": sub["type"], "name": sub["name"], "options": options}]
    data = {"id": command["id"], "name": top, "type": 1, "options": options}
    if "guild_id" in command:
        data["guild_id"] = command["guild_id"]
    if resolved.data:
        data["resolved"] = resolved.data
    return data


def _names(options: list[dict[str, Any]]) -> list[str]:
    return sorted(o["name"] for o in options)


class _Resolved:
    """``data.resolved``: the full objects behind user, channel and role options."""

    def __init__(self, guild: Guild | None) -> None:
        self.guild = guild
        self.data: dict[str, dict[str, Any]] = {}

    def add(self, value: User | Member | Channel | Role) -> str:
        key = str(value.user.id if isinstance(value, Member) else value.id)
        if isinstance(value, Member):
            value = value.user
        if isinstance(value, User):
            self.data.setdefault("users", {})[key] = value.payload()
            if self.guild and value.id in self.guild.members:
                member = self.guild.members[value.id].payload()
                member.pop("user")
                member["permissions"] = str(self.guild.permissions(value.id))
                self.data.setdefault("members", {})[key] = member
        elif isinstance(value, Channel):
            payload = value.payload()
            payload["permissions"] = "0"
            self.data.setdefault("channels", {})[key] = payload
        else:
            self.data.setdefault("roles", {})[key] = value.payload()
        return key
