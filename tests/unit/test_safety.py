"""Danger labels: every command of the product brief, plus the ways people hide danger."""

from __future__ import annotations

import random
import time

import pytest

from maestro.model import Command, Danger
from maestro.runbooks.catalog import default_catalog
from maestro.runbooks.terms import PLACEHOLDER
from maestro.safety import classify, labelled, reasons
from maestro.triage.facts import fill

RO, MUT, DES = Danger.READ_ONLY, Danger.MUTATING, Danger.DESTRUCTIVE

# Every command in the brief's code blocks, copied by hand, labelled from what it does.
SEED: list[tuple[str, Danger]] = [
    (
        """psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity """
        """WHERE state = 'idle in transaction';\"""",
        MUT,
    ),
    ("""psql $DATABASE_URL -c "SELECT * FROM pg_locks WHERE granted = false;\"""", RO),
    ("docker service update --force opendeepsearch_api", MUT),
    ("curl https://api.xencolabs.com/health", RO),
    ("docker service logs --tail 100 opendeepsearch_api | grep -i error", RO),
    ("docker service update --rollback opendeepsearch_api", MUT),
    ("docker service update --limit-memory 4G redis_redis", MUT),
    ('redis-cli -h localhost -p 6379 --scan --pattern "cache:*" | head -1000 | xargs redis-cli DEL', DES),
    (
        "watch -n 5 'docker exec $(docker ps -q -f name=redis) redis-cli INFO memory | grep used_memory_human'",
        RO,
    ),
    ('curl -w "@curl-format.txt" -o /dev/null -s https://api.xencolabs.com/api/users', RO),
    ("docker exec $(docker ps -q -f name=redis) redis-cli INFO memory | grep maxmemory_policy", RO),
    ('docker service ls | grep -E "0/[0-9]+"', RO),
    ("docker service ps opendeepsearch_api | head -20", RO),
    ("docker service logs --since 30m opendeepsearch_api | grep -i error | head -50", RO),
    ("""psql $DATABASE_URL -c "SELECT count(*) FROM pg_stat_activity;\"""", RO),
    ("docker stats --no-stream | grep api", RO),
    ("curl http://redis:6379/ping", RO),
    ("curl http://postgres:5432", RO),
    (
        'docker service ps opendeepsearch_api --filter "desired-state=running" --format "{{.Node}}: {{.CurrentState}}"',
        RO,
    ),
    ("docker service scale opendeepsearch_api=6", MUT),
    (
        "psql $DATABASE_URL <<EOF\n"
        "SELECT pg_terminate_backend(pid)\n"
        "FROM pg_stat_activity\n"
        "WHERE state = 'idle in transaction'\n"
        "AND state_change < current_timestamp - interval '5 minutes';\n"
        "EOF",
        MUT,
    ),
    ("""psql $DATABASE_URL -c "SELECT * FROM pg_locks WHERE NOT granted;\"""", RO),
    (
        """psql $DATABASE_URL -c "ALTER DATABASE neondb SET idle_in_transaction_session_timeout = '5min';\"""",
        MUT,
    ),
    ("docker exec $(docker ps -q -f name=redis) redis-cli CONFIG SET maxmemory-policy allkeys-lru", MUT),
    ("docker exec $(docker ps -q -f name=redis) redis-cli FLUSHDB", DES),
    (
        "docker service update \\\n  --update-parallelism 1 \\\n  --update-delay 30s \\\n  --force \\\n"
        "  opendeepsearch_api",
        MUT,
    ),
    ("watch -n 5 'docker stats --no-stream | grep api'", RO),
    ('curl -w "\\nStatus: %{http_code}\\nTime: %{time_total}s\\n" \\\n  https://api.xencolabs.com/api/health', RO),
    ('curl -w "\\nStatus: %{http_code}\\nTime: %{time_total}s\\n" \\\n  https://api.xencolabs.com/api/users', RO),
    (
        'curl -w "\\nStatus: %{http_code}\\nTime: %{time_total}s\\n" \\\n  https://api.xencolabs.com/api/projects',
        RO,
    ),
    ("ab -n 1000 -c 10 https://api.xencolabs.com/api/health", RO),
    ("docker service ls", RO),
    ('curl http://prometheus:9090/api/v1/query?query=up{job="api"}', RO),
    ("open https://grafana.xencolabs.com/d/cluster-overview", RO),
    ("docker service ps opendeepsearch_api | head -10", RO),
    (
        "docker service update \\\n  --image registry.xencolabs.com/api:v1.9.5 \\\n  --update-parallelism 1 \\\n"
        "  --update-delay 10s \\\n  opendeepsearch_api",
        MUT,
    ),
    ("docker service inspect opendeepsearch_api --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}'", RO),
    ('slack-notify "#incidents" "ROLLBACK executed - service restored to v1.9.5"', MUT),
    ('update-status-page "Incident resolved - rolled back to stable version"', MUT),
    ("docker service logs --tail 100 -f SERVICE_NAME", RO),
    ("docker service ps SERVICE_NAME", RO),
    ("docker service update --force SERVICE_NAME", MUT),
    (
        """psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity """
        """WHERE pid <> pg_backend_pid();\"""",
        DES,
    ),
    ("docker exec $(docker ps -q -f name=redis) redis-cli INFO memory", RO),
    ("docker exec $(docker ps -q -f name=redis) redis-cli FLUSHALL", DES),
    ("docker exec $(docker ps -q -f name=redis) redis-cli CLIENT LIST", RO),
    ("docker service update --force redis_redis", MUT),
    ("docker service rollback SERVICE_NAME", MUT),
    ("docker service update --image registry.xencolabs.com/SERVICE:TAG SERVICE_NAME", MUT),
    ("""psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle';\"""", MUT),
    ("docker service update --force traefik_traefik", MUT),
    ("ssh xencoX 'docker system prune -af --volumes'", DES),
]

