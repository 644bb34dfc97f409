"""Commands that run other commands: shells, sudo, env, ssh, timeout, watch, xargs, find -exec ..."""

from __future__ import annotations

import re

from maestro.safety.context import DES, MUT, OK, RUNS_VIA, Context, Finding, Handler, unreadable
from maestro.safety.lexer import ASSIGNMENT, SUB
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
    "pkexec": ("--user",),
    "torsocks": ("-u", "-p", "-a", "-P"),
    "proxychains": ("-f",),
    "proxychains4": ("-f",),
    "catchsegv": (),
    "strace": ("-e", "-o", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-S", "-P", "-X"),
    "ltrace": ("-e", "-o", "-p", "-s", "-u", "-a", "-n", "-S"),
    "valgrind": (),
    "systemd-run": ("-u", "--unit", "-p", "--property", "-E", "--setenv", "--uid", "--gid", "-M", "--machine"),
    "firejail": (),
    "numactl": ("-C", "-N", "-m", "-i", "-p", "--physcpubind", "--cpunodebind", "--membind", "--interleave"),
    "cgexec": ("-g",),
    "nsenter": ("-t", "--target", "-S", "--setuid", "-G", "--setgid", "-r", "--root", "-w", "--wd"),
    "unshare": ("--propagation", "--setgroups", "-S", "--setuid", "-G", "--setgid", "-R", "--root", "-w", "--wd"),
    "runuser": ("-u", "--user", "-g", "--group", "-G", "--supp-group", "-s", "--shell"),
    "busybox": (),
    "toybox": (),
    "entr": (),
    "caffeinate": ("-t", "-w"),
    "chrt": (),
}
# Wrappers whose first positional arguments come before the command: `chroot DIR CMD`, `flock FILE CMD`.
_SKIPPED: dict[str, tuple[tuple[str, ...], int]] = {
    "chroot": (("--userspec", "--groups"), 1),
    "flock": (("-w", "--timeout", "-E", "--conflict-exit-code"), 1),
    "taskset": ((), 1),
    "sg": ((), 1),
}
_SSH_RUNS_LOCALLY = re.compile(r"(?i)(?:proxycommand|localcommand|permitlocalcommand|knownhostscommand)\s*=?")
_DECLARE = frozenset({"export", "declare", "typeset", "readonly", "local"})


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
        elif SUB in a:
            return [unreadable(f"{ctx.prog} runs the output of another command as a script")]
        else:
            return [unreadable(f"{ctx.prog} runs the script {a}, which is not shown")]
    return _reads_commands(ctx, f"{ctx.prog} opens an interactive shell")


def _reads_commands(ctx: Context, interactive: str) -> list[Finding]:
    """A program that runs the commands given on its input: shown, piped from elsewhere, or typed."""
    if ctx.stdin is not None:
        return ctx.script(ctx.stdin, stdin=None)
    if ctx.piped or ctx.broad:
        return [unreadable(f"{ctx.prog} runs commands piped in from another program or a file")]
    return [(MUT, interactive)]


def _eval(ctx: Context) -> list[Finding]:
    return [unreadable(f"{ctx.prog} runs text put together at run time"), *_eval_inner(ctx)]


def _eval_inner(ctx: Context) -> list[Finding]:
    return ctx.script(" ".join(ctx.args), stdin=ctx.stdin) if ctx.args else []


def _source(ctx: Context) -> list[Finding]:
    shown = ctx.args[0] if ctx.args and SUB not in ctx.args[0] else "a script that is not shown"
    return [unreadable(f"{ctx.prog} runs {shown} in this shell")]


def _alias(ctx: Context) -> list[Finding]:
    if any("=" in a for a in ctx.args):
        return [unreadable("alias makes a name run something else")]
    return [OK]


def _declare(ctx: Context) -> list[Finding]:
    """export / declare of variables that decide what runs (PATH, LD_PRELOAD, PROMPT_COMMAND ...)."""
    found = [
        unreadable(f"{a.split('=', 1)[0]} changes which program runs or what it runs")
        for a in ctx.args
        if RUNS_VIA.match(a)
    ]
    return found or [OK]


def _trap(ctx: Context) -> list[Finding]:
    args = [a for a in ctx.args if a not in ("-p", "-l", "--")]
    if len(args) < 2 or args[0] == "-":
        return [OK] if not args or args[0] in ("-", "") else [(MUT, "trap changes what the shell does on a signal")]
    return [(MUT, "trap runs a command later, on a signal"), *ctx.script(args[0], stdin=None)]


