"""Everyday tools: files, git, text filters, and commands judged by a single flag or verb.

Also the programs known to be read-only, and the reasons for a few known to change things.
"""

from __future__ import annotations

import re

from maestro.safety.context import (
    DES,
    HARMLESS_TARGETS,
    MUT,
    OK,
    SYSTEM_PATH,
    Context,
    Finding,
    Handler,
    unreadable,
    word_set,
)
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
}

_ROOTS = frozenset({"/", "/*", "*", "~", ".", ".."})
_ROOTS_ABS = re.compile(r"-C/+|/+|/+(?:etc|usr|bin|sbin|lib|lib64|boot|var)/*")
_GIT_READ = word_set(
    "status log diff show blame grep rev-parse describe shortlog ls-files ls-remote ls-tree cat-file reflog "
    "whatchanged version help"
)
_AWK_RUNS_SHELL = re.compile(r"\bsystem\s*\(|\|\s*\"|\|&|\"\s*\|\s*getline|\|\s*[A-Za-z_$]")
_AWK_WRITES = re.compile(r"\bprintf?\b[^;}]*>")
_SED_RUNS = re.compile(r"(?:^|[;\n{}])\s*(?:[0-9$,/!]|/[^/]*/)*\s*e(?:\s|$)|^s(.).*\1.*\1[gpiImM0-9w]*e")
_TAR_RUNS = re.compile(
    r"--(?:to-command|checkpoint-action|use-compress-program|rsh-command|info-script|new-volume-script)|^-[A-Za-z]*I"
)
# Options of otherwise read-only programs that run another program: a pager, a preprocessor, a browser.
_RUNS_PROGRAM: dict[str, tuple[str, ...]] = {
    "man": ("-P", "--pager", "-H", "--html"),
    "bat": ("--pager",),
    "rg": ("--pre",),
    "sort": ("--compress-program",),
    "less": ("+!", "-+"),
    "more": ("+!",),
}
_WRITES_FILE: dict[str, tuple[str, ...]] = {"sort": ("-o", "--output"), "tree": ("-o",), "pg_dump": ("-f", "--file")}
_URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
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
    opts, pos = options(ctx.args, ("-C", "-c", "--git-dir", "--work-tree", "--config-env"), stop=True)
    if any(name in ("-c", "--config-env", "--exec-path") for name, _ in opts):
        return [unreadable("git -c sets configuration that can run any program (pager, ssh, hooks)")]
    if any(a.startswith(("-O", "--open-files-in-pager", "--ext-diff")) for a in pos):
        return [unreadable("git runs a pager or diff program named on the command line")]
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
    if any(SYSTEM_PATH.match(f) for f in files):
        return [(DES, f"tee overwrites the system file {' '.join(f for f in files if SYSTEM_PATH.match(f))}")]
    return [(MUT, f"tee writes {' '.join(files)}")] if files else [OK]


def _awk(ctx: Context) -> list[Finding]:
    if any(_AWK_RUNS_SHELL.search(a) for a in ctx.args):
        return [unreadable(f"{ctx.prog} runs shell commands from its program")]
    if "-f" in ctx.args or any(a.startswith("--file") for a in ctx.args):
        return [unreadable(f"{ctx.prog} runs a program from a file that is not shown")]
    if any(_AWK_WRITES.search(a) for a in ctx.args):
        return [(MUT, f"{ctx.prog} writes files from its program")]
    return [OK]


def _sed(ctx: Context) -> list[Finding]:
    if any(_SED_RUNS.search(a) for a in ctx.args if not a.startswith("-") or a.startswith("-e")):
        return [unreadable("sed runs shell commands (the e command or flag)")]
    if "-f" in ctx.args or any(a.startswith("--file") for a in ctx.args):
        return [unreadable("sed runs a script from a file that is not shown")]
    return _in_place(ctx)


def _tar(ctx: Context) -> list[Finding]:
    if any(_TAR_RUNS.search(a) for a in ctx.args):
        return [unreadable("tar runs a program named in its options")]
    flags = short_flags(ctx.args) | (set(ctx.args[0]) if ctx.args and not ctx.args[0].startswith("-") else set())
    listing = "t" in flags or "--list" in ctx.args
    creating = "c" in flags or "--create" in ctx.args
    if listing and not creating:
        return [OK]
    if any(_ROOTS_ABS.fullmatch(a) for a in ctx.args) and not creating:
        return [(DES, "tar extracts over the root or a system directory")]
    return [(MUT, "tar writes files")]


