"""The quick reference's emergency commands, filled with the affected services and labelled by safety."""

from __future__ import annotations

import functools
import shlex
import tomllib
from collections.abc import Mapping, Sequence

from maestro.model import Command, Evidence, Model
from maestro.safety import labelled

SERVICE = "<SERVICE>"
REDIS_SERVICE = "<REDIS_SERVICE>"
IMAGE = "<IMAGE>"


class _Template(Model):
    text: str
    purpose: str


class _SectionTemplate(Model):
    title: str
    commands: list[_Template]


class _Sections(Model):
    section: list[_SectionTemplate]


class EmergencySection(Model):
    title: str
    commands: list[Command]


@functools.cache
def _templates() -> tuple[_SectionTemplate, ...]:
    from importlib import resources

    raw = resources.files("maestro").joinpath("emergency.toml").read_text(encoding="utf-8")
    return tuple(_Sections.model_validate(tomllib.loads(raw)).section)


def emergency_sections(
    services: Sequence[str] = (), redis_service: str = "", images: Mapping[str, str] | None = None
) -> list[EmergencySection]:
    """Every section; a command about `{service}` is repeated for each service, or shows <SERVICE>.

    `images` (service name to image) fills `{repository}` for that service; without it <IMAGE> stays.
    """
    names = list(services) or [""]
    redis = shlex.quote(redis_service) if redis_service else REDIS_SERVICE
    sections = []
    for section in _templates():
        commands: list[Command] = []
        for template in section.commands:
            for name in names if "{service}" in template.text else [""]:
                repository = repository_of((images or {}).get(name, ""))
                fill = {
                    "service": shlex.quote(name) if name else SERVICE,
                    "redis_service": redis,
                    "repository": shlex.quote(repository) if repository else IMAGE,
                }
                commands.append(
                    labelled(Command(text=template.text.format(**fill), purpose=template.purpose.format(**fill)))
                )
        sections.append(EmergencySection(title=section.title, commands=commands))
    return sections


def repository_of(image: str) -> str:
    """`registry:5000/shop/api:2.3@sha256:...` without tag and digest: `registry:5000/shop/api`."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def service_like(evidence: Evidence | None, word: str) -> str:
    """The first service whose name or image mentions `word` (e.g. the Redis one), or ""."""
    services = evidence.services if evidence else []
    return next((s.name for s in services if word in s.name.lower() or word in s.image.lower()), "")
