"""Facts for runbook placeholders, read from the live evidence and the incident text, and the evidence indexed
for matching: service health, aliases, and the bounded error lines of each service's logs.

A placeholder with no known value is shown as `<NAME>` so the reader sees what to fill in.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from itertools import groupby
from operator import attrgetter

from maestro.model import Evidence, NodeInfo, ServiceInfo, Signal, SignalKind, TaskInfo
from maestro.runbooks.terms import PLACEHOLDER, normalise, trie_regex
from maestro.triage.matching import Excerpts, ExcerptsOfServices

Facts = Mapping[str, str]

_MIN = datetime.min.replace(tzinfo=UTC)
_SERVICE = attrgetter("service")
_TEXT = attrgetter("text")
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
FAILURES = frozenset(SignalKind) - {
    SignalKind.RECENT_DEPLOY,
    SignalKind.ENGINE_UNREACHABLE,
    SignalKind.PERMISSION_DENIED,
    SignalKind.NOT_SWARM_MANAGER,
}
# Log text is untrusted and unbounded: of the newest lines of a service only so many distinct error lines are
# read, each cut short.
RECENT_LOG_LINES = 60
SCANNED_LOG_LINES = 12
LOG_LINE_CHARS = 300
_WORD = re.compile(r"[a-z]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_DIGITS = b"0123456789"
_QUOTES = re.compile(r"['\"\\\\]")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@/+=,%-]{0,254}")
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9._~%:@\[\]-]+(?:/[A-Za-z0-9._~%/:@+=,&?#*-]*)?", re.IGNORECASE)
_CONSTRAINT = re.compile(r"[A-Za-z0-9_.-]{1,120} ?[!=]= ?[A-Za-z0-9_.:/-]{1,120}")


def fill(template: str, facts: Facts, *, shell: bool = True) -> str:
    """Replace every `{name}` by its fact, or by `<NAME>` when the fact is unknown.

    In a command (`shell`) a fact is put in only when it is a plain URL, host, port or name, quoted
    for where it lands (bare, '...' or "..."), so text from a log or a description never becomes shell
    syntax; any other value leaves `<NAME>` in place (`refused` names them). Prose takes facts as they are.
    """
    if not shell:
        texts, slots = _template(template)
        if not slots:
            return template
        out = [texts[0]]
        for (name, _), text in zip(slots, texts[1:], strict=True):
            out += [facts.get(name) or f"<{name.upper()}>", text]
        return "".join(out)
    return fill_command(template, facts)[0]


def refused(template: str, facts: Facts) -> list[str]:
    """The placeholders of a command whose known value was left out because it is not plain."""
    return fill_command(template, facts)[1]


def fill_command(template: str, facts: Facts) -> tuple[str, list[str]]:
    """The command with its facts filled in the shell's way, and the placeholders whose value was left out."""
    texts, slots = _template(template)
    if not slots:
        return template, []
    out = [texts[0]]
    left_out: list[str] = []
    for (name, quote), text in zip(slots, texts[1:], strict=True):
        value = facts.get(name)
        placed = _for_shell(value, quote) if value else None
        if value and placed is None:
            left_out.append(name)
        out += [placed if placed is not None else f"<{name.upper()}>", text]
    return "".join(out), left_out


