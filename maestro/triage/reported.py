"""Incidents reported before, and the nearest of them to a new report.

When the words of a report reach no runbook's bar, the rules could only guess from the function it names. The
reported cases (`reported.toml` beside this module: real and plain wording, each with the runbooks a responder
would start from and the severity its impact gives) are a better start: the case whose words are most like the new
report's, by tf-idf over words, word pairs and the letter runs inside words (so "crashed" meets "crashing" and a
typo still meets its word). Pure Python and deterministic; the index is built once per install and kept with the
parsed runbooks.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import tomllib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from maestro.model import Severity
from maestro.runbooks import parsed_cache
from maestro.runbooks.catalog import GENERIC_ID

REPORTED = Path(__file__).resolve().parent / "reported.toml"
CACHE_KIND = "cases"
# a nearest case less alike than this says nothing about the report
MIN_SIMILARITY = 0.2
# alike enough to stand alone; a nearer case less alike needs the next one to name the same runbook
ALIKE = 0.25
# a report of fewer telling words than this ("check the swarm") is no description to compare
MIN_WORDS = 4
# words that tell nothing of what happened, however rare in the cases
_FUNCTION_WORDS_LISTED = (
    "a about after again all also am an and any are as at be because been before being but by can could "
    "did do does doing down during each few for from further had has have having he her here hers him "
    "his how i if in into is it its itself just me more most my no nor not nothing now of off on once "
    "only or other our ours out over own same she should since so some something such than that the "
    "their them then there these they this those through to too under until up very was we were what "
    "when where which while who whom why will with would you your today yesterday morning afternoon "
    "evening night tonight week ago still anything everything someone somebody anyone nobody everyone"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_LISTED.split())
_WORD = re.compile(r"\b\w\w+\b")
_LETTER_RUNS = range(3, 6)
# a letter run in a single case says nothing that carries over to another report
_MIN_RUN_CASES = 2
# a feature in more than this share of the cases tells little and costs the most to look up
_MAX_SHARE = 0.08


class ReportedCase(BaseModel):
    """One report as it was worded, with the runbooks to start from and the severity of its impact."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    text: Annotated[str, Field(min_length=1)]
    expect: Annotated[list[str], Field(min_length=1)]
    severity: Severity


@dataclass(frozen=True)
class Nearest:
    case: ReportedCase
    runbook: str  # the first runbook the case names that can be offered, never the generic one
    similarity: float


def _words(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _letter_runs(text: str) -> list[str]:
    runs = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in _LETTER_RUNS:
            runs.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return runs


_KINDS: tuple[Callable[[str], list[str]], ...] = (_words, _letter_runs)


def _weights(counts: Counter[str], rows: dict[str, int], idf: array[float]) -> dict[int, float]:
    """Sub-linear term frequency times idf, scaled to unit length, by feature row; unknown features are dropped."""
    raw = {rows[f]: (1.0 + math.log(n)) * idf[rows[f]] for f, n in counts.items() if f in rows}
    norm = math.sqrt(sum(w * w for w in raw.values())) or 1.0
    return {row: w / norm for row, w in raw.items()}


@dataclass
class _Postings:
    """One kind of feature: its row per feature, idf per row, and per row the cases holding it (flat arrays: the
    index is read back from the cache in milliseconds)."""

    rows: dict[str, int]
    idf: array[float]
    starts: array[int]
    docs: array[int]
    weights: array[float]


class CaseIndex:
    """Reported cases indexed by feature; words and letter runs each weigh half of the similarity (a cosine)."""

    def __init__(self, cases: Sequence[ReportedCase]) -> None:
        self.cases = tuple(cases)
        self._left_out = ""
        self._kinds: list[_Postings] = []
        total = len(self.cases)
        for index, kind in enumerate(_KINDS):
            counted = [Counter(kind(c.text)) for c in self.cases]
            df = Counter(f for counts in counted for f in counts)
            floor, ceiling = (_MIN_RUN_CASES if index else 1), max(2.0, total * _MAX_SHARE)
            kept = sorted(f for f, n in df.items() if floor <= n <= ceiling)
            rows = {f: row for row, f in enumerate(kept)}
            idf = array("f", (math.log((1 + total) / (1 + df[f])) + 1.0 for f in kept))
            held: list[list[tuple[int, float]]] = [[] for _ in kept]
            for doc, counts in enumerate(counted):
                for row, weight in _weights(counts, rows, idf).items():
                    held[row].append((doc, weight))
            starts, docs, weights = array("I", [0]), array("I"), array("f")
            for pairs in held:
                docs.extend(d for d, _ in pairs)
                weights.extend(w for _, w in pairs)
                starts.append(len(docs))
            self._kinds.append(_Postings(rows, idf, starts, docs, weights))

    def leaving_out(self, text: str) -> CaseIndex:
        """The same cases less the one worded exactly so: a case scored against all the others."""
        other = copy.copy(self)
        other._left_out = text
        return other

    def nearest(self, text: str, allowed: Collection[str] | None = None) -> Nearest | None:
        """The most alike case that names a runbook `allowed` (any when None) other than the generic one, if alike
        enough."""
        known = {w for w in _WORD.findall(text.lower()) if w in self._kinds[0].rows and w not in _FUNCTION_WORDS}
        if len(known) < MIN_WORDS:
            return None
        scores: dict[int, float] = defaultdict(float)
        for kind, postings in zip(_KINDS, self._kinds, strict=True):
            for row, weight in _weights(Counter(kind(text)), postings.rows, postings.idf).items():
                start, end = postings.starts[row], postings.starts[row + 1]
                for doc, doc_weight in zip(postings.docs[start:end], postings.weights[start:end], strict=True):
                    scores[doc] += weight * doc_weight
        found: list[Nearest] = []
        for doc, score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
            similarity = score / len(_KINDS)
            if similarity < MIN_SIMILARITY or len(found) == 2:
                break
            case = self.cases[doc]
            runbook = next((r for r in case.expect if r != GENERIC_ID and (allowed is None or r in allowed)), None)
            if case.text != self._left_out and runbook is not None:
                found.append(Nearest(case, runbook, round(similarity, 3)))
        if not found:
            return None
        best = found[0]
        # barely alike, it takes a second case of the same runbook to say more than a shared word or two
        agreed = len(found) == 2 and found[1].runbook == best.runbook
        return best if best.similarity >= ALIKE or agreed else None


class ReportedCasesError(Exception):
    """A cases file that cannot be read; the message is one line naming the file and what is wrong."""


def parse_cases(text: str, source: str) -> list[ReportedCase]:
    try:
        return [ReportedCase.model_validate(c) for c in tomllib.loads(text).get("case", [])]
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ReportedCasesError(f"{source}: {str(exc).splitlines()[0]}") from None


@cache
def shipped_index() -> CaseIndex:
    """The index of the shipped cases, from the cache when it was built before."""
    text = REPORTED.read_text(encoding="utf-8")
    name = parsed_cache.key([text, Path(__file__).read_text(encoding="utf-8")])
    kept = parsed_cache.load(name, CACHE_KIND)
    if isinstance(kept, CaseIndex):
        return kept
    index = CaseIndex(parse_cases(text, "maestro/triage/reported.toml"))
    parsed_cache.save(name, index, CACHE_KIND)
    return index
