"""Command-line options read the getopt way."""

from __future__ import annotations

from collections.abc import Iterable

Options = list[tuple[str, str | None]]


def options(args: list[str], valued: Iterable[str] = (), *, stop: bool = False) -> tuple[Options, list[str]]:
    """Options (name, value) and positional arguments; the names in `valued` take a value.

    With `stop`, the first positional argument ends the options and everything from
    it on is positional (wrappers: `sudo -u x CMD ARGS`).
    """
    takes = frozenset(valued)
    opts: Options = []
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


def names(opts: Options) -> set[str]:
    return {name for name, _ in opts}


def value(opts: Options, *wanted: str) -> str | None:
    """The value of the first of the `wanted` options given with one."""
    return next((v for k, v in opts if k in wanted and v is not None), None)


def short_flags(args: list[str]) -> set[str]:
    """The letters of every short option cluster: `-rf x` gives {"r", "f"}."""
    return {c for a in args if a.startswith("-") and not a.startswith("--") for c in a[1:]}
