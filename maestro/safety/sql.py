"""SQL text: a finding for each statement, read with string literals and comments blanked out."""

from __future__ import annotations

import re
from itertools import pairwise

from maestro.safety.context import DES, MUT, OK, RANK, RO, Finding, word_set

_TOKENS = re.compile(
    r"'(?:[^']|'')*'?|\$(?P<tag>[A-Za-z_]\w*)?\$[\s\S]*?(?:\$(?P=tag)?\$|\Z)|--[^\n]*|/\*[\s\S]*?(?:\*/|\Z)"
)
_FIRST = re.compile(r"[\s(]*([A-Z_]+)")
_WHERE = re.compile(r"\bWHERE\b")
_OR = re.compile(r"\bOR\b")
_ALWAYS_TRUE = re.compile(r"\s*(?:TRUE|1\s*=\s*1|'_*'\s*=\s*'_*')\s*(?:RETURNING\b.*)?\Z", re.S)
_WRITE_PART = re.compile(r"\b(?:DELETE\s+FROM|INSERT\s+INTO|UPDATE\s+[A-Z_\"]|MERGE\s+INTO|TRUNCATE|DROP)\b")
_LOCK_CLAUSE = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?\Z")
_LOCKING_READ = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b")
_INTO = re.compile(r"\bINTO\b")
_EXPLAIN = re.compile(r"EXPLAIN\s*(\([^)]*\)|(?:(?:ANALYZE|ANALYSE|VERBOSE)\s+)*)")
_SET_GLOBAL = re.compile(r"\bSET\s+(?:GLOBAL|PERSIST)\b")
_DROP_WHAT = re.compile(r"[\s(]*DROP\s+([A-Z_]+)")
_DROP = re.compile(r"\bDROP\b")
_TO_STDOUT = re.compile(r"\bTO\s+STDOUT\b")
_FROM = re.compile(r"\bFROM\b")
_TERMINATE_ONE = re.compile(r"PG_TERMINATE_BACKEND\s*\(\s*\d+\s*\)")
_WRITE_FUNCS = re.compile(
    r"\b(PG_CANCEL_BACKEND|PG_RELOAD_CONF|PG_ROTATE_LOGFILE|PG_SWITCH_WAL|PG_PROMOTE|PG_DROP_REPLICATION_SLOT"
    r"|PG_CREATE_\w+_SLOT|NEXTVAL|SETVAL|LO_UNLINK|LO_IMPORT|LO_EXPORT|DBLINK_EXEC|PG_ADVISORY_\w*LOCK"
    r"|PG_TRY_ADVISORY_\w*LOCK|PG_FILE_WRITE|PG_FILE_UNLINK|PG_FILE_RENAME)\s*\("
)
_NARROWS = re.compile(
    r"\bstate\s*(?:=|in\s*\()\s*'idle|\bpid\s*(?:=|in\s*\()\s*\d|\bpid\s*=\s*any\s*\(\s*(?:array\s*\[\s*\d|"
    r"pg_blocking_pids\s*\(\s*\d)"
)
_READ = word_set(
    "SELECT WITH VALUES TABLE SHOW DESCRIBE DESC BEGIN START COMMIT END ROLLBACK SAVEPOINT RELEASE "
    "FETCH LISTEN UNLISTEN CLOSE DECLARE PREPARE EXECUTE DEALLOCATE DISCARD RESET"
)
_MUTATING = word_set(
    "INSERT CREATE GRANT REVOKE VACUUM ANALYZE ANALYSE REINDEX CLUSTER REFRESH COMMENT LOCK CALL DO NOTIFY "
    "MERGE UPSERT REPLACE RENAME LOAD IMPORT SECURITY REASSIGN CHECKPOINT KILL FLUSH INSTALL OPTIMIZE"
)


def judge(text: str) -> list[Finding]:
    """Findings for each statement of an SQL text."""
    source, upper = _blank_comments_and_literals(text)
    out: list[Finding] = []
    start = 0
    for end in [*(m.start() for m in re.finditer(";", upper)), len(upper)]:
        if upper[start:end].strip():
            out.append(_statement(source[start:end], upper[start:end]))
        start = end + 1
    return out or [OK]


