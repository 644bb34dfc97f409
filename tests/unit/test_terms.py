"""Runbook terms: the needles tested before a regex never hide a match, and phrases match on word boundaries."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest

from maestro.runbooks import default_catalog
from maestro.runbooks.terms import NeedleSet, normalise, phrase_term, regex_term, required_texts
from maestro.triage.matching import Excerpts, ExcerptsOfServices
from maestro.triage.reported import REPORTED

SCENARIOS = tomllib.loads((Path(__file__).parent / "scenarios.toml").read_text(encoding="utf-8"))["scenario"]


@pytest.mark.parametrize(
    ("regex", "texts"),
    [
        ("colou?r", ("colo",)),
        ("ab?cde", ("cde",)),
        ("abc{2}xyz", ("xyz",)),
        (r"\bdisk\W+full", ("disk",)),
        (r"[abc]def\.ghi", ("def.ghi",)),
        (r"\x41bcdef", ("bcdef",)),
        ("x(ab|cd)y", ("ab", "cd")),
        ("(?:foo|bar)+baz", ("baz",)),
        ("(?P<name>abc|def)", ("abc", "def")),
        ("(ab(c|d)e|xyz)", ("ab", "xyz")),
        ("(foo)?bar", ("bar",)),
        ("(?=abc)de", ("de",)),
        ("a|bcdef", ()),
        ("(foo|bar)?", ()),
        (r"\d+ ?%", ()),
        ("(?x) a b c d", ()),
    ],
)
def test_required_texts(regex: str, texts: tuple[str, ...]) -> None:
    assert required_texts(re.compile(regex, re.IGNORECASE)) == texts


def _corpus() -> list[str]:
    texts = [
        s.get(key, "") for s in SCENARIOS for key in ("description", "error_messages", "recent_changes", "user_impact")
    ]
    texts += [line["text"] for s in SCENARIOS for line in s.get("logs", [])]
    for runbook in default_catalog():
        texts += [*runbook.match.words, *runbook.symptoms, runbook.summary, runbook.root_cause]
    return [normalise(t) for t in texts if t]


def test_no_catalog_term_match_is_hidden_by_its_needles() -> None:
    corpus = _corpus()
    terms = [term for runbook in default_catalog() for term in (*runbook.terms, *runbook.excludes)]
    checked = 0
    for term in terms:
        for text in corpus:
            if term.pattern.search(text):
                checked += 1
                assert term.may_match(text), (term.label, term.needles, text)
    assert checked > 300


_PIECES = ("a", "b", "ab", "ba", " ", "-", r"\w", r"\W", ".", "[ab]", r"\b", "c")


def _random_regex(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.25 and depth < 2:
            alternatives = "|".join(_random_regex(rng, depth + 1) for _ in range(rng.randint(1, 3)))
            parts.append(rng.choice(("(", "(?:")) + alternatives + ")")
        else:
            parts.append(rng.choice(_PIECES))
        if rng.random() < 0.25:
            parts.append(rng.choice(("?", "*", "+", "{2}", "{0,2}")))
    if depth == 0 and rng.random() < 0.1:
        parts.append("|" + rng.choice(_PIECES))
    return "".join(parts)


def test_needles_never_hide_a_match_of_random_regexes() -> None:
    rng = random.Random(20251011)
    matched = 0
    for _ in range(3000):
        try:
            term = regex_term(_random_regex(rng), 1.0)
        except re.error:  # "nothing to repeat" and the like
            continue
        for _ in range(10):
            text = "".join(rng.choice("abc -_") for _ in range(rng.randint(0, 12)))
            if term.pattern.search(text):
                matched += 1
                assert term.may_match(text), (term.label, term.needles, text)
    assert matched > 5000


def test_a_phrase_matches_exactly_where_its_words_stand_alone() -> None:
    rng = random.Random(7)
    for phrase in ("connection refused", "oom", "retry-after", "let's encrypt", "node.js", "a b"):
        term = phrase_term(phrase, 1.0)
        words = normalise(phrase).split(" ")
        plain = re.compile(r"(?<!\w)" + r"[\s_-]+".join(map(re.escape, words)) + r"(?:s|es|ed|d|ing)?(?!\w)")
        alphabet = [*words, " ", "_", "-", "x", "s", "ing", ".", "'"]
        for _ in range(2000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
            spans = [m.span() for m in term.pattern.finditer(text)]
            assert spans == [m.span() for m in plain.finditer(text)], (phrase, text)


def test_case_folding_outside_ascii_is_not_hidden() -> None:
    term = regex_term("stack", 1.0)
    text = "\u017ftack overflow"  # U+017F (long s) matches "s" case-insensitively
    assert term.pattern.search(text)
    assert term.may_match(text)


def test_an_anchored_regex_matches_at_the_start_of_any_log_line() -> None:
    excerpts = Excerpts.of([("log a: starting", "starting"), ("log a: fatal: no disk", "fatal: no disk")])
    assert excerpts.quote(regex_term(r"^fatal", 1.0)) == "log a: fatal: no disk"
    assert excerpts.quote(regex_term(r"disk$", 1.0)) == "log a: fatal: no disk"
    assert excerpts.quote(regex_term(r"^no disk", 1.0)) is None


def test_the_needle_scan_finds_the_same_needles_as_testing_each_in_turn() -> None:
    catalog = default_catalog()
    cases = tomllib.loads(REPORTED.read_text())["case"]
    for case in cases:
        text = normalise(case["text"])
        assert catalog.needles_in(text) == {n for n in catalog.needles if n in text}, text


def test_all_services_read_at_once_quote_what_each_service_read_alone_quotes() -> None:
    # every third reported case: thousands of real lines, a run that stays bounded as the cases grow
    cases = tomllib.loads(REPORTED.read_text())["case"][::3]
    # each case's sentences as one service's log lines; the lines of the next case run on from them
    excerpts = {
        f"svc{i}": Excerpts.of((f"log svc{i}: {s}", normalise(s)) for s in case["text"].split(". ") if s)
        for i, case in enumerate(cases)
    }
    # a mention said to be fine is passed over for a later one on the same line, or the next line
    cleared = ["connection refused: the database is fine", "redis is ok, connection refused again", "oom is fine"]
    excerpts["cleared"] = Excerpts.of((f"log cleared: {line}", line) for line in [*cleared, "oomkilled"])
    together = ExcerptsOfServices(excerpts)
    indexed = ExcerptsOfServices(excerpts)
    assert indexed.index(default_catalog().needle_set)
    terms = [t for runbook in default_catalog() for t in (*runbook.terms, *runbook.excludes)]
    assert len(terms) > 500
    for term in terms:
        alone = {name: q for name, each in excerpts.items() if (q := each.quote(term)) is not None}
        assert together.quotes(term) == alone, term.source
        assert indexed.quotes(term) == alone, term.source


def test_the_needles_of_many_lines_found_at_once_are_those_each_line_holds() -> None:
    cases = tomllib.loads(REPORTED.read_text())["case"]
    lines = [normalise(s) for case in cases for s in case["text"].split(". ")]
    lines += ["", "caf\u00e9 error\u00e9", "disk 100% full on /dev/sda1", "x509:certificate", "a/2 0/3"]
    lines += ["ERROR\tconnection_refused\x1fdb", "no\u00a0space left", "oom\u2028killed"]
    needles = NeedleSet(default_catalog().needle_set.needles | {"/2", "0/", "caf\u00e9", " of ", "e"})
    # a line holding a newline is read line by line, not split with the others at once
    for read in (lines, [*lines, "connection\nrefused"]):
        found = needles.lines_holding(read)
        expected = {n: {i for i, line in enumerate(read) if n in line} for n in needles.needles}
        assert found == {n: at for n, at in expected.items() if at}


def test_every_severity_cue_compiles() -> None:
    """The cues are compiled when first met, not at import: an invalid one would only fail then."""
    from maestro.triage import matching

    cues = [term for terms in matching._CUES.values() for term in terms]
    assert len(cues) > 50
    for term in cues:
        assert term.pattern.pattern == term.source
        assert term.lower_pattern.pattern == term.source


def test_normalising_turns_every_run_of_whitespace_regexes_see_into_one_space() -> None:
    spaces = [chr(c) for c in range(0x3100) if re.fullmatch(r"\s", chr(c))]
    assert len(spaces) > 20
    text = "".join(f"{space}Word{n}{space}{space}" for n, space in enumerate(spaces))
    assert normalise(text) == re.sub(r"\s+", " ", text.lower()).strip()
