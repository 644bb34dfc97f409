"""The runbook catalog: shipped TOML files, validation with one-line errors, user overrides."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from maestro.model import Severity, SignalKind
from maestro.runbooks import GENERIC_ID, PLACEHOLDERS, RunbookError, default_catalog, load_catalog
from maestro.runbooks.catalog import parse_runbooks
from maestro.runbooks.terms import PLACEHOLDER

REQUIRED = {
    # the seed's failure modes and emergencies
    "db.pool_exhausted": Severity.P0,
    "db.locked": Severity.P0,
    "cache.redis_oom": Severity.P1,
    "swarm.oom_killed": Severity.P1,
    "edge.cert_expired": Severity.P0,
    "node.disk_full": Severity.P1,
    "deploy.bad_release": Severity.P1,
    # swarm shapes
    "swarm.crash_loop": Severity.P1,
    "swarm.unhealthy": Severity.P1,
    "swarm.unschedulable": Severity.P1,
    "swarm.image_missing": Severity.P1,
    "swarm.update_failed": Severity.P1,
    "swarm.node_down": Severity.P1,
    "swarm.node_drained": Severity.P2,
    "swarm.quorum_lost": Severity.P0,
    # common ones
    "net.dns_failure": Severity.P1,
    "edge.upstream_unavailable": Severity.P1,
    "dep.connection_refused": Severity.P1,
    "queue.backlog": Severity.P1,
    "dep.rate_limited": Severity.P1,
    "data.corruption": Severity.P0,
    "security.breach": Severity.P0,
    GENERIC_ID: Severity.P1,
}

# Commands quoted from the product brief, with its service and node names turned into placeholders.
SEED_COMMANDS = {
    "db.locked": [
        'psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity'
        " WHERE state = 'idle in transaction';\"",
        """psql $DATABASE_URL -c "SELECT * FROM pg_locks WHERE granted = false;\"""",
        "docker service update --force {service}",
        "docker service logs --tail 100 {service} | grep -i error",
        "docker service update --rollback {service}",
    ],
    "db.pool_exhausted": [
        """psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle';\"""",
        """psql $DATABASE_URL -c "SELECT count(*) FROM pg_stat_activity;\"""",
    ],
    "cache.redis_oom": [
        "docker service update --limit-memory 4G {service}",
        'redis-cli -h localhost -p 6379 --scan --pattern "cache:*" | head -1000 | xargs redis-cli DEL',
        "watch -n 5 'docker exec $(docker ps -q -f name={service}) redis-cli INFO memory | grep used_memory_human'",
        "docker exec $(docker ps -q -f name={service}) redis-cli CONFIG SET maxmemory-policy allkeys-lru",
        "docker exec $(docker ps -q -f name={service}) redis-cli INFO memory | grep maxmemory_policy",
    ],
    "swarm.oom_killed": [
        "docker service update --force {service}",
        "docker service update --update-parallelism 1 --update-delay 30s --force {service}",
        "watch -n 5 'docker stats --no-stream | grep {service}'",
    ],
    "edge.cert_expired": ["docker service update --force {service}"],
    "node.disk_full": ["ssh {node} 'docker system prune -af --volumes'"],
    "deploy.bad_release": [
        "docker service update --rollback {service}",
        "docker service ps {service} | head -10",
        "docker service inspect {service} --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}'",
    ],
    GENERIC_ID: [
        "docker service ls",
        'docker service ls | grep -E "0/[0-9]+"',
        "docker service ps {service} | head -20",
    ],
}

