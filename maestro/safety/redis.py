"""redis-cli and the Redis commands it sends."""

from __future__ import annotations

import re

from maestro.safety.context import DES, MUT, OK, Context, Finding, Handler, unreadable, word_set
from maestro.safety.lexer import computed, split_words
from maestro.safety.options import names, options

_VALUED = (
    *("-h", "-p", "-s", "-a", "-u", "-n", "-r", "-i", "-d", "-D", "-t", "--user", "--pass", "--pattern"),
    *("--quoted-pattern", "--count", "--rdb", "--functions-rdb", "--eval", "--cacert", "--cacertdir"),
    *("--cert", "--key", "--sni", "--tls-ciphers", "--tls-ciphersuites", "--memkeys-samples"),
    "--intrinsic-latency",
)
_MODES = word_set(
    "--scan --bigkeys --memkeys --hotkeys --keystats --stat --latency --latency-history --latency-dist "
    "--intrinsic-latency --rdb --functions-rdb"
)
_READ = word_set(
    "INFO PING ECHO GET MGET GETRANGE STRLEN EXISTS TTL PTTL EXPIRETIME PEXPIRETIME TYPE KEYS SCAN DBSIZE "
    "HGET HMGET HGETALL HKEYS HVALS HLEN HEXISTS HSTRLEN HSCAN HRANDFIELD LRANGE LLEN LINDEX LPOS "
    "SCARD SMEMBERS SISMEMBER SMISMEMBER SRANDMEMBER SSCAN SINTER SUNION SDIFF SINTERCARD "
    "ZRANGE ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK "
    "ZCOUNT ZLEXCOUNT ZSCAN ZRANDMEMBER XRANGE XREVRANGE XLEN XREAD XPENDING XINFO BITCOUNT BITPOS "
    "GETBIT PFCOUNT GEOPOS GEODIST GEOHASH GEOSEARCH DUMP RANDOMKEY OBJECT TIME LASTSAVE ROLE "
    "MONITOR COMMAND PUBSUB HELLO AUTH SELECT READONLY WAIT LOLWUT SUBSCRIBE PSUBSCRIBE "
    "EVAL_RO EVALSHA_RO FCALL_RO SORT_RO"
)
_SUBCOMMANDS_READ: dict[str, frozenset[str]] = {
    "CLIENT": word_set("LIST INFO GETNAME ID TRACKINGINFO GETREDIR HELP"),
    "CONFIG": word_set("GET HELP"),
    "SLOWLOG": word_set("GET LEN HELP"),
    "MEMORY": word_set("USAGE STATS DOCTOR MALLOC-STATS HELP"),
    "LATENCY": word_set("LATEST HISTORY DOCTOR GRAPH HISTOGRAM HELP"),
    "CLUSTER": word_set("INFO NODES SLOTS SHARDS MYID MYSHARDID KEYSLOT COUNTKEYSINSLOT GETKEYSINSLOT LINKS HELP"),
    "SCRIPT": word_set("EXISTS HELP"),
    "FUNCTION": word_set("LIST DUMP STATS HELP"),
    "ACL": word_set("LIST USERS WHOAMI GETUSER CAT LOG DRYRUN HELP"),
    "MODULE": word_set("LIST HELP"),
}
_DESTRUCTIVE = {
    "FLUSHALL": "FLUSHALL deletes every key in every Redis database",
    "FLUSHDB": "FLUSHDB deletes every key in the selected Redis database",
    "SHUTDOWN": "SHUTDOWN stops the Redis server",
    "DEBUG": "DEBUG can crash or stall the Redis server",
}
_SUBCOMMAND_REASONS = {
    "CONFIG": "CONFIG {sub} changes the running Redis configuration",
    "CLIENT": "CLIENT {sub} disconnects or pauses Redis clients",
    "CLUSTER": "CLUSTER {sub} changes the Redis cluster",
}
_GLOB = re.compile(r"[*?\[]")
_DANGEROUS_SETTINGS = word_set(
    "dir dbfilename requirepass masterauth masteruser protected-mode bind port unixsocket appendfilename "
    "rename-command enable-debug-command enable-module-command aclfile logfile"
)
_SCRIPT_DELETES = re.compile(r"\b(?:del|unlink)\b")
_SCRIPT_FINDS_KEYS = re.compile(r"\b(?:keys|scan)\b")


