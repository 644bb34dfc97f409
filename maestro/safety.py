"""Danger labels for shell commands, decided locally from what each command does.

The label of a command line is the most dangerous label of anything it runs. Pipes,
lists, substitutions, here-docs, line continuations and wrappers (sudo, env, ssh,
sh -c, xargs, watch, timeout, docker exec, find -exec ...) are looked through; SQL
given to psql or mysql and commands given to redis-cli are read as well. A command
not known to be read-only counts as mutating.

Decisions worth knowing:
- pg_terminate_backend whose WHERE narrows every branch to idle sessions
  (state 'idle', 'idle in transaction') or to explicit pids is mutating: it rolls back
  open transactions and drops clients, but ends no running work. Without such a
  WHERE, `pid <> pg_backend_pid()` included, it ends every session: destructive.
- Redis DEL/UNLINK of keys named literally is mutating; fed by xargs, a substitution
  or a key that looks like a pattern it is destructive.
- kill -9, docker rm/stop/kill and rm of a computed set (xargs, substitution) are
  destructive; of named targets they are mutating.
- Writing a local file (`> file`, curl -o, tee, sed -i) is mutating.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from maestro.model import Command, Danger

RO, MUT, DES = Danger.READ_ONLY, Danger.MUTATING, Danger.DESTRUCTIVE
_RANK = {RO: 0, MUT: 1, DES: 2}

Finding = tuple[Danger, str]
_OK: Finding = (RO, "")
_SUB = "\x00"  # stands for the output of a command substitution
_MAX_DEPTH = 12


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def classify(text: str) -> Danger:
    """The most dangerous label of any part of the command line."""
    return _assess(text)[0]


def reasons(text: str) -> list[str]:
    """Short human reasons behind a mutating or destructive label, most dangerous first."""
    return list(_assess(text)[1])


def labelled(command: Command) -> Command:
    return command.model_copy(update={"danger": classify(command.text)})


@lru_cache(maxsize=4096)
def _assess(text: str) -> tuple[Danger, tuple[str, ...]]:
    findings = sorted(_script(text, 0), key=lambda f: -_RANK[f[0]])
    danger = findings[0][0] if findings else RO
    why = dict.fromkeys(reason for level, reason in findings if level is not RO and reason)
    return danger, tuple(why)


# --- shell lexing ---------------------------------------------------------------


@dataclass
class _Simple:
    words: list[str] = field(default_factory=list)
    redirects: list[tuple[str, str]] = field(default_factory=list)
    stdin: str | None = None


_PLAIN = re.compile(r"[^\s|&;<>()\\'\"$`]+")
_DQ_PLAIN = re.compile(r'[^"\\$`]+')
_REDIRECT = re.compile(r"\d*(?:<<<|<<-|<<|<>|<&|>>|>&|>\||>|<)|&>>|&>")
_BREAK = frozenset(" \t\r\n|&;<>()")


class _Lexer:
    """Splits a shell script into pipelines of simple commands, never raising.

    Command substitutions are collected in `subs` and leave `_SUB` in their word;
    unbalanced quotes run to the end of the text.
    """

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.subs: list[str] = []
        self.pipelines: list[list[_Simple]] = []
        self._pipeline: list[_Simple] = []
        self._cur = _Simple()
        self._heredocs: list[tuple[_Simple, str]] = []
        self._after_pipe = False

    def run(self) -> _Lexer:
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c == "\n":
                self.i += 1
                if not self._after_pipe:
                    self._end_pipeline()
                self._read_heredocs()
            elif c.isspace():
                self.i += 1
            elif c == "\\" and s.startswith(("\\\n", "\\\r\n"), self.i):
                self.i += 2 if s[self.i + 1] == "\n" else 3
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
            elif s.startswith(("<(", ">("), self.i):
                end = _close_paren(s, self.i + 2)
                self.subs.append(s[self.i + 2 : end])
                self._cur.words.append(_SUB)
                self.i = end + 1
            elif m := _REDIRECT.match(s, self.i):
                self.i = m.end()
                self._redirect(m.group())
            elif s.startswith(("&&", "||"), self.i):
                self.i += 2
                self._end_pipeline()
            elif c == "|":
                self.i += 2 if s.startswith("|&", self.i) else 1
                self._end_command()
                self._after_pipe = True
            elif c in ";&()":
                self.i += 1
                self._end_pipeline()
            else:
                self._cur.words.append(self._word())
                self._after_pipe = False
        self._end_pipeline()
        return self

    def _redirect(self, op: str) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1
        target = self._word() if self.i < self.n and self.s[self.i] not in _BREAK else ""
        if op.endswith("<<<"):
            self._cur.stdin = target
        elif op.endswith(("<<", "<<-")):
            self._heredocs.append((self._cur, target.strip()))
        else:
            self._cur.redirects.append((op, target))

    def _end_command(self) -> None:
        if self._cur.words or self._cur.redirects:
            self._pipeline.append(self._cur)
        self._cur = _Simple()

    def _end_pipeline(self) -> None:
        self._end_command()
        if self._pipeline:
            self.pipelines.append(self._pipeline)
        self._pipeline = []
        self._after_pipe = False

    def _read_heredocs(self) -> None:
        s, n = self.s, self.n
        for command, delimiter in self._heredocs:
            lines: list[str] = []
            while self.i < n:
                end = s.find("\n", self.i)
                end = n if end < 0 else end
                line = s[self.i : end]
                self.i = end + 1
                if line.strip() == delimiter:
                    break
                lines.append(line)
            command.stdin = "\n".join(lines)
        self._heredocs = []

    def _word(self) -> str:
        s, n = self.s, self.n
        buf: list[str] = []
        i = self.i
        while i < n:
            if m := _PLAIN.match(s, i):
                buf.append(m.group())
                i = m.end()
                continue
            c = s[i]
            if c in _BREAK:
                break
            if c == "\\":
                if i + 1 < n and s[i + 1] != "\n":
                    buf.append(s[i + 1])
                i += 2
            elif c == "'":
                end = s.find("'", i + 1)
                end = n if end < 0 else end
                buf.append(s[i + 1 : end])
                i = end + 1
            elif c == '"':
                i = self._double_quoted(i + 1, buf)
            elif c == "$":
                i = self._dollar(i, buf, quoted=False)
            elif c == "`":
                i = self._backtick(i, buf)
            else:
                buf.append(c)
                i += 1
        self.i = min(i, n)
        return "".join(buf)

    def _double_quoted(self, i: int, buf: list[str]) -> int:
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == '"':
                return i + 1
            if c == "\\" and i + 1 < n:
                if s[i + 1] in '"\\$`':
                    buf.append(s[i + 1])
                elif s[i + 1] != "\n":
                    buf.append(s[i : i + 2])
                i += 2
            elif c == "$":
                i = self._dollar(i, buf, quoted=True)
            elif c == "`":
                i = self._backtick(i, buf)
            elif m := _DQ_PLAIN.match(s, i):
                buf.append(m.group())
                i = m.end()
            else:
                buf.append(c)
                i += 1
        return n

    def _dollar(self, i: int, buf: list[str], *, quoted: bool) -> int:
        s, n = self.s, self.n
        if s.startswith("$((", i):
            end = s.find("))", i + 3)
            end = n if end < 0 else end + 2
            buf.append(s[i:end])
            return end
        if s.startswith("$(", i):
            end = _close_paren(s, i + 2)
            self.subs.append(s[i + 2 : end])
            buf.append(_SUB)
            return end + 1
        if s.startswith("${", i):
            end = s.find("}", i + 2)
            end = n if end < 0 else end + 1
            buf.append(s[i:end])
            return end
        if s.startswith("$'", i) and not quoted:
            j = i + 2
            while j < n and s[j] != "'":
                j += 2 if s[j] == "\\" else 1
            buf.append(s[i + 2 : min(j, n)])
            return j + 1
        buf.append("$")
        return i + 1

    def _backtick(self, i: int, buf: list[str]) -> int:
        s, n = self.s, self.n
        j = i + 1
        while j < n and s[j] != "`":
            j += 2 if s[j] == "\\" else 1
        self.subs.append(s[i + 1 : min(j, n)].replace("\\`", "`"))
        buf.append(_SUB)
        return j + 1


def _close_paren(s: str, i: int) -> int:
    """Index of the `)` closing a `(` just before i, skipping quotes; len(s) if none."""
    n, depth = len(s), 1
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c in "'\"":
            end = s.find(c, i + 1)
            while c == '"' and end > 0 and s[end - 1] == "\\":
                end = s.find(c, end + 1)
            i = n if end < 0 else end + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return n


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


# --- walking the script -----------------------------------------------------------

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_LEADING_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})
_HEADER_KEYWORDS = frozenset({"for", "case", "select", "fi", "done", "esac", "}", "function", "in"})
_HARMLESS_TARGETS = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "-"})
_BLOCK_DEVICE = re.compile(r"/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|md|dm-|loop|disk/|mapper/)")


def _script(text: str, depth: int, stdin: str | None = None) -> list[Finding]:
    if depth > _MAX_DEPTH:
        return [(MUT, "nested too deeply to check")]
    lexer = _Lexer(text).run()
    out: list[Finding] = []
    for sub in lexer.subs:
        out += _script(sub, depth + 1)
    for pipeline in lexer.pipelines:
        feed = stdin
        for command in pipeline:
            given = command.stdin if command.stdin is not None else feed
            out += _simple(command.words, given, depth, broad=False)
            out += _redirects(command.redirects)
            feed = _output_of(command.words, given)
    return out


def _simple(words: list[str], stdin: str | None, depth: int, *, broad: bool) -> list[Finding]:
    if depth > _MAX_DEPTH:
        return [(MUT, "nested too deeply to check")]
    i = 0
    while i < len(words) and (_ASSIGNMENT.match(words[i]) or words[i] in _LEADING_KEYWORDS):
        i += 1
    args = words[i:]
    if not args or args[0] in _HEADER_KEYWORDS:
        return [_OK]
    prog = _program(args[0])
    ctx = _Ctx(prog, args[1:], stdin, depth, broad)
    handler = _HANDLERS.get(prog) or (_disk if prog.startswith("mkfs.") else None)
    if handler:
        return handler(ctx)
    if prog in _READ_ONLY:
        return [_OK]
    reason = _NAMED.get(prog) or f"{prog or 'this command'} is not known to be read-only"
    return [(MUT, reason), *_sniff(ctx.args)]


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1].lower()


def _redirects(redirects: list[tuple[str, str]]) -> list[Finding]:
    out: list[Finding] = []
    for op, target in redirects:
        if ">" not in op or target in _HARMLESS_TARGETS or (op.endswith("&") and target.isdigit()):
            continue
        if _BLOCK_DEVICE.match(target):
            out.append((DES, f"writes straight over the block device {target}"))
        else:
            out.append((MUT, f"{'appends to' if '>>' in op else 'overwrites'} the file {target}"))
    return out


def _output_of(words: list[str], stdin: str | None) -> str | None:
    args = [w for w in words if not _ASSIGNMENT.match(w)]
    prog = _program(args[0]) if args else ""
    if prog == "echo":
        return " ".join(a for a in args[1:] if a not in ("-n", "-e", "-E"))
    if prog == "printf":
        return " ".join(args[1:]).replace("\\n", "\n")
    if prog == "cat" and len(args) == 1:
        return stdin
    return None


@dataclass
class _Ctx:
    prog: str
    args: list[str]
    stdin: str | None
    depth: int
    broad: bool

    def argv(self, argv: list[str], *, broad: bool = False) -> list[Finding]:
        return _simple(argv, self.stdin, self.depth + 1, broad=broad)

    def script(self, text: str) -> list[Finding]:
        return _script(text, self.depth + 1, self.stdin)


def _options(
    args: list[str], valued: Iterable[str] = (), *, stop: bool = False
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Options (name, value) and positional arguments, getopt style.

    With `stop`, the first positional argument ends the options and everything from
    it on is positional (wrappers: `sudo -u x CMD ARGS`).
    """
    takes = frozenset(valued)
    opts: list[tuple[str, str | None]] = []
    pos: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            pos += args[i + 1 :]
            break
        if a.startswith("--"):
            name, eq, value = a.partition("=")
            if eq:
                opts.append((name, value))
            elif name in takes and i + 1 < len(args):
                i += 1
                opts.append((name, args[i]))
            else:
                opts.append((name, None))
        elif a.startswith("-") and len(a) > 1:
            for k in range(1, len(a)):
                name = "-" + a[k]
                if name in takes:
                    value = a[k + 1 :]
                    if not value and i + 1 < len(args):
                        i += 1
                        value = args[i]
                    opts.append((name, value))
                    break
                opts.append((name, None))
        elif stop:
            pos += args[i:]
            break
        else:
            pos.append(a)
        i += 1
    return opts, pos


