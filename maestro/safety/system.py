"""The machine: disks, power, init and systemd, processes and cron."""

from __future__ import annotations

from maestro.safety.context import DES, HARMLESS_TARGETS, MUT, OK, Context, Finding, Handler, word_set
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
    return [(MUT, f"systemctl {verb} {units}".rstrip() + " changes running services")]


def _service(ctx: Context) -> list[Finding]:
    if ctx.args[1:2] in (["status"], ["--status-all"]) or ctx.args[:1] == ["--status-all"]:
        return [OK]
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
    return [(MUT, f"{ctx.prog} signals every matching process")]


def _crontab(ctx: Context) -> list[Finding]:
    flags = short_flags(ctx.args)
    if "r" in flags:
        return [(DES, "crontab -r deletes every cron job of the user")]
    if "l" in flags:
        return [OK]
    return [(MUT, "crontab replaces the user's cron jobs")]


def _ip(ctx: Context) -> list[Finding]:
    if _IP_CHANGES & set(ctx.args[1:]):
        return [(MUT, "ip changes network settings")]
    return [OK]


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
    "ip": _ip,
}