def _redis_cli(ctx: Context) -> list[Finding]:
    opts, rest = options(ctx.args, _VALUED, stop=True)
    given = names(opts)
    if "--pipe" in given and ctx.stdin is None:
        return [unreadable("redis-cli --pipe sends every command from input that is not shown")]
    if "--eval" in given:
        return [unreadable("redis-cli --eval runs a Lua script that is not shown")]
    if given & {"--rdb", "--functions-rdb"}:
        return [(MUT, "redis-cli --rdb writes a dump file")]
    if given & _MODES:
        return [OK]
    if rest:
        return [command(rest, broad=ctx.broad)]
    if ctx.broad or (ctx.piped and ctx.stdin is None):
        return [unreadable("redis-cli runs commands piped in from another program or a file")]
    if ctx.stdin is not None:
        lines = [split_words(line) for line in ctx.stdin.splitlines()]
        return [command(words, broad=False) for words in lines if words] or [OK]
    return [(MUT, "redis-cli without a command reads commands from input that is not shown")]


def command(words: list[str], *, broad: bool) -> Finding:
    """The finding for one Redis command; `broad` when its arguments come from a pipe (xargs)."""
    cmd, args = words[0].upper(), words[1:]
    sub = args[0].upper() if args else ""
    if cmd in _READ:
        return OK
    if cmd in _SUBCOMMANDS_READ:
        if sub in _SUBCOMMANDS_READ[cmd]:
            return OK
        if cmd == "CONFIG" and sub == "SET" and len(args) > 1 and args[1].lower() in _DANGEROUS_SETTINGS:
            return (DES, f"CONFIG SET {args[1]} can lock clients out, expose the server or write files anywhere")
        if cmd == "MODULE" and sub in ("LOAD", "LOADEX"):
            return (DES, "MODULE LOAD runs a shared library inside the Redis server")
        if cmd == "CLUSTER" and sub in ("RESET", "FLUSHSLOTS"):
            return (DES, f"CLUSTER {sub} wipes the node's slots or data")
        template = _SUBCOMMAND_REASONS.get(cmd, "{cmd} {sub} changes Redis")
        return (MUT, template.format(cmd=cmd, sub=sub))
    if cmd in ("DEL", "UNLINK"):
        if broad or computed(args) or any(_GLOB.search(a) for a in args):
            return (DES, f"{cmd} of keys from a pipe, substitution or pattern deletes many keys at once")
        shown = " ".join(args[:5]) + (" ..." if len(args) > 5 else "")
        return (MUT, f"{cmd} deletes {shown}".rstrip())
    if cmd in _DESTRUCTIVE:
        return (DES, _DESTRUCTIVE[cmd])
    if cmd in ("REPLICAOF", "SLAVEOF"):
        if sub == "NO":
            return (MUT, f"{cmd} NO ONE promotes this replica to a primary")
        return (DES, f"{cmd} makes this server a replica and replaces all of its data")
    if cmd == "EVAL":
        return _eval(sub.lower())
    return (MUT, f"{cmd} writes to Redis")


def _eval(script: str) -> Finding:
    if "flushall" in script or "flushdb" in script:
        return (DES, "EVAL runs a script that flushes Redis")
    if _SCRIPT_DELETES.search(script) and _SCRIPT_FINDS_KEYS.search(script):
        return (DES, "EVAL runs a script that deletes keys by pattern")
    return (MUT, "EVAL runs a Lua script that may write")


HANDLERS: dict[str, Handler] = {"redis-cli": _redis_cli}
