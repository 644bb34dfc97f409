"""Walking a shell script: every simple command, substitution and redirection it runs, judged."""

from __future__ import annotations

import re

from maestro.safety import docker, http_clients, kubectl, redis, sql, sql_clients, system, tools, wrappers
from maestro.safety.context import DES, HARMLESS_TARGETS, MUT, OK, RO, Context, Finding, Handler
from maestro.safety.lexer import ASSIGNMENT, Lexer

_MAX_DEPTH = 12
_TOO_DEEP: Finding = (MUT, "nested too deeply to check")
_LEADING_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})
_HEADER_KEYWORDS = frozenset({"for", "case", "select", "fi", "done", "esac", "}", "function", "in"})
_BLOCK_DEVICE = re.compile(r"/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|md|dm-|loop|disk/|mapper/)")
_SQL_LIKE = re.compile(
    r"\s*(?:select|with|insert|update|delete|drop|truncate|alter|create|grant|revoke)\s", re.IGNORECASE
)
_HANDLERS: dict[str, Handler] = {
    **wrappers.HANDLERS,
    **docker.HANDLERS,
    **kubectl.HANDLERS,
    **redis.HANDLERS,
    **sql_clients.HANDLERS,
    **http_clients.HANDLERS,
    **system.HANDLERS,
    **tools.HANDLERS,
}


def script(text: str, depth: int, stdin: str | None = None) -> list[Finding]:
    """Findings for every command of a shell script; `stdin` feeds the first command of each pipeline."""
    if depth > _MAX_DEPTH:
        return [_TOO_DEEP]
    lexer = Lexer(text).run()
    out: list[Finding] = []
    for sub in lexer.subs:
        out += script(sub, depth + 1)
    for pipeline in lexer.pipelines:
        feed = stdin
        for command in pipeline:
            given = command.stdin if command.stdin is not None else feed
            out += simple(command.words, given, depth, broad=False)
            out += _redirects(command.redirects)
            feed = _output_of(command.words, given)
    return out


def simple(words: list[str], stdin: str | None, depth: int, *, broad: bool) -> list[Finding]:
    """Findings for one simple command given as words."""
    if depth > _MAX_DEPTH:
        return [_TOO_DEEP]
    i = 0
    while i < len(words) and (ASSIGNMENT.match(words[i]) or words[i] in _LEADING_KEYWORDS):
        i += 1
    args = words[i:]
    if not args or args[0] in _HEADER_KEYWORDS:
        return [OK]
    prog = _program(args[0])
    handler = _HANDLERS.get(prog) or (system.disk if prog.startswith("mkfs.") else None)
    if handler:
        return handler(_Walking(prog, args[1:], stdin, depth, broad))
    if prog in tools.READ_ONLY:
        return [OK]
    reason = tools.NAMED.get(prog) or f"{prog or 'this command'} is not known to be read-only"
    return [(MUT, reason), *_sniff(args[1:])]


class _Walking(Context):
    __slots__ = ()

    def argv(self, argv: list[str], *, broad: bool = False) -> list[Finding]:
        return simple(argv, self.stdin, self.depth + 1, broad=broad)

    def script(self, text: str, *, stdin: str | None) -> list[Finding]:
        return script(text, self.depth + 1, stdin)


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _redirects(redirects: list[tuple[str, str]]) -> list[Finding]:
    out: list[Finding] = []
    for op, target in redirects:
        if ">" not in op or target in HARMLESS_TARGETS or (op.endswith("&") and target.isdigit()):
            continue
        if _BLOCK_DEVICE.match(target):
            out.append((DES, f"writes straight over the block device {target}"))
        else:
            out.append((MUT, f"{'appends to' if '>>' in op else 'overwrites'} the file {target}"))
    return out


def _output_of(words: list[str], stdin: str | None) -> str | None:
    """What a command writes to the next one of a pipeline, when it is plain to see."""
    args = [w for w in words if not ASSIGNMENT.match(w)]
    prog = _program(args[0]) if args else ""
    if prog == "echo":
        return " ".join(a for a in args[1:] if a not in ("-n", "-e", "-E"))
    if prog == "printf":
        return " ".join(args[1:]).replace("\\n", "\n")
    if prog == "cat" and len(args) == 1:
        return stdin
    return None


def _sniff(args: list[str]) -> list[Finding]:
    """Arguments of an unknown program that are plainly Redis or SQL commands."""
    out: list[Finding] = []
    for a in args:
        if a.upper() in ("FLUSHALL", "FLUSHDB"):
            out.append(redis.command([a], broad=False))
        elif _SQL_LIKE.match(a):
            out += [f for f in sql.judge(a) if f[0] is not RO]
    return out
