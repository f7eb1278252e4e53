"""A config with a wrong type names the key and the type it got, and never echoes the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.secret-token-value"


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ("12345678901234567890", "int"),
        (f'["{SECRET}"]', "list"),
        (f'{{ value = "{SECRET}" }}', "dict"),
        ("true", "bool"),
        ("1.5e300", "float"),
    ],
)
def test_a_token_of_the_wrong_type_is_named_by_its_type_only(
    tmp_path: Path, value: str, got: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[bot]\ntoken = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    message = str(error.value)
    assert message == f"{path}: [bot] token must be str, got {got}"
    assert SECRET not in message and "1234567890" not in message


def test_other_keys_still_show_a_short_value(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[sources]\nretries = "three"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[sources\] retries must be int, got str 'three'"):
        load_config(path, env={})


def test_a_long_wrong_value_is_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[sources]\nretries = "{"x" * 5000}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert len(str(error.value)) < len(str(path)) + 100
