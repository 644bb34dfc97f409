"""The incidents reported before: the nearest one is the start when a report's words reach no runbook's bar."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from maestro.model import IncidentContext, Severity
from maestro.runbooks import default_catalog, parsed_cache
from maestro.triage import reported
from maestro.triage.reported import REPORTED, CaseIndex, ReportedCase, ReportedCasesError, parse_cases
from maestro.triage.rules import triage

NOW = datetime(2025, 10, 11, 12, 0, tzinfo=UTC)


def case(text: str, runbook: str, severity: str = "P1") -> ReportedCase:
    return ReportedCase(text=text, expect=[runbook], severity=Severity(severity))


CASES = [
    case("the import containers keep dying halfway through whenever we load the big supplier file", "swarm.oom_killed"),
    case("workers vanish and restart each time the large nightly import runs", "swarm.oom_killed"),
    case("people keep getting logged out every few minutes and their baskets empty", "cache.sessions_evicted"),
    case("shoppers get signed out at random and lose what was in the cart", "cache.sessions_evicted"),
    case("the product photos show as broken squares since we moved hosting", "media.assets_broken", "P1"),
    case("all pictures on the shop are grey boxes after the move to the new host", "media.assets_broken", "P1"),
    case("order confirmation mails arrive two hours late and the pending counter keeps climbing", "queue.backlog"),
    case("receipts reach customers hours late, thousands of jobs waiting in the admin", "queue.backlog"),
]


def test_a_report_in_other_words_finds_the_case_of_the_same_failure() -> None:
    index = CaseIndex(CASES)
    found = index.nearest("our import container dies every time a big file from the supplier is loaded")
    assert found is not None and found.case.expect == ["swarm.oom_killed"]
    found = index.nearest("shoppers keep getting logged out every few minutes and their carts empty")
    assert found is not None and found.case.expect == ["cache.sessions_evicted"]
    # letter runs meet a word in another form or misspelt
    found = index.nearest("product fotos are broken sqaures since the hosting move")
    assert found is not None and found.case.expect == ["media.assets_broken"]


def test_unlike_or_too_short_reports_find_nothing() -> None:
    index = CaseIndex(CASES)
    assert index.nearest("the quarterly tax filing deadline moved to thursday afternoon") is None
    # too few telling words to compare
    assert index.nearest("import broken") is None


def test_a_case_scored_against_the_others_never_meets_itself() -> None:
    index = CaseIndex(CASES)
    text = CASES[0].text
    assert index.nearest(text) == reported.Nearest(CASES[0], "swarm.oom_killed", 1.0)
    other = index.leaving_out(text).nearest(text)
    assert other is not None and other.case == CASES[1]
    # the index it was taken from is untouched
    assert index.nearest(text) is not None and index.nearest(text).case == CASES[0]  # type: ignore[union-attr]


def test_only_runbooks_the_catalog_has_are_offered() -> None:
    index = CaseIndex(CASES)
    text = "the import containers keep dying whenever the big supplier file loads"
    assert index.nearest(text, allowed={"queue.backlog", "media.assets_broken"}) is None
    found = index.nearest(text, allowed={"swarm.oom_killed"})
    assert found is not None and found.case.expect == ["swarm.oom_killed"]


def test_the_triage_starts_from_the_nearest_case_when_no_runbook_words_match() -> None:
    index = CaseIndex(CASES)
    report = "since this morning shoppers keep getting kicked off the shop at random and lose their baskets"
    top = triage(IncidentContext(description=report), now=NOW, cases=index).issues[0]
    assert (top.runbook_id, top.severity, top.hypothesis) == ("cache.sessions_evicted", Severity.P1, True)
    assert any(e.startswith("worded like an incident reported before (similarity ") for e in top.evidence)
    assert "severity P1: as the incident reported in alike words" in top.evidence
    # without cases to start from, the same words fall back to the rules' own guesses
    bare = triage(IncidentContext(description=report), now=NOW, cases=CaseIndex([])).issues[0]
    assert not any(e.startswith("worded like an incident") for e in bare.evidence)


def test_impact_words_of_the_new_report_decide_its_severity_not_the_cases() -> None:
    index = CaseIndex(CASES)
    felt = triage(
        IncidentContext(description="every product photo is a broken square since the hosting move, nothing loads"),
        now=NOW,
        cases=index,
    ).issues[0]
    assert felt.runbook_id == "media.assets_broken"
    assert "severity P1: as the incident reported in alike words" not in felt.evidence
    # a case whose own words confine it ("only in the EU") gives its runbook, not its severity
    scoped = CaseIndex(
        [case("only customers in the EU see the card form spin forever at checkout", "app.payments_failing")]
    )
    top = triage(
        IncidentContext(description="customers see the card form spin forever at checkout"), now=NOW, cases=scoped
    )
    assert top.issues[0].runbook_id == "app.payments_failing"
    assert top.issues[0].severity is default_catalog().get("app.payments_failing").severity  # type: ignore[union-attr]


def test_words_that_reach_a_runbook_are_never_overruled_by_a_case() -> None:
    index = CaseIndex([case("Redis says OOM command not allowed when used memory > maxmemory", "app.cosmetic", "P2")])
    top = triage(
        IncidentContext(description="OOM command not allowed when used memory > maxmemory"), now=NOW, cases=index
    )
    assert top.issues[0].runbook_id == "cache.redis_oom"


def test_the_shipped_cases_parse_and_name_runbooks_the_catalog_has() -> None:
    cases = parse_cases(REPORTED.read_text(encoding="utf-8"), "reported.toml")
    ids = {r.id for r in default_catalog()}
    assert len(cases) > 1500
    assert not [c.text[:60] for c in cases if not set(c.expect) <= ids]


def test_a_broken_cases_file_is_one_line_naming_it() -> None:
    with pytest.raises(ReportedCasesError, match=r"^cases\.toml: .*") as raised:
        parse_cases('[[case]]\ntext = "x"\nseverity = "P9"\nexpect = ["a"]\n', "cases.toml")
    assert "\n" not in str(raised.value)


def test_the_shipped_index_is_kept_and_read_back_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parsed_cache.CACHE_ENV, str(tmp_path))
    reported.shipped_index.cache_clear()
    built = reported.shipped_index()
    assert list(tmp_path.glob("cases-*.pickle")), "the index was not kept"
    reported.shipped_index.cache_clear()
    kept = reported.shipped_index()
    assert kept is not built
    texts = [c["text"] for c in tomllib.loads(REPORTED.read_text(encoding="utf-8"))["case"][::97]]
    assert [built.nearest(t) for t in texts] == [kept.nearest(t) for t in texts]
    reported.shipped_index.cache_clear()


def test_a_case_that_names_only_the_generic_triage_offers_nothing_and_the_next_runbook_it_names_is_used() -> None:
    vague = ReportedCase(
        text="the checkout button does nothing on phones since the new payment form went live",
        expect=["triage.generic"],
        severity=Severity.P1,
    )
    either = ReportedCase(
        text="the checkout button does nothing on tablets since the new payment form went live",
        expect=["triage.generic", "app.payments_failing"],
        severity=Severity.P1,
    )
    assert CaseIndex([vague, vague.model_copy(update={"text": vague.text + " today"})]).nearest(vague.text) is None
    found = CaseIndex([either, either.model_copy(update={"text": either.text + " today"})]).nearest(either.text)
    assert found is not None and found.runbook == "app.payments_failing"


def test_an_alike_report_that_had_a_deploy_does_not_bring_the_deploy_runbook_to_words_that_name_no_change() -> None:
    deployed = [
        ReportedCase(
            text="about ten minutes after the v2.14 rollout the order history page went blank with TypeError: "
            "cannot read properties of undefined (reading 'map')",
            expect=["deploy.bad_release", "app.feature_failing"],
            severity=Severity.P1,
        )
    ]
    report = "the order history page is blank for big accounts, console TypeError: cannot read properties of undefined"
    top = triage(IncidentContext(description=report), now=NOW, cases=CaseIndex(deployed)).issues[0]
    assert top.runbook_id == "app.feature_failing"
    # the same words with a change named keep the deploy the case started from
    changed = triage(
        IncidentContext(description=f"since the v2.15 rollout {report}"), now=NOW, cases=CaseIndex(deployed)
    ).issues[0]
    assert changed.runbook_id == "deploy.bad_release"
