"""docker, its management groups (service, node, stack, volume ...) and docker compose."""

from __future__ import annotations

import re

from maestro.safety.context import DES, MUT, OK, Context, Finding, Handler
from maestro.safety.lexer import computed
from maestro.safety.options import options, short_flags

_Table = dict[str, Finding]

_TOP: _Table = {
    **dict.fromkeys(("ps", "images", "logs", "inspect", "stats", "top", "events", "info", "version"), OK),
    **dict.fromkeys(("port", "diff", "history", "search", "wait", "--version", "--help", "help"), OK),
    "rm": (MUT, "docker rm deletes containers and their writable layers"),
    "kill": (MUT, "docker kill stops containers without a clean shutdown"),
    "stop": (MUT, "docker stop stops containers"),
    "restart": (MUT, "docker restart restarts containers"),
    "rmi": (MUT, "docker rmi deletes images"),
    "pull": (MUT, "docker pull downloads an image"),
    "update": (MUT, "docker update changes container limits"),
}
_LISTING = ("ls", "list", "inspect")
_ZERO_SCALE = re.compile(r"=0+$")

_GROUPS: dict[str, _Table] = {
    "service": {
        **dict.fromkeys((*_LISTING, "ps", "logs"), OK),
        "create": (MUT, "docker service create starts a new service"),
        "scale": (MUT, "docker service scale changes how many replicas run"),
        "rollback": (MUT, "docker service rollback returns the service to its previous spec; tasks restart"),
        **dict.fromkeys(("rm", "remove"), (DES, "docker service rm deletes the service and stops all of its tasks")),
    },
    "node": {
        **dict.fromkeys((*_LISTING, "ps"), OK),
        "update": (MUT, "docker node update changes a node (availability drain moves its tasks away)"),
        "promote": (MUT, "docker node promote changes the managers of the swarm"),
        "demote": (MUT, "docker node demote changes the managers of the swarm"),
        **dict.fromkeys(("rm", "remove"), (DES, "docker node rm removes the node from the swarm")),
    },
    "stack": {
        **dict.fromkeys(("ls", "list", "ps", "services", "config"), OK),
        **dict.fromkeys(("deploy", "up"), (MUT, "docker stack deploy creates or updates every service of the stack")),
        **dict.fromkeys(
            ("rm", "remove", "down"), (DES, "docker stack rm deletes every service, network and secret of the stack")
        ),
    },
    "volume": {
        **dict.fromkeys(_LISTING, OK),
        "create": (MUT, "docker volume create creates a volume"),
        **dict.fromkeys(("rm", "remove"), (DES, "docker volume rm deletes volumes and all the data in them")),
        "prune": (DES, "docker volume prune deletes every unused volume and its data"),
    },
    "network": {
        **dict.fromkeys(_LISTING, OK),
        "rm": (MUT, "docker network rm deletes networks"),
        "prune": (MUT, "docker network prune deletes unused networks"),
    },
    "image": {
        **dict.fromkeys((*_LISTING, "history"), OK),
        "rm": (MUT, "docker image rm deletes images"),
        "prune": (MUT, "docker image prune deletes unused images"),
    },
    "system": {
        **dict.fromkeys(("df", "info", "events"), OK),
        "prune": (DES, "docker system prune deletes stopped containers, unused networks, images and build cache"),
    },
    **dict.fromkeys(("builder", "buildx"), dict.fromkeys(("ls", "du", "inspect", "version"), OK)),
    "config": {
        **dict.fromkeys(_LISTING, OK),
        **dict.fromkeys(("rm", "remove"), (DES, "docker config rm deletes the config; services using it break")),
    },
    "secret": {
        **dict.fromkeys(_LISTING, OK),
        **dict.fromkeys(("rm", "remove"), (DES, "docker secret rm deletes the secret; its value cannot be read back")),
    },
    "context": dict.fromkeys((*_LISTING, "show"), OK),
    "plugin": dict.fromkeys(_LISTING, OK),
    "swarm": {},
    "manifest": {"inspect": OK},
    "trust": {"inspect": OK},
}