def _rsync(ctx: Context) -> list[Finding]:
    if any(a in ("-e", "--rsh") or a.startswith(("--rsh=", "--rsync-path")) for a in ctx.args):
        return [unreadable("rsync runs a remote shell or program named in its options")]
    if any(a.startswith(("--delete", "--remove-source-files")) for a in ctx.args):
        return [(DES, "rsync --delete deletes every file at the destination that the source lacks")]
    return [(MUT, "rsync writes files at the destination")]


def _reader(ctx: Context) -> list[Finding]:
    """A read-only program, unless an option runs another program or writes a file."""
    for a in ctx.args:
        if any(a == o or a.startswith(o if o.startswith("+") else o + "=") for o in _RUNS_PROGRAM.get(ctx.prog, ())):
            return [unreadable(f"{ctx.prog} {a.split('=', 1)[0]} runs another program")]
    for i, a in enumerate(ctx.args):
        for o in _WRITES_FILE.get(ctx.prog, ()):
            if a == o or a.startswith(o + "=") or (len(o) == 2 and a.startswith(o) and len(a) > 2):
                target = ctx.args[i + 1] if a == o and i + 1 < len(ctx.args) else a.removeprefix(o).lstrip("=")
                if SYSTEM_PATH.match(target):
                    return [(DES, f"{ctx.prog} overwrites the system file {target}")]
                if target not in HARMLESS_TARGETS:
                    return [(MUT, f"{ctx.prog} writes the file {target}")]
    return [OK]


def _uniq(ctx: Context) -> list[Finding]:
    files = [a for a in ctx.args if not a.startswith("-") or a == "-"]
    if len(files) > 1 and files[1] not in HARMLESS_TARGETS:
        return [(MUT, f"uniq writes the file {files[1]}")]
    return [OK]


def _open(ctx: Context) -> list[Finding]:
    if all(_URL.match(a) or a.startswith("-") for a in ctx.args):
        return [OK]
    return [(MUT, f"{ctx.prog} opens a file with whatever program handles it")]


def _netcat(ctx: Context) -> list[Finding]:
    if short_flags(ctx.args) & {"e", "c"} or any(a.startswith(("--exec", "--sh-exec", "--lua-exec")) for a in ctx.args):
        return [unreadable(f"{ctx.prog} -e runs a program for whoever connects")]
    if "z" in short_flags(ctx.args):
        return [OK]
    return [(MUT, f"{ctx.prog} sends whatever it is given to the remote port")]


def _truncate(ctx: Context) -> list[Finding]:
    return [(DES, "truncate cuts files to a size, discarding their contents")]


_in_place_flags = frozenset({"-i", "--in-place"})


def _in_place(ctx: Context) -> list[Finding]:
    found = _flagged(_in_place_flags, "edits files in place")(ctx)
    if found[0][0] is MUT and any(SYSTEM_PATH.match(a) for a in ctx.args):
        return [(DES, f"{ctx.prog} -i edits a system file in place")]
    return found


def _move_or_copy(ctx: Context) -> list[Finding]:
    paths = [a for a in ctx.args if not a.startswith("-")]
    touched = paths if ctx.prog == "mv" else paths[-1:]
    if any(SYSTEM_PATH.match(p) or p in ("/", "/*") for p in touched):
        return [(DES, f"{ctx.prog} over or out of a system path can break the machine")]
    return [(MUT, NAMED[ctx.prog])]


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
    "rm": _rm,
    "truncate": _truncate,
    "git": _git,
    "tee": _tee,
    **dict.fromkeys((*_RUNS_PROGRAM, *_WRITES_FILE), _reader),
    **dict.fromkeys(("open", "xdg-open", "wslview"), _open),
    "uniq": _uniq,
    "mv": _move_or_copy,
    "cp": _move_or_copy,
    "tar": _tar,
    "rsync": _rsync,
    "sed": _sed,
    "ss": _flagged(frozenset({"-K", "--kill"}), "closes the sockets it matches"),
    "arp": _flagged(frozenset({"-d", "--delete", "-s", "--set", "-f", "--file"}), "changes the ARP table"),
    "yq": _flagged(frozenset({"-i", "--inplace"}), "edits files in place"),
    "date": _flagged(frozenset({"-s", "--set"}), "sets the system clock"),
    "journalctl": _flagged(_JOURNAL_WRITES, "deletes or moves journal files"),
    "dmesg": _flagged(frozenset({"-c", "-C", "--clear", "--read-clear"}), "clears the kernel ring buffer"),
    "hostname": _positional_changes("changes the host name"),
    "mount": _positional_changes("mounts a filesystem"),
    "nft": _unless_read(frozenset({"list"}), "changes firewall rules"),
    "openssl": _unless_read(_OPENSSL_READ, "writes keys or files"),
}
