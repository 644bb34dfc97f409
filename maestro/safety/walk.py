"""Walking a shell script: every simple command, substitution and redirection it runs, judged."""

from __future__ import annotations

import re

from maestro.safety import (
    docker,
    http_clients,
    interpreters,
    kubectl,
    redis,
    sql,
    sql_clients,
    system,
    tools,
    wrappers,
)
from maestro.safety.context import (
    DES,
    HARMLESS_TARGETS,
    MUT,
    OK,
    RO,
    RUNS_VIA,
    SYSTEM_PATH,
    Context,
    Finding,
    Handler,
    unreadable,
)
from maestro.safety.lexer import ASSIGNMENT, SUB, Lexer, Simple, computed

_MAX_DEPTH = 12
_TOO_DEEP: Finding = (MUT, "nested too deeply to check")
_LEADING_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})
_HEADER_KEYWORDS = frozenset({"for", "case", "select", "fi", "done", "esac", "}", "function", "in"})
_BLOCK_DEVICE = re.compile(r"/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|md|dm-|loop|disk/|mapper/)")
_BRACE = re.compile(r"\{([^{}\s]*(?:,|\.\.)[^{}\s]*)\}")
_MAX_EXPANSION = 64
_NETWORK = frozenset(
    {"curl", "wget", "dig", "nslookup", "host", "ping", "ping6", "nc", "ncat", "netcat", "whois", "traceroute"}
)
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
    **interpreters.HANDLERS,
}


def script(text: str, depth: int, stdin: str | None = None) -> list[Finding]:
    """Findings for every command of a shell script; `stdin` feeds the first command of each pipeline."""
    if depth > _MAX_DEPTH:
        return [_TOO_DEEP]
    lexer = Lexer(text).run()
    out: list[Finding] = [unreadable(why) for why in lexer.hidden]
    for sub in lexer.subs:
        out += script(sub, depth + 1)
    for pipeline in lexer.pipelines:
        feed = stdin
        for place, command in enumerate(pipeline):
            given = command.stdin if command.stdin is not None else feed
            piped = given is None and (place > 0 or any(op.endswith("<") for op, _ in command.redirects))
            words, found = _expanded(command)
            out += found
            out += simple(words, given, depth, broad=False, piped=piped)
            out += _redirects(command.redirects)
            feed = _output_of(words, given)
    return out


def _expanded(command: Simple) -> tuple[list[str], list[Finding]]:
    """The words after brace expansion; a command name built by braces or a wildcard cannot be read."""
    found: list[Finding] = []
    name = _command_index(command.words)
    if name in command.braced:
        found.append(unreadable("brace expansion builds the command name"))
    if name in command.globbed:
        found.append(unreadable("a wildcard picks the command"))
    if not command.braced:
        return command.words, found
    words: list[str] = []
    for i, word in enumerate(command.words):
        words += _brace_expand(word) if i in command.braced else [word]
    # Each alternative alone is judged too: `docker {service,node} rm web` reads as either removal.
    for i in sorted(command.braced)[:4]:
        for choice in _BRACE.sub(lambda m: m.group(1), command.words[i]).replace("..", ",").split(",")[:8]:
            alone = [*command.words[:i], choice, *command.words[i + 1 :]]
            found += [f for f in simple(alone, None, 1, broad=False) if f[0] is DES]
    return words, found


def _brace_expand(word: str) -> list[str]:
    out, todo = [], [word]
    while todo and len(out) + len(todo) <= _MAX_EXPANSION:
        current = todo.pop(0)
        m = _BRACE.search(current)
        if m is None:
            out.append(current)
            continue
        body = m.group(1)
        if "," in body:
            parts = body.split(",")
        else:
            first, _, last = body.partition("..")
            parts = (
                [str(n) for n in range(int(first), int(last) + 1)][:_MAX_EXPANSION]
                if first.lstrip("-").isdigit() and last.lstrip("-").isdigit()
                else [first, last]
            )
        todo += [current[: m.start()] + part + current[m.end() :] for part in parts]
    return out + todo


def _command_index(words: list[str]) -> int:
    i = 0
    while i < len(words) and (ASSIGNMENT.match(words[i]) or words[i] in _LEADING_KEYWORDS):
        i += 1
    return i


def simple(words: list[str], stdin: str | None, depth: int, *, broad: bool, piped: bool = False) -> list[Finding]:
    """Findings for one simple command given as words."""
    if depth > _MAX_DEPTH:
        return [_TOO_DEEP]
    i = _command_index(words)
    found: list[Finding] = [
        unreadable(f"{w.split('=', 1)[0]} changes which program runs or what it runs")
        for w in words[:i]
        if RUNS_VIA.match(w)
    ]
    args = words[i:]
    if args and args[0] == "function":
        return [*found, unreadable(f"defines the function {' '.join(args[1:2])}".rstrip())]
    if not args or args[0] in _HEADER_KEYWORDS:
        return found or [OK]
    if "$" in args[0] or SUB in args[0]:
        return [*found, unreadable("the command name comes from a variable or the output of another command")]
    if "\n" in args[0]:
        return [*found, unreadable("the command name spans lines")]
    prog = _program(args[0])
    if prog in _NETWORK and computed(args[1:]):
        found.append((MUT, f"{prog} sends the output of another command over the network"))
    handler = _handler(prog)
    if handler:
        return found + handler(_Walking(prog, args[1:], stdin, depth, broad, piped))
    if prog in tools.READ_ONLY:
        return found or [OK]
    reason = tools.NAMED.get(prog) or f"{prog or 'this command'} is not known to be read-only"
    return [*found, (MUT, reason), *_sniff(args[1:])]


class _Walking(Context):
    __slots__ = ()

    def argv(self, argv: list[str], *, broad: bool = False) -> list[Finding]:
        return simple(argv, self.stdin, self.depth + 1, broad=broad, piped=self.piped)

    def script(self, text: str, *, stdin: str | None) -> list[Finding]:
        return script(text, self.depth + 1, stdin)


def _handler(prog: str) -> Handler | None:
    if found := _HANDLERS.get(prog):
        return found
    if prog.startswith("mkfs."):
        return system.disk
    return interpreters.HANDLERS["python"] if interpreters.interpreter_name(prog) else None


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _redirects(redirects: list[tuple[str, str]]) -> list[Finding]:
    out: list[Finding] = []
    for op, target in redirects:
        if ">" not in op or target in HARMLESS_TARGETS or (op.endswith("&") and target.isdigit()):
            continue
        if target.startswith(("/dev/tcp/", "/dev/udp/")):
            out.append(unreadable(f"connects this command to the remote host {target} (a reverse shell)"))
        elif _BLOCK_DEVICE.match(target):
            out.append((DES, f"writes straight over the block device {target}"))
        elif SYSTEM_PATH.match(target):
            out.append((DES, f"{'appends to' if '>>' in op else 'overwrites'} the system file {target}"))
        else:
            out.append((MUT, f"{'appends to' if '>>' in op else 'overwrites'} the file {target}"))
    return out


def _output_of(words: list[str], stdin: str | None) -> str | None:
    """What a command writes to the next one of a pipeline, when it is plain to see."""
    args = [w for w in words if not ASSIGNMENT.match(w)]
    prog = _program(args[0]) if args else ""
    if prog == "echo":
        shown = [a for a in args[1:] if a not in ("-n", "-e", "-E")]
        return None if "-e" in args and any("\\" in a for a in shown) else " ".join(shown)
    if prog == "printf":
        text = " ".join(args[1:]).replace("\\n", "\n")
        return None if "\\" in text or "%" in text else text
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