@lru_cache(maxsize=4096)
def _template(template: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """A template read once: its texts around the placeholders, and each placeholder's name with the quote open
    where it stands (in a command)."""
    texts: list[str] = []
    slots: list[tuple[str, str]] = []
    quote, scanned, pos = "", 0, 0
    for m in PLACEHOLDER.finditer(template):
        quote = _quote_after(template, scanned, m.start(), quote)
        scanned = m.start()
        texts.append(template[pos : m.start()])
        slots.append((m.group(1), quote))
        pos = m.end()
    texts.append(template[pos:])
    return tuple(texts), tuple(slots)


def plain_value(value: str) -> bool:
    """A URL, host, port, number, size, image or name: nothing a shell reads as syntax once quoted."""
    return bool(_PLAIN_NAME.fullmatch(value) or _PLAIN_URL.fullmatch(value) or _CONSTRAINT.fullmatch(value))


def _for_shell(value: str, quoting: str) -> str | None:
    if not plain_value(value):
        return None
    if quoting == "":
        return shlex.quote(value)
    return None if quoting in value else value


def _quote_after(template: str, start: int, end: int, quote: str) -> str:
    """The quote open at `end` ("'", '"' or "" for bare), given the one open at `start`."""
    if not quote and not _QUOTES.search(template, start, end):
        return ""
    i = start
    while i < end:
        c = template[i]
        if quote == "'":
            quote = "" if c == "'" else quote
        elif c == "\\":
            i += 1
        elif quote == '"':
            quote = "" if c == '"' else quote
        elif c in "'\"":
            quote = c
        i += 1
    return quote


def parse_bytes(value: str) -> int | None:
    found = _SIZE.match(value)
    if not found:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def docker_size(size: int) -> str:
    """Bytes in the units `docker service update --limit-memory` takes (4G, 512M)."""
    if size >= 1 << 30 and size % (1 << 30) == 0:
        return f"{size >> 30}G"
    return f"{max(1, size >> 20)}M"


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return _MIN
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class World:
    """The evidence, indexed once per triage, and the service aliases of the configuration."""

    def __init__(self, evidence: Evidence | None, aliases: Mapping[str, str] | None = None) -> None:
        self.evidence = evidence
        self.services: dict[str, ServiceInfo] = {s.name: s for s in evidence.services} if evidence else {}
        self.nodes: dict[str, NodeInfo] = {}
        self.signals: list[Signal] = list(evidence.signals) if evidence else []
        self._aliases = dict(aliases or {})
        self._node_names: dict[str, str] = {}
        self._tasks: dict[str, list[TaskInfo]] = {}
        self._logs: dict[str, list[str]] = {}
        self._failing = {s.subject for s in self.signals if s.kind in FAILURES}
        self._excerpts: dict[tuple[str, bool], Excerpts] = {}
        self._of_services: dict[bool, ExcerptsOfServices] = {}
        self._error_lines_of: dict[str, list[tuple[str, str]]] = {}
        self._words: dict[str, frozenset[str]] = {}
        self._recent_deploys: list[Signal] | None = None
        self._service_facts: dict[str, dict[str, str]] = {}
        if evidence is None:
            return
        for node in evidence.nodes:
            self.nodes[node.hostname] = node
            self._node_names[node.id] = node.hostname
        for task in evidence.tasks:
            self._tasks.setdefault(task.service, []).append(task)
        for tasks in self._tasks.values():
            tasks.sort(key=lambda t: _aware(t.timestamp), reverse=True)
        # a service's lines mostly come one after another: each run of them is taken at once
        for service, run in groupby(evidence.logs, key=_SERVICE):
            self._logs.setdefault(service, []).extend(map(_TEXT, run))

    def node_name(self, ref: str) -> str:
        """Hostname of a node given by id or hostname."""
        return self._node_names.get(ref, ref)

    def is_down(self, service: str) -> bool:
        info = self.services.get(service)
        return info is not None and info.desired > 0 and info.running == 0

    def is_short(self, service: str) -> bool:
        info = self.services.get(service)
        return info is not None and info.running < info.desired

    def is_unhealthy(self, service: str) -> bool:
        """Below its desired replicas, or the subject of a failure signal."""
        return service in self.services and (self.is_short(service) or service in self._failing)

    def unhealthy(self) -> list[str]:
        return [name for name in self.services if self.is_unhealthy(name)]

    def service_names(self) -> list[str]:
        """The services of the evidence; without evidence, the ones the configured aliases point to."""
        if self.evidence is not None:
            return list(self.services)
        return sorted(set(self._aliases.values()))

    def service_aliases(self) -> dict[str, list[str]]:
        """Names a person may use for a service: its name, the part after its stack, and configured aliases."""
        names = {name: [name.lower(), *name.lower().split("_", 1)[1:]] for name in self.service_names()}
        for alias, name in sorted(self._aliases.items()):
            if name in names and alias.strip():
                names[name].append(normalise(alias))
        return names

    def rollback_blocker(self, service: str) -> str:
        """Why `docker service update --rollback` cannot help the service, or "" when it may."""
        info = self.services.get(service)
        if info is None:
            return ""
        if info.update_state.startswith("rollback"):
            return f"its last update already rolled back ({info.update_state})"
        collected = [s.data for s in self.signals if s.subject == service and "desired" in s.data]
        if collected and not any(d.get("previous_image") for d in collected):
            return "it has no previous spec to go back to"
        return ""

    def recent_deploys(self) -> list[Signal]:
        if self._recent_deploys is None:
            self._recent_deploys = [s for s in self.signals if s.kind is SignalKind.RECENT_DEPLOY]
        return self._recent_deploys

    def error_logs(self, service: str, limit: int = 2) -> list[str]:
        """The newest error lines of the service's logs, oldest first."""
        return [shown for shown, _ in self._error_lines(service)[:limit]][::-1]

    def excerpts_of_services(self, own: bool) -> ExcerptsOfServices:
        """Every service's log excerpts at once, to look each term up once for all: the newest distinct error
        lines of its logs, bounded; `own` adds what else the evidence says of it in words (its last error and
        failure signals)."""
        if own not in self._of_services:
            self._of_services[own] = ExcerptsOfServices({name: self._cached(name, own) for name in self.services})
        return self._of_services[own]

    def _cached(self, service: str, own: bool) -> Excerpts:
        key = (service, own)
        if key not in self._excerpts:
            self._excerpts[key] = Excerpts.of(self._quoted(service, own))
        return self._excerpts[key]

    def _quoted(self, service: str, own: bool) -> Iterator[tuple[str, str]]:
        for shown, text in self._error_lines(service):
            yield f"log {service}: {shown}", text
        if not own:
            return
        info = self.services.get(service)
        if info is not None and info.last_error:
            yield f"last error of {service}: {info.last_error}", normalise(info.last_error)
        for signal in self.signals:
            if signal.subject == service and signal.kind in FAILURES:
                yield f"signal {signal.kind} on {service}: {signal.detail}", normalise(signal.detail)

    def words(self, service: str) -> frozenset[str]:
        """The words of a service's name and of its image's name: what runbook service hints are matched on."""
        if service not in self._words:
            info = self.services.get(service)
            image = info.image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0] if info else ""
            self._words[service] = frozenset(_WORD.findall(service.lower())) | frozenset(_WORD.findall(image.lower()))
        return self._words[service]

    def _error_lines(self, service: str) -> list[tuple[str, str]]:
        if service not in self._error_lines_of:
            self._error_lines_of[service] = self._read_error_lines(service)
        return self._error_lines_of[service]

    def _read_error_lines(self, service: str) -> list[tuple[str, str]]:
        """Newest first, as shown and normalised: distinct (digits aside) recent log lines that look wrong."""
        seen: set[bytes] = set()
        lines: list[tuple[str, str]] = []
        for raw in reversed(self._logs.get(service, [])[-RECENT_LOG_LINES:]):
            line = raw[:LOG_LINE_CHARS]
            lowered = line.lower()
            # digits aside (UTF-8 holds ASCII digits only as themselves); the shape of a line already read is
            # skipped before the costlier test of whether it looks wrong
            shape = lowered.encode("utf-8", "surrogatepass").translate(None, _DIGITS)
            if shape in seen or not _LOOKS_WRONG.search(lowered):
                continue
            seen.add(shape)
            shown = line if line.isprintable() else _CONTROL.sub(" ", line)
            lines.append((shown.strip(), normalise(lowered)))
            if len(lines) == SCANNED_LOG_LINES:
                break
        return lines

    def service_facts(self, service: str) -> dict[str, str]:
        """Facts about a service from its spec and its newest failed task (a copy: callers add to it)."""
        if service not in self._service_facts:
            self._service_facts[service] = self._read_service_facts(service)
        return dict(self._service_facts[service])

    def _read_service_facts(self, service: str) -> dict[str, str]:
        facts = {"service": service}
        info = self.services.get(service)
        if info is not None:
            facts["image"] = info.image
            facts["replicas"] = str(info.desired)
            facts["scale_to"] = str(max(2, info.desired * 2))
            if info.memory_limit:
                facts["memory_limit"] = docker_size(info.memory_limit)
                facts["suggested_memory_limit"] = docker_size(info.memory_limit * 2)
            if info.constraints:
                facts["constraint"] = info.constraints[0]
            if info.last_error:
                facts["error"] = info.last_error
        failed = next((t for t in self._tasks.get(service, []) if t.in_trouble), None)
        if failed is not None:
            if failed.node:
                facts["node"] = self.node_name(failed.node)
            if failed.exit_code is not None:
                facts["exit_code"] = str(failed.exit_code)
            if failed.error:
                facts["error"] = failed.error
        return facts

    def facts(self, subject: str, on_node: bool, signals: list[Signal]) -> dict[str, str]:
        """Facts about a subject: service or node facts, then the signals' own data (most specific)."""
        facts: dict[str, str] = {}
        if subject and on_node:
            facts["node"] = self.node_name(subject)
        elif subject:
            facts = self.service_facts(subject)
        for signal in signals:
            for key, value in signal.data.items():
                if value:
                    facts[key] = value
        limit = parse_bytes(facts.get("memory_limit", ""))
        if limit:
            facts["memory_limit"] = docker_size(limit)
            facts["suggested_memory_limit"] = docker_size(limit * 2)
        return facts


_WRONG_WORDS = (
    "error",
    "fail",
    "fatal",
    "panic",
    "exception",
    "traceback",
    "killed",
    "refused",
    "reset",
    "timeout",
    "timed out",
    "cannot",
    "can't",
    "could not",
    "unable",
    "denied",
    "forbidden",
    "rejected",
    "missing",
    "not set",
    "undefined",
    "not found",
    "no such",
    "no space",
    "no route",
    "too many",
    "exceeded",
    "expired",
    "invalid",
    "corrupt",
    "checksum",
    "deadlock",
    "unhealthy",
    "unreachable",
    "oom",
    "out of memory",
    "nxdomain",
    "eai_again",
    "x509",
    "certificate",
    "rate limit",
    "quota",
    "throttl",
    "exit",
    "warn",
    "crit",
    "alert",
    "abort",
    "emerg",
    "leak",
)
# as a trie, and every branch led by a literal: the regex engine skips the characters none of them starts with.
# Every log line of every service is tested against it.
_LOOKS_WRONG = re.compile(trie_regex(_WRONG_WORDS) + r"|4(?<!\w4)29\b|5(?<!\w5)\d\d\b")