# Whole code blocks of the brief, comments and all.
SEED_BLOCKS: list[tuple[str, Danger]] = [
    (
        "# STEP 1: Release database lock\n"
        """psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity """
        """WHERE state = 'idle in transaction';"\n\n"""
        "# STEP 2: Verify lock released\n"
        """psql $DATABASE_URL -c "SELECT * FROM pg_locks WHERE granted = false;"\n\n"""
        "# STEP 3: Restart API containers\n"
        "docker service update --force opendeepsearch_api\n",
        MUT,
    ),
    (
        "# Test API endpoint\ncurl https://api.xencolabs.com/health\n# Expected: HTTP 200\n\n"
        "# Check error rate\ndocker service logs --tail 100 opendeepsearch_api | grep -i error\n"
        "# Expected: No errors\n",
        RO,
    ),
    (
        "# Increase memory limit\ndocker service update --limit-memory 4G redis_redis\n\n"
        "# Set eviction policy\n"
        "docker exec $(docker ps -q -f name=redis) redis-cli CONFIG SET maxmemory-policy allkeys-lru\n\n"
        "# Clear old data\ndocker exec $(docker ps -q -f name=redis) redis-cli FLUSHDB\n",
        DES,
    ),
]

TRICKY: list[tuple[str, Danger]] = [
    # case, quoting and escapes
    ("redis-cli flushall", DES),
    ("redis-cli -n 2 FlushDB", DES),
    ("redis-cli 'FLUSH''ALL'", DES),
    ('"redis-cli" "flushall"', DES),
    ("r\\edis-cli FLUSHALL", DES),
    ("/usr/local/bin/redis-cli -u redis://cache:6379 FLUSHALL ASYNC", DES),
    ('"docker" "service" "rm" "api"', DES),
    # wrappers
    ("sudo -u redis redis-cli FLUSHALL", DES),
    ("REDISCLI_AUTH=x redis-cli FLUSHALL", DES),
    ("env -i PATH=/usr/bin sudo -E rm -rf /srv/data", DES),
    ('bash -c "redis-cli flushall"', DES),
    ("sh -lc 'docker volume prune -f'", DES),
    ("bash -c 'set -e; docker service ls; docker service ps api'", RO),
    ("timeout 10 redis-cli FLUSHDB", DES),
    ("nohup docker system prune -af --volumes &", DES),
    ("eval 'docker node rm worker-2'", DES),
    ("watch -n5 'redis-cli flushall'", DES),
    ("watch -n 5 docker service ls", RO),
    ("docker exec -it -u postgres db psql -c 'DROP DATABASE app'", DES),
    ("docker compose exec redis redis-cli FLUSHALL", DES),
    ("kubectl exec -it redis-0 -- redis-cli FLUSHALL", DES),
    # ssh
    ('ssh -i key.pem -p 2222 admin@manager1 "sudo reboot"', DES),
    ("ssh manager1 docker service ls", RO),
    ("ssh manager1", MUT),
    ("ssh manager1 <<'EOF'\ndocker stack rm prod\nEOF", DES),
    # lists, pipes, substitutions
    ("echo ok && docker stack rm prod", DES),
    ("docker ps || docker swarm leave --force", DES),
    ("docker ps; docker node rm worker-2", DES),
    ("docker exec `docker ps -q -f name=redis` redis-cli FLUSHALL", DES),
    ("echo $(redis-cli FLUSHDB)", DES),
    ('echo "$(rm -rf /tmp/x)"', DES),
    ("echo '$(rm -rf /tmp/x)'", RO),
    ("diff <(docker service ls) <(docker stack rm prod)", DES),
    ("for id in $(docker ps -q); do docker restart $id; done", MUT),
    ("docker service update --force api &&\\\n  docker volume prune -f", DES),
    # comments
    ("# docker system prune -af", RO),
    ("docker service ls # then docker service rm api", RO),
    ("docker service ls\n# redis-cli FLUSHALL\ndocker node ls", RO),
    # here-docs and stdin
    ("psql $DATABASE_URL <<'SQL'\nDROP TABLE users;\nSQL", DES),
    ("psql $DATABASE_URL <<-EOF\n\tSELECT 1;\n\tEOF", RO),
    ('psql $DATABASE_URL <<< "TRUNCATE jobs"', DES),
    ('echo "DROP TABLE users;" | psql $DATABASE_URL', DES),
    ("cat <<EOF | psql\nDELETE FROM t;\nEOF", DES),
    ("docker exec -i db psql -U postgres <<EOF\nTRUNCATE orders;\nEOF", DES),
    ("redis-cli <<EOF\nINFO\nFLUSHALL\nEOF", DES),
    ("redis-cli <<EOF\nINFO memory\nCLIENT LIST\nEOF", RO),
    ("psql $DATABASE_URL <<EOF\n\\dt\nSELECT 1;\nEOF", RO),
    ("psql -f migrate.sql", MUT),
    ("psql", MUT),
    # SQL
    ("psql -c 'select 1; truncate audit_log'", DES),
    ('psql -c "select 1" -c "drop schema public cascade"', DES),
    ('psql -c "DELETE FROM sessions"', DES),
    ('psql -c "DELETE FROM sessions WHERE expires < now()"', MUT),
    ('psql -c "DELETE FROM sessions WHERE 1=1"', DES),
    ('psql -c "UPDATE users SET admin = true"', DES),
    ('psql -c "UPDATE users SET admin = true WHERE id = 7"', MUT),
    ('psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"', DES),
    (
        'psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
        "WHERE pid <> pg_backend_pid() AND state = 'idle in transaction'\"",
        MUT,
    ),
    (
        'psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
        "WHERE state = 'idle in transaction' OR pid <> pg_backend_pid()\"",
        DES,
    ),
    ("psql -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'app'\"", DES),
    ("psql -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'active'\"", DES),
    ('psql -c "SELECT pg_terminate_backend(12345)"', MUT),
    ('psql -c "SELECT pg_cancel_backend(12345)"', MUT),
    ('psql -Atc "select count(*) from pg_stat_activity"', RO),
    ('psql -c "EXPLAIN ANALYZE DELETE FROM t"', DES),
    ('psql -c "EXPLAIN DELETE FROM t"', RO),
    ('psql -c "WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone WHERE true"', DES),
    ("psql -c \"select 'drop table x; delete from y' as hint\"", RO),
    ('psql -c "select * from jobs for update skip locked"', MUT),
    ('psql -c "-- drop table x\nselect 1"', RO),
    ("psql -c 'ALTER TABLE users DROP COLUMN email'", DES),
    ('psql -c "VACUUM ANALYZE orders"', MUT),
    ('mysql -e "DROP DATABASE shop"', DES),
    ('mysql -e "SHOW PROCESSLIST"', RO),
    # redis
    ("redis-cli DEL session:42", MUT),
    ("redis-cli DEL 'cache:*'", DES),
    ("redis-cli --scan --pattern 'sess:*' | xargs -L 1 redis-cli del", DES),
    ("redis-cli DEL $(redis-cli KEYS 'tmp:*')", DES),
    ("xargs -r -n 100 redis-cli -n 0 UNLINK", DES),
    ("redis-cli EVAL \"return redis.call('flushall')\" 0", DES),
    ("redis-cli CONFIG GET maxmemory", RO),
    ("redis-cli CLIENT KILL TYPE normal", MUT),
    ("redis-cli SHUTDOWN NOSAVE", DES),
    ("redis-cli --bigkeys", RO),
    ("redis-cli SET feature:x on", MUT),
    # docker
    ("docker system prune", DES),
    ("docker image prune -f", MUT),
    ("docker service rm api", DES),
    ("docker   service   RM api", DES),
    ("docker -H ssh://manager1 service rm api", DES),
    ("docker swarm leave", MUT),
    ("docker swarm leave -f", DES),
    ("docker swarm join-token worker", RO),
    ("docker node update --availability drain worker-1", DES),
    ("docker node ls", RO),
    ("docker volume rm pgdata", DES),
    ("docker volume ls", RO),
    ("docker service scale api=0", DES),
    ("docker service logs api 2>&1 | grep -i oom", RO),
    ("docker ps -q | xargs docker rm -f", DES),
    ("docker stop $(docker ps -q)", DES),
    ("docker stop api-1", MUT),
    ("docker compose down -v", DES),
    ("docker compose ps", RO),
    ("docker container ls -a", RO),
    ("docker run --rm alpine rm -rf /data", DES),
    # http
    ("curl -X POST https://api.example.test/cache/purge", MUT),
    ("curl -XDELETE https://api.example.test/jobs/1", MUT),
    ("curl -d a=b https://api.example.test/x", MUT),
    ("curl -G -d q=1 https://api.example.test/search", RO),
    ("curl -sSfL -X GET https://api.example.test/health", RO),
    ("curl -o out.html https://api.example.test/", MUT),
    ("wget -qO- https://api.example.test/health", RO),
    ("ab -p body.json -T application/json -n 10 https://api.example.test/x", MUT),
    # files, processes, machines
    ("rm -rf /var/lib/docker/volumes/x", DES),
    ("rm -fr x", DES),
    ("/bin/rm -R x", DES),
    ("rm x.log", MUT),
    ("find /var/log -name '*.gz' -delete", DES),
    ("find . -name '*.log' -exec rm {} \\;", DES),
    ("find . -name '*.log'", RO),
    ("dd if=/dev/zero of=/dev/sda bs=1M", DES),
    ("mkfs.ext4 /dev/sdb1", DES),
    ("echo x > /dev/sda", DES),
    ("kill -9 $(pgrep -f worker)", DES),
    ("pgrep -f worker | xargs kill -9", DES),
    ("kill -9 4242", MUT),
    ("kill -9 -1", DES),
    ("pkill -9 python", DES),
    ("kill -l", RO),
    ("sudo shutdown -r now", DES),
    ("systemctl reboot", DES),
    ("systemctl restart docker", MUT),
    ("systemctl status docker", RO),
    ("crontab -r", DES),
    ("git reset --hard origin/main", DES),
    ("git log --oneline | head", RO),
    ("truncate -s 0 /var/log/app.log", DES),
    # redirections
    ("grep -c ERROR app.log > /tmp/count", MUT),
    ("docker ps > /dev/null 2>&1", RO),
    ("docker service ls | tee services.txt", MUT),
    ("sed -i 's/a/b/' app.conf", MUT),
    ("sed 's/a/b/' app.conf", RO),
    # unknown and broken input
    ("frobnicate --all", MUT),
    ("$TOOL FLUSHALL", DES),
    ("", RO),
    ("   \n\n  ", RO),
    ('redis-cli FLUSHALL "', DES),
    ("echo 'unterminated", RO),
    ('docker service ls "', RO),
    ("docker exec $(docker ps -q -f name=redis) redis-cli FLUSHALL '", DES),
    ('psql -c "DROP TABLE x', DES),
    ("echo `unterminated", MUT),
]

