"""The thing a report is about (a search engine, a CDN, a database, a node) and the runbooks about that thing.

Broad symptom words ("heap", "connection timed out", "kernel panic") fit many runbooks; the subject the words
name says which of them the symptom belongs to. A search cluster short of heap is a search problem, not a
container killed for memory; a CDN that cannot reach its origin is an edge problem, not a database pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from maestro.runbooks.terms import Term, phrase_term, regex_term
from maestro.triage.matching import TextPart
from maestro.triage.reading import Polarity

# a term weighted this much by its runbook is a verbatim marker (a product's own error text), not a broad word
DISTINCTIVE_WEIGHT = 6.0


@dataclass(frozen=True)
class Subject:
    name: str
    nouns: tuple[str, ...]  # phrases naming the subject
    shapes: tuple[str, ...]  # regexes naming it
    runbooks: tuple[str, ...]  # ids or id prefixes (ending in ".") of the runbooks about it

    def names(self, term: Term) -> bool:
        """Whether a runbook's term is only a name of the subject."""
        return term.label in self.nouns or any(term.label == noun for noun in self.shapes)

    def owns(self, runbook_id: str) -> bool:
        return any(runbook_id.startswith(r) if r.endswith((".", "_")) else runbook_id == r for r in self.runbooks)


SUBJECTS = (
    Subject(
        "search engine",
        (
            "elasticsearch",
            "opensearch",
            "solr",
            "kibana",
            "search engine",
            "search cluster",
            "jvmgcmonitorservice",
            "circuit_breaking_exception",
        ),
        (),
        ("search.",),
    ),
    Subject(
        "CDN",
        ("cloudflare", "cdn", "fastly", "akamai", "cloudfront", "origin server"),
        (
            r"\b(error|http|status) 52[0-7]\b",
            r"\b52[0-7] (error|page|timeout)",
        ),
        ("dep.provider_outage", "edge.upstream_unavailable"),
    ),
    Subject(
        "database",
        ("postgres", "postgresql", "mysql", "mariadb", "mongodb", "database", "pg_hba", "psql"),
        (r"\bdb\b",),
        ("db.", "data."),
    ),
    Subject("cache", ("redis", "valkey", "memcached"), (), ("cache.",)),
    Subject("message broker", ("kafka", "rabbitmq", "nats", "redpanda"), (), ("queue.",)),
    Subject(
        "node",
        ("docker node ls", "node ls", "heartbeat failure", "heartbeat to manager", "kernel panic"),
        (r"\b(node|worker|manager)[\w-]*\W+(\w+\W+){0,3}(down|unreachable|offline|not responding|notready)\b",),
        # a host's disk, inodes or descriptors run out under any subject: only the node itself is owned here
        ("swarm.node_", "swarm.quorum_lost", "node.engine_upgrade"),
    ),
)


@cache
def _terms(subject: Subject) -> tuple[Term, ...]:
    return tuple(phrase_term(n, 1.0) for n in subject.nouns) + tuple(regex_term(s, 1.0) for s in subject.shapes)


def named_subjects(parts: tuple[TextPart, ...]) -> list[Subject]:
    """The subjects the words assert (a mention ruled out or only supposed names nothing)."""
    words = "\n".join(part.text for part in parts)
    named = []
    for subject in SUBJECTS:
        for term in _terms(subject):
            if not term.may_match(words):
                continue
            if any((m := part.mention(term)) is not None and m[1] is Polarity.ASSERTED for part in parts):
                named.append(subject)
                break
    return named


def distinctive(terms: list[Term]) -> bool:
    """Whether a reading rests on at least one verbatim marker of its runbook, not only on broad words."""
    return any(t.weight >= DISTINCTIVE_WEIGHT for t in terms)
