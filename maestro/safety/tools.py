"""Everyday tools: files, git, text filters, and commands judged by a single flag or verb.

Also the programs known to be read-only, and the reasons for a few known to change things.
"""

from __future__ import annotations

import re

from maestro.safety.context import DES, HARMLESS_TARGETS, MUT, OK, Context, Finding, Handler, word_set
from maestro.safety.lexer import computed
from maestro.safety.options import options, short_flags

READ_ONLY = word_set("""
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

NAMED = {
    "slack-notify": "slack-notify posts a message to Slack",
    "update-status-page": "update-status-page changes the public status page",
    "mv": "mv moves or renames files, replacing any file in the way",
    "cp": "cp copies files and may overwrite existing ones",
    "chmod": "chmod changes file permissions",
    "chown": "chown changes file ownership",
    "source": "source runs a script that is not shown",
    ".": ". runs a script that is not shown",
}

_ROOTS = frozenset({"/", "/*", "*", "~", ".", ".."})
_GIT_READ = word_set(
    "status log diff show blame grep rev-parse describe shortlog ls-files ls-remote ls-tree cat-file reflog "
    "whatchanged version help"
)
_AWK_RUNS_SHELL = re.compile(r"\bsystem\s*\(|\|\s*\"|\|&")
_FIREWALL_READ = frozenset({"-L", "--list", "-S", "--list-rules"})
_OPENSSL_READ = frozenset({"s_client", "x509", "version", "verify", "ciphers", "crl", "asn1parse"})
_JOURNAL_WRITES = frozenset(
    {"--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate", "--flush", "--relinquish-var"}
)


def _rm(ctx: Context) -> list[Finding]:
    targets = [a for a in ctx.args if not a.startswith("-")]
    if short_flags(ctx.args) & {"r", "R"} or "--recursive" in ctx.args:
        return [(DES, "rm -r deletes whole directory trees")]
    if ctx.broad or computed(targets):
        return [(DES, "rm of files from a pipe or substitution deletes every one of them")]
    if any(t in _ROOTS for t in targets):
        return [(DES, "rm of a wildcard or root path deletes everything it matches")]
    return [(MUT, f"rm deletes {' '.join(targets[:5]) or 'files'}")]


def _git(ctx: Context) -> list[Finding]:
    _, pos = options(ctx.args, ("-C", "-c", "--git-dir", "--work-tree"), stop=True)
    verb = pos[0] if pos else ""
    rest = pos[1:]
    flags = set(rest) | {"-" + c for c in short_flags(rest)}
    if verb in _GIT_READ or verb == "":
        return [OK]
    if verb == "reset" and "--hard" in flags:
        return [(DES, "git reset --hard discards uncommitted changes")]
    if verb == "clean" and flags & {"-f", "--force"}:
        return [(DES, "git clean -f deletes untracked files")]
    if verb == "push" and flags & {"-f", "--force", "--force-with-lease", "--delete", "--mirror"}:
        return [(DES, "git push --force rewrites or deletes remote history")]
    if verb == "branch" and flags & {"-D", "-d", "--delete", "-m", "-M"}:
        return [(MUT, "git branch deletes or renames branches")]
    if verb in ("branch", "tag", "remote", "stash") and (not rest or rest[0] in ("-l", "--list", "-v", "list")):
        return [OK]
    return [(MUT, f"git {verb} changes the repository")]


def _tee(ctx: Context) -> list[Finding]:
    files = [a for a in ctx.args if not a.startswith("-") and a not in HARMLESS_TARGETS]
    return [(MUT, f"tee writes {' '.join(files)}")] if files else [OK]


def _awk(ctx: Context) -> list[Finding]:
    if any(_AWK_RUNS_SHELL.search(a) for a in ctx.args):
        return [(MUT, f"{ctx.prog} runs shell commands from its program")]
    return [OK]


def _netcat(ctx: Context) -> list[Finding]:
    if "z" in short_flags(ctx.args):
        return [OK]
    return [(MUT, f"{ctx.prog} sends whatever it is given to the remote port")]


def _truncate(ctx: Context) -> list[Finding]:
    return [(DES, "truncate cuts files to a size, discarding their contents")]


def _flagged(flags: frozenset[str], reason: str) -> Handler:
    """Read-only unless one of `flags` (exact, `--x=...` or inside a short cluster) is given."""

    def handler(ctx: Context) -> list[Finding]:
        for a in ctx.args:
            short = a.startswith("-") and not a.startswith("--")
            if a.partition("=")[0] in flags or (short and any("-" + c in flags for c in a[1:])):
                return [(MUT, f"{ctx.prog} {reason}")]
        return [OK]

    return handler


def _unless_read(verbs: frozenset[str], reason: str) -> Handler:
    """Mutating unless the first argument, or any flag, is one of `verbs`."""

    def handler(ctx: Context) -> list[Finding]:
        if not ctx.args or verbs & set(ctx.args[:1]) or verbs & {a for a in ctx.args if a.startswith("-")}:
            return [OK]
        return [(MUT, f"{ctx.prog} {reason}")]

    return handler


def _positional_changes(reason: str) -> Handler:
    """Read-only without positional arguments (`hostname`), mutating with them (`hostname new`)."""

    def handler(ctx: Context) -> list[Finding]:
        if any(not a.startswith("-") for a in ctx.args):
            return [(MUT, f"{ctx.prog} {reason}")]
        return [OK]

    return handler


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(("awk", "gawk", "mawk", "nawk"), _awk),
    **dict.fromkeys(("nc", "ncat", "netcat"), _netcat),
    **dict.fromkeys(("iptables", "ip6tables"), _unless_read(_FIREWALL_READ, "changes firewall rules")),
    "rm": _rm,
    "truncate": _truncate,
    "git": _git,
    "tee": _tee,
    "sed": _flagged(frozenset({"-i", "--in-place"}), "edits files in place"),
    "yq": _flagged(frozenset({"-i", "--inplace"}), "edits files in place"),
    "date": _flagged(frozenset({"-s", "--set"}), "sets the system clock"),
    "journalctl": _flagged(_JOURNAL_WRITES, "deletes or moves journal files"),
    "dmesg": _flagged(frozenset({"-c", "-C", "--clear", "--read-clear"}), "clears the kernel ring buffer"),
    "hostname": _positional_changes("changes the host name"),
    "mount": _positional_changes("mounts a filesystem"),
    "nft": _unless_read(frozenset({"list"}), "changes firewall rules"),
    "openssl": _unless_read(_OPENSSL_READ, "writes keys or files"),
}
