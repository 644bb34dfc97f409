"""The machine: disks, power, init and systemd, processes and cron."""

from __future__ import annotations

import re

from maestro.safety.context import DES, HARMLESS_TARGETS, MUT, OK, SYSTEM_PATH, Context, Finding, Handler, word_set
from maestro.safety.lexer import computed
from maestro.safety.options import options, short_flags

_PARTITIONERS = ("fdisk", "sfdisk", "parted", "gdisk")
_WIPERS = ("mkfs", "mke2fs", "mkswap", "wipefs", "shred", "blkdiscard", "sgdisk")
_SYSTEMCTL_VALUED = (
    *("-H", "--host", "-M", "--machine", "-p", "--property", "-t", "--type", "-s", "--signal"),
    *("--state", "-n", "--lines", "-o", "--output"),
)
_SYSTEMCTL_READ = word_set(
    "status show cat list-units list-unit-files list-sockets list-timers list-jobs list-dependencies list-machines "
    "is-active is-enabled is-failed is-system-running get-default help show-environment"
)
_IP_CHANGES = word_set("add del delete set flush change replace append")
_SYSTEMCTL_DOWN = ("reboot", "poweroff", "halt", "kexec", "soft-reboot", "emergency", "rescue")
_SYSTEMCTL_STOPS = frozenset({"stop", "kill", "disable", "mask", "isolate", "freeze"})
# Stopping one of these takes down every container, the node's place in the swarm or the way in.
_CRITICAL_UNITS = re.compile(
    r"(?:docker|dockerd|containerd|kubelet|ssh|sshd|network|networking|networkmanager|systemd-networkd"
    r"|systemd-resolved|systemd-journald|dbus|k3s|crio|cri-o|podman)(?:\.service|\.socket)?",
    re.IGNORECASE,
)
_CRITICAL_PROCESSES = re.compile(
    r"(?:dockerd|docker|containerd|containerd-shim\S*|kubelet|sshd|systemd|init|k3s|crio)", re.IGNORECASE
)
_GENTLE_SIGNALS = frozenset({"0", "HUP", "1", "USR1", "10", "USR2", "12", "CONT", "18", "WINCH", "28"})
_FIREWALL_WIPES = frozenset({"-F", "--flush", "-X", "--delete-chain", "-Z", "--zero"})
_ROOT_PATHS = re.compile(r"/+(?:\*|\.)?$|/+(?:etc|usr|var|bin|sbin|lib|lib64|boot|root|home|srv|opt|dev|proc|sys)/*$")


def disk(ctx: Context) -> list[Finding]:
    """Formatting, wiping and partitioning tools; listing partitions is read-only."""
    if ctx.prog in _PARTITIONERS and (
        short_flags(ctx.args) & {"l", "s"} or {"--list", "print", "--show-size"} & set(ctx.args)
    ):
        return [OK]
    return [(DES, f"{ctx.prog} rewrites a disk or file, destroying what was there")]


def _dd(ctx: Context) -> list[Finding]:
    target = next((a[3:] for a in ctx.args if a.startswith("of=")), None)
    if target is None or target in HARMLESS_TARGETS:
        return [OK]
    if target.startswith("/dev/"):
        return [(DES, f"dd writes raw data over {target}")]
    if SYSTEM_PATH.match(target):
        return [(DES, f"dd overwrites the system file {target}")]
    return [(MUT, f"dd writes the file {target}")]


def _power(ctx: Context) -> list[Finding]:
    if ctx.prog == "shutdown" and "-c" in ctx.args:
        return [(MUT, "shutdown -c cancels a scheduled shutdown")]
    return [(DES, f"{ctx.prog} takes the whole machine down")]


def _init(ctx: Context) -> list[Finding]:
    if ctx.args and ctx.args[0] in ("0", "6"):
        return [(DES, f"{ctx.prog} {ctx.args[0]} takes the whole machine down")]
    return [(MUT, f"{ctx.prog} changes the run level")]


def _systemctl(ctx: Context) -> list[Finding]:
    _, pos = options(ctx.args, _SYSTEMCTL_VALUED)
    verb = pos[0].lower() if pos else "list-units"
    units = " ".join(pos[1:])
    if verb in _SYSTEMCTL_READ:
        return [OK]
    if verb in _SYSTEMCTL_DOWN:
        return [(DES, f"systemctl {verb} takes the whole machine down")]
    if verb == "isolate":
        return [(DES, f"systemctl isolate {units} stops every unit the target does not want")]
    if verb in _SYSTEMCTL_STOPS and any(_CRITICAL_UNITS.fullmatch(u) for u in pos[1:]):
        return [(DES, f"systemctl {verb} {units} stops what every container or the way in depends on")]
    return [(MUT, f"systemctl {verb} {units}".rstrip() + " changes running services")]


def _service(ctx: Context) -> list[Finding]:
    if ctx.args[1:2] in (["status"], ["--status-all"]) or ctx.args[:1] == ["--status-all"]:
        return [OK]
    if ctx.args[1:2] == ["stop"] and _CRITICAL_UNITS.fullmatch(ctx.args[0]):
        return [(DES, f"service {ctx.args[0]} stop stops what every container or the way in depends on")]
    return [(MUT, f"service {' '.join(ctx.args[:2])} changes a running service")]


def _is_kill_signal(signal: str) -> bool:
    return signal.upper().removeprefix("SIG") in ("9", "KILL")