_CONTAINER_ALIASES = {"ls": "ps", "list": "ps", "remove": "rm", "prune": "container-prune"}
_GLOBAL_VALUED = ("-H", "--host", "-c", "--context", "--config", "-l", "--log-level")
_EXEC_VALUED = ("-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys")
_RUN_VALUED = (
    *_EXEC_VALUED,
    *("-v", "--volume", "-p", "--publish", "--name", "--network", "--net", "--entrypoint", "-m", "--memory"),
    *("--cpus", "-l", "--label", "--mount", "--restart", "-h", "--hostname", "--add-host", "--dns"),
    *("--log-driver", "--log-opt", "--platform", "--pull", "--cap-add", "--cap-drop", "--device"),
    *("--ulimit", "--tmpfs", "--shm-size", "--security-opt", "--gpus", "--health-cmd", "--pid", "--ipc"),
    *("--cidfile", "-a", "--attach", "--memory-swap", "--stop-signal", "--stop-timeout", "--userns"),
)
_HOST_ROOTS = frozenset({"/", "/etc", "/var/run/docker.sock", "/run/docker.sock", "/var/lib/docker"})
_COMPOSE_VALUED = ("-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory")
_COMPOSE_READ = frozenset({"ps", "logs", "config", "ls", "top", "images", "version", "events", "port", ""})


def _docker(ctx: Context) -> list[Finding]:
    _, rest = options(ctx.args, _GLOBAL_VALUED, stop=True)
    if not rest:
        return [OK]
    sub, args = rest[0].lower(), rest[1:]
    if sub == "compose":
        return _compose(ctx, args)
    if sub == "container":
        action = _action(args)
        return _top(ctx, _CONTAINER_ALIASES.get(action, action), args[1:])
    if sub in _GROUPS:
        if _action(args) in ("rm", "remove") and (ctx.broad or computed(args)):
            return [(DES, f"docker {sub} rm of a computed set deletes every one of them")]
        return [_group(sub, args)]
    return _top(ctx, sub, args)


def _action(args: list[str]) -> str:
    return next((a.lower() for a in args if not a.startswith("-")), "")


def _top(ctx: Context, sub: str, args: list[str]) -> list[Finding]:
    if sub == "exec":
        return _exec(ctx, args)
    if sub == "run":
        return _run(ctx, args)
    if sub == "container-prune":
        return [(DES, "docker container prune deletes every stopped container and its writable layer")]
    found = _TOP.get(sub)
    if found is None:
        return [(MUT, f"docker {sub} is not known to be read-only")]
    if sub in ("rm", "kill", "stop", "rmi", "restart") and (ctx.broad or computed(args)):
        return [(DES, f"docker {sub} of a computed set of containers hits every one of them")]
    return [found]


def _group(group: str, args: list[str]) -> Finding:
    action = _action(args)
    flags = set(args)
    if group == "service" and action == "update":
        return _service_update(args)
    if group == "service" and action == "scale" and any(_ZERO_SCALE.search(a) for a in args):
        return (DES, "docker service scale to 0 stops every task of the service")
    if group == "service" and action == "create" and _replicas_zero(args):
        return (MUT, "docker service create makes a service with no running task")
    if group == "node" and action == "update" and _availability(args) in ("drain", "pause"):
        how = _availability(args)
        return (
            DES,
            f"docker node update --availability {how} moves or holds every task of the node; "
            "on a small swarm that stops services",
        )
    if group == "image" and action == "prune" and ("--all" in flags or "a" in short_flags(args)):
        return (DES, "docker image prune -a deletes every image not used by a running container")
    if group == "swarm" and action == "init" and "--force-new-cluster" in flags:
        return (DES, "docker swarm init --force-new-cluster throws away every other manager of the swarm")
    if group == "swarm":
        return _swarm(action, flags)
    found = _GROUPS[group].get(action)
    if found is None:
        return (MUT, f"docker {group} {action} is not known to be read-only")
    if group == "system" and action == "prune" and "--volumes" in flags:
        return (DES, found[1] + ", and every unused volume with its data")
    return found


