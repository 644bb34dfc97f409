"""The user's configuration: one optional TOML file, validated by pydantic."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from pydantic import Field, ValidationError

from maestro.model import EscalationContact, Model, Severity

EXAMPLE_RESOURCE = "config_example.toml"


class Channel(Model):
    name: str
    kind: str = ""
    purpose: str = ""


class Dashboard(Model):
    name: str
    url: str
    use_for: str = ""


class ClaudeConfig(Model):
    model: str | None = None
    max_tokens: int = Field(default=8192, gt=0)
    timeout_s: float = Field(default=60.0, gt=0)
    base_url: str | None = None


def _default_chain() -> list[EscalationContact]:
    return [
        EscalationContact(
            role="On-Call Engineer",
            contact="PagerDuty",
            escalate_if=["Initial response", "P2 incidents"],
        ),
        EscalationContact(
            role="Team Lead",
            escalate_if=["P1 not resolved in 1 hour", "P0 needs an architectural decision"],
            after_minutes={Severity.P0: 30, Severity.P1: 60},
        ),
        EscalationContact(
            role="Infrastructure Manager",
            escalate_if=[
                "Multiple services affected",
                "Data integrity risk",
                "Customer communication needed",
            ],
            after_minutes={Severity.P0: 60, Severity.P1: 120},
        ),
        EscalationContact(
            role="CTO",
            escalate_if=["Major outage (> 4 hours)", "Data loss occurred", "Security breach"],
            after_minutes={Severity.P0: 240},
        ),
    ]


def _default_channels() -> list[Channel]:
    return [
        Channel(name="#incidents", kind="Slack", purpose="Team coordination"),
        Channel(name="#status-updates", kind="Slack", purpose="Stakeholder updates"),
        Channel(name="PagerDuty", kind="Paging", purpose="Escalation and on-call"),
    ]


class Config(Model):
    escalation: list[EscalationContact] = Field(default_factory=_default_chain, min_length=1)
    channels: list[Channel] = Field(default_factory=_default_channels)
    status_page: str = ""
    dashboards: list[Dashboard] = []
    service_aliases: dict[str, str] = {}
    runbook_dir: Path | None = None
    poll_interval_s: float = Field(default=2.0, ge=0.2, le=300)
    docker_host: str | None = None
    claude: ClaudeConfig = ClaudeConfig()


class ConfigError(ValueError):
    """A config file that cannot be used; the message is one line a person can act on."""


def load(path: Path, *, required: bool = False) -> Config:
    """Read and validate a config file; a missing file gives the defaults unless required."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"config {path} does not exist; create it with `maestro-tui config init`") from None
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config {path} cannot be read ({exc}); check its permissions") from None
    return parse(text, path)


def parse(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path}: not valid TOML ({exc}); fix it or run `maestro-tui config check`") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        line = _line_of(text, [str(p) for p in first["loc"] if isinstance(p, str)])
        where = f" (line {line})" if line else ""
        raise ConfigError(f"config {path}: key `{key}`{where}: {first['msg']}") from None
    if config.runbook_dir is not None and not config.runbook_dir.is_absolute():
        config = config.model_copy(update={"runbook_dir": (path.parent / config.runbook_dir).resolve()})
    return config


def _line_of(text: str, keys: list[str]) -> int | None:
    """Best-effort line number of the innermost key named in a validation error."""
    for key in reversed(keys):
        pattern = re.compile(rf'^\s*(\[+\s*)?("?){re.escape(key)}\2\s*(=|\]|\.)')
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.match(line):
                return number
    return None


def example_text() -> str:
    from importlib import resources

    return resources.files("maestro").joinpath(EXAMPLE_RESOURCE).read_text(encoding="utf-8")


def write_example(path: Path, *, force: bool = False) -> None:
    if path.exists() and not force:
        raise ConfigError(f"config {path} already exists; pass --force to replace it")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.is_symlink():
            raise ConfigError(f"config {path} is a symbolic link; remove it or choose another path with --config")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(example_text())
    except OSError as exc:
        raise ConfigError(f"cannot write {path} ({exc.strerror}); choose another path with --config") from None