def _kill(ctx: Context) -> list[Finding]:
    signal: str | None = None
    targets: list[str] = []
    args = ctx.args
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-l", "-L", "--list"):
            return [OK]
        if a in ("-s", "-n", "--signal") and i + 1 < len(args) and signal is None:
            signal = args[i + 1]
            i += 2
            continue
        if a.startswith("-") and len(a) > 1 and signal is None and not targets:
            signal = a[1:]
        elif a != "--":
            targets.append(a)
        i += 1
    hard = _is_kill_signal(signal or "")
    if "-1" in targets:
        return [(DES, "kill -1 signals every process you are allowed to signal")]
    gentle = (signal or "TERM").upper().removeprefix("SIG") in _GENTLE_SIGNALS
    if not gentle and ("1" in targets or any(t.startswith("-") and t[1:].isdigit() for t in targets)):
        return [(DES, "kill of process 1 or of a process group stops the init process or a whole group")]
    if hard and (ctx.broad or computed(targets) or "0" in targets):
        return [(DES, "kill -9 of a computed set of processes gives none of them a chance to clean up")]
    if hard:
        return [(MUT, "kill -9 stops the process without letting it clean up")]
    return [(MUT, "kill sends a signal that usually stops the process")]


def _pkill(ctx: Context) -> list[Finding]:
    args = ctx.args
    signals = [a[1:] for a in args if a.startswith("-") and not a.startswith("--")]
    signals += [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-s", "--signal")]
    signals += [a.partition("=")[2] for a in args if a.startswith("--signal=")]
    if any(_is_kill_signal(s) for s in signals):
        return [(DES, f"{ctx.prog} -9 kills every matching process without cleanup")]
    names = [a for a in args if not a.startswith("-")]
    if any(_CRITICAL_PROCESSES.fullmatch(n) or n in (".", ".*", "") for n in names):
        return [(DES, f"{ctx.prog} {' '.join(names)} stops what every container or the way in depends on")]
    return [(MUT, f"{ctx.prog} signals every matching process")]


def _crontab(ctx: Context) -> list[Finding]:
    flags = short_flags(ctx.args)
    if "r" in flags:
        return [(DES, "crontab -r deletes every cron job of the user")]
    if "l" in flags:
        return [OK]
    return [(MUT, "crontab replaces the user's cron jobs")]


def _ip(ctx: Context) -> list[Finding]:
    _, pos = options(ctx.args, ("-n", "-netns", "-b", "-batch", "-f", "-family"), stop=True)
    if pos[:2] == ["netns", "exec"] and len(pos) > 3:
        return ctx.argv(pos[3:])
    if {"-b", "-batch", "-force"} & set(ctx.args):
        return [(MUT, "ip runs the commands of a batch file")]
    if _IP_CHANGES & set(ctx.args[1:]):
        return [(MUT, "ip changes network settings")]
    return [OK]


def _firewall(ctx: Context) -> list[Finding]:
    args = set(ctx.args)
    if args & {"-L", "--list", "-S", "--list-rules"} and not args & _FIREWALL_WIPES:
        return [OK]
    if args & _FIREWALL_WIPES:
        return [(DES, f"{ctx.prog} -F deletes firewall rules; the host may be cut off or left open")]
    for i, a in enumerate(ctx.args):
        if a in ("-P", "--policy") and "DROP" in [x.upper() for x in ctx.args[i + 1 : i + 3]]:
            return [(DES, f"{ctx.prog} -P ... DROP drops every packet not allowed: the host can be cut off")]
    return [(MUT, f"{ctx.prog} changes firewall rules")]


def _ownership(ctx: Context) -> list[Finding]:
    """chmod, chown, chgrp: over the root or a system directory, or recursively there, destructive."""
    targets = [a for a in ctx.args if not a.startswith("-")][1:]
    recursive = "R" in short_flags(ctx.args) or "--recursive" in ctx.args
    if any(_ROOT_PATHS.fullmatch(t) or SYSTEM_PATH.match(t) for t in targets) or (
        recursive and any(t.startswith("/") and t.count("/") <= 2 for t in targets)
    ):
        return [(DES, f"{ctx.prog} over a system directory changes who may use every file in it")]
    what = "permissions" if ctx.prog == "chmod" else "ownership"
    if recursive:
        return [(MUT, f"{ctx.prog} -R changes the {what} of every file under {' '.join(targets[:3])}")]
    return [(MUT, f"{ctx.prog} changes file {what}")]


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys((*_WIPERS, *_PARTITIONERS), disk),
    **dict.fromkeys(("shutdown", "reboot", "halt", "poweroff"), _power),
    **dict.fromkeys(("init", "telinit"), _init),
    **dict.fromkeys(("pkill", "killall"), _pkill),
    "dd": _dd,
    "systemctl": _systemctl,
    "service": _service,
    "kill": _kill,
    "crontab": _crontab,
    **dict.fromkeys(("iptables", "ip6tables", "iptables-legacy", "iptables-nft"), _firewall),
    **dict.fromkeys(("chmod", "chown", "chgrp"), _ownership),
    "ufw": lambda ctx: (
        [(DES, f"ufw {ctx.args[0]} removes the firewall rules")]
        if ctx.args[:1] in (["disable"], ["reset"])
        else [OK]
        if ctx.args[:1] in (["status"], ["app"], [])
        else [(MUT, "ufw changes firewall rules")]
    ),
    "ip": _ip,
}
