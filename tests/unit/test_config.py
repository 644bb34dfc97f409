from __future__ import annotations

import re
from pathlib import Path

import pytest

from maestro import config
from maestro.model import Severity


def test_defaults_follow_the_brief_chain() -> None:
    chain = config.Config().escalation
    assert [c.role for c in chain] == ["On-Call Engineer", "Team Lead", "Infrastructure Manager", "CTO"]
    assert chain[1].after_minutes == {Severity.P0: 30, Severity.P1: 60}
    assert chain[2].after_minutes == {}, "the Infrastructure Manager is reached by conditions, not by a timer"
    assert chain[3].after_minutes == {Severity.P0: 240}


def test_missing_file_gives_defaults_unless_required(tmp_path: Path) -> None:
    assert config.load(tmp_path / "none.toml") == config.Config()
    with pytest.raises(config.ConfigError, match="config init"):
        config.load(tmp_path / "none.toml", required=True)


def test_example_is_valid_and_written_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    config.write_example(path)
    loaded = config.load(path, required=True)
    assert loaded.escalation[3].role == "CTO"
    assert loaded.dashboards and loaded.service_aliases["api"] == "opendeepsearch_api"
    with pytest.raises(config.ConfigError, match="--force"):
        config.write_example(path)


def test_the_commented_notify_examples_are_valid_once_uncommented() -> None:
    text = re.sub(
        r"^# (notify = |\[\[notify\]\]|name = |kind = |url_env = |url = |routing_key_env = )",
        r"\1",
        config.example_text(),
        flags=re.M,
    )
    loaded = config.parse(text, Path("config.toml"))
    assert [(c.name, c.kind.value) for c in loaded.notify] == [
        ("incidents", "slack"),
        ("ops-webhook", "webhook"),
        ("pager", "pagerduty"),
    ]
    assert [c.notify for c in loaded.escalation] == ["pager", "incidents", "ops-webhook", "ops-webhook"]


def test_config_init_writes_a_private_file_and_refuses_a_planted_symlink(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "config.toml"
    config.write_example(path)
    assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    path.chmod(0o644)
    config.write_example(path, force=True)
    assert path.stat().st_mode & 0o777 == 0o600
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    planted = tmp_path / "planted.toml"
    planted.symlink_to(victim)
    with pytest.raises(config.ConfigError, match="is a symbolic link"):
        config.write_example(planted, force=True)
    assert victim.read_text() == "keep\n"


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("poll_interval_s = 0.01\n", "poll_interval_s", 1),
        ("status_page = 'x'\n\n[claude]\nmax_tokens = -1\n", "claude.max_tokens", 4),
        ("colour = 'red'\n", "colour", 1),
        ("[[escalation]]\nrole = 'x'\nafter_minutes = { P5 = 3 }\n", "escalation.0.after_minutes.P5", 3),
        ("[claude]\nmodel = 'x'\n\n[[dashboards]]\nname = 'a'\nurl = 'u'\nmodel = 'y'\n", "dashboards.0.model", 7),
        ("[[escalation]]\nrole = 'a'\n\n[[escalation]]\nrole = 'b'\nrol = 'c'\n", "escalation.1.rol", 6),
        ("[claude]\nmax_tokns = 5\n", "claude.max_tokns", 2),
    ],
)
def test_bad_key_is_named_with_its_line(tmp_path: Path, text: str, key: str, line: int) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(config.ConfigError) as info:
        config.load(path)
    message = str(info.value)
    assert f"`{key}" in message and f"(line {line})" in message and "\n" not in message


def test_broken_toml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("status_page = \n")
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load(path)


def test_relative_runbook_dir_is_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("runbook_dir = 'books'\n")
    assert config.load(path).runbook_dir == tmp_path / "books"


def test_unknown_key_is_called_unknown(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[claude]\nmodel = 'x'\nmax_tokns = 5\n")
    with pytest.raises(config.ConfigError) as info:
        config.load(path)
    assert str(info.value) == f"config {path}: unknown key `claude.max_tokns` (line 3); check its spelling"


def test_unreadable_config_says_what_is_wrong(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.toml"
    latin.write_bytes(b"status_page = '\xe9'\n")
    with pytest.raises(config.ConfigError) as info:
        config.load(latin)
    assert str(info.value) == f"config {latin} is not UTF-8 text (byte 0xe9 at offset 15); save it as UTF-8"
    with pytest.raises(config.ConfigError) as info:
        config.load(tmp_path)
    assert str(info.value) == f"config {tmp_path} is a folder, not a file; pass --config with the file"