def _names(opts: list[tuple[str, str | None]]) -> set[str]:
    return {name for name, _ in opts}


def _value(opts: list[tuple[str, str | None]], *names: str) -> str | None:
    return next((v for k, v in opts if k in names and v is not None), None)


def _computed(args: Iterable[str]) -> bool:
    return any(_SUB in a for a in args)


_SQL_LIKE = re.compile(
    r"\s*(?:select|with|insert|update|delete|drop|truncate|alter|create|grant|revoke)\s", re.IGNORECASE
)


def _sniff(args: list[str]) -> list[Finding]:
    """Arguments of an unknown program that are plainly Redis or SQL commands."""
    out: list[Finding] = []
    for a in args:
        if a.upper() in ("FLUSHALL", "FLUSHDB"):
            out.append(_redis_command([a], broad=False))
        elif _SQL_LIKE.match(a):
            out += [f for f in _sql(a) if f[0] is not RO]
    return out


# --- wrappers -------------------------------------------------------------------


def _shell(ctx: _Ctx) -> list[Finding]:
    args = ctx.args
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and not a.startswith("--") and "c" in a[1:]:
            if i + 1 < len(args):
                return ctx.script(args[i + 1])
            return [(MUT, f"{ctx.prog} -c without a script")]
        if a in ("-o", "+o", "-O", "+O"):
            i += 2
        elif a.startswith(("-", "+")):
            i += 1
        else:
            return [(MUT, f"{ctx.prog} runs the script {a}, which is not shown")]
    if ctx.stdin is not None:
        return _script(ctx.stdin, ctx.depth + 1)
    return [(MUT, f"{ctx.prog} runs commands from input that is not shown")]


def _eval(ctx: _Ctx) -> list[Finding]:
    return ctx.script(" ".join(ctx.args))


