"""How the words around a mention bear on it: asserted, ruled out, or only hypothetical.

"Nothing was deployed today", "OOMKilled false", "the origin is healthy", "no alarms on the broker": the term is
ruled out, and counts against the runbook that names it. "...to avoid data loss, run VACUUM": the words after
"to avoid" describe what could happen, not what did. A negation reaches to the end of its clause (a comma, "but",
a full stop) and at most a few words; "could not", "cannot", "not accepting", "no space left" report a failure
and negate nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Polarity(Enum):
    ASSERTED = "asserted"
    RULED_OUT = "ruled out"
    HYPOTHETICAL = "hypothetical"


_TOKEN = re.compile(r"[a-z0-9][a-z0-9_'/-]*")
_CLAUSE_END = re.compile(r"[.;:!?\n|,()\[\]]|\s-\s|\b(?:but|although|though|however|whereas|except)\b")
_SCOPE_WORDS = 6
_NEGATIONS = frozenset(
    [
        "no",
        "nothing",
        "none",
        "zero",
        "without",
        "never",
        "neither",
        "nor",
        "not",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "hasn't",
        "haven't",
        "hadn't",
        "doesn't",
        "don't",
        "didn't",
        "shouldn't",
    ]
)
# "could not connect", "can not reach": a failure, not a negation
_MODALS = frozenset(["could", "can", "would", "will", "might", "may", "must", "cannot"])
# "not accepting", "not able to persist", "not yet valid": a failure predicate
_FAILING = re.compile(
    r"(yet|accept\w*|respond\w*|available|reachable|running|working|start\w*|load\w*|able|found|set|allowed|"
    r"enough|ready|process\w*|persist\w*|connect\w*|resolv\w*|valid|being|allocat\w*|authori[sz]ed|permitted|"
    r"supported|defined|present|writable|reach|come|get|go|getting|going|in|on|a|an|the|receiv\w*|sav\w*|"
    r"updat\w*|releas\w*|clear\w*|match\w*|exist\w*|recogni[sz]ed|trusted|synchroni[sz]ed|sync\w*|have|has|arriv\w*|"
    r"deliver\w*|work|works|send|sent|renew\w*|fire|trigger\w*|finish\w*|complet\w*|appear\w*|mount\w*)"
)
# "no alarms", "without errors", "zero restarts": these quantifiers rule out only a problem or a change; "no space
# left", "no routers", "without a WHERE", "zero replicas" report an absence that is the failure
_PROBLEM = re.compile(
    r"(errors?|alarms?|alerts?|warnings?|exceptions?|failures?|issues?|problems?|incidents?|outages?|crash\w*|"
    r"restarts?|oom\w*|deploy\w*|changes?|releases?|rollouts?|migrations?|updates?|upgrades?|timeouts?|spikes?|"
    r"signs?|evidence|impact|leaks?|packet|loss|downtime|complaints?|recent|new|[45]\d\d|[45]\d\ds|sign|slow|double|duplicate\w*)"
)
_QUALIFIERS = frozenset(["new", "recent", "more", "further", "other"])
# "nobody deployed anything", "no one touched the config": no actor, so no change; "nobody can log in" is the failure
_NO_ACTOR = frozenset(["nobody", "noone", "no-one"])
_ACTED = re.compile(
    r"(deploy\w*|redeploy\w*|releas\w*|chang\w*|touch\w*|push\w*|merg\w*|updat\w*|upgrad\w*|restart\w*|rotat\w*|"
    r"modif\w*|edit\w*|migrat\w*|rolled|ran|did|shipped|installed|patched|reconfigur\w*|switch\w*)"
)
# "we haven't released anything", "we did not deploy": what we did not do
_NOT_DONE = frozenset(["haven't", "hasn't", "hadn't", "didn't"])
_DONE = frozenset(["have", "has", "had", "did"])
# "nobody has reported anything stolen": what nobody saw is ruled out as much as what nobody did
_REPORTED = re.compile(r"(report\w*|saw|seen|notic\w*|mention\w*|complain\w*|found|flagged|confirmed)")
_AUXILIARIES = frozenset(["has", "have", "had", "was", "is"])
_IS_WORD = re.compile(r"(is|looks?|seems?|appears?|was|were)")
_NOTHING_FAILS = re.compile(r"(works?|loads?|happens|respond\w*|gets|goes|comes|can|new|else)")
# "the button does nothing", "search returns nothing": what fails yields nothing
_YIELDS = re.compile(r"(do|does|did|doing|shows?|showed|returns?|returned|finds?|found|displays?|says|gives?|gave)")
_HYPOTHETICAL = re.compile(
    r"\b(?:to avoid|to prevent|avoid|prevent|in order to|otherwise|hint|if|would|in case|(?:first |at first )?"
    r"(?:thought|feared|assumed|worried))\b"
)
# "<term> is fine", "<term> itself is up", "OOMKilled false", "<term> has plenty of free space"
_COPULA = r"(?:is|are|was|were|looks?|seems?|stays?|remains?|itself|themselves|still|all|has|have|shows?|reports?|with)"
# what the term names may follow it: "the redis cache is up", "redis containers all up"
_COMPONENT = (
    r"(?:(?:containers?|services?|nodes?|pods?|tasks?|caches?|servers?|instances?|cluster|dashboards?|graphs?|metrics)"
    r"\W+)?"
)
# what follows a full stop is another sentence: "every order fails. containers themselves healthy"
_SAME_SENTENCE = r"(?:(?![.;!?]\s)\W)*"
_CLEARED_AFTER = re.compile(
    # "the db and redis look healthy", "redis/rabbit fine": both are cleared
    rf"{_SAME_SENTENCE}(?:(?:and |& |/|\+ ?)(?:the )?[\w-]+\W+)?{_COMPONENT}"
    rf"(?:all\W+|both\W+)?(?:{_COPULA}\W+){{0,3}}"
    rf"(?:fine|ok|okay|healthy|normal|green|unaffected|stable|false|plenty|plentiful|ample|unchanged|untouched|passes|passing)\b"
    rf"|{_SAME_SENTENCE}{_COMPONENT}(?:all|both) (?:up|running)\b"
    rf"|{_SAME_SENTENCE}{_COMPONENT}(?:{_COPULA}\W+){{1,3}}(?:up|valid|good|answering|reachable|working|running)\b"
    # "running out of space", "running from /tmp", "running at 100%": how it fails, not that it is fine
    r"(?!\W+(?:to|by|on|from|at|as|in|inside|under|with|out|low|hot|slow|behind|late|away|wild|twice|again)\b|\W+\d)"
    # "certificate is valid for *.example.com": the names it covers, not that it is fine
    r"(?!\W+for\W+\S*[.*])"
    # "DNS resolves, ping works": checked and fine
    r"|\W+(?:resolves|works|answers)\b(?=\s*(?:[.,;]|and\b|$))"
    # "the database at normal CPU": a reading of it said normal
    r"|\W+(?:at|with) normal (?:cpu|load|memory|latency)\b"
    # "DB CPU 5%": a low reading of it
    r"|\W+(?:cpu|load|memory|usage)\W+(?:is |at |was |around |about )?~?(?:\d|[1-4]\d)(?:\.\d+)? ?%"
)


@dataclass(frozen=True)
class Scopes:
    """Character spans of a text that are ruled out or hypothetical."""

    ruled_out: tuple[tuple[int, int], ...] = ()
    hypothetical: tuple[tuple[int, int], ...] = ()

    def polarity(self, text: str, start: int, end: int, embraces_negation: bool = False) -> Polarity:
        """How the text bears on the mention at [start, end).

        A negation inside the mention rules it out ("database is not down"), unless the term itself is worded
        with one ("DELETE without a WHERE").
        """
        inside = not embraces_negation and any(start < a < end for a, _ in self.ruled_out)
        # a mention worded as a negation ("nothing failing yet") is not what a following "and X is fine" clears
        cleared = not embraces_negation and _cleared(text, end)
        if inside or any(a <= start < b for a, b in self.ruled_out) or cleared:
            return Polarity.RULED_OUT
        if any(a <= start < b for a, b in self.hypothetical):
            return Polarity.HYPOTHETICAL
        return Polarity.ASSERTED


def _cleared(text: str, end: int) -> bool:
    return _CLEARED_AFTER.match(text, end) is not None


def without_cleared(text: str) -> str:
    """The text less each mention it clears and what clears it ("the db is fine", "redis and the proxy look
    healthy"): what did not happen."""
    kept, start = [], 0
    for word in _TOKEN.finditer(text):
        if word.start() < start:
            continue
        found = _CLEARED_AFTER.match(text, word.end())
        if found is not None and found.end() > word.end():
            kept.append(text[start : word.start()])
            start = found.end()
    kept.append(text[start:])
    return " ".join(kept)


def scopes(text: str) -> Scopes:
    """The ruled-out and hypothetical spans of a normalised text."""
    ruled_out: list[tuple[int, int]] = []
    hypothetical: list[tuple[int, int]] = []
    start = 0
    for boundary in [*_CLAUSE_END.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        _clause(text, start, end, ruled_out, hypothetical)
        start = boundary.end() if boundary else end
    return Scopes(tuple(ruled_out), tuple(hypothetical))


def _clause(text: str, start: int, end: int, ruled_out: list[tuple[int, int]], hypo: list[tuple[int, int]]) -> None:
    tokens = [(m.group(0), m.start() + start, m.end() + start) for m in _TOKEN.finditer(text[start:end])]
    for index, (word, _, word_end) in enumerate(tokens):
        after = tokens[index + 1][0] if index + 1 < len(tokens) else ""
        actor_less = word in _NO_ACTOR or (word == "no" and after == "one")
        if actor_less:
            at = index + 2 if word == "no" else index + 1
            if at < len(tokens) - 1 and tokens[at][0] in _AUXILIARIES:
                at += 1
            acted = tokens[at][0] if at < len(tokens) else ""
            if _ACTED.fullmatch(acted) or _REPORTED.fullmatch(acted):
                last = tokens[min(len(tokens), index + 1 + _SCOPE_WORDS) - 1][2]
                ruled_out.append((word_end, last))
            continue
        if word not in _NEGATIONS:
            continue
        then = tokens[index + 2][0] if index + 2 < len(tokens) else ""
        before = tokens[index - 1][0] if index else ""
        if word in ("not", "cannot") and before in _MODALS:
            continue
        if word in ("no", "without", "zero", "none") and not (_PROBLEM.fullmatch(after) or _PROBLEM.fullmatch(then)):
            continue
        # "no new deploys" rules out a change; "no new orders can be created" reports the failure
        if word == "no" and after in _QUALIFIERS and not _PROBLEM.fullmatch(then):
            continue
        # "nothing else works" reports the failure; "nothing else looks broken" rules it out
        else_is = after == "else" and _IS_WORD.fullmatch(then)
        if word == "nothing" and ((_NOTHING_FAILS.fullmatch(after) and not else_is) or _YIELDS.fullmatch(before)):
            continue
        # "we haven't released anything" rules out the change; "locks are not released" reports the failure
        undone = (word in _NOT_DONE or (word == "not" and before in _DONE)) and _ACTED.fullmatch(after)
        # "isn't running out of memory" rules out what "not running" would report
        if (
            not undone
            and word not in ("no", "nothing", "none", "zero", "without")
            and _FAILING.fullmatch(after)
            and then != "out"
        ):
            continue
        last = tokens[min(len(tokens), index + 1 + _SCOPE_WORDS) - 1][2] if index + 1 < len(tokens) else word_end
        ruled_out.append((word_end, last))
    clause = text[start:end]
    found = _HYPOTHETICAL.search(clause)
    if found is not None:
        hypo.append((start + found.end(), end))
