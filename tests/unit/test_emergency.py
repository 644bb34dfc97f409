from __future__ import annotations

from datetime import UTC, datetime

from maestro.emergency import REDIS_SERVICE, SERVICE, emergency_sections, service_like
from maestro.model import Danger, Evidence, ServiceInfo


def texts(sections: list) -> list[str]:
    return [c.text for s in sections for c in s.commands]


def test_without_services_placeholders_stay_visible() -> None:
    all_text = texts(emergency_sections())
    assert f"docker service update --force {SERVICE}" in all_text
    assert f"docker exec $(docker ps -q -f name={REDIS_SERVICE}) redis-cli FLUSHALL" in all_text
    assert not any("{" in t and "}" in t and "service" in t for t in all_text)


def test_service_commands_repeat_per_service_and_names_are_quoted() -> None:
    sections = emergency_sections(["web", "odd name"], "cache")
    health = next(s for s in sections if s.title == "Service Health")
    assert [c.text for c in health.commands].count("docker service ls") == 1
    assert "docker service update --force web" in texts(sections)
    assert "docker service update --force 'odd name'" in texts(sections)
    assert "docker service update --force cache" in texts(sections)


def test_labels_come_from_the_classifier() -> None:
    by_text = {c.text: c.danger for s in emergency_sections(["web"], "cache") for c in s.commands}
    assert by_text["docker service ls"] is Danger.READ_ONLY
    assert by_text["docker exec $(docker ps -q -f name=cache) redis-cli FLUSHALL"] is Danger.DESTRUCTIVE
    kill_all = next(t for t in by_text if "pg_backend_pid()" in t)
    assert by_text[kill_all] is Danger.DESTRUCTIVE


def test_service_like_matches_name_or_image() -> None:
    evidence = Evidence(
        collected_at=datetime(2026, 1, 1, tzinfo=UTC),
        source="swarm",
        services=[
            ServiceInfo(id="1", name="api", image="shop/api:2", desired=1, running=1),
            ServiceInfo(id="2", name="sessions", image="redis:7", desired=1, running=1),
        ],
    )
    assert service_like(evidence, "redis") == "sessions"
    assert service_like(evidence, "postgres") == ""
    assert service_like(None, "redis") == ""


def test_the_image_repository_is_filled_when_the_service_is_known() -> None:
    images = {"api": "registry.test:5000/shop/api:2.3@sha256:abc", "web": "nginx"}
    all_text = texts(emergency_sections(["api", "web", "worker"], "", images))
    assert "docker service update --image registry.test:5000/shop/api:<TAG> api" in all_text
    assert "docker service update --image nginx:<TAG> web" in all_text
    assert "docker service update --image <IMAGE>:<TAG> worker" in all_text
