"""Danger labels for shell commands, decided locally from what each command does.

The label of a command line is the most dangerous label of anything it runs. Pipes,
lists, substitutions, here-docs, line continuations and wrappers (sudo, env, ssh,
sh -c, xargs, watch, timeout, docker exec, find -exec ...) are looked through; SQL
given to psql or mysql and commands given to redis-cli are read as well. A command
not known to be read-only counts as mutating.

Decisions worth knowing:
- A placeholder for a value to fill in (`<SERVICE>`, `<NAME>=<VALUE>`) is part of a
  word, never a redirection: the command is judged as it will run once filled in.
- pg_terminate_backend whose WHERE narrows every branch to idle sessions
  (state 'idle', 'idle in transaction') or to explicit pids is mutating: it rolls back
  open transactions and drops clients, but ends no running work. Without such a
  WHERE, `pid <> pg_backend_pid()` included, it ends every session: destructive.
- Redis DEL/UNLINK of keys named literally is mutating; fed by xargs, a substitution
  or a key that looks like a pattern it is destructive.
- kill -9, docker rm/stop/kill and rm of a computed set (xargs, substitution) are
  destructive; of named targets they are mutating.
- Writing a local file (`> file`, curl -o, tee, sed -i) is mutating; over a system path, destructive.
- Control characters and line separators (\\r, \\x0b, \\x0c, \\x85, U+2028 ...) end a command the way a
  newline does when pasted, and hide what follows them on screen: a command holding one is destructive.
  So are invisible characters (zero-width, bidi overrides) that make the shown text differ from the run one.
- What cannot be read from the text is destructive: a command named by a variable, braces or a wildcard;
  eval, source, aliases and function definitions; interpreters given code; shells fed by a pipe or a file.
"""

from __future__ import annotations

import re
from functools import lru_cache

from maestro.model import Command, Danger
from maestro.safety.context import DES, RANK, RO, Finding
from maestro.safety.walk import script

# Every character that ends a line for a terminal or a shell paste, or hides or reorders text.
_SEPARATORS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE = re.compile(r"[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")

__all__ = ["checked", "classify", "labelled", "reasons"]


def classify(text: str) -> Danger:
    """The most dangerous label of any part of the command line."""
    return _assess(text)[0]


def reasons(text: str) -> list[str]:
    """Short human reasons behind a mutating or destructive label, most dangerous first."""
    return list(_assess(text)[1])


def labelled(command: Command) -> Command:
    """A copy of the command with its danger decided from its text."""
    return command.model_copy(update={"danger": classify(command.text)})


def checked(command: Command) -> Command:
    """The command with its label raised to what its text does; a label given upstream is never lowered."""
    danger = Danger.worst(command.danger, classify(command.text))
    return command if danger is command.danger else command.model_copy(update={"danger": danger})


def _hidden(text: str) -> list[Finding]:
    found: list[Finding] = []
    if controls := sorted(set(_SEPARATORS.findall(text))):
        shown = " ".join(f"U+{ord(c):04X}" for c in controls)
        found.append((DES, f"contains control characters ({shown}): what runs is not what is shown"))
    if invisible := sorted(set(_INVISIBLE.findall(text))):
        shown = " ".join(f"U+{ord(c):04X}" for c in invisible)
        found.append((DES, f"contains invisible characters ({shown}): what runs is not what is shown"))
    return found


@lru_cache(maxsize=4096)
def _assess(text: str) -> tuple[Danger, tuple[str, ...]]:
    hidden = _hidden(text)
    if hidden:
        text = _INVISIBLE.sub("", _SEPARATORS.sub("\n", text))
    findings = sorted(hidden + script(text, 0), key=lambda f: -RANK[f[0]])
    danger = findings[0][0] if findings else RO
    why = dict.fromkeys(reason for level, reason in findings if level is not RO and reason)
    return danger, tuple(why)
