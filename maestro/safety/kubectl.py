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
        return [(DES, "kubectl drain evicts every pod from the node")]
    if verb == "scale" and any(a in ("--replicas=0", "--replicas") for a in ctx.args):
        given = [ctx.args[i + 1] for i, a in enumerate(ctx.args[:-1]) if a == "--replicas"]
        if "--replicas=0" in ctx.args or "0" in given:
            return [(DES, "kubectl scale --replicas=0 stops every pod of the workload")]
    return [(MUT, f"kubectl {verb} changes the cluster")]


def _helm(ctx: Context) -> list[Finding]:
    verb = next((a for a in ctx.args if not a.startswith("-")), "")
    if verb in ("list", "ls", "status", "get", "history", "show", "inspect", "search", "version", "template", ""):
        return [OK]
    if verb in ("uninstall", "delete", "del", "un"):
        return [(DES, "helm uninstall deletes every resource of the release")]
    return [(MUT, f"helm {verb} changes the cluster")]


def _terraform(ctx: Context) -> list[Finding]:
    verb = next((a for a in ctx.args if not a.startswith("-")), "")
    if verb in ("plan", "show", "output", "validate", "version", "fmt", "providers", "graph", ""):
        return [OK]
    if verb == "destroy" or (verb == "apply" and "-destroy" in ctx.args):
        return [(DES, "terraform destroy deletes every resource it manages")]
    return [(MUT, f"terraform {verb} changes real infrastructure")]


HANDLERS: dict[str, Handler] = {"kubectl": _kubectl, "helm": _helm, "terraform": _terraform, "tofu": _terraform}
