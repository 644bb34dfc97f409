"""The user's configuration: one optional TOML file, validated by pydantic."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from maestro.model import EscalationContact, Model, Severity
from maestro.notify.channel import NotifyChannel

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
    responder: str | None = None
    """Who you are in the timeline (`--as NAME` wins); default: the login behind the account."""
    notify: list[NotifyChannel] = []

    @model_validator(mode="after")
    def _notify_names_resolve(self) -> Config:
        names = [c.name for c in self.notify]
        if len(set(names)) != len(names):
            raise ValueError("two [[notify]] channels share a name; give each its own")
        for contact in self.escalation:
            if contact.notify and contact.notify not in names:
                raise ValueError(
                    f"escalation contact {contact.role!r} names notify channel {contact.notify!r}, "
                    f"which no [[notify]] entry defines"
                )
        return self

    def notify_channel(self, name: str) -> NotifyChannel | None:
        return next((c for c in self.notify if c.name == name), None)


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
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config {path} is not UTF-8 text (byte {exc.object[exc.start]:#x} at offset {exc.start}); save it as UTF-8"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"config {path} is a folder, not a file; pass --config with the file") from None
    except PermissionError:
        raise ConfigError(f"config {path} cannot be read (permission denied); check its permissions") from None
    except OSError as exc:
        reason = exc.strerror or exc
        raise ConfigError(f"config {path} cannot be read ({reason}); pass --config with another file") from None
    return parse(text, path)


def parse(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path}: not valid TOML ({exc}); fix it or run `maestro-tui config check`") from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        key = ".".join(str(p) for p in first["loc"])
        line = _line_of(text, list(first["loc"]))
        where = f" (line {line})" if line else ""
        if first["type"] == "extra_forbidden":
            raise ConfigError(f"config {path}: unknown key `{key}`{where}; check its spelling") from None
        message = first["msg"].removeprefix("Value error, ")
        if not key:
            raise ConfigError(f"config {path}: {message}") from None
        raise ConfigError(f"config {path}: key `{key}`{where}: {message}") from None
    if config.runbook_dir is not None and not config.runbook_dir.is_absolute():
        config = config.model_copy(update={"runbook_dir": (path.parent / config.runbook_dir).resolve()})
    return config


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _line_of(text: str, loc: list[str | int]) -> int | None:
    """Best-effort line of the key a validation error points at, looked for inside its own table.

    The leading names of `loc` are followed through `[table]` / `[[table]]` headers (the n-th one for an
    index), then the next name is looked for as a key inside that table's lines.
    """
    lines = text.splitlines()
    headers = [
        (n, m.group(2).replace(" ", "").replace('"', "")) for n, line in enumerate(lines) if (m := _HEADER.match(line))
    ]
    start, end, table, i = 0, len(lines), "", 0
    while i < len(loc) and isinstance(loc[i], str):
        dotted = f"{table}.{loc[i]}" if table else str(loc[i])
        index = loc[i + 1] if i + 1 < len(loc) and isinstance(loc[i + 1], int) else None
        found = [n for n, name in headers if start <= n < end and name == dotted]
        if not found or (index is not None and index >= len(found)):
            break
        start = found[index or 0]
        end = next((n for n, name in headers if n > start and not name.startswith(f"{dotted}.")), len(lines))
        table, i = dotted, i + 1 + (index is not None)
    names = [k for k in loc[i:] if isinstance(k, str)]
    if names:
        key = re.compile(rf"""^\s*["']?{re.escape(names[0])}["']?\s*[=.]""")
        for number in range(start, end):
            if key.match(lines[number]):
                return number + 1
    return start + 1 if table else None


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
