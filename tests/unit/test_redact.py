"""Redaction: secrets go, structure and ordinary text stay."""

from __future__ import annotations

import base64
import random
import time
from datetime import UTC, datetime

import pytest

from maestro.model import Evidence, IncidentContext, LogLine, Severity, Signal, SignalKind
from maestro.redact import redact, redact_obj

R = "[REDACTED]"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi\n"
    "Z1BjP5CE/Wm/Rr500P=\n"
    "-----END RSA PRIVATE KEY-----"
)

POSITIVE: list[tuple[str, str]] = [
    # credentials in URLs
    ("postgres://user:pw@host:5432/db", f"postgres://user:{R}@host:5432/db"),
    ("redis://:pw@cache:6379", f"redis://:{R}@cache:6379"),
    (
        "DATABASE_URL=postgresql://app:s3cr3t@db:5432/app?sslmode=require",
        f"DATABASE_URL=postgresql://app:{R}@db:5432/app?sslmode=require",
    ),
    ("pull https://deploy:tok3n@registry.example.test/v2/", f"pull https://deploy:{R}@registry.example.test/v2/"),
    ("amqp://guest:guest@rabbit:5672/", f"amqp://guest:{R}@rabbit:5672/"),
    # Authorization headers keep their scheme word
    ("curl -H 'Authorization: Bearer abc.def.ghi' https://x", f"curl -H 'Authorization: Bearer {R}' https://x"),
    ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: Basic {R}"),
    ("authorization: token 12345abcdef", f"authorization: token {R}"),
    ("Proxy-Authorization: Bearer zzz999", f"Proxy-Authorization: Bearer {R}"),
    ('{"Authorization": "Bearer abc123"}', f'{{"Authorization": "Bearer {R}"}}'),
    ("got bearer 0123456789abcdefXYZ from idp", f"got bearer {R} from idp"),
    # JWTs, whole
    (JWT, R),
    (f"session {JWT} expired", f"session {R} expired"),
    # AWS
    ("AKIAIOSFODNN7EXAMPLE", f"AKIA{R}"),
    ("key id ASIAY34FZKBOKMUTVV7A in use", f"key id ASIA{R} in use"),
    (f"aws_secret_access_key = {AWS_SECRET}", f"aws_secret_access_key = {R}"),
    (f"AWS creds: {AWS_SECRET}", f"AWS creds: {R}"),
    # provider API keys keep their type prefix
    ("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789", f"key sk-ant-{R}"),
    ("OPENAI sk-proj-abcdefghijklmnopqrstuvwxyz012345", f"OPENAI sk-proj-{R}"),
    ("sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL", f"sk-{R}"),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", f"sk_live_{R}"),
    ("rk_live_51Habcdefghij0123456789", f"rk_live_{R}"),
    ("AIzaSyA-1234567890abcdefghijklmnopqrstu", f"AIza{R}"),
    ("ghp_1234567890abcdefghijABCDEFGHIJ123456", f"ghp_{R}"),
    ("gho_1234567890abcdefghijABCDEFGHIJ123456", f"gho_{R}"),
    ("ghs_1234567890abcdefghijABCDEFGHIJ123456", f"ghs_{R}"),
    ("ghu_1234567890abcdefghijABCDEFGHIJ123456", f"ghu_{R}"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", f"github_pat_{R}"),
    ("glpat-abcdefghij1234567890", f"glpat-{R}"),
    ("xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx", f"xoxb-{R}"),
    ("xoxp-123456789012-1234567890123-abcdefghijkl", f"xoxp-{R}"),
    ("xapp-1-A0123456789-1234567890123-abcdef0123", f"xapp-{R}"),
    ("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", f"https://hooks.slack.com/services/{R}"),
    # PEM private keys, whole body
    (f"key:\n{PEM}\nafter", f"key:\n-----BEGIN RSA PRIVATE KEY-----{R}-----END RSA PRIVATE KEY-----\nafter"),
    (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (truncated",
        f"-----BEGIN PRIVATE KEY-----{R}-----END PRIVATE KEY-----",
    ),
    # key/value pairs: env dumps, JSON, YAML, CLI flags
    ("password=hunter2", f"password={R}"),
    ("passwd: hunter2", f"passwd: {R}"),
    ("secret: shh", f"secret: {R}"),
    ("token=abc123", f"token={R}"),
    ("api_key=xyz", f"api_key={R}"),
    ("ANTHROPIC_API_KEY=sk-ant-xyz1234567890", f"ANTHROPIC_API_KEY={R}"),
    ("STRIPE_SECRET=abc", f"STRIPE_SECRET={R}"),
    ("GITHUB_TOKEN=ghp_1234567890abcdefghijABCDEFGHIJ123456", f"GITHUB_TOKEN={R}"),
    ('POSTGRES_PASSWORD="p@ss word"', f'POSTGRES_PASSWORD="{R}"'),
    ("export SLACK_TOKEN='xyz'", f"export SLACK_TOKEN='{R}'"),
    ("PGPASSWORD=abc psql -h db", f"PGPASSWORD={R} psql -h db"),
    ("MYSQL_PWD=abc", f"MYSQL_PWD={R}"),
    ("REDISCLI_AUTH=abc", f"REDISCLI_AUTH={R}"),
    ('{"password": "x", "user": "bob"}', f'{{"password": "{R}", "user": "bob"}}'),
    ('{"api_key":"k-1","n":1}', f'{{"api_key":"{R}","n":1}}'),
    ('"{\\"token\\": \\"abc\\"}"', f'"{{\\"token\\": \\"{R}\\"}}"'),
    ("db:\n  password: my secret pass\n  user: bob", f"db:\n  password: {R}\n  user: bob"),
    ('client_secret: "abc"', f'client_secret: "{R}"'),
    ('Env: ["POSTGRES_PASSWORD=secret", "PATH=/usr/bin"]', f'Env: ["POSTGRES_PASSWORD={R}", "PATH=/usr/bin"]'),
    ("X-Auth-Token: abc123", f"X-Auth-Token: {R}"),
    ("x-api-key: abcdef", f"x-api-key: {R}"),
    ("https://api.test/x?api_key=abc123&page=2", f"https://api.test/x?api_key={R}&page=2"),
    ("--password hunter2 --user bob", f"--password {R} --user bob"),
    ("--db-password=hunter2", f"--db-password={R}"),
    ('app --token "abc def"', f'app --token "{R}"'),
    ('"Args": ["--requirepass", "s3cr3t", "--port", "6379"]', f'"Args": ["--requirepass", "{R}", "--port", "6379"]'),
    # tool-specific forms
    ("redis-cli -a s3cret INFO", f"redis-cli -a {R} INFO"),
    ("redis-cli --pass s3cret INFO", f"redis-cli --pass {R} INFO"),
    ('CONFIG SET requirepass "newpass"', f'CONFIG SET requirepass "{R}"'),
    ("CREATE ROLE app LOGIN PASSWORD 'pw'", f"CREATE ROLE app LOGIN PASSWORD '{R}'"),
    ("ALTER USER 'app'@'%' IDENTIFIED BY 'pw'", f"ALTER USER 'app'@'%' IDENTIFIED BY '{R}'"),
    ("curl -u admin:hunter2 https://x", f"curl -u admin:{R} https://x"),
]

NEGATIVE: list[str] = [
    "password reset page is slow",
    "token bucket rate limiter drops requests",
    "the API key was rotated yesterday",
    "uses a bearer token",
    "Authorization header missing",
    "commit 3f2a9c1d0b7e4f6a8c2d1e0f9a8b7c6d5e4f3a2b",
    "aws s3 ls s3://bucket 3f2a9c1d0b7e4f6a8c2d1e0f9a8b7c6d5e4f3a2b",
    "image@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "request 123e4567-e89b-12d3-a456-426614174000 failed",
    "container 4f5e6d7c8b9a exited (137)",
    "4f5e6d7c8b9a0123456789abcdef0123456789abcdef0123456789abcdef0123",
    "2025-10-11T12:00:00Z task failed at 12:00:05",
    "psql $DATABASE_URL -c 'select 1'",
    "ANTHROPIC_API_KEY=",
    "ANTHROPIC_API_KEY=\nOTHER=1",
    "https://api.xencolabs.com/health",
    'http://prometheus:9090/api/v1/query?query=up{job="api"}',
    "redis://cache:6379/0",
    "max_tokens=1024",
    "input_tokens: 12",
    "echo $PW | docker login --password-stdin -u bob",
    "docker ps -a",
    "docker exec -u postgres:postgres db psql",
    "task-1234567890abcdefghijklmnopqrst",
    "PASSWORD=$DB_PASSWORD",
    "PASSWORD=${DB_PASSWORD}",
    '"password": ""',
    "secret_name: db-pass",
    "require_password: true",
    "PWD=/home/bob",
    "PGPASSWORD= psql -h db",
    "x1y2z3 api replicated 3/3 registry.example.test/api:v1.9.5",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE, ids=lambda v: v[:50])
def test_secrets_are_masked_and_the_rest_is_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", NEGATIVE, ids=lambda v: v[:50])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_tables_are_big_enough_to_mean_something() -> None:
    assert len(POSITIVE) >= 40
    assert len(NEGATIVE) >= 20


def _mixtures(count: int, seed: int, *, glue: bool = True) -> list[str]:
    rng = random.Random(seed)
    pieces = [text for text, _ in POSITIVE] + NEGATIVE
    joiners = [" ", "\n", ", ", "; ", " | ", "\t", '"', *(["", "="] if glue else [])]
    return ["".join(rng.choice(pieces) + rng.choice(joiners) for _ in range(rng.randint(1, 6))) for _ in range(count)]


@pytest.mark.parametrize("text", [t for t, _ in POSITIVE] + NEGATIVE + _mixtures(400, 7), ids=lambda v: v[:40])
def test_redact_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_no_secret_survives_being_mixed_with_other_text() -> None:
    secrets = ["hunter2", "s3cr3t", "tok3n", AWS_SECRET, JWT, "4eC39HqLyjWDarjtT1zdp7dc", "MIIEpAIBAAKCAQEA3Tz2mr7"]
    for text in _mixtures(2000, 11, glue=False):
        out = redact(text)
        assert not [s for s in secrets if s in out], text


def _megabyte(rng: random.Random) -> tuple[str, int]:
    """About 1 MB of logs, prose, env dumps and a base64 blob, and how many secrets it holds."""
    lines: list[str] = []
    secrets = 0
    size = 0
    while size < 1_000_000:
        kind = rng.randrange(6)
        if kind == 0:
            line = f'2025-10-11T12:00:{rng.randrange(60):02d}Z level=info msg="GET /api/users" token=t{rng.random()}'
            secrets += 1
        elif kind == 1:
            line = "The password reset page is slow; token bucket full; aws s3 ls worked fine. " * 3
        elif kind == 2:
            line = f'{{"user": "bob", "password": "p{rng.random()}", "image": "api@sha256:{"ab" * 32}"}}'
            secrets += 1
        elif kind == 3:
            line = f"Authorization: Bearer {JWT}"
            secrets += 1
        elif kind == 4:
            line = base64.b64encode(rng.randbytes(3000)).decode()
        else:
            line = f"DATABASE_URL=postgres://app:pw{rng.randrange(10**6)}@db:5432/app"
            secrets += 1
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines), secrets


def test_a_megabyte_is_redacted_well_under_a_second() -> None:
    text, secrets = _megabyte(random.Random(3))
    start = time.process_time()
    out = redact(text)
    elapsed = time.process_time() - start
    print(f"redact: {len(text) / 1e6:.2f} MB in {elapsed * 1000:.0f} ms")
    assert out.count(R) == secrets
    assert elapsed < 1.5


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1_000_000,
        '"' * 1_000_000,
        "aws " * 250_000,
        "password=" * 111_112,
        ("secret: " + "x " * 200 + "\n") * 2_400,
        "-----BEGIN PRIVATE KEY-----" + "A" * 1_000_000,
        "https://user:pw@host.example/path?token=x&a=b " * 21_000,
    ],
    ids=["one-word", "quotes", "aws", "keys", "long-yaml", "open-pem", "urls"],
)
def test_pathological_megabytes_stay_fast(text: str) -> None:
    start = time.process_time()
    redact(text)
    elapsed = time.process_time() - start
    print(f"redact pathological: {len(text) / 1e6:.2f} MB in {elapsed * 1000:.0f} ms")
    assert elapsed < 1.5


