"""Weighted terms (phrases and regexes) that runbooks match against incident text."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
from typing import Any

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_RUN = re.compile(r"[a-z0-9]+")
# every ASCII character but a lower-case letter, a digit or a newline, as a space
_APART = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isdigit() or c.islower() or c == "\n")})
_ESCAPE = re.compile(r"\\.")
_UPPER = re.compile(r"[A-Z]")
# A placeholder is `{name}`, never `${name}` (shell), `%{name}` (curl) nor `{{name}}` (Go templates).
_NEGATIVE = re.compile(r"\b(no|not|without|never|nothing|none|zero|n't)\b|n't")
PLACEHOLDER = re.compile(r"(?<![$%{])\{([a-z][a-z0-9_]*)\}(?!\})")


def normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, single spaces: the form every term is matched against."""
    if not text.isascii():
        text = text.translate(_QUOTES)
    # str.split() splits on the whitespace `\s` matches: runs of it become one space, none is left at the ends
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Term:
    """A weighted phrase or regex. Its regex is compiled on first use: most terms of a catalog never meet a text
    that holds one of their needles, and so are never compiled."""

    label: str
    source: str
    weight: float
    given_needles: tuple[str, ...] | None = None  # None: read from the regex when first asked
    folds_case: bool = False
    anchored: bool = False  # may use ^, $, \A or \Z: matched one line at a time, never on lines joined
    words: tuple[str, ...] = ()  # more texts every match holds (a phrase's words), each a group of its own

    @cached_property
    def needles(self) -> tuple[str, ...]:
        """Lower-case texts one of which every match contains; () when unknown."""
        return self.given_needles if self.given_needles is not None else required_texts(self.source)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.IGNORECASE if self.folds_case else 0)

    @cached_property
    def needle_groups(self) -> tuple[tuple[str, ...], ...]:
        """Groups of texts of which every match holds one from each: a line missing a group cannot match."""
        if self.given_needles is not None:
            groups = [self.given_needles] if self.given_needles else []
            return (*groups, *((word,) for word in self.words if (word,) != self.given_needles))
        return required_groups(self.source)

    @cached_property
    def required(self) -> tuple[tuple[str, ...], ...]:
        """The needles and every needle group, each once: a text holding a match holds one text of each."""
        return tuple(dict.fromkeys((self.needles, *self.needle_groups)))

    @cached_property
    def lower_pattern(self) -> re.Pattern[str]:
        """The pattern for a lower-case ASCII text. Case folding makes the regex engine compare a text character
        by character; a regex whose own letters are all lower case needs none there."""
        if self.folds_case and not _UPPER.search(_ESCAPE.sub("", self.source)):
            return re.compile(self.source)
        return self.pattern

    def matcher(self, text: str) -> re.Pattern[str]:
        """The pattern to search a normalised (lower-case) text with."""
        return self.lower_pattern if text.isascii() else self.pattern

    @cached_property
    def negative(self) -> bool:
        """Whether the term is worded with a negation ("no such host", "without a where")."""
        return _NEGATIVE.search(_ESCAPE.sub(" ", self.label)) is not None

    def may_match(self, text: str) -> bool:
        """False only when no match can be in the (normalised) text: a cheap test before the regex."""
        for needle in self.needles:
            if needle in text:
                return True
        # case-insensitive matching also folds a few non-ASCII letters (U+017F matches "s")
        return not self.needles or (self.folds_case and not text.isascii())

    def find(self, text: str) -> str | None:
        if not self.may_match(text):
            return None
        found = self.pattern.search(text)
        return found.group(0) if found else None


def phrase_term(phrase: str, weight: float) -> Term:
    """A phrase matched on word boundaries, words joined by any spacing, with plural and verb endings."""
    words = normalise(phrase).split(" ")
    rest = "".join(rf"[\s_-]+{re.escape(w)}" for w in words[1:])
    # "no word character before the first word", written after it so the regex engine can scan for the word
    start = rf"{re.escape(words[0])}(?<!\w.{{{len(words[0])}}})"
    longest = max(words, key=len)
    telling = tuple(w for w in dict.fromkeys(words) if w != longest and len(w) >= _TELLING and _RUN.fullmatch(w))
    return Term(phrase, rf"{start}{rest}(?:s|es|ed|d|ing)?(?!\w)", weight, (longest,), words=telling)