# `<NAME>` stands for a value the reader fills in: a word, never a redirection.
PLACEHOLDERS: list[tuple[str, Danger]] = [
    ("docker service logs --tail 100 <SERVICE>", RO),
    ("docker service ps <SERVICE>", RO),
    ("curl -s <HEALTH_URL>", RO),
    ("curl -s http://<HOST>:8080/health", RO),
    ("docker service logs --since 30m <SERVICE> 2>&1 | grep -i error | head -50", RO),
    ("docker service ls --filter name=<SERVICE>", RO),
    ("docker node inspect <NODE> --format '{{.Status.State}}'", RO),
    ("watch -n 5 'docker service ps <SERVICE>'", RO),
    ("ssh <NODE> docker service ps <SERVICE>", RO),
    ("docker exec $(docker ps -q -f name=<REDIS_SERVICE>) redis-cli INFO memory", RO),
    ('docker service logs "<SERVICE>"', RO),
    ("wc -l <<EOF\n<SERVICE>\nEOF", RO),
    ("docker service update --env-add <NAME>=<VALUE> web", MUT),
    ("docker service update --image <IMAGE>:<TAG> <SERVICE>", MUT),
    ("docker service update --force <TRAEFIK_SERVICE>", MUT),
    ("docker service scale <SERVICE>=<REPLICAS>", MUT),
    ("docker node update --availability drain <NODE>", DES),
    ("redis-cli DEL <KEY>", MUT),
    ("docker service rm <SERVICE>", DES),
    ("ssh <NODE> 'docker system prune -af --volumes'", DES),
    ("docker exec $(docker ps -q -f name=<SERVICE>) redis-cli FLUSHALL", DES),
    ("rm -rf <DIR>/cache", DES),
    ("bash -c 'docker service rm <SERVICE>'", DES),
    # real redirections still count, placeholders or not
    ("echo x > /etc/foo", DES),
    ("cat < file", RO),
    ("echo x > <FILE>", MUT),
    ("cat < <FILE>", RO),
    ("docker service ps <SERVICE> > /tmp/ps.txt", MUT),
    ("docker service ps <SERVICE>>/tmp/ps.txt", MUT),
    ("docker service ps <SERVICE> >> <FILE>", MUT),
    ("sort <IN >OUT", MUT),
    ("echo x > /dev/sda <DISK>", DES),
    ("cat <<< <VALUE>", RO),
]


