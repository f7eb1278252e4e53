"""The service files: what can run here runs (the image's entrypoint and health check, with its
config; `systemd-analyze verify` on the unit). Building the image needs a Docker daemon."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from fakediscord import FakeDiscord
from tests.helpers import ROOT
from tests.test_command_line import cli
from tests.test_service import launched

# Each test runs the image's entrypoint or systemd-analyze as a subprocess.
pytestmark = pytest.mark.slow

DOCKERFILE = (ROOT / "Dockerfile").read_text("utf-8")
UNIT = ROOT / "deploy" / "paperboy.service"


def instruction(name: str) -> str:
    """The Dockerfile's last ``name`` instruction, continuation lines joined."""
    joined = DOCKERFILE.replace("\\\n", " ")
    found = re.findall(rf"^{name} (.+)$", joined, re.MULTILINE)
    assert found, f"no {name} in the Dockerfile"
    return str(found[-1])


def exec_form(name: str) -> list[str]:
    text = instruction(name)
    return list(json.loads(text[text.index("[") :]))


def image_config(tmp_path: Path, listen: str = "127.0.0.1:9300") -> Path:
    """deploy/config.docker.toml with /data and the port moved into tmp_path, as the image sees it
    (and its sources off: tests never reach the internet)."""
    text = (ROOT / "deploy" / "config.docker.toml").read_text("utf-8")
    text = text.replace('"/data/', f'"{tmp_path}/').replace('"127.0.0.1:9300"', f'"{listen}"')
    assert "[sources]" not in text
    text += "\n[sources]\nhuggingface = false\narxiv = false\n"
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    return path


def test_the_image_is_slim_runs_as_a_user_and_keeps_the_database_on_a_volume() -> None:
    assert instruction("FROM").startswith("python:3.11-slim")
    assert instruction("USER") not in ("root", "0")
    assert exec_form("VOLUME") == ["/data"]
    config = load_config(ROOT / "deploy" / "config.docker.toml", env={})
    assert config.database.path == "/data/paperboy.db"
    assert config.ops.listen == "127.0.0.1:9300"
    assert config.sources.huggingface  # a container delivers real days too
    assert exec_form("ENTRYPOINT") + exec_form("CMD") == ["python", "-m", "bot", "run"]
    assert "python -m bot health" in " ".join(exec_form("HEALTHCHECK --interval=60s"))


def test_the_entrypoint_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    argv = exec_form("ENTRYPOINT") + exec_form("CMD")
    result = subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=tmp_path,
        env={"PAPERBOY_CONFIG": str(image_config(tmp_path)), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "paperboy needs a Discord bot token to run." in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_health_check_passes_while_the_entrypoint_runs_and_fails_after(
    tmp_path: Path,
) -> None:
    from tests.test_ops import free_port

    listen = f"127.0.0.1:{free_port()}"
    config = image_config(tmp_path, listen)
    fake = FakeDiscord()
    await fake.start()
    fake.add_guild()
    try:
        async with launched(fake.base_url, config) as bot:
            await bot.line_with("health and metrics on")
            await bot.line_with("logged in as")
            healthy = cli("health", PAPERBOY_CONFIG=str(config))
            assert await bot.stop(signal.SIGTERM) == 0
    finally:
        await fake.stop()
    assert healthy.returncode == 0, healthy.stderr
    assert json.loads(healthy.stdout)["ok"] is True
    assert (tmp_path / "paperboy.db").is_file()  # on the "volume"
    stopped = cli("health", PAPERBOY_CONFIG=str(config))
    assert stopped.returncode == 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    text = UNIT.read_text("utf-8")
    assert "Restart=on-failure" in text and "EnvironmentFile=/etc/paperboy/paperboy.env" in text
    assert "After=network-online.target" in text
    # verify checks that ExecStart exists: point it at this Python for the check.
    unit = tmp_path / "paperboy.service"
    unit.write_text(text.replace("/opt/paperboy/bin/python", sys.executable), "utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_compose_reads_the_token_from_an_env_file_that_git_ignores() -> None:
    compose = (ROOT / "compose.yaml").read_text("utf-8")
    assert "env_file: paperboy.env" in compose and "- paperboy-data:/data" in compose
    assert "DISCORD_TOKEN=" in (ROOT / "paperboy.env.example").read_text("utf-8")
    ignored = subprocess.run(
        ["git", "check-ignore", "paperboy.env", "config.toml", "paperboy.db", ".venv/x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == ["paperboy.env", "config.toml", "paperboy.db", ".venv/x"]
