"""SwarmSource without an engine: every poll is evidence that says why, logs fail in one line, close is final."""

from __future__ import annotations

from pathlib import Path

import pytest

from maestro.collect.logs import LogsUnavailable
from maestro.collect.source import SwarmSource
from maestro.collect.swarm import CollectorError
from maestro.model import SignalKind


def test_a_missing_engine_is_evidence_logs_say_why_and_close_is_final(tmp_path: Path) -> None:
    live = SwarmSource(f"unix://{tmp_path}/docker.sock")
    evidence = live()
    reason = evidence.engine_unusable
    assert f"{tmp_path}/docker.sock" in reason and "does not exist" in reason
    assert [s.kind for s in evidence.signals] == [SignalKind.ENGINE_UNREACHABLE]
    assert live().engine_unusable == reason, "the next poll says the same, with the same client"

    with pytest.raises(LogsUnavailable) as caught:
        live.logs("web")
    assert "does not exist" in str(caught.value) and "\n" not in str(caught.value)

    live.close()
    assert live().engine_unusable == "the session is over"
    with pytest.raises(CollectorError, match="the session is over"):
        live.logs("web")


def test_a_host_that_cannot_be_parsed_is_one_line_evidence() -> None:
    evidence = SwarmSource("gopher://nowhere")()
    assert "gopher://nowhere" in evidence.engine_unusable and "\n" not in evidence.engine_unusable