GOOD = """
[[runbook]]
id = "custom.{name}"
title = "Custom {name}"
severity = "P2"
summary = "Something custom on {{service}}"
root_cause = "Because"
time_to_fix_min = 3

[runbook.match]
words = {{ "{name} failure" = 5 }}

[[runbook.fix]]
text = "docker service update --force {{service}}"
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalog_has_every_required_runbook_at_the_seed_severity() -> None:
    catalog = default_catalog()
    assert {rid: catalog[rid].severity for rid in REQUIRED if rid in catalog} == REQUIRED
    assert len(catalog) >= len(REQUIRED)


def test_every_failure_signal_raises_some_runbook() -> None:
    catalog = default_catalog()
    not_incidents = {
        SignalKind.RECENT_DEPLOY,
        SignalKind.ENGINE_UNREACHABLE,
        SignalKind.PERMISSION_DENIED,
        SignalKind.NOT_SWARM_MANAGER,
    }
    for kind in set(SignalKind) - not_incidents:
        assert catalog.raised_by(kind), kind


def test_every_runbook_is_actionable() -> None:
    for runbook in default_catalog():
        assert runbook.fix, runbook.id
        assert runbook.verify, runbook.id
        assert runbook.prevention.immediate and runbook.prevention.short_term and runbook.prevention.long_term
        if runbook.id != "swarm.quorum_lost":  # a lost quorum has nothing to roll back to
            assert runbook.rollback, runbook.id
        if runbook.id != GENERIC_ID:
            assert runbook.match.signals or runbook.terms or runbook.areas, runbook.id


def test_seed_commands_are_shipped_verbatim() -> None:
    catalog = default_catalog()
    for runbook_id, commands in SEED_COMMANDS.items():
        runbook = catalog[runbook_id]
        texts = {step.text for step in [*runbook.fix, *runbook.verify, *runbook.rollback]}
        for command in commands:
            assert command in texts, (runbook_id, command)


def test_only_known_placeholders_are_used() -> None:
    used: set[str] = set()
    for runbook in default_catalog():
        for step in [*runbook.fix, *runbook.verify, *runbook.rollback]:
            used.update(PLACEHOLDER.findall(step.text))
    assert used <= set(PLACEHOLDERS)
    assert {"service", "node", "image", "previous_image", "suggested_memory_limit", "constraint"} <= used


def test_go_templates_and_shell_variables_are_not_placeholders() -> None:
    text = "docker service ps {service} --format '{{.Node}}' $DATABASE_URL ${HOME} %{http_code} {{service}}"
    assert PLACEHOLDER.findall(text) == ["service"]


def test_user_folder_overrides_a_shipped_runbook_and_adds_a_new_one(tmp_path: Path) -> None:
    override = GOOD.replace('id = "custom.{name}"', 'id = "db.locked"').format(name="lock")
    write(tmp_path, "10-override.toml", override)
    added = write(tmp_path, "20-new.toml", GOOD.format(name="widget"))
    catalog = load_catalog(tmp_path)
    assert catalog["db.locked"].title == "Custom lock"
    assert catalog["db.locked"].severity is Severity.P2
    assert catalog["db.locked"].source.endswith("10-override.toml")
    assert catalog["custom.widget"].source == str(added)
    assert len(catalog) == len(default_catalog()) + 1
    assert default_catalog()["db.locked"].severity is Severity.P0


def test_the_same_id_twice_in_a_user_folder_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.format(name="x"))
    write(tmp_path, "b.toml", GOOD.format(name="x"))
    with pytest.raises(RunbookError, match=r"b\.toml: runbook id 'custom\.x' is also defined in .*a\.toml"):
        load_catalog(tmp_path)


def test_a_missing_folder_says_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(RunbookError, match="runbook folder not found; fix runbook_dir"):
        load_catalog(tmp_path / "nope")


BAD = {
    "toml": ("[[runbook]\nid = 'x.y'", "invalid TOML"),
    "unknown key": (GOOD.format(name="a").replace("root_cause =", "root_kause ="), "key 'root_kause': unknown key"),
    "missing key": (GOOD.format(name="a").replace('root_cause = "Because"\n', ""), "key 'root_cause': Field required"),
    "severity": (GOOD.format(name="a").replace('"P2"', '"P5"'), "key 'severity'"),
    "signal kind": (
        GOOD.format(name="a").replace("[runbook.match]\n", '[runbook.match]\nsignals = ["crashloop"]\n'),
        "key 'match.signals[0]'",
    ),
    "regex": (
        GOOD.format(name="a").replace("[runbook.match]\n", "[runbook.match]\nregex = { '(unclosed' = 2 }\n"),
        "invalid regex '(unclosed'",
    ),
    "placeholder": (
        GOOD.format(name="a").replace("--force {service}", "--force {serivce}"),
        "unknown placeholder {serivce}",
    ),
    "id": (GOOD.format(name="a").replace("custom.a", "NoDots"), "key 'id'"),
    "fix step": (GOOD.format(name="a").replace('text = "docker', 'txt = "docker'), "key 'fix[0].txt': unknown key"),
    "top level": ("[[runbooks]]\nid = 'a.b'\n", "top level key 'runbooks': unknown key"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_runbook_file_is_one_line_naming_the_file_and_the_key(tmp_path: Path, case: str) -> None:
    text, expected = BAD[case]
    write(tmp_path, "00-good.toml", GOOD.format(name="fine"))
    bad = write(tmp_path, "bad-runbook.toml", text)
    with pytest.raises(RunbookError) as caught:
        load_catalog(tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: ")
    assert expected in message
    if case not in ("toml", "top level"):
        assert "[[runbook]] #1" in message


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        (GOOD.format(name="a").replace("root_cause =", "root_kause ="), 7, "'root_kause': unknown key"),
        (GOOD.format(name="a").replace('"P2"', '"P5"'), 5, "'severity'"),
        (GOOD.format(name="a").replace("words =", "wrds ="), 11, "'match.wrds': unknown key"),
        (GOOD.format(name="a").replace('text = "docker', 'txt = "docker'), 14, "'fix[0].txt': unknown key"),
        (GOOD.format(name="a") + GOOD.format(name="b").replace("time_to_fix_min", "minutes"), 22, "'minutes'"),
    ],
)
def test_a_bad_key_is_reported_on_its_line(tmp_path: Path, text: str, line: int, key: str) -> None:
    bad = write(tmp_path, "bad.toml", text)
    with pytest.raises(RunbookError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value).startswith(f"{bad}: line {line}, ")
    assert key in str(caught.value)


def test_one_broken_file_is_skipped_and_named_while_the_rest_still_loads(tmp_path: Path) -> None:
    write(tmp_path, "00-good.toml", GOOD.format(name="fine"))
    broken = write(tmp_path, "10-broken.toml", "[[runbook]\nid = 'x.y'\n")
    unreadable = write(tmp_path, "20-latin1.toml", "")
    unreadable.write_bytes(b"title = '\xe9t\xe9'\n")
    catalog = load_catalog(tmp_path, skip_broken=True)
    assert "custom.fine" in catalog
    assert len(catalog) == len(default_catalog()) + 1
    assert [p.split(":")[0] for p in catalog.problems] == [str(broken), str(unreadable)]
    assert "invalid TOML" in catalog.problems[0] and "line 1" in catalog.problems[0]
    assert catalog.problems[1] == f"{unreadable}: not UTF-8 text (byte 0xe9 at offset 9); save it as UTF-8"
    assert load_catalog(tmp_path / "gone", skip_broken=True).problems == (
        f"{tmp_path / 'gone'}: runbook folder not found; fix runbook_dir in the config",
    )


def test_every_shipped_regex_compiles_and_none_is_compiled_by_loading() -> None:
    source = resources.files("maestro.runbooks") / "edge.toml"
    fresh = parse_runbooks(source.read_text(encoding="utf-8"), "edge.toml", shipped=True)
    assert all("pattern" not in term.__dict__ for runbook in fresh for term in runbook.terms)
    for runbook in default_catalog():
        for term in (*runbook.terms, *runbook.excludes, *runbook.contradicts):
            assert term.pattern.pattern == term.source