@pytest.mark.parametrize(("text", "expected"), SEED + SEED_BLOCKS, ids=lambda v: str(v)[:60])
def test_every_seed_command_is_labelled_for_what_it_does(text: str, expected: Danger) -> None:
    assert classify(text) is expected


@pytest.mark.parametrize(("text", "expected"), TRICKY, ids=lambda v: str(v)[:60])
def test_danger_is_found_wherever_it_hides(text: str, expected: Danger) -> None:
    assert classify(text) is expected


def test_the_tables_are_big_enough_to_mean_something() -> None:
    assert len(SEED) >= 50
    assert len(TRICKY) >= 25
    assert {d for _, d in SEED} == {RO, MUT, DES}


def test_reasons_explain_the_label_most_dangerous_first() -> None:
    why = reasons("docker service update --force api && docker exec r redis-cli FLUSHALL")
    assert "FLUSHALL" in why[0]
    assert any("--force" in r and "api" in r for r in why[1:])
    assert any("volume" in r for r in reasons("docker system prune -af --volumes"))
    kill_all = 'psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"'
    assert any("pg_backend_pid" in r for r in reasons(kill_all))


def test_read_only_commands_have_no_reasons() -> None:
    assert reasons("docker service ls | grep api") == []
    assert reasons("") == []


