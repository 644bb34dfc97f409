"""Weighted terms (phrases and regexes) that runbooks match against incident text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_SPACES = re.compile(r"\s+")
# A placeholder is `{name}`, never `${name}` (shell), `%{name}` (curl) nor `{{name}}` (Go templates).
PLACEHOLDER = re.compile(r"(?<![$%{])\{([a-z][a-z0-9_]*)\}(?!\})")


def normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, single spaces: the form every term is matched against."""
    return _SPACES.sub(" ", text.translate(_QUOTES).lower()).strip()


@dataclass(frozen=True)
class Term:
    label: str
    pattern: re.Pattern[str]
    weight: float

    def find(self, text: str) -> str | None:
        found = self.pattern.search(text)
        return found.group(0) if found else None


def phrase_term(phrase: str, weight: float) -> Term:
    """A phrase matched on word boundaries, words joined by any spacing, with plural and verb endings."""
    words = [re.escape(w) for w in normalise(phrase).split(" ")]
    body = r"[\s_-]+".join(words)
    return Term(phrase, re.compile(rf"(?<!\w){body}(?:s|es|ed|d|ing)?(?!\w)"), weight)


def regex_term(regex: str, weight: float) -> Term:
    """A regex matched case-insensitively; raises re.error when it does not compile."""
    return Term(regex, re.compile(regex, re.IGNORECASE), weight)
