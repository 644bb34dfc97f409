"""What every command handler works with: findings, and the simple command being judged."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from maestro.model import Danger

RO, MUT, DES = Danger.READ_ONLY, Danger.MUTATING, Danger.DESTRUCTIVE
RANK = {danger: danger.rank for danger in Danger}

Finding = tuple[Danger, str]
OK: Finding = (RO, "")
HARMLESS_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "-"})


def word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


@dataclass(slots=True)
class Context(ABC):
    """A simple command being judged (`prog` lowercased, without its directory) and the way to judge
    what it runs. `broad` is set when its arguments are a computed set (fed by xargs or find -exec)."""

    prog: str
    args: list[str]
    stdin: str | None
    depth: int
    broad: bool

    @abstractmethod
    def argv(self, argv: list[str], *, broad: bool = False) -> list[Finding]:
        """Findings for a command this one runs with the given words, reading this one's input."""

    @abstractmethod
    def script(self, text: str, *, stdin: str | None) -> list[Finding]:
        """Findings for a shell script this one runs."""


Handler = Callable[[Context], list[Finding]]
