"""Language interpreters and programs that run code given to them: what they run cannot be read here."""

from __future__ import annotations

import re

from maestro.safety.context import MUT, OK, Context, Finding, Handler, unreadable

_INTERPRETERS = (
    *("python", "python2", "python3", "pypy", "pypy3", "perl", "ruby", "irb", "node", "nodejs", "deno", "bun"),
    *("php", "lua", "luajit", "rscript", "tclsh", "wish", "expect", "pwsh", "powershell", "osascript", "jshell"),
    *("groovy", "julia", "guile", "racket", "sbcl", "gdb", "busybox-sh"),
)
_VERSIONED = re.compile(r"(python|pypy|perl|ruby|php|lua|node)[0-9.]+")
_ONLY_ASKING = frozenset({"--version", "-V", "--help", "-h", "-v"})
# `python3 -m json.tool` pretty-prints its input and runs nothing else.
_READ_ONLY_MODULES = frozenset({"json.tool", "tabnanny", "pydoc", "site", "platform", "sysconfig"})


def _interpreter(ctx: Context) -> list[Finding]:
    args = ctx.args
    if args and set(args) <= _ONLY_ASKING:
        return [OK]
    if args[:1] == ["-m"] and len(args) > 1 and args[1] in _READ_ONLY_MODULES:
        return [OK]
    if not args and ctx.stdin is None and not ctx.piped:
        return [(MUT, f"{ctx.prog} opens an interactive interpreter")]
    return [unreadable(f"{ctx.prog} runs code{' given to it' if args else ' from its input'}")]


def interpreter_name(prog: str) -> bool:
    return prog in _INTERPRETERS or _VERSIONED.fullmatch(prog) is not None


HANDLERS: dict[str, Handler] = dict.fromkeys(_INTERPRETERS, _interpreter)
