"""LiveSwarm without an engine: every poll is evidence that says why, logs fail in one line, close is final."""

from __future__ import annotations

from pathlib import Path

import pytest

from maestro.collect.logs import LogsUnavailable
from maestro.collect.swarm import CollectorError
from maestro.model import SignalKind
from tui.live import LiveSwarm, engine_trouble


def test_a_missing_engine_is_evidence_logs_say_why_and_close_is_final(tmp_path: Path) -> None:
    live = LiveSwarm(f"unix://{tmp_path}/docker.sock")
    evidence = live()
    reason = engine_trouble(evidence)
    assert f"{tmp_path}/docker.sock" in reason and "does not exist" in reason
    assert [s.kind for s in evidence.signals] == [SignalKind.ENGINE_UNREACHABLE]
    assert engine_trouble(live()) == reason, "the next poll says the same, with the same client"

    with pytest.raises(LogsUnavailable) as caught:
        live.logs("web")
    assert "does not exist" in str(caught.value) and "\n" not in str(caught.value)

    live.close()
    assert engine_trouble(live()) == "the session is over"
    with pytest.raises(CollectorError, match="the session is over"):
        live.logs("web")


def test_a_host_that_cannot_be_parsed_is_one_line_evidence() -> None:
    evidence = LiveSwarm("gopher://nowhere")()
    assert "gopher://nowhere" in engine_trouble(evidence) and "\n" not in engine_trouble(evidence)
