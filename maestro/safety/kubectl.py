"""kubectl: reads, exec, and the verbs that change a cluster."""

from __future__ import annotations

from maestro.safety.context import DES, MUT, OK, Context, Finding, Handler, word_set
from maestro.safety.options import options

_VALUED = (
    *("-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server"),
    *("-l", "--selector", "-o", "--output", "-c", "--container", "-f", "--filename", "--field-selector"),
    *("--since", "--tail", "--sort-by", "--template", "--timeout", "--grace-period", "--replicas"),
)
_READ = word_set("get describe logs top explain api-resources api-versions version cluster-info diff events wait auth")


def _kubectl(ctx: Context) -> list[Finding]:
    _, pos = options(ctx.args, _VALUED)
    verb = pos[0].lower() if pos else ""
    sub = pos[1].lower() if len(pos) > 1 else ""
    if verb == "exec":
        if "--" in ctx.args:
            return ctx.argv(ctx.args[ctx.args.index("--") + 1 :])
        return [(MUT, "kubectl exec without a command opens a shell")]
    if verb in _READ or verb == "":
        return [OK]
    if verb == "config" and sub in ("view", "get-contexts", "current-context", "get-clusters"):
        return [OK]
    if verb == "rollout" and sub in ("status", "history"):
        return [OK]
    if verb == "delete":
        return [(DES, "kubectl delete deletes resources")]
    if verb == "drain":
        return [(MUT, "kubectl drain evicts every pod from the node")]
    return [(MUT, f"kubectl {verb} changes the cluster")]


HANDLERS: dict[str, Handler] = {"kubectl": _kubectl}
