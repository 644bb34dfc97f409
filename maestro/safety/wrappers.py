"""Commands that run other commands: shells, sudo, env, ssh, timeout, watch, xargs, find -exec ..."""

from __future__ import annotations

from maestro.safety.context import DES, MUT, OK, Context, Finding, Handler
from maestro.safety.lexer import ASSIGNMENT
from maestro.safety.options import names, options, value

_SHELLS = ("sh", "bash", "zsh", "dash", "ksh", "ash", "fish")
_SSH_VALUED = (
    *("-b", "-B", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p"),
    *("-Q", "-R", "-S", "-W", "-w"),
)
_SUDO_VALUED = (
    *("-u", "--user", "-g", "--group", "-h", "--host", "-p", "--prompt", "-C", "--close-from"),
    *("-D", "--chdir", "-r", "--role", "-t", "--type", "-U", "-T"),
)
_XARGS_VALUED = (
    *("-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "-n", "--max-args", "-P", "--max-procs"),
    *("-s", "--max-chars", "--process-slot-var"),
)
_PREFIX_VALUED: dict[str, tuple[str, ...]] = {
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


def _shell(ctx: Context) -> list[Finding]:
    args = ctx.args
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and not a.startswith("--") and "c" in a[1:]:
            if i + 1 < len(args):
                return ctx.script(args[i + 1], stdin=ctx.stdin)
            return [(MUT, f"{ctx.prog} -c without a script")]
        if a in ("-o", "+o", "-O", "+O"):
            i += 2
        elif a.startswith(("-", "+")):
            i += 1
        else:
            return [(MUT, f"{ctx.prog} runs the script {a}, which is not shown")]
    if ctx.stdin is not None:
        return ctx.script(ctx.stdin, stdin=None)
    return [(MUT, f"{ctx.prog} runs commands from input that is not shown")]


def _eval(ctx: Context) -> list[Finding]:
    return ctx.script(" ".join(ctx.args), stdin=ctx.stdin)


def _ssh(ctx: Context) -> list[Finding]:
    opts, rest = options(ctx.args, _SSH_VALUED, stop=True)
    if len(rest) > 1:
        return ctx.script(" ".join(rest[1:]), stdin=ctx.stdin)
    if ctx.stdin is not None:
        return ctx.script(ctx.stdin, stdin=None)
    if "-N" in names(opts):
        return [OK]
    host = rest[0] if rest else "a host"
    return [(MUT, f"ssh opens an interactive shell on {host}")]


def _sudo(ctx: Context) -> list[Finding]:
    opts, rest = options(ctx.args, _SUDO_VALUED, stop=True)
    if rest:
        return ctx.argv(rest)
    if names(opts) & {"-i", "-s", "--login", "--shell"}:
        return [(MUT, f"{ctx.prog} opens a root shell")]
    return [OK]


def _su(ctx: Context) -> list[Finding]:
    opts, _ = options(ctx.args, ("-c", "--command", "-s", "--shell", "-g", "--group"))
    command = value(opts, "-c", "--command")
    if command is not None:
        return ctx.script(command, stdin=ctx.stdin)
    return [(MUT, "su opens a shell as another user")]


def _env(ctx: Context) -> list[Finding]:
    args = ctx.args
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-S", "--split-string") and i + 1 < len(args):
            return ctx.script(" ".join(args[i + 1 :]), stdin=ctx.stdin)
        if a in ("-u", "--unset", "-C", "--chdir"):
            i += 2
        elif a.startswith("-") or ASSIGNMENT.match(a):
            i += 1
        else:
            return ctx.argv(args[i:])
    return [OK]


def _prefix(ctx: Context) -> list[Finding]:
    _, rest = options(ctx.args, _PREFIX_VALUED[ctx.prog], stop=True)
    return ctx.argv(rest) if rest else [OK]


def _timeout(ctx: Context) -> list[Finding]:
    _, rest = options(ctx.args, ("-s", "--signal", "-k", "--kill-after"), stop=True)
    return ctx.argv(rest[1:]) if len(rest) > 1 else [OK]


def _watch(ctx: Context) -> list[Finding]:
    opts, rest = options(ctx.args, ("-n", "--interval", "-q", "--equexit"), stop=True)
    if not rest:
        return [OK]
    if names(opts) & {"-x", "--exec"}:
        return ctx.argv(rest)
    return ctx.script(" ".join(rest), stdin=ctx.stdin)


def _xargs(ctx: Context) -> list[Finding]:
    _, rest = options(ctx.args, _XARGS_VALUED, stop=True)
    return ctx.argv(rest, broad=True) if rest else [OK]


def _find(ctx: Context) -> list[Finding]:
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
    return out or [OK]


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(_SHELLS, _shell),
    **dict.fromkeys(_PREFIX_VALUED, _prefix),
    "sudo": _sudo,
    "su": _su,
    "env": _env,
    "eval": _eval,
    "ssh": _ssh,
    "timeout": _timeout,
    "watch": _watch,
    "xargs": _xargs,
    "find": _find,
}