def _later(ctx: Context) -> list[Finding]:
    """at and batch run the commands on their input later."""
    if ctx.args and set(ctx.args) & {"-l", "-r", "-d", "-c"}:
        return [OK] if "-l" in ctx.args or "-c" in ctx.args else [(MUT, f"{ctx.prog} removes queued jobs")]
    return [(MUT, f"{ctx.prog} runs commands later"), *_reads_commands(ctx, f"{ctx.prog} reads commands to run")]


def _script_c(ctx: Context) -> list[Finding]:
    opts, _ = options(ctx.args, ("-c", "--command", "-T", "-t", "-E", "-I", "-O", "-B"))
    command = value(opts, "-c", "--command")
    if command is not None:
        return ctx.script(command, stdin=ctx.stdin)
    return [(MUT, "script records a new interactive shell")]


def _skipping(ctx: Context) -> list[Finding]:
    valued, skip = _SKIPPED[ctx.prog]
    _, rest = options(ctx.args, valued, stop=True)
    command = rest[skip:]
    if command[:1] in (["-c"], ["--command"]):
        return ctx.script(" ".join(command[1:]), stdin=ctx.stdin)
    if not command:
        if ctx.prog == "chroot":
            return [(MUT, "chroot opens a shell in another root")]
        return [OK]
    return ctx.argv(command)


def _parallel(ctx: Context) -> list[Finding]:
    args = ctx.args
    end = next((i for i, a in enumerate(args) if a in (":::", "::::", ":::+")), len(args))
    _, rest = options(args[:end], ("-j", "--jobs", "-S", "--sshlogin", "--joblog", "-a", "--arg-file"), stop=True)
    if not rest:
        return [unreadable("parallel runs the commands given on its input")]
    return _broadened(ctx.script(" ".join(rest), stdin=None), "parallel")


def _broadened(found: list[Finding], runner: str) -> list[Finding]:
    """A command that changes things, run on every item of a computed set, changes all of them."""
    out: list[Finding] = []
    for level, reason in found:
        if level is MUT:
            out.append((DES, f"{runner} runs it on every item it is given: {reason}"))
        else:
            out.append((level, reason))
    return out


def _ssh(ctx: Context) -> list[Finding]:
    opts, rest = options(ctx.args, _SSH_VALUED, stop=True)
    if any(_SSH_RUNS_LOCALLY.match(v or "") for k, v in opts if k == "-o"):
        return [unreadable("ssh -o ...Command runs a local command")]
    if len(rest) > 1:
        return ctx.script(" ".join(rest[1:]), stdin=ctx.stdin)
    if "-N" in names(opts) and ctx.stdin is None:
        return [OK]
    host = rest[0] if rest else "a host"
    return _reads_commands(ctx, f"ssh opens an interactive shell on {host}")


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
        if a.startswith("--split-string="):
            return ctx.script(" ".join([a.partition("=")[2], *args[i + 1 :]]), stdin=ctx.stdin)
        if a.startswith("-") and not a.startswith("--") and "S" in a:
            text = a[a.index("S") + 1 :]
            return ctx.script(" ".join([text, *args[i + 1 :]] if text else args[i + 1 :]), stdin=ctx.stdin)
        if RUNS_VIA.match(a):
            return [unreadable(f"{a.split('=', 1)[0]} changes which program runs or what it runs")]
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
    return _broadened(ctx.argv(rest, broad=True), "xargs") if rest else [OK]


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
            out += _broadened(ctx.argv(command, broad=True), f"find {a}")
    if any(a in ("-fprint", "-fprint0", "-fprintf", "-fls") for a in args):
        out.append((MUT, "find writes its results to a file"))
    return out or [OK]


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(_SHELLS, _shell),
    **dict.fromkeys(_PREFIX_VALUED, _prefix),
    **dict.fromkeys(_SKIPPED, _skipping),
    **dict.fromkeys(_DECLARE, _declare),
    **dict.fromkeys(("source", "."), _source),
    **dict.fromkeys(("at", "batch"), _later),
    "alias": _alias,
    "trap": _trap,
    "script": _script_c,
    "parallel": _parallel,
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
