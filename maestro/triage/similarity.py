"""The runbook whose own words are closest to the report's: a last reading before "unknown failure".

Each runbook is a bag of the words it says of itself (title, summary, symptoms, root cause) and of its terms,
weighted by how few runbooks use them (TF-IDF); the report is a bag of the words it asserts (ruled-out and
hypothetical spans left out). The closest runbook by cosine similarity is offered only when it shares several
telling words with the report.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from maestro.runbooks.catalog import GENERIC_ID, Catalog, Runbook
from maestro.runbooks.terms import normalise
from maestro.triage.matching import TextPart

MIN_SIMILARITY = 0.2
MIN_SHARED = 2
# a shared word counts only when at most this share of the runbooks use it
MAX_SHARE = 0.2

_WORD = re.compile(r"[a-z][a-z0-9_]{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "are",
        "was",
        "were",
        "with",
        "from",
        "that",
        "this",
        "since",
        "after",
        "before",
        "our",
        "your",
        "their",
        "its",
        "has",
        "have",
        "had",
        "not",
        "but",
        "all",
        "any",
        "can",
        "cannot",
        "could",
        "would",
        "should",
        "will",
        "just",
        "now",
        "then",
        "than",
        "when",
        "while",
        "into",
        "onto",
        "over",
        "under",
        "out",
        "off",
        "too",
        "very",
        "more",
        "most",
        "some",
        "every",
        "each",
        "other",
        "another",
        "them",
        "they",
        "there",
        "here",
        "what",
        "which",
        "who",
        "how",
        "why",
        "also",
        "only",
        "still",
        "been",
        "being",
        "does",
        "did",
        "done",
        "get",
        "got",
        "gets",
        "getting",
        "see",
        "seen",
        "sees",
        "says",
        "said",
        "show",
        "shows",
        "showed",
        "shown",
        "one",
        "two",
        "three",
        "minutes",
        "minute",
        "hours",
        "hour",
        "seconds",
        "second",
        "today",
        "yesterday",
        "morning",
        "night",
        "last",
        "new",
        "old",
        "error",
        "errors",
        "fail",
        "fails",
        "failed",
        "failing",
        "failure",
        "issue",
        "issues",
        "problem",
        "problems",
        "users",
        "user",
        "service",
        "services",
        "app",
        "application",
        "something",
        "anything",
        "everything",
        "nothing",
        "everyone",
        "someone",
        "wrong",
        "broken",
        "work",
        "works",
        "working",
        "down",
        "bad",
        "weird",
        "stuff",
        "thing",
        "things",
        "please",
        "help",
        "seem",
        "seems",
        "look",
        "looks",
        "like",
        "check",
        "swarm",
        "docker",
        "container",
        "task",
        "production",
        "prod",
        "cluster",
        "node",
        "server",
    ]
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _tokens(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text) if w not in _STOP]


@dataclass(frozen=True)
class _Index:
    idf: dict[str, float]
    telling: float  # the least idf of a word few enough runbooks use
    vectors: tuple[tuple[Runbook, dict[str, float], float], ...]


_INDEXES: WeakKeyDictionary[Catalog, _Index] = WeakKeyDictionary()


def _index(catalog: Catalog) -> _Index:
    found = _INDEXES.get(catalog)
    if found is None:
        runbooks = [r for r in catalog if r.id != GENERIC_ID and not r.fallback]
        bags = [
            Counter(_tokens(r.described_as() + " " + " ".join(normalise(t.label) for t in r.terms))) for r in runbooks
        ]
        frequency = Counter(word for bag in bags for word in bag)
        idf = {word: math.log((len(bags) + 1) / (count + 0.5)) for word, count in frequency.items()}
        vectors = []
        for runbook, bag in zip(runbooks, bags, strict=True):
            vector = {word: (1 + math.log(n)) * idf[word] for word, n in bag.items()}
            vectors.append((runbook, vector, math.sqrt(sum(v * v for v in vector.values()))))
        telling = math.log((len(bags) + 1) / (MAX_SHARE * len(bags) + 0.5))
        found = _Index(idf, telling, tuple(vectors))
        _INDEXES[catalog] = found
    return found


def asserted_words(parts: tuple[TextPart, ...]) -> list[str]:
    """The words of the report outside what it rules out or only supposes."""
    words: list[str] = []
    for part in parts:
        spans = (*part.scopes.ruled_out, *part.scopes.hypothetical)
        for found in _WORD.finditer(part.text):
            if found.group(0) not in _STOP and not any(a <= found.start() < b for a, b in spans):
                words.append(_stem(found.group(0)))
    return words


def closest(catalog: Catalog, parts: tuple[TextPart, ...]) -> tuple[Runbook, float, list[str]] | None:
    """The runbook closest to the report, its similarity and the shared words; None when none is close."""
    index = _index(catalog)
    bag = Counter(w for w in asserted_words(parts) if w in index.idf)
    if not bag:
        return None
    query = {word: (1 + math.log(n)) * index.idf[word] for word, n in bag.items()}
    telling = index.telling
    norm = math.sqrt(sum(v * v for v in query.values()))
    best: tuple[float, str, Runbook, list[str]] | None = None
    for runbook, vector, length in index.vectors:
        shared = [w for w in query if w in vector]
        if sum(1 for w in shared if index.idf[w] >= telling) < MIN_SHARED:
            continue
        cosine = sum(query[w] * vector[w] for w in shared) / (norm * length)
        if best is None or (cosine, runbook.id) > (best[0], best[1]):
            best = (cosine, runbook.id, runbook, shared)
    if best is None or best[0] < MIN_SIMILARITY:
        return None
    return best[2], round(best[0], 2), best[3]