def _blank_comments_and_literals(text: str) -> tuple[str, str]:
    """The text with comments blanked, and an uppercase copy with literals blanked too (`'___'`)."""
    orig: list[str] = []
    masked: list[str] = []
    pos = 0
    for m in _TOKENS.finditer(text):
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
    return "".join(orig), "".join(masked).upper()


def _statement(source: str, upper: str) -> Finding:
    first_match = _FIRST.match(upper)
    first = first_match.group(1) if first_match else ""
    if "PG_TERMINATE_BACKEND" in upper:
        return _terminate(source, upper)
    if first_match and first == "EXPLAIN":
        inner = _EXPLAIN.match(upper, first_match.start(1))
        if inner and "ANALY" in inner.group(1):
            return _statement(source[inner.end() :], upper[inner.end() :])
        return OK
    if first in _READ:
        return _read(source, upper, first)
    if first == "SET":
        return (MUT, "SET GLOBAL changes the server configuration") if _SET_GLOBAL.search(upper) else OK
    if first == "DROP":
        what = _DROP_WHAT.match(upper)
        return (DES, f"DROP {what.group(1) if what else ''} deletes it and everything in it")
    if first == "TRUNCATE":
        return (DES, "TRUNCATE deletes every row of the table")
    if first in ("DELETE", "UPDATE"):
        verb = "deletes" if first == "DELETE" else "changes"
        where = _WHERE.search(upper)
        if where is None or _ALWAYS_TRUE.match(upper, where.end()):
            return (DES, f"{first} without a WHERE {verb} every row of the table")
        return (MUT, f"{first} {verb} the rows it matches")
    if first == "ALTER":
        if _DROP.search(upper):
            return (DES, "ALTER ... DROP deletes a column, constraint or other part with its data")
        return (MUT, "ALTER changes a database object or setting")
    if first == "COPY":
        if re.search(r"\bPROGRAM\b", upper):
            return (DES, "COPY ... PROGRAM runs a shell command on the database server")
        return OK if _TO_STDOUT.search(upper) else (MUT, "COPY loads or writes data")
    if first == "SHUTDOWN":
        return (DES, "SHUTDOWN stops the database server")
    if first in _MUTATING:
        return (MUT, f"{first} changes the database")
    return (MUT, f"SQL {first or 'statement'} is not known to be read-only")


def _read(source: str, upper: str, first: str) -> Finding:
    """A reading statement, unless a part of it writes (`WITH gone AS (DELETE ...)`), locks or calls a writer."""
    worst: Finding = OK
    for m in _WRITE_PART.finditer(upper):
        if _LOCK_CLAUSE.search(upper, 0, m.start()):
            continue
        end = _paren_end(upper, m.start())
        found = _statement(source[m.start() : end], upper[m.start() : end])
        if RANK[found[0]] > RANK[worst[0]]:
            worst = found
    if worst[0] is not RO:
        return worst
    if call := _WRITE_FUNCS.search(upper):
        return (MUT, f"{call.group(1).lower()}() changes server state")
    if _LOCKING_READ.search(upper):
        return (MUT, f"{first} ... FOR UPDATE locks the rows it reads")
    if first == "SELECT" and _INTO.search(upper):
        return (MUT, "SELECT INTO creates a table")
    return OK


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
    """pg_terminate_backend: mutating when every branch of its WHERE narrows to idle sessions or given pids."""
    where = _WHERE.search(upper)
    if where is None:
        if _TERMINATE_ONE.search(upper) and not _FROM.search(upper):
            return (MUT, "pg_terminate_backend ends one session; its open transaction rolls back")
        return (DES, "pg_terminate_backend without a WHERE ends every session")
    start = where.end()
    bounds = [start, *(m.start() for m in _OR.finditer(upper, start)), len(upper)]
    branches = [source[a:b].lower() for a, b in pairwise(bounds)]
    if all(_NARROWS.search(branch) for branch in branches):
        return (MUT, "pg_terminate_backend ends the selected idle sessions; open transactions roll back")
    if "pg_backend_pid" in source.lower():
        return (DES, "pg_terminate_backend with only pid <> pg_backend_pid() ends every other session")
    return (DES, "pg_terminate_backend without a WHERE on state or pid ends every matching session")
