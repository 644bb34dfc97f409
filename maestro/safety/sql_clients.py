"""Database command-line clients: psql, mysql and the PostgreSQL/MySQL admin tools."""

from __future__ import annotations

from maestro.safety import sql
from maestro.safety.context import DES, MUT, OK, Context, Finding, Handler
from maestro.safety.options import names, options

_PSQL_VALUED = (
    *("-c", "--command", "-f", "--file", "-d", "--dbname", "-h", "--host", "-p", "--port", "-U", "--username"),
    *("-v", "--set", "--variable", "-P", "--pset", "-o", "--output", "-L", "--log-file", "-T", "-F", "-R"),
)
_PSQL_INCLUDES = ("\\i", "\\ir", "\\include", "\\include_relative")
_PSQL_WRITES = ("\\copy", "\\o", "\\out", "\\w", "\\write", "\\gexec", "\\lo_import", "\\lo_unlink")
_MYSQL_CONNECTION = ("-h", "--host", "-u", "--user", "-P", "--port", "-S", "--socket")
_MYSQLADMIN_READ = ("status", "extended-status", "processlist", "variables", "ping", "version")


def _psql(ctx: Context) -> list[Finding]:
    opts, _ = options(ctx.args, _PSQL_VALUED)
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
    if names(opts) & {"-l", "--list", "-V", "--version", "--help"}:
        return [OK]
    if ctx.stdin is not None:
        return _psql_input(ctx.stdin, ctx)
    return [(MUT, "psql without -c reads SQL from input that is not shown")]


def _psql_input(text: str, ctx: Context) -> list[Finding]:
    """SQL mixed with psql meta-commands (`\\dt`, `\\! shell`, `\\copy` ...)."""
    lines: list[str] = []
    out: list[Finding] = []
    for line in text.splitlines():
        meta = line.strip()
        if not meta.startswith("\\"):
            lines.append(line)
            continue
        word = meta.split(None, 1)[0]
        if word.startswith("\\!"):
            out += ctx.script(meta[2:], stdin=ctx.stdin)
        elif "|" in meta and word in ("\\g", "\\gx", "\\o", "\\out", "\\w", "\\write", "\\copy"):
            out += ctx.script(meta.split("|", 1)[1], stdin=None)
            out.append((MUT, f"psql {word} | runs a shell command"))
        elif word in _PSQL_INCLUDES:
            out.append((MUT, "psql \\i runs SQL from a file that is not shown"))
        elif word in _PSQL_WRITES:
            out.append((MUT, f"psql {word} writes data or runs generated SQL"))
    return out + sql.judge("\n".join(lines))


def _mysql(ctx: Context) -> list[Finding]:
    opts, _ = options(ctx.args, (*_MYSQL_CONNECTION, "-D", "--database", "-e", "--execute"))
    out: list[Finding] = []
    for name, value in opts:
        if name in ("-e", "--execute"):
            out += _mysql_input(value or "", ctx)
    if out:
        return out
    if ctx.stdin is not None:
        return _mysql_input(ctx.stdin, ctx)
    return [(MUT, f"{ctx.prog} without -e reads SQL from input that is not shown")]


def _mysql_input(text: str, ctx: Context) -> list[Finding]:
    """SQL with the client's own `system CMD` and `\\! CMD` shell escapes."""
    out: list[Finding] = []
    kept: list[str] = []
    for statement in text.split(";"):
        bare = statement.strip()
        if bare.lower().startswith("system ") or bare.startswith("\\!"):
            out += ctx.script(bare.split(None, 1)[1] if " " in bare else "", stdin=None)
        else:
            kept.append(statement)
    return out + sql.judge(";".join(kept))


def _mysqladmin(ctx: Context) -> list[Finding]:
    _, pos = options(ctx.args, _MYSQL_CONNECTION)
    out: list[Finding] = []
    for verb in (p.lower() for p in pos):
        if verb == "drop":
            out.append((DES, "mysqladmin drop deletes a database"))
        elif verb == "shutdown":
            out.append((DES, "mysqladmin shutdown stops the server"))
        elif verb not in _MYSQLADMIN_READ:
            out.append((MUT, f"mysqladmin {verb} changes the server"))
    return out or [OK]


def _pg_restore(ctx: Context) -> list[Finding]:
    opts, _ = options(ctx.args, ("-d", "--dbname", "-f", "--file"))
    if names(opts) & {"-c", "--clean"}:
        return [(DES, "pg_restore --clean drops database objects before recreating them")]
    return [(MUT, "pg_restore loads data into the database")]


def _pg_ctl(ctx: Context) -> list[Finding]:
    _, pos = options(ctx.args, ("-D", "--pgdata", "-m", "--mode", "-l", "--log", "-o", "-t", "--timeout"))
    if pos and pos[0] == "status":
        return [OK]
    return [(MUT, f"pg_ctl {pos[0] if pos else ''} changes the running server")]


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(("mysql", "mariadb"), _mysql),
    "psql": _psql,
    "mysqladmin": _mysqladmin,
    "pg_restore": _pg_restore,
    "pg_ctl": _pg_ctl,
    "dropdb": lambda ctx: [(DES, "dropdb deletes a whole database")],
    "dropuser": lambda ctx: [(DES, "dropuser deletes a database role")],
}
