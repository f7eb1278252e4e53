"""``python -m bot invite``: the link that adds paperboy to a server, with its permissions."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CliError
from bot.config import Config
from bot.invite import PERMISSIONS, InviteError, application_id, invite_url, permission_integer


def add_parsers(commands: Any) -> None:
    invite = commands.add_parser(
        "invite", help="print the invite URL (application id from the token, or --app-id)"
    )
    invite.add_argument("--app-id", type=int, help="the application id, when there is no token")
    invite.set_defaults(handler=_invite)


async def _invite(config: Config, args: argparse.Namespace) -> int:
    if args.app_id is None and not config.bot.token:
        raise CliError("no token to read the application id from: set DISCORD_TOKEN or --app-id")
    try:
        app_id = args.app_id if args.app_id is not None else application_id(config.bot.token)
    except InviteError as error:
        raise CliError(str(error)) from None
    print(invite_url(app_id))
    print(f"permissions {permission_integer()}: {', '.join(PERMISSIONS)}")
    return 0