def regex_term(regex: str, weight: float, *, lazy: bool = False) -> Term:
    """A regex matched case-insensitively; raises re.error when it does not compile, unless `lazy` (then the
    caller has checked it, and it is compiled on first use)."""
    term = Term(regex, regex, weight, None, folds_case=True, anchored=bool(_ANCHOR.search(regex)))
    if not lazy:
        _ = term.pattern
    return term


def required_texts(pattern: re.Pattern[str] | str) -> tuple[str, ...]:
    """Lower-case texts one of which every match of `pattern` contains, or () when that is not certain.

    Read from plain characters outside classes, and from groups that are neither optional nor repeated;
    a character or group a quantifier applies to does not count.
    """
    if isinstance(pattern, str):
        return () if re.search(r"\(\?[a-z]*x", pattern) else _required(pattern)
    return () if pattern.flags & re.VERBOSE else _required(pattern.pattern)


_ANCHOR = re.compile(r"[$^]|\\[AZ]")
_REPEAT = re.compile(r"\{\d*(,\d*)?\}")
_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}
_PLAIN_BREAKS = frozenset(".^$)]{}\\[(|")
_MIN_NEEDLE = 2
_TELLING = 3  # a shorter word of a phrase ("to", "at") is in too many lines to narrow a search


def required_groups(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Every group of texts of which each match contains one (one group per required part of the regex);
    () when that is not certain. `required_texts` is the most telling of these groups."""
    if re.search(r"\(\?[a-z]*x", pattern) or len(_split_alternatives(pattern)) > 1:
        best = required_texts(pattern)
        return (best,) if best else ()
    return tuple(_required(pattern, every=True))


def _required(regex: str, every: bool = False) -> Any:
    alternatives = _split_alternatives(regex)
    if len(alternatives) > 1:
        each = [_required(a) for a in alternatives]
        return () if not all(each) else tuple(dict.fromkeys(text for texts in each for text in texts))
    found: list[tuple[str, ...]] = []
    run = ""
    i = 0
    while i < len(regex):
        c = regex[i]
        repeat = _REPEAT.match(regex, i) if c == "{" else None
        if c in "?*+" or repeat:
            found.append((run[:-1],))
            run = ""
            i = repeat.end() if repeat else i + 1
            continue
        escaped = regex[i + 1 : i + 2] if c == "\\" else ""
        if escaped and escaped.isascii() and escaped.isprintable() and not escaped.isalnum():
            run += escaped
            i += 2
            continue
        if c.isascii() and c.isprintable() and c not in _PLAIN_BREAKS:
            run += c.lower()
            i += 1
            continue
        found.append((run,))
        run = ""
        if c == "(":
            end = _after_group(regex, i)
            body = _group_body(regex[i + 1 : end - 1])
            quantified = regex[end : end + 1] in ("?", "*", "+") or _REPEAT.match(regex, end)
            if body is not None and not quantified:
                found.append(_required(body))
            i = end
        elif c == "\\":
            i = _after_escape(regex, i)
        elif c == "[":
            i = _after_class(regex, i)
        else:
            i += 1
    found.append((run,))
    usable = [texts for texts in found if texts and min(len(t.strip()) for t in texts) >= _MIN_NEEDLE]
    if every:
        return usable
    return max(usable, key=lambda texts: min(len(t) for t in texts), default=())


def _group_body(group: str) -> str | None:
    """The pattern inside a group that consumes text, or None for look-arounds, flags and conditionals."""
    if group.startswith("?:"):
        return group[2:]
    if group.startswith("?P<"):
        return group[group.find(">") + 1 :]
    return None if group.startswith("?") else group


def _split_alternatives(regex: str) -> list[str]:
    parts, start, i = [], 0, 0
    while i < len(regex):
        c = regex[i]
        if c == "|":
            parts.append(regex[start:i])
            start = i + 1
            i += 1
        elif c == "\\":
            i = _after_escape(regex, i)
        elif c == "[":
            i = _after_class(regex, i)
        elif c == "(":
            i = _after_group(regex, i)
        else:
            i += 1
    return [*parts, regex[start:]]


def _after_escape(regex: str, i: int) -> int:
    kind = regex[i + 1 : i + 2]
    if kind == "N":
        end = regex.find("}", i)
        return len(regex) if end < 0 else end + 1
    if kind.isdigit():
        i += 1
        while i < len(regex) and regex[i].isdigit():
            i += 1
        return i
    return i + _ESCAPE_LENGTH.get(kind, 2)


def _after_class(regex: str, i: int) -> int:
    i += 1
    if regex[i : i + 1] == "^":
        i += 1
    if regex[i : i + 1] == "]":
        i += 1
    while i < len(regex) and regex[i] != "]":
        i += 2 if regex[i] == "\\" else 1
    return i + 1


def _after_group(regex: str, i: int) -> int:
    depth = 0
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _after_class(regex, i)
            continue
        depth += (c == "(") - (c == ")")
        i += 1
        if depth == 0:
            return i
    return i


def trie_regex(words: Iterable[str]) -> str:
    """A regex of the words as a trie: at each position the engine walks shared prefixes once, longest first."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict[str, dict]) -> str:
        alternatives = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        return f"(?:{body})?" if "" in node else body

    return branch(trie)


class NeedleSet:
    """Many needles (lower-case texts) looked for in many lines at once, one distinct word of the lines at a time.

    A needle of letters and digits alone lies inside one run of letters and digits of a line (a word), and lines
    repeat their words: each distinct word is scanned once for every needle inside it. Any other needle is only
    tested on the lines holding its longest word (on every line when it has none).
    """

    def __init__(self, needles: Iterable[str]) -> None:
        ordered = sorted(set(needles))
        self.needles = frozenset(ordered)
        self._plain = frozenset(n for n in ordered if _RUN.fullmatch(n))
        self._others: dict[str, list[str]] = {}  # the other needles, by their longest word ("" for none)
        for needle in ordered:
            if needle not in self._plain:
                word = max(_RUN.findall(needle), key=len, default="")
                self._others.setdefault(word if len(word) >= _MIN_NEEDLE else "", []).append(needle)
        words = self._plain | (self._others.keys() - {""})
        # a scan finds the longest word starting at a place: the words inside it are there too
        self._inside = {
            word: tuple({word[i:j] for i in range(len(word)) for j in range(i + 1, len(word) + 1)} & words)
            for word in words
        }
        self._finder = re.compile(f"(?=({trie_regex(sorted(words))}))") if words else None

    def lines_holding(self, lines: Sequence[str]) -> dict[str, set[int]]:
        """Each needle some line holds, with the indices of the lines that hold it."""
        joined = "\n".join(lines)
        if joined.count("\n") == len(lines) - 1:
            # split all at once at what is not a letter or digit: the words are runs of letters and digits, or
            # longer runs (around other characters) that hold the same needles' words
            words_of = [piece.split() for piece in joined.translate(_APART).split("\n")]
        else:
            words_of = [_RUN.findall(line) for line in lines]
        # the needles' words inside each distinct word of the lines that holds any
        inside: dict[str, set[str]] = {}
        if self._finder is not None:
            distinct = list(set().union(*words_of))
            starts = list(accumulate((len(word) + 1 for word in distinct[:-1]), initial=0))
            for found in self._finder.finditer("\n".join(distinct)):
                word = distinct[bisect_right(starts, found.start()) - 1]
                inside.setdefault(word, set()).update(self._inside[found.group(1)])
        lines_of: dict[str, list[int]] = {}
        for index, words in enumerate(words_of):
            for word in inside.keys() & words:
                lines_of.setdefault(word, []).append(index)
        holding: dict[str, set[int]] = {}
        for word, at in lines_of.items():
            for needle in inside[word]:
                holding.setdefault(needle, set()).update(at)
        result = {word: at for word, at in holding.items() if word in self._plain}
        for word in ("", *(self._others.keys() & holding.keys())):
            pool = holding[word] if word else range(len(lines))
            text = "\n".join([lines[index] for index in pool])  # the lines a needle may be in, to rule it out at once
            for needle in self._others.get(word, ()):
                if needle in text and (at := {index for index in pool if needle in lines[index]}):
                    result[needle] = at
        return result