def _service_update(args: list[str]) -> Finding:
    target = args[-1] if args and not args[-1].startswith("-") else "the service"
    if _replicas_zero(args):
        return (DES, f"docker service update --replicas 0 stops every task of {target}")
    if "--rollback" in args:
        return (MUT, f"docker service update --rollback returns {target} to its previous spec; tasks restart")
    if "--force" in args:
        return (MUT, f"docker service update --force restarts every task of {target}")
    image = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--image"), None)
    if image:
        return (MUT, f"docker service update deploys {image} to {target}; tasks restart")
    return (MUT, f"docker service update changes {target}; its tasks may restart")


def _replicas_zero(args: list[str]) -> bool:
    for i, a in enumerate(args):
        given = args[i + 1] if a == "--replicas" and i + 1 < len(args) else a.partition("=")[2]
        if a.partition("=")[0] == "--replicas" and given and given.strip("0") == "":
            return True
    return False


def _availability(args: list[str]) -> str:
    for i, a in enumerate(args):
        if a == "--availability" and i + 1 < len(args):
            return args[i + 1].lower()
        if a.startswith("--availability="):
            return a.partition("=")[2].lower()
    return ""


def _swarm(action: str, flags: set[str]) -> Finding:
    if action == "leave":
        if flags & {"-f", "--force"}:
            return (DES, "docker swarm leave --force takes this node out of the swarm, even a manager")
        return (MUT, "docker swarm leave takes this node out of the swarm")
    if action in ("join-token", "unlock-key") and "--rotate" not in flags:
        return OK
    return (MUT, f"docker swarm {action} changes the swarm")


def _exec(ctx: Context, args: list[str]) -> list[Finding]:
    _, rest = options(args, _EXEC_VALUED, stop=True)
    if len(rest) < 2:
        return [(MUT, "docker exec without a command")]
    return ctx.argv(rest[1:])


def _run(ctx: Context, args: list[str]) -> list[Finding]:
    opts, rest = options(args, _RUN_VALUED, stop=True)
    inner = ctx.argv(rest[1:]) if len(rest) > 1 else []
    found: list[Finding] = [(MUT, "docker run starts a new container"), *inner]
    for name, value in opts:
        host_root = name in ("-v", "--volume") and (value or "").split(":", 1)[0] in _HOST_ROOTS
        host_wide = name in ("--pid", "--ipc", "--userns") and value == "host"
        if name == "--privileged" or host_root or host_wide:
            found.append((DES, "docker run given the host's root, engine socket or processes can change the host"))
            break
    return found


def _compose(ctx: Context, args: list[str]) -> list[Finding]:
    _, rest = options(args, _COMPOSE_VALUED, stop=True)
    action = rest[0].lower() if rest else ""
    if action in _COMPOSE_READ:
        return [OK]
    if action == "down" and set(rest) & {"-v", "--volumes"}:
        return [(DES, "docker compose down -v deletes the project's volumes and their data")]
    if action in ("exec", "run"):
        _, inner = options(rest[1:], ("-u", "--user", "-w", "--workdir", "-e", "--env", "--index"), stop=True)
        found = ctx.argv(inner[1:]) if len(inner) > 1 else [(MUT, f"docker compose {action} opens a shell")]
        return found if action == "exec" else [(MUT, "docker compose run starts a new container"), *found]
    return [(MUT, f"docker compose {action} changes the project's containers")]


HANDLERS: dict[str, Handler] = {
    "docker": _docker,
    "docker-compose": lambda ctx: _compose(ctx, ctx.args),
}
