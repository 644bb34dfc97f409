"""Log excerpts: time order across tasks, bounded lines and totals, raw text kept literal, redaction applied."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from maestro.collect.logs import parse_log_stream

T0 = datetime(2026, 11, 26, 5, 13, 19, tzinfo=UTC)


def stamp(seconds: float) -> bytes:
    at = T0 + timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f").encode() + b"123Z"


def line(seconds: float, text: bytes) -> bytes:
    return stamp(seconds) + b" " + text + b"\n"


def test_lines_of_several_tasks_come_out_in_time_order() -> None:
    frames = [line(2, b"task1 second"), line(0, b"task1 first"), line(1, b"task2 only"), line(3, b"task2 last")]
    got = parse_log_stream(frames, "worker")
    assert [x.text for x in got] == ["task1 first", "task2 only", "task1 second", "task2 last"]
    assert got[0].at == T0 and got[0].service == "worker"


def test_a_line_split_across_chunks_is_joined() -> None:
    whole = line(0, b"boom: cannot connect to queue") + line(1, b"next")
    chunks = [whole[i : i + 7] for i in range(0, len(whole), 7)]
    assert [x.text for x in parse_log_stream(chunks, "worker")] == ["boom: cannot connect to queue", "next"]


def test_a_one_megabyte_line_is_cut_with_a_marker() -> None:
    huge = b"x" * (1 << 20)
    got = parse_log_stream([line(0, huge), line(1, b"after")], "web", max_line=2048)
    assert len(got) == 2
    cut = got[0].text
    assert cut.startswith("x" * 2048) and not cut.startswith("x" * 2049)
    assert cut.endswith(f"(+{(1 << 20) - 2048} bytes cut)")
    assert got[0].at == T0
    assert got[1].text == "after"


def test_a_huge_line_in_small_frames_never_holds_more_than_the_cap() -> None:
    frames = [stamp(0) + b" "] + [b"y" * 16384] * 64 + [b"\n"]
    got = parse_log_stream(frames, "web", max_line=100)
    assert got[0].text == "y" * 100 + f" ... (+{16384 * 64 - 100} bytes cut)"


def test_binary_bytes_are_decoded_with_replacement() -> None:
    got = parse_log_stream([line(0, b"\xff\xfe\x00bin\x80ary")], "cache")
    assert got[0].text == "\ufffd\ufffd\x00bin\ufffdary"


def test_markup_and_escapes_stay_literal() -> None:
    text = "[bold red]x[/] \x1b[31mred\x1b[0m [link=file:///etc/passwd]y[/link] \r\x07"
    got = parse_log_stream([line(0, text.encode())], "api")
    assert got[0].text == text


def test_ten_thousand_lines_keep_the_newest_within_the_byte_budget() -> None:
    frames = [line(i / 1000, f"line {i:05d} ".encode() + b"z" * 40) for i in range(10_000)]
    got = parse_log_stream(frames, "api", max_bytes=64_000)
    assert sum(len(x.text.encode()) + 1 for x in got) <= 64_000
    assert len(got) > 1000
    assert got[-1].text.startswith("line 09999")
    assert [x.text[:10] for x in got] == [f"line {i:05d}" for i in range(10_000 - len(got), 10_000)]


def test_reading_stops_after_max_read() -> None:
    frames = (line(i, b"q" * 1000) for i in range(100_000))
    got = parse_log_stream(frames, "api", max_read=50_000, max_bytes=10**9)
    assert 40 <= len(got) <= 60


def test_lines_without_a_timestamp_are_kept_whole() -> None:
    got = parse_log_stream([b"no stamp here\n", line(0, b"stamped")], "api")
    assert [(x.at, x.text) for x in got] == [(None, "no stamp here"), (T0, "stamped")]


def test_secrets_are_redacted_before_the_line_is_kept() -> None:
    got = parse_log_stream([line(0, b"connecting with DB_PASSWORD=hunter2 to db:5432")], "db")
    assert "hunter2" not in got[0].text
    assert got[0].text.startswith("connecting with DB_PASSWORD=") and got[0].text.endswith(" to db:5432")
