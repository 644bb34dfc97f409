"""What every command handler works with: findings, and the simple command being judged."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from maestro.model import Danger

RO, MUT, DES = Danger.READ_ONLY, Danger.MUTATING, Danger.DESTRUCTIVE
RANK = {danger: danger.rank for danger in Danger}

Finding = tuple[Danger, str]
OK: Finding = (RO, "")
# Variables that decide which program runs or what it runs: setting them runs something unseen.
RUNS_VIA = re.compile(
    r"(?:PATH|LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT|BASH_ENV|ENV|PROMPT_COMMAND|PS[0-4]|IFS|\w*PAGER|EDITOR|VISUAL"
    r"|LESSOPEN|LESSCLOSE|GIT_SSH|GIT_SSH_COMMAND|GIT_EXTERNAL_DIFF|GIT_ASKPASS|SSH_ASKPASS|GIT_EDITOR"
    r"|GIT_CONFIG_\w+|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|PERL5LIB|RUBYOPT|NODE_OPTIONS|BROWSER|SHELLOPTS|BASHOPTS)"
    r"\+?="
)
# Files whose loss or rewrite breaks the machine: writing them over is destructive.
SYSTEM_PATH = re.compile(
    r"/(?:(?:etc|boot|bin|sbin|lib|lib64|usr|var/lib|proc|sys|root/\.ssh)(?:/|$)|dev/(?!null$|stdout$|stderr$|tty$|fd/))"
)
UNREADABLE = "cannot tell what this runs"


def unreadable(why: str) -> Finding:
    """A command whose effect cannot be read from its text: destructive until a person has looked."""
    return (DES, f"{UNREADABLE}: {why}")


HARMLESS_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "-"})


def word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


@dataclass(slots=True)
class Context(ABC):
    """A simple command being judged (`prog` lowercased, without its directory) and the way to judge
    what it runs. `broad` is set when its arguments are a computed set (fed by xargs or find -exec);
    `piped` when its input comes from another program or a file and `stdin` cannot show it."""

    prog: str
    args: list[str]
    stdin: str | None
    depth: int
    broad: bool
    piped: bool = False

    @abstractmethod
    def argv(self, argv: list[str], *, broad: bool = False) -> list[Finding]:
        """Findings for a command this one runs with the given words, reading this one's input."""

    @abstractmethod
    def script(self, text: str, *, stdin: str | None) -> list[Finding]:
        """Findings for a shell script this one runs."""


Handler = Callable[[Context], list[Finding]]