def test_unknown_commands_say_they_are_unknown() -> None:
    assert reasons("frobnicate --all") == ["frobnicate is not known to be read-only"]


def test_labelled_sets_the_danger_and_keeps_the_rest() -> None:
    command = Command(text="redis-cli FLUSHALL", purpose="clear cache", expected="OK", danger=RO)
    out = labelled(command)
    assert out.danger is DES
    assert (out.text, out.purpose, out.expected) == (command.text, command.purpose, command.expected)
    assert command.danger is RO


def test_never_raises_on_random_shell_noise() -> None:
    rng = random.Random(1234)
    alphabet = [*"abc xyz-=/\\'\"`$(){}[]|&;<>#\n\t*?!~0129", "redis-cli ", "FLUSHALL", "<<EOF\n", "$(", "sh -c "]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert classify(text) in (RO, MUT, DES)


def test_deeply_nested_substitutions_are_not_trusted() -> None:
    text = "echo " + "$(echo " * 200 + "hi" + ")" * 200
    assert classify(text) is MUT


def test_thousands_of_commands_per_second() -> None:
    base = [text for text, _ in SEED + TRICKY]
    texts = [f"{base[i % len(base)]} && echo {i}" for i in range(5000)]
    start = time.perf_counter()
    for text in texts:
        classify(text)
    rate = len(texts) / (time.perf_counter() - start)
    print(f"classify: {rate:,.0f} distinct commands/s")
    assert rate > 2000


