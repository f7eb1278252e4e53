"""`python -m bot invite`: the exact permission integer and the application id from the token."""

from __future__ import annotations

import base64

import discord

from bot.edge.permissions import EVERY, FORUM, HISTORY, TEXT, THREADS
from bot.invite import PERMISSIONS, application_id, invite_url, permission_integer
from tests.cli import cli

APP_ID = 1234567890123456789


def token_for(app_id: int) -> str:
    first = base64.b64encode(str(app_id).encode()).decode().rstrip("=")
    return f"{first}.GxYzAb.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_the_permission_integer_is_exactly_what_paperboy_uses() -> None:
    expected = discord.Permissions(
        add_reactions=True,
        view_channel=True,
        send_messages=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
        create_public_threads=True,
        send_messages_in_threads=True,
    )
    assert permission_integer() == expected.value == 309237763136
    granted = discord.Permissions(permission_integer())
    checked = {**EVERY, **TEXT, **THREADS, **FORUM, **HISTORY}  # what /subscribe checks, any kind
    assert all(getattr(granted, name) for name in checked)
    assert (
        not granted.administrator and not granted.manage_messages and not granted.mention_everyone
    )
    assert len(PERMISSIONS) == bin(permission_integer()).count("1")


def test_the_application_id_is_read_from_the_token() -> None:
    assert application_id(token_for(APP_ID)) == APP_ID
    assert application_id(token_for(80351110224678912)) == 80351110224678912  # padding needed


def test_invite_prints_the_url_from_the_token() -> None:
    result = cli("invite", DISCORD_TOKEN=token_for(APP_ID))
    assert result.returncode == 0, result.stderr
    url = result.stdout.splitlines()[0]
    assert url == invite_url(APP_ID)
    assert url == (
        f"https://discord.com/oauth2/authorize?client_id={APP_ID}"
        "&scope=bot+applications.commands&permissions=309237763136"
    )


def test_invite_without_a_usable_token_says_what_to_give() -> None:
    missing = cli("invite")
    assert missing.returncode == 1
    assert "set DISCORD_TOKEN or --app-id" in missing.stderr
    garbled = cli("invite", DISCORD_TOKEN="not-a-token")
    assert garbled.returncode == 1
    assert "cannot read the application id from this token; pass --app-id" in garbled.stderr
    given = cli("invite", "--app-id", "42", DISCORD_TOKEN="not-a-token")
    assert "client_id=42&" in given.stdout