def _ssh(ctx: _Ctx) -> list[Finding]:
    valued = ("-b", "-B", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p")
    opts, rest = _options(ctx.args, (*valued, "-Q", "-R", "-S", "-W", "-w"), stop=True)
    if len(rest) > 1:
        return ctx.script(" ".join(rest[1:]))
    if ctx.stdin is not None:
        return _script(ctx.stdin, ctx.depth + 1)
    if "-N" in _names(opts):
        return [_OK]
    host = rest[0] if rest else "a host"
    return [(MUT, f"ssh opens an interactive shell on {host}")]


def _sudo(ctx: _Ctx) -> list[Finding]:
    valued = ("-u", "--user", "-g", "--group", "-h", "--host", "-p", "--prompt", "-C", "--close-from")
    opts, rest = _options(ctx.args, (*valued, "-D", "--chdir", "-r", "--role", "-t", "--type", "-U", "-T"), stop=True)
    if rest:
        return ctx.argv(rest)
    if _names(opts) & {"-i", "-s", "--login", "--shell"}:
        return [(MUT, f"{ctx.prog} opens a root shell")]
    return [_OK]


def _su(ctx: _Ctx) -> list[Finding]:
    command = _value(_options(ctx.args, ("-c", "--command", "-s", "--shell", "-g", "--group"))[0], "-c", "--command")
    if command is not None:
        return ctx.script(command)
    return [(MUT, "su opens a shell as another user")]


def _env(ctx: _Ctx) -> list[Finding]:
    args = ctx.args
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-S", "--split-string") and i + 1 < len(args):
            return ctx.script(" ".join(args[i + 1 :]))
        if a in ("-u", "--unset", "-C", "--chdir"):
            i += 2
        elif a.startswith("-") or _ASSIGNMENT.match(a):
            i += 1
        else:
            return ctx.argv(args[i:])
    return [_OK]


_PREFIX_OPTIONS: dict[str, tuple[str, ...]] = {
    "nohup": (),
    "time": ("-f", "--format", "-o", "--output"),
    "command": (),
    "builtin": (),
    "exec": ("-a",),
    "nice": ("-n", "--adjustment"),
    "ionice": ("-c", "--class", "-n", "--classdata", "-t"),
    "stdbuf": ("-i", "-o", "-e", "--input", "--output", "--error"),
    "setsid": (),
    "unbuffer": (),
    "doas": ("-u", "-C"),
}


def _prefix(ctx: _Ctx) -> list[Finding]:
    _, rest = _options(ctx.args, _PREFIX_OPTIONS[ctx.prog], stop=True)
    return ctx.argv(rest) if rest else [_OK]


def _timeout(ctx: _Ctx) -> list[Finding]:
    _, rest = _options(ctx.args, ("-s", "--signal", "-k", "--kill-after"), stop=True)
    return ctx.argv(rest[1:]) if len(rest) > 1 else [_OK]


def _watch(ctx: _Ctx) -> list[Finding]:
    opts, rest = _options(ctx.args, ("-n", "--interval", "-q", "--equexit"), stop=True)
    if not rest:
        return [_OK]
    if _names(opts) & {"-x", "--exec"}:
        return ctx.argv(rest)
    return ctx.script(" ".join(rest))


def _xargs(ctx: _Ctx) -> list[Finding]:
    valued = ("-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "-n", "--max-args", "-P", "--max-procs")
    _, rest = _options(ctx.args, (*valued, "-s", "--max-chars", "--process-slot-var"), stop=True)
    return ctx.argv(rest, broad=True) if rest else [_OK]


def _find(ctx: _Ctx) -> list[Finding]:
    args = ctx.args
    out: list[Finding] = []
    if "-delete" in args:
        out.append((DES, "find -delete deletes every file it matches"))
    for i, a in enumerate(args):
        if a in ("-exec", "-execdir", "-ok", "-okdir"):
            command: list[str] = []
            for word in args[i + 1 :]:
                if word in (";", "+"):
                    break
                if word != "{}":
                    command.append(word)
            out += ctx.argv(command, broad=True)
    if any(a in ("-fprint", "-fprint0", "-fprintf", "-fls") for a in args):
        out.append((MUT, "find writes its results to a file"))
    return out or [_OK]


# --- docker -------------------------------------------------------------------------

_DockerTable = dict[str, Finding]

_DOCKER_TOP: _DockerTable = {
    **dict.fromkeys(("ps", "images", "logs", "inspect", "stats", "top", "events", "info", "version"), _OK),
    **dict.fromkeys(("port", "diff", "history", "search", "wait", "--version", "--help", "help"), _OK),
    "rm": (MUT, "docker rm deletes containers and their writable layers"),
    "kill": (MUT, "docker kill stops containers without a clean shutdown"),
    "stop": (MUT, "docker stop stops containers"),
    "restart": (MUT, "docker restart restarts containers"),
    "rmi": (MUT, "docker rmi deletes images"),
    "pull": (MUT, "docker pull downloads an image"),
    "update": (MUT, "docker update changes container limits"),
}

_DOCKER_GROUPS: dict[str, _DockerTable] = {
    "service": {
        **dict.fromkeys(("ls", "list", "ps", "logs", "inspect"), _OK),
        "create": (MUT, "docker service create starts a new service"),
        "scale": (MUT, "docker service scale changes how many replicas run"),
        "rollback": (MUT, "docker service rollback returns the service to its previous spec; tasks restart"),
        "rm": (DES, "docker service rm deletes the service and stops all of its tasks"),
        "remove": (DES, "docker service rm deletes the service and stops all of its tasks"),
    },
    "node": {
        **dict.fromkeys(("ls", "list", "ps", "inspect"), _OK),
        "update": (MUT, "docker node update changes a node (availability drain moves its tasks away)"),
        "promote": (MUT, "docker node promote changes the managers of the swarm"),
        "demote": (MUT, "docker node demote changes the managers of the swarm"),
        "rm": (DES, "docker node rm removes the node from the swarm"),
        "remove": (DES, "docker node rm removes the node from the swarm"),
    },
    "stack": {
        **dict.fromkeys(("ls", "list", "ps", "services", "config"), _OK),
        "deploy": (MUT, "docker stack deploy creates or updates every service of the stack"),
        "up": (MUT, "docker stack deploy creates or updates every service of the stack"),
        **dict.fromkeys(
            ("rm", "remove", "down"), (DES, "docker stack rm deletes every service, network and secret of the stack")
        ),
    },
    "volume": {
        **dict.fromkeys(("ls", "list", "inspect"), _OK),
        "create": (MUT, "docker volume create creates a volume"),
        "rm": (DES, "docker volume rm deletes volumes and all the data in them"),
        "remove": (DES, "docker volume rm deletes volumes and all the data in them"),
        "prune": (DES, "docker volume prune deletes every unused volume and its data"),
    },
    "network": {
        **dict.fromkeys(("ls", "list", "inspect"), _OK),
        "rm": (MUT, "docker network rm deletes networks"),
        "prune": (MUT, "docker network prune deletes unused networks"),
    },
    "image": {
        **dict.fromkeys(("ls", "list", "inspect", "history"), _OK),
        "rm": (MUT, "docker image rm deletes images"),
        "prune": (MUT, "docker image prune deletes unused images"),
    },
    "system": {
        **dict.fromkeys(("df", "info", "events"), _OK),
        "prune": (DES, "docker system prune deletes stopped containers, unused networks, images and build cache"),
    },
    "builder": {**dict.fromkeys(("ls", "du", "inspect", "version"), _OK)},
    "buildx": {**dict.fromkeys(("ls", "du", "inspect", "version"), _OK)},
    "config": {**dict.fromkeys(("ls", "list", "inspect"), _OK)},
    "secret": {
        **dict.fromkeys(("ls", "list", "inspect"), _OK),
        "rm": (DES, "docker secret rm deletes the secret; its value cannot be read back"),
        "remove": (DES, "docker secret rm deletes the secret; its value cannot be read back"),
    },
    "context": {**dict.fromkeys(("ls", "list", "inspect", "show"), _OK)},
    "plugin": {**dict.fromkeys(("ls", "list", "inspect"), _OK)},
    "swarm": {},
    "manifest": {"inspect": _OK},
    "trust": {"inspect": _OK},
}

_CONTAINER_ALIASES = {"ls": "ps", "list": "ps", "remove": "rm", "prune": "container-prune"}
_DOCKER_GLOBAL = ("-H", "--host", "-c", "--context", "--config", "-l", "--log-level")
_EXEC_VALUED = ("-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys")
_RUN_VALUED = (
    *_EXEC_VALUED,
    *("-v", "--volume", "-p", "--publish", "--name", "--network", "--net", "--entrypoint", "-m", "--memory"),
    *("--cpus", "-l", "--label", "--mount", "--restart", "-h", "--hostname", "--add-host", "--dns"),
    *("--log-driver", "--log-opt", "--platform", "--pull", "--cap-add", "--cap-drop", "--device"),
    *("--ulimit", "--tmpfs", "--shm-size", "--security-opt", "--gpus", "--health-cmd", "--pid", "--ipc"),
    *("--cidfile", "-a", "--attach", "--memory-swap", "--stop-signal", "--stop-timeout", "--userns"),
)


def _docker(ctx: _Ctx) -> list[Finding]:
    _, rest = _options(ctx.args, _DOCKER_GLOBAL, stop=True)
    if not rest:
        return [_OK]
    sub, args = rest[0].lower(), rest[1:]
    if sub == "exec":
        return _docker_exec(ctx, args)
    if sub == "run":
        return _docker_run(ctx, args)
    if sub == "compose":
        return _compose(ctx, args)
    if sub == "container":
        action = _action(args)
        return _docker_top(ctx, _CONTAINER_ALIASES.get(action, action), args[1:])
    if sub in _DOCKER_GROUPS:
        return [_docker_group(sub, args)]
    return _docker_top(ctx, sub, args)


def _action(args: list[str]) -> str:
    return next((a.lower() for a in args if not a.startswith("-")), "")


def _docker_top(ctx: _Ctx, sub: str, args: list[str]) -> list[Finding]:
    if sub == "exec":
        return _docker_exec(ctx, args)
    if sub == "run":
        return _docker_run(ctx, args)
    if sub == "container-prune":
        return [(DES, "docker container prune deletes every stopped container and its writable layer")]
    found = _DOCKER_TOP.get(sub)
    if found is None:
        return [(MUT, f"docker {sub} is not known to be read-only")]
    if sub in ("rm", "kill", "stop") and (ctx.broad or _computed(args)):
        return [(DES, f"docker {sub} of a computed set of containers hits every one of them")]
    return [found]


def _docker_group(group: str, args: list[str]) -> Finding:
    action = _action(args)
    flags = set(args)
    if group == "service" and action == "update":
        return _service_update(args)
    if group == "swarm":
        return _swarm(action, flags)
    found = _DOCKER_GROUPS[group].get(action)
    if found is None:
        return (MUT, f"docker {group} {action} is not known to be read-only")
    if group == "system" and action == "prune" and "--volumes" in flags:
        return (DES, found[1] + ", and every unused volume with its data")
    return found


def _service_update(args: list[str]) -> Finding:
    target = args[-1] if args and not args[-1].startswith("-") else "the service"
    if "--rollback" in args:
        return (MUT, f"docker service update --rollback returns {target} to its previous spec; tasks restart")
    if "--force" in args:
        return (MUT, f"docker service update --force restarts every task of {target}")
    image = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--image"), None)
    if image:
        return (MUT, f"docker service update deploys {image} to {target}; tasks restart")
    return (MUT, f"docker service update changes {target}; its tasks may restart")


def _swarm(action: str, flags: set[str]) -> Finding:
    if action == "leave":
        if flags & {"-f", "--force"}:
            return (DES, "docker swarm leave --force takes this node out of the swarm, even a manager")
        return (MUT, "docker swarm leave takes this node out of the swarm")
    if action in ("join-token", "unlock-key") and "--rotate" not in flags:
        return _OK
    return (MUT, f"docker swarm {action} changes the swarm")


def _docker_exec(ctx: _Ctx, args: list[str]) -> list[Finding]:
    _, rest = _options(args, _EXEC_VALUED, stop=True)
    if len(rest) < 2:
        return [(MUT, "docker exec without a command")]
    return ctx.argv(rest[1:])


def _docker_run(ctx: _Ctx, args: list[str]) -> list[Finding]:
    _, rest = _options(args, _RUN_VALUED, stop=True)
    inner = ctx.argv(rest[1:]) if len(rest) > 1 else []
    return [(MUT, "docker run starts a new container"), *inner]


def _compose(ctx: _Ctx, args: list[str]) -> list[Finding]:
    valued = ("-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory")
    _, rest = _options(args, valued, stop=True)
    action = rest[0].lower() if rest else ""
    flags = set(rest)
    if action in ("ps", "logs", "config", "ls", "top", "images", "version", "events", "port", ""):
        return [_OK]
    if action == "down" and flags & {"-v", "--volumes"}:
        return [(DES, "docker compose down -v deletes the project's volumes and their data")]
    if action in ("exec", "run"):
        _, inner = _options(rest[1:], ("-u", "--user", "-w", "--workdir", "-e", "--env", "--index"), stop=True)
        found = ctx.argv(inner[1:]) if len(inner) > 1 else [(MUT, f"docker compose {action} opens a shell")]
        return found if action == "exec" else [(MUT, "docker compose run starts a new container"), *found]
    return [(MUT, f"docker compose {action} changes the project's containers")]


def _docker_compose(ctx: _Ctx) -> list[Finding]:
    return _compose(ctx, ctx.args)


# --- kubectl --------------------------------------------------------------------------

_KUBE_VALUED = (
    *("-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server"),
    *("-l", "--selector", "-o", "--output", "-c", "--container", "-f", "--filename", "--field-selector"),
    *("--since", "--tail", "--sort-by", "--template", "--timeout", "--grace-period", "--replicas"),
)
_KUBE_READ = _set("get describe logs top explain api-resources api-versions version cluster-info diff events wait auth")


def _kubectl(ctx: _Ctx) -> list[Finding]:
    _, pos = _options(ctx.args, _KUBE_VALUED)
    verb = pos[0].lower() if pos else ""
    sub = pos[1].lower() if len(pos) > 1 else ""
    if verb == "exec":
        if "--" in ctx.args:
            return ctx.argv(ctx.args[ctx.args.index("--") + 1 :])
        return [(MUT, "kubectl exec without a command opens a shell")]
    if verb in _KUBE_READ or verb == "":
        return [_OK]
    if verb == "config" and sub in ("view", "get-contexts", "current-context", "get-clusters"):
        return [_OK]
    if verb == "rollout" and sub in ("status", "history"):
        return [_OK]
    if verb == "delete":
        return [(DES, "kubectl delete deletes resources")]
    if verb == "drain":
        return [(MUT, "kubectl drain evicts every pod from the node")]
    return [(MUT, f"kubectl {verb} changes the cluster")]


# --- redis ------------------------------------------------------------------------------

_REDIS_VALUED = (
    *("-h", "-p", "-s", "-a", "-u", "-n", "-r", "-i", "-d", "-D", "-t", "--user", "--pass", "--pattern"),
    *("--quoted-pattern", "--count", "--rdb", "--functions-rdb", "--eval", "--cacert", "--cacertdir"),
    *("--cert", "--key", "--sni", "--tls-ciphers", "--tls-ciphersuites", "--memkeys-samples"),
    "--intrinsic-latency",
)
_REDIS_MODES = _set(
    "--scan --bigkeys --memkeys --hotkeys --keystats --stat --latency --latency-history --latency-dist "
    "--intrinsic-latency --rdb --functions-rdb"
)
_REDIS_READ = _set(
    "INFO PING ECHO GET MGET GETRANGE STRLEN EXISTS TTL PTTL EXPIRETIME PEXPIRETIME TYPE KEYS SCAN DBSIZE "
    "HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HSCAN HRANDFIELD LRANGE LLEN LINDEX LPOS "
    "SCARD SMEMBERS SISMEMBER SMISMEMBER SRANDMEMBER SSCAN SINTER SUNION SDIFF SINTERCARD "
    "ZRANGE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK "
    "ZCOUNT ZLEXCOUNT ZSCAN ZRANDMEMBER XRANGE XREVRANGE XLEN XREAD XPENDING XINFO BITCOUNT BITPOS "
    "GETBIT PFCOUNT GEOPOS GEODIST GEOHASH GEOSEARCH DUMP RANDOMKEY OBJECT TIME LASTSAVE ROLE "
    "MONITOR COMMAND PUBSUB HELLO AUTH SELECT READONLY WAIT LOLWUT SUBSCRIBE PSUBSCRIBE "
    "EVAL_RO EVALSHA_RO FCALL_RO SORT_RO"
)
_REDIS_SUBCOMMANDS_READ: dict[str, frozenset[str]] = {
    "CLIENT": _set("LIST INFO GETNAME ID TRACKINGINFO GETREDIR HELP"),
    "CONFIG": _set("GET HELP"),
    "SLOWLOG": _set("GET LEN HELP"),
    "MEMORY": _set("USAGE STATS DOCTOR MALLOC-STATS HELP"),
    "LATENCY": _set("LATEST HISTORY DOCTOR GRAPH HISTOGRAM HELP"),
    "CLUSTER": _set("INFO NODES SLOTS SHARDS MYID MYSHARDID KEYSLOT COUNTKEYSINSLOT GETKEYSINSLOT LINKS HELP"),
    "SCRIPT": _set("EXISTS HELP"),
    "FUNCTION": _set("LIST DUMP STATS HELP"),
    "ACL": _set("LIST USERS WHOAMI GETUSER CAT LOG DRYRUN HELP"),
    "MODULE": _set("LIST HELP"),
}
_REDIS_DESTRUCTIVE = {
    "FLUSHALL": "FLUSHALL deletes every key in every Redis database",
    "FLUSHDB": "FLUSHDB deletes every key in the selected Redis database",
    "SHUTDOWN": "SHUTDOWN stops the Redis server",
    "DEBUG": "DEBUG can crash or stall the Redis server",
}
_REDIS_REASONS = {
    "CONFIG": "CONFIG {sub} changes the running Redis configuration",
    "CLIENT": "CLIENT {sub} disconnects or pauses Redis clients",
    "CLUSTER": "CLUSTER {sub} changes the Redis cluster",
}
_GLOB = re.compile(r"[*?\[]")


def _redis_cli(ctx: _Ctx) -> list[Finding]:
    opts, rest = _options(ctx.args, _REDIS_VALUED, stop=True)
    names = _names(opts)
    if "--pipe" in names:
        return [(MUT, "redis-cli --pipe sends every command from its input")]
    if "--eval" in names:
        return [(MUT, "redis-cli --eval runs a Lua script that is not shown")]
    if names & _REDIS_MODES:
        return [_OK]
    if rest:
        return [_redis_command(rest, broad=ctx.broad)]
    if ctx.broad:
        return [(MUT, "redis-cli runs commands taken from its input")]
    if ctx.stdin is not None:
        lines = [_words(line) for line in ctx.stdin.splitlines()]
        return [_redis_command(words, broad=False) for words in lines if words] or [_OK]
    return [(MUT, "redis-cli without a command reads commands from input that is not shown")]


def _redis_command(words: list[str], *, broad: bool) -> Finding:
    cmd, args = words[0].upper(), words[1:]
    sub = args[0].upper() if args else ""
    if cmd in _REDIS_READ:
        return _OK
    if cmd in _REDIS_SUBCOMMANDS_READ:
        if sub in _REDIS_SUBCOMMANDS_READ[cmd]:
            return _OK
        if cmd == "CLUSTER" and sub in ("RESET", "FLUSHSLOTS"):
            return (DES, f"CLUSTER {sub} wipes the node's slots or data")
        template = _REDIS_REASONS.get(cmd, "{cmd} {sub} changes Redis")
        return (MUT, template.format(cmd=cmd, sub=sub))
    if cmd in ("DEL", "UNLINK"):
        if broad or _computed(args) or any(_GLOB.search(a) for a in args):
            return (DES, f"{cmd} of keys from a pipe, substitution or pattern deletes many keys at once")
        shown = " ".join(args[:5]) + (" ..." if len(args) > 5 else "")
        return (MUT, f"{cmd} deletes {shown}".rstrip())
    if cmd in _REDIS_DESTRUCTIVE:
        return (DES, _REDIS_DESTRUCTIVE[cmd])
    if cmd in ("REPLICAOF", "SLAVEOF"):
        if sub == "NO":
            return (MUT, f"{cmd} NO ONE promotes this replica to a primary")
        return (DES, f"{cmd} makes this server a replica and replaces all of its data")
    if cmd == "EVAL":
        script = sub.lower()
        if "flushall" in script or "flushdb" in script:
            return (DES, "EVAL runs a script that flushes Redis")
        if re.search(r"\b(?:del|unlink)\b", script) and re.search(r"\b(?:keys|scan)\b", script):
            return (DES, "EVAL runs a script that deletes keys by pattern")
        return (MUT, "EVAL runs a Lua script that may write")
    return (MUT, f"{cmd} writes to Redis")


# --- SQL ------------------------------------------------------------------------------------

_SQL_TOKENS = re.compile(
    r"'(?:[^']|'')*'?|\$(?P<tag>[A-Za-z_]\w*)?\$[\s\S]*?(?:\$(?P=tag)?\$|\Z)|--[^\n]*|/\*[\s\S]*?(?:\*/|\Z)"
)
_SQL_FIRST = re.compile(r"[\s(]*([A-Z_]+)")
_SQL_WHERE = re.compile(r"\bWHERE\b")
_SQL_ALWAYS_TRUE = re.compile(r"\s*(?:TRUE|1\s*=\s*1|'_*'\s*=\s*'_*')\s*(?:RETURNING\b.*)?\Z", re.S)
_SQL_WRITE_PART = re.compile(r"\b(?:DELETE\s+FROM|INSERT\s+INTO|UPDATE\s+[A-Z_\"]|MERGE\s+INTO|TRUNCATE|DROP)\b")
_SQL_LOCK_CLAUSE = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?\Z")
_SQL_WRITE_FUNCS = re.compile(
    r"\b(PG_CANCEL_BACKEND|PG_RELOAD_CONF|PG_ROTATE_LOGFILE|PG_SWITCH_WAL|PG_PROMOTE|PG_DROP_REPLICATION_SLOT"
    r"|PG_CREATE_\w+_SLOT|NEXTVAL|SETVAL|LO_UNLINK|LO_IMPORT|LO_EXPORT|DBLINK_EXEC|PG_ADVISORY_\w*LOCK"
    r"|PG_TRY_ADVISORY_\w*LOCK|PG_FILE_WRITE|PG_FILE_UNLINK|PG_FILE_RENAME)\s*\("
)
_SQL_NARROWS = re.compile(
    r"\bstate\s*(?:=|in\s*\()\s*'idle|\bpid\s*(?:=|in\s*\()\s*\d|\bpid\s*=\s*any\s*\(\s*(?:array\s*\[\s*\d|"
    r"pg_blocking_pids\s*\(\s*\d)"
)
_SQL_READ = _set(
    "SELECT WITH VALUES TABLE SHOW DESCRIBE DESC BEGIN START COMMIT END ROLLBACK SAVEPOINT RELEASE "
    "FETCH LISTEN UNLISTEN CLOSE DECLARE PREPARE EXECUTE DEALLOCATE DISCARD RESET"
)
_SQL_MUTATING = _set(
    "INSERT CREATE GRANT REVOKE VACUUM ANALYZE ANALYSE REINDEX CLUSTER REFRESH COMMENT LOCK CALL DO NOTIFY "
    "MERGE UPSERT REPLACE RENAME LOAD IMPORT SECURITY REASSIGN CHECKPOINT KILL FLUSH INSTALL OPTIMIZE"
)


def _sql(text: str) -> list[Finding]:
    """Findings for each statement of an SQL text, read on a copy with literals and comments blanked."""
    orig: list[str] = []
    masked: list[str] = []
    pos = 0
    for m in _SQL_TOKENS.finditer(text):
        orig.append(text[pos : m.start()])
        masked.append(text[pos : m.start()])
        token = m.group()
        if token.startswith(("--", "/*")):
            orig.append(" " * len(token))
            masked.append(" " * len(token))
        else:
            orig.append(token)
            masked.append("'" + "_" * max(len(token) - 2, 0) + "'" if len(token) > 1 else "'")
        pos = m.end()
    orig.append(text[pos:])
    masked.append(text[pos:])
    source, upper = "".join(orig), "".join(masked).upper()
    out: list[Finding] = []
    start = 0
    for end in [*(m.start() for m in re.finditer(";", upper)), len(upper)]:
        if upper[start:end].strip():
            out.append(_sql_statement(source[start:end], upper[start:end]))
        start = end + 1
    return out or [_OK]


def _sql_statement(source: str, upper: str) -> Finding:
    first_match = _SQL_FIRST.match(upper)
    first = first_match.group(1) if first_match else ""
    if "PG_TERMINATE_BACKEND" in upper:
        return _terminate(source, upper)
    if first == "EXPLAIN":
        inner = re.match(r"EXPLAIN\s*(\([^)]*\)|(?:(?:ANALYZE|ANALYSE|VERBOSE)\s+)*)", upper[first_match.start(1) :])
        if inner and "ANALY" in inner.group(1):
            offset = first_match.start(1) + inner.end()
            return _sql_statement(source[offset:], upper[offset:])
        return _OK
    if first in _SQL_READ:
        return _sql_read(source, upper, first)
    if first == "SET":
        if re.search(r"\bSET\s+(?:GLOBAL|PERSIST)\b", upper):
            return (MUT, "SET GLOBAL changes the server configuration")
        return _OK
    if first == "DROP":
        what = re.match(r"[\s(]*DROP\s+([A-Z_]+)", upper)
        return (DES, f"DROP {what.group(1) if what else ''} deletes it and everything in it")
    if first == "TRUNCATE":
        return (DES, "TRUNCATE deletes every row of the table")
    if first in ("DELETE", "UPDATE"):
        where = _SQL_WHERE.search(upper)
        if where is None or _SQL_ALWAYS_TRUE.match(upper, where.end()):
            verb = "deletes" if first == "DELETE" else "changes"
            return (DES, f"{first} without a WHERE {verb} every row of the table")
        return (MUT, f"{first} {'deletes' if first == 'DELETE' else 'changes'} the rows it matches")
    if first == "ALTER":
        if re.search(r"\bDROP\b", upper):
            return (DES, "ALTER ... DROP deletes a column, constraint or other part with its data")
        return (MUT, "ALTER changes a database object or setting")
    if first == "COPY":
        if re.search(r"\bTO\s+STDOUT\b", upper):
            return _OK
        return (MUT, "COPY loads or writes data")
    if first == "SHUTDOWN":
        return (DES, "SHUTDOWN stops the database server")
    if first in _SQL_MUTATING:
        return (MUT, f"{first} changes the database")
    return (MUT, f"SQL {first or 'statement'} is not known to be read-only")


def _sql_read(source: str, upper: str, first: str) -> Finding:
    worst: Finding = _OK
    for m in _SQL_WRITE_PART.finditer(upper):
        if _SQL_LOCK_CLAUSE.search(upper, 0, m.start()):
            continue
        end = _paren_end(upper, m.start())
        found = _sql_statement(source[m.start() : end], upper[m.start() : end])
        if _RANK[found[0]] > _RANK[worst[0]]:
            worst = found
    if worst[0] is not RO:
        return worst
    if call := _SQL_WRITE_FUNCS.search(upper):
        return (MUT, f"{call.group(1).lower()}() changes server state")
    if re.search(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b", upper):
        return (MUT, f"{first} ... FOR UPDATE locks the rows it reads")
    if first == "SELECT" and re.search(r"\bINTO\b", upper):
        return (MUT, "SELECT INTO creates a table")
    return _OK


def _paren_end(text: str, i: int) -> int:
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth < 0:
                return j
    return len(text)


def _terminate(source: str, upper: str) -> Finding:
    where = _SQL_WHERE.search(upper)
    if where is None:
        if re.search(r"PG_TERMINATE_BACKEND\s*\(\s*\d+\s*\)", upper) and not re.search(r"\bFROM\b", upper):
            return (MUT, "pg_terminate_backend ends one session; its open transaction rolls back")
        return (DES, "pg_terminate_backend without a WHERE ends every session")
    start = where.end()
    bounds = [start, *(start + m.start() for m in re.finditer(r"\bOR\b", upper[start:])), len(upper)]
    branches = [source[a:b].lower() for a, b in pairwise(bounds)]
    if all(_SQL_NARROWS.search(branch) for branch in branches):
        return (MUT, "pg_terminate_backend ends the selected idle sessions; open transactions roll back")
    if "pg_backend_pid" in source.lower():
        return (DES, "pg_terminate_backend with only pid <> pg_backend_pid() ends every other session")
    return (DES, "pg_terminate_backend without a WHERE on state or pid ends every matching session")


_PSQL_VALUED = (
    *("-c", "--command", "-f", "--file", "-d", "--dbname", "-h", "--host", "-p", "--port", "-U", "--username"),
    *("-v", "--set", "--variable", "-P", "--pset", "-o", "--output", "-L", "--log-file", "-T", "-F", "-R"),
)


def _psql(ctx: _Ctx) -> list[Finding]:
    opts, _ = _options(ctx.args, _PSQL_VALUED)
    out: list[Finding] = []
    for name, value in opts:
        if name in ("-c", "--command"):
            out += _psql_input(value or "", ctx)
        elif name in ("-f", "--file"):
            if value == "-" and ctx.stdin is not None:
                out += _psql_input(ctx.stdin, ctx)
            else:
                out.append((MUT, f"psql -f runs the SQL in {value}, which is not shown"))
    if out:
        return out
    if _names(opts) & {"-l", "--list", "-V", "--version", "--help"}:
        return [_OK]
    if ctx.stdin is not None:
        return _psql_input(ctx.stdin, ctx)
    return [(MUT, "psql without -c reads SQL from input that is not shown")]


def _psql_input(text: str, ctx: _Ctx) -> list[Finding]:
    sql: list[str] = []
    out: list[Finding] = []
    for line in text.splitlines():
        meta = line.strip()
        if not meta.startswith("\\"):
            sql.append(line)
            continue
        word = meta.split(None, 1)[0]
        if word.startswith("\\!"):
            out += ctx.script(meta[2:])
        elif word in ("\\i", "\\ir", "\\include", "\\include_relative"):
            out.append((MUT, "psql \\i runs SQL from a file that is not shown"))
        elif word in ("\\copy", "\\o", "\\out", "\\w", "\\write", "\\gexec", "\\lo_import", "\\lo_unlink"):
            out.append((MUT, f"psql {word} writes data or runs generated SQL"))
    return out + _sql("\n".join(sql))


def _mysql(ctx: _Ctx) -> list[Finding]:
    valued = ("-h", "--host", "-u", "--user", "-P", "--port", "-D", "--database", "-S", "--socket")
    opts, _ = _options(ctx.args, (*valued, "-e", "--execute"))
    out: list[Finding] = []
    for name, value in opts:
        if name in ("-e", "--execute"):
            out += _sql(value or "")
    if out:
        return out
    if ctx.stdin is not None:
        return _sql(ctx.stdin)
    return [(MUT, f"{ctx.prog} without -e reads SQL from input that is not shown")]


def _mysqladmin(ctx: _Ctx) -> list[Finding]:
    _, pos = _options(ctx.args, ("-h", "--host", "-u", "--user", "-P", "--port", "-S", "--socket"))
    out: list[Finding] = []
    for verb in (p.lower() for p in pos):
        if verb in ("drop", "shutdown"):
            out.append((DES, f"mysqladmin {verb} {'deletes a database' if verb == 'drop' else 'stops the server'}"))
        elif verb not in ("status", "extended-status", "processlist", "variables", "ping", "version"):
            out.append((MUT, f"mysqladmin {verb} changes the server"))
    return out or [_OK]


def _pg_restore(ctx: _Ctx) -> list[Finding]:
    if {"-c", "--clean"} & {name for name, _ in _options(ctx.args, ("-d", "--dbname", "-f", "--file"))[0]}:
        return [(DES, "pg_restore --clean drops database objects before recreating them")]
    return [(MUT, "pg_restore loads data into the database")]


def _pg_ctl(ctx: _Ctx) -> list[Finding]:
    _, pos = _options(ctx.args, ("-D", "--pgdata", "-m", "--mode", "-l", "--log", "-o", "-t", "--timeout"))
    if pos and pos[0] == "status":
        return [_OK]
    return [(MUT, f"pg_ctl {pos[0] if pos else ''} changes the running server")]


# --- http ---------------------------------------------------------------------------------

_CURL_VALUED = (
    *("-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii"),
    *("--json", "-F", "--form", "--form-string", "-T", "--upload-file", "-o", "--output", "-H", "--header"),
    *("-u", "--user", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar"),
    *("-m", "--max-time", "--connect-timeout", "-w", "--write-out", "-x", "--proxy", "--resolve"),
    *("--cacert", "--cert", "--key", "-K", "--config", "-E", "-r", "--range", "--retry", "-Y", "-y", "-z"),
    *("--limit-rate", "-C", "--continue-at", "--url", "-U", "--proxy-user", "--retry-delay", "--retry-max-time"),
)
_CURL_DATA = _set("-d --data --data-raw --data-binary --data-urlencode --data-ascii --json -F --form --form-string")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _curl(ctx: _Ctx) -> list[Finding]:
    opts, _ = _options(ctx.args, _CURL_VALUED)
    names = _names(opts)
    method = (_value(opts, "-X", "--request") or "").upper()
    out: list[Finding] = []
    if method and method not in _SAFE_METHODS:
        out.append((MUT, f"curl sends a {method} request"))
    elif names & {"-T", "--upload-file"}:
        out.append((MUT, "curl uploads a file (PUT)"))
    elif names & _CURL_DATA and not names & {"-G", "--get"}:
        out.append((MUT, "curl sends data (a POST request)"))
    for name, value in opts:
        if name in ("-o", "--output") and value not in _HARMLESS_TARGETS:
            out.append((MUT, f"curl writes the file {value}"))
    if names & {"-O", "--remote-name", "--remote-name-all"}:
        out.append((MUT, "curl saves the download to a file"))
    if names & {"-K", "--config"}:
        out.append((MUT, "curl reads options from a file that is not shown"))
    return out or [_OK]


def _wget(ctx: _Ctx) -> list[Finding]:
    valued = ("-O", "--output-document", "--post-data", "--post-file", "--method", "--body-data", "-o", "-P")
    opts, _ = _options(ctx.args, (*valued, "--header", "-U", "--user-agent", "-T", "--timeout", "-t", "--tries"))
    names = _names(opts)
    method = (_value(opts, "--method") or "GET").upper()
    if names & {"--post-data", "--post-file", "--body-data"} or method not in _SAFE_METHODS:
        return [(MUT, "wget sends data to the server")]
    if "--spider" in names or _value(opts, "-O", "--output-document") in _HARMLESS_TARGETS:
        return [_OK]
    return [(MUT, "wget saves the download to a file")]


def _ab(ctx: _Ctx) -> list[Finding]:
    valued = ("-n", "-c", "-t", "-s", "-b", "-T", "-p", "-u", "-v", "-x", "-y", "-z", "-C", "-H", "-A", "-P")
    opts, _ = _options(ctx.args, (*valued, "-X", "-e", "-g", "-m", "-B", "-E", "-f"))
    method = (_value(opts, "-m") or "GET").upper()
    if _names(opts) & {"-p", "-u"} or method not in _SAFE_METHODS:
        return [(MUT, "ab sends POST or PUT requests, many times")]
    return [_OK]


def _hey(ctx: _Ctx) -> list[Finding]:
    valued = ("-n", "-c", "-q", "-z", "-o", "-m", "-H", "-t", "-A", "-d", "-D", "-a", "-x", "-T")
    opts, _ = _options(ctx.args, valued)
    method = (_value(opts, "-m") or "GET").upper()
    if _names(opts) & {"-d", "-D"} or method not in _SAFE_METHODS:
        return [(MUT, "hey sends requests with a body, many times")]
    return [_OK]


# --- files, processes, machines ---------------------------------------------------------


def _short_flags(args: list[str]) -> set[str]:
    return {c for a in args if a.startswith("-") and not a.startswith("--") for c in a[1:]}


def _rm(ctx: _Ctx) -> list[Finding]:
    targets = [a for a in ctx.args if not a.startswith("-")]
    if _short_flags(ctx.args) & {"r", "R"} or "--recursive" in ctx.args:
        return [(DES, "rm -r deletes whole directory trees")]
    if ctx.broad or _computed(targets):
        return [(DES, "rm of files from a pipe or substitution deletes every one of them")]
    if any(t in ("/", "/*", "*", "~", ".", "..") for t in targets):
        return [(DES, "rm of a wildcard or root path deletes everything it matches")]
    return [(MUT, f"rm deletes {' '.join(targets[:5]) or 'files'}")]


def _dd(ctx: _Ctx) -> list[Finding]:
    target = next((a[3:] for a in ctx.args if a.startswith("of=")), None)
    if target is None or target in _HARMLESS_TARGETS:
        return [_OK]
    if target.startswith("/dev/"):
        return [(DES, f"dd writes raw data over {target}")]
    return [(MUT, f"dd writes the file {target}")]


def _disk(ctx: _Ctx) -> list[Finding]:
    if ctx.prog in ("fdisk", "sfdisk", "parted", "gdisk") and (
        _short_flags(ctx.args) & {"l", "s"} or {"--list", "print", "--show-size"} & set(ctx.args)
    ):
        return [_OK]
    return [(DES, f"{ctx.prog} rewrites a disk or file, destroying what was there")]


def _truncate(ctx: _Ctx) -> list[Finding]:
    return [(DES, "truncate cuts files to a size, discarding their contents")]


def _power(ctx: _Ctx) -> list[Finding]:
    if ctx.prog == "shutdown" and "-c" in ctx.args:
        return [(MUT, "shutdown -c cancels a scheduled shutdown")]
    return [(DES, f"{ctx.prog} takes the whole machine down")]


def _init(ctx: _Ctx) -> list[Finding]:
    if ctx.args and ctx.args[0] in ("0", "6"):
        return [(DES, f"{ctx.prog} {ctx.args[0]} takes the whole machine down")]
    return [(MUT, f"{ctx.prog} changes the run level")]


_SYSTEMCTL_READ = _set(
    "status show cat list-units list-unit-files list-sockets list-timers list-jobs list-dependencies list-machines "
    "is-active is-enabled is-failed is-system-running get-default help show-environment"
)


def _systemctl(ctx: _Ctx) -> list[Finding]:
    valued = ("-H", "--host", "-M", "--machine", "-p", "--property", "-t", "--type", "-s", "--signal")
    _, pos = _options(ctx.args, (*valued, "--state", "-n", "--lines", "-o", "--output"))
    verb = pos[0].lower() if pos else "list-units"
    units = " ".join(pos[1:])
    if verb in _SYSTEMCTL_READ:
        return [_OK]
    if verb in ("reboot", "poweroff", "halt", "kexec", "soft-reboot", "emergency", "rescue"):
        return [(DES, f"systemctl {verb} takes the whole machine down")]
    return [(MUT, f"systemctl {verb} {units}".rstrip() + " changes running services")]


def _service(ctx: _Ctx) -> list[Finding]:
    if len(ctx.args) > 1 and ctx.args[1] in ("status", "--status-all"):
        return [_OK]
    if ctx.args[:1] == ["--status-all"]:
        return [_OK]
    return [(MUT, f"service {' '.join(ctx.args[:2])} changes a running service")]


def _signal_name(text: str) -> str:
    return text.upper().removeprefix("SIG")


def _kill(ctx: _Ctx) -> list[Finding]:
    signal: str | None = None
    targets: list[str] = []
    args = ctx.args
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-l", "-L", "--list"):
            return [_OK]
        if a in ("-s", "-n", "--signal") and i + 1 < len(args) and signal is None:
            signal = args[i + 1]
            i += 2
            continue
        if a.startswith("-") and len(a) > 1 and signal is None and not targets:
            signal = a[1:]
        elif a != "--":
            targets.append(a)
        i += 1
    hard = _signal_name(signal or "") in ("9", "KILL")
    if "-1" in targets:
        return [(DES, "kill -1 signals every process you are allowed to signal")]
    if hard and (ctx.broad or _computed(targets) or "0" in targets):
        return [(DES, "kill -9 of a computed set of processes gives none of them a chance to clean up")]
    if hard:
        return [(MUT, "kill -9 stops the process without letting it clean up")]
    return [(MUT, "kill sends a signal that usually stops the process")]


def _pkill(ctx: _Ctx) -> list[Finding]:
    args = ctx.args
    signals = [a[1:] for a in args if a.startswith("-") and not a.startswith("--")]
    signals += [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-s", "--signal")]
    signals += [a.partition("=")[2] for a in args if a.startswith("--signal=")]
    if any(_signal_name(s) in ("9", "KILL") for s in signals):
        return [(DES, f"{ctx.prog} -9 kills every matching process without cleanup")]
    return [(MUT, f"{ctx.prog} signals every matching process")]


def _git(ctx: _Ctx) -> list[Finding]:
    _, pos = _options(ctx.args, ("-C", "-c", "--git-dir", "--work-tree"), stop=True)
    verb = pos[0] if pos else ""
    rest = pos[1:]
    flags = set(rest) | {"-" + c for c in _short_flags(rest)}
    if verb in ("status", "log", "diff", "show", "blame", "grep", "rev-parse", "describe", "shortlog", ""):
        return [_OK]
    if verb in ("ls-files", "ls-remote", "ls-tree", "cat-file", "reflog", "whatchanged", "version", "help"):
        return [_OK]
    if verb == "reset" and "--hard" in flags:
        return [(DES, "git reset --hard discards uncommitted changes")]
    if verb == "clean" and flags & {"-f", "--force"}:
        return [(DES, "git clean -f deletes untracked files")]
    if verb == "push" and flags & {"-f", "--force", "--force-with-lease", "--delete", "--mirror"}:
        return [(DES, "git push --force rewrites or deletes remote history")]
    if verb == "branch" and flags & {"-D", "-d", "--delete", "-m", "-M"}:
        return [(MUT, "git branch deletes or renames branches")]
    if verb in ("branch", "tag", "remote", "stash") and (not rest or rest[0] in ("-l", "--list", "-v", "list")):
        return [_OK]
    return [(MUT, f"git {verb} changes the repository")]


def _crontab(ctx: _Ctx) -> list[Finding]:
    flags = _short_flags(ctx.args)
    if "r" in flags:
        return [(DES, "crontab -r deletes every cron job of the user")]
    if "l" in flags:
        return [_OK]
    return [(MUT, "crontab replaces the user's cron jobs")]


def _flagged(flags: frozenset[str], reason: str) -> Callable[[_Ctx], list[Finding]]:
    """Read-only unless one of `flags` (exact, `--x=...` or inside a short cluster) is given."""

    def handler(ctx: _Ctx) -> list[Finding]:
        for a in ctx.args:
            if a.partition("=")[0] in flags:
                return [(MUT, f"{ctx.prog} {reason}")]
            if a.startswith("-") and not a.startswith("--") and any("-" + c in flags for c in a[1:]):
                return [(MUT, f"{ctx.prog} {reason}")]
        return [_OK]

    return handler


def _unless_read(verbs: frozenset[str], reason: str) -> Callable[[_Ctx], list[Finding]]:
    """Mutating unless the first positional argument or a flag is one of `verbs`."""

    def handler(ctx: _Ctx) -> list[Finding]:
        if not ctx.args or verbs & set(ctx.args[:1]) or verbs & {a for a in ctx.args if a.startswith("-")}:
            return [_OK]
        return [(MUT, f"{ctx.prog} {reason}")]

    return handler


def _tee(ctx: _Ctx) -> list[Finding]:
    files = [a for a in ctx.args if not a.startswith("-") and a not in _HARMLESS_TARGETS]
    return [(MUT, f"tee writes {' '.join(files)}")] if files else [_OK]


def _awk(ctx: _Ctx) -> list[Finding]:
    if any(re.search(r"\bsystem\s*\(|\|\s*\"|\|&", a) for a in ctx.args):
        return [(MUT, f"{ctx.prog} runs shell commands from its program")]
    return [_OK]


def _positional_changes(reason: str) -> Callable[[_Ctx], list[Finding]]:
    """Read-only without positional arguments (`hostname`), mutating with them (`hostname new`)."""

    def handler(ctx: _Ctx) -> list[Finding]:
        if any(not a.startswith("-") for a in ctx.args):
            return [(MUT, f"{ctx.prog} {reason}")]
        return [_OK]

    return handler


def _ip(ctx: _Ctx) -> list[Finding]:
    verbs = {"add", "del", "delete", "set", "flush", "change", "replace", "append", "link"} & set(ctx.args[1:])
    return [(MUT, "ip changes network settings")] if verbs - {"link"} else [_OK]


def _netcat(ctx: _Ctx) -> list[Finding]:
    if "z" in _short_flags(ctx.args):
        return [_OK]
    return [(MUT, f"{ctx.prog} sends whatever it is given to the remote port")]


_READ_ONLY = _set("""
    grep egrep fgrep zgrep rg ag ack head tail cat zcat bat less more wc sort uniq cut tr column paste join
    comm fold fmt nl rev tac seq expand unexpand jq jless echo printf true false test [ [[ ]] : sleep wait
    date cal uptime whoami id groups who w last users uname arch nproc lscpu lsblk lsmem lspci lsusb blkid
    findmnt df du free vmstat iostat mpstat pidstat sar top htop atop btop iotop iftop nethogs ps pgrep pidof
    pstree lsof ss netstat ping ping6 traceroute tracepath mtr dig nslookup host whois arp stat file ls ll
    tree pwd cd realpath readlink basename dirname which type whereis printenv diff cmp md5sum sha1sum
    sha256sum sha512sum cksum base64 xxd od hexdump strings getent locale tput history alias export unset
    set clear exit logout read open xdg-open wslview wrk man info numfmt bc expr yes pg_isready pg_dump
    pg_dumpall pg_controldata pg_config
    """)

_NAMED = {
    "slack-notify": "slack-notify posts a message to Slack",
    "update-status-page": "update-status-page changes the public status page",
    "mv": "mv moves or renames files, replacing any file in the way",
    "cp": "cp copies files and may overwrite existing ones",
    "chmod": "chmod changes file permissions",
    "chown": "chown changes file ownership",
    "source": "source runs a script that is not shown",
    ".": ". runs a script that is not shown",
}

_HANDLERS: dict[str, Callable[[_Ctx], list[Finding]]] = {
    **dict.fromkeys(("sh", "bash", "zsh", "dash", "ksh", "ash", "fish"), _shell),
    **dict.fromkeys(_PREFIX_OPTIONS, _prefix),
    **dict.fromkeys(("sudo",), _sudo),
    **dict.fromkeys(("mkfs", "mke2fs", "mkswap", "wipefs", "shred", "blkdiscard", "sgdisk"), _disk),
    **dict.fromkeys(("fdisk", "sfdisk", "parted", "gdisk"), _disk),
    **dict.fromkeys(("shutdown", "reboot", "halt", "poweroff"), _power),
    **dict.fromkeys(("init", "telinit"), _init),
    **dict.fromkeys(("pkill", "killall"), _pkill),
    **dict.fromkeys(("mysql", "mariadb"), _mysql),
    **dict.fromkeys(("awk", "gawk", "mawk", "nawk"), _awk),
    **dict.fromkeys(("nc", "ncat", "netcat"), _netcat),
    "su": _su,
    "env": _env,
    "eval": _eval,
    "ssh": _ssh,
    "timeout": _timeout,
    "watch": _watch,
    "xargs": _xargs,
    "find": _find,
    "docker": _docker,
    "docker-compose": _docker_compose,
    "kubectl": _kubectl,
    "redis-cli": _redis_cli,
    "psql": _psql,
    "mysqladmin": _mysqladmin,
    "pg_restore": _pg_restore,
    "pg_ctl": _pg_ctl,
    "dropdb": lambda ctx: [(DES, "dropdb deletes a whole database")],
    "dropuser": lambda ctx: [(DES, "dropuser deletes a database role")],
    "curl": _curl,
    "wget": _wget,
    "ab": _ab,
    "hey": _hey,
    "rm": _rm,
    "dd": _dd,
    "truncate": _truncate,
    "systemctl": _systemctl,
    "service": _service,
    "kill": _kill,
    "git": _git,
    "crontab": _crontab,
    "tee": _tee,
    "ip": _ip,
    "sed": _flagged(frozenset({"-i", "--in-place"}), "edits files in place"),
    "yq": _flagged(frozenset({"-i", "--inplace"}), "edits files in place"),
    "date": _flagged(frozenset({"-s", "--set"}), "sets the system clock"),
    "journalctl": _flagged(
        frozenset({"--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate", "--flush", "--relinquish-var"}),
        "deletes or moves journal files",
    ),
    "dmesg": _flagged(frozenset({"-c", "-C", "--clear", "--read-clear"}), "clears the kernel ring buffer"),
    "hostname": _positional_changes("changes the host name"),
    "mount": _positional_changes("mounts a filesystem"),
    "iptables": _unless_read(frozenset({"-L", "--list", "-S", "--list-rules"}), "changes firewall rules"),
    "ip6tables": _unless_read(frozenset({"-L", "--list", "-S", "--list-rules"}), "changes firewall rules"),
    "nft": _unless_read(frozenset({"list"}), "changes firewall rules"),
    "openssl": _unless_read(
        frozenset({"s_client", "x509", "version", "verify", "ciphers", "crl", "asn1parse"}), "writes keys or files"
    ),
}