@pytest.mark.parametrize(("text", "expected"), PLACEHOLDERS, ids=lambda v: str(v)[:60])
def test_a_placeholder_is_a_word_not_a_redirection(text: str, expected: Danger) -> None:
    assert classify(text) is expected


def test_placeholders_leave_no_phantom_redirection_in_the_reasons() -> None:
    assert reasons("docker service update --env-add <NAME>=<VALUE> web") == [
        "docker service update changes web; its tasks may restart"
    ]
    assert reasons("echo x > <FILE>") == ["overwrites the file <FILE>"]
    assert reasons("docker service ps <SERVICE>>/tmp/ps.txt") == ["overwrites the file /tmp/ps.txt"]


def test_every_runbook_command_is_labelled_as_it_will_run_once_filled_in() -> None:
    texts = [step.text for book in default_catalog() for step in (*book.fix, *book.verify, *book.rollback)]
    unknown = [fill(text, {}) for text in texts]
    known = [fill(text, {name: name for name in PLACEHOLDER.findall(text)}) for text in texts]
    assert sum("<" in text for text in unknown) >= 50, "the runbooks should exercise placeholders"
    wrong = [(u, classify(u), classify(k)) for u, k in zip(unknown, known, strict=True) if classify(u) != classify(k)]
    assert wrong == []