def test_redact_obj_walks_dicts_lists_and_tuples() -> None:
    value = {
        "env": ["POSTGRES_PASSWORD=pw", "PATH=/usr/bin"],
        "password": "hunter2",
        "api_key": 123456,
        "token_count": 5,
        "nested": ({"url": "redis://:pw@cache:6379"}, "plain"),
        "flags": {"verbose": True, "secret": None},
    }
    out = redact_obj(value)
    assert out == {
        "env": [f"POSTGRES_PASSWORD={R}", "PATH=/usr/bin"],
        "password": R,
        "api_key": R,
        "token_count": 5,
        "nested": ({"url": f"redis://:{R}@cache:6379"}, "plain"),
        "flags": {"verbose": True, "secret": None},
    }
    assert value["password"] == "hunter2"


def test_redact_obj_keeps_pydantic_models_and_their_types() -> None:
    at = datetime(2025, 10, 11, 12, 0, tzinfo=UTC)
    evidence = Evidence(
        collected_at=at,
        source="swarm",
        signals=[
            Signal(
                kind=SignalKind.CRASH_LOOP,
                subject="api",
                detail="exit 1: invalid DATABASE_URL postgres://app:pw@db/app",
                observed_at=at,
                data={"exit_code": "1", "password": "hunter2"},
            )
        ],
        logs=[LogLine(service="api", at=at, text="Authorization: Bearer abc123")],
    )
    out = redact_obj(evidence)
    assert isinstance(out, Evidence)
    assert out.signals[0].kind is SignalKind.CRASH_LOOP
    assert out.signals[0].detail == f"exit 1: invalid DATABASE_URL postgres://app:{R}@db/app"
    assert out.signals[0].data == {"exit_code": "1", "password": R}
    assert out.logs[0].text == f"Authorization: Bearer {R}"
    assert out.collected_at == at
    assert evidence.signals[0].data["password"] == "hunter2"


def test_redact_obj_leaves_clean_values_untouched() -> None:
    context = IncidentContext(description="API down after deploy", user_impact="all users")
    assert redact_obj(context) is context
    assert redact_obj(Severity.P0) is Severity.P0
    assert redact_obj(42) == 42
    assert redact_obj(context.model_dump()) == context.model_dump()
