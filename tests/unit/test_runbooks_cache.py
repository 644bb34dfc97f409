"""The shipped runbooks kept parsed in the cache folder: the same catalog as parsing them, and no error when the
cache cannot be used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from maestro import demo
from maestro.runbooks import catalog, parsed_cache
from maestro.triage.rules import triage


@pytest.fixture
def fresh() -> Iterator[None]:
    """Each load goes to the cache folder (not to this process's memory)."""
    catalog._shipped_parsed.cache_clear()
    catalog.default_catalog.cache_clear()
    yield
    catalog._shipped_parsed.cache_clear()
    catalog.default_catalog.cache_clear()


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("runbooks-*.pickle"))


def parsed_now() -> tuple[list[str], dict[str, float], list[tuple[str, ...]]]:
    runbooks, specificity = catalog._shipped_parsed()
    return [r.model_dump_json() for r in runbooks], specificity, [t.needles for r in runbooks for t in r.terms]


def test_a_second_start_reads_the_runbooks_the_first_one_parsed(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parsed_cache.CACHE_ENV, str(tmp_path))
    parsed = parsed_now()
    assert len(entries(tmp_path)) == 1
    catalog._shipped_parsed.cache_clear()
    assert parsed_now() == parsed
    monkeypatch.setenv(parsed_cache.CACHE_ENV, "off")
    catalog._shipped_parsed.cache_clear()
    assert parsed_now() == parsed


def test_the_cached_catalog_triages_as_the_parsed_one(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parsed_cache.CACHE_ENV, "off")
    parsed = triage(demo.CONTEXT, None).model_dump(exclude={"generated_at"})
    monkeypatch.setenv(parsed_cache.CACHE_ENV, str(tmp_path))
    for _ in range(2):  # written, then read
        catalog._shipped_parsed.cache_clear()
        catalog.default_catalog.cache_clear()
        assert triage(demo.CONTEXT, None).model_dump(exclude={"generated_at"}) == parsed
    assert len(entries(tmp_path)) == 1


def test_an_unusable_cache_folder_or_entry_is_parsed_around(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parsed_cache.CACHE_ENV, "off")
    parsed = parsed_now()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(parsed_cache.CACHE_ENV, str(blocked / "cache"))
    catalog._shipped_parsed.cache_clear()
    assert parsed_now() == parsed
    folder = tmp_path / "cache"
    monkeypatch.setenv(parsed_cache.CACHE_ENV, str(folder))
    catalog._shipped_parsed.cache_clear()
    parsed_now()
    [entry] = entries(folder)
    entry.write_bytes(b"half a pickle")
    catalog._shipped_parsed.cache_clear()
    assert parsed_now() == parsed
    assert entry.read_bytes() != b"half a pickle", "a broken entry is written again"


def test_only_the_newest_entries_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parsed_cache.CACHE_ENV, str(tmp_path))
    for n in range(parsed_cache.KEPT + 2):
        parsed_cache.save(f"entry{n}", n)
    assert len(entries(tmp_path)) == parsed_cache.KEPT
    assert parsed_cache.load(f"entry{parsed_cache.KEPT + 1}") == parsed_cache.KEPT + 1
    assert parsed_cache.load("entry0") is None


def test_a_short_text_holds_the_needles_the_long_scan_finds() -> None:
    shipped = catalog.default_catalog()
    text = "the api returns 500 errors after deploy; oomkilled, connection refused, no space left on device"
    assert len(text) <= catalog.SHORT_TEXT < len(text * 20)
    found = shipped.needles_in(text)
    assert found and found == shipped.needles_in(text * 20)
    assert found == {needle for needle in shipped.needles if needle in text}


def test_entries_are_kept_beside_the_runbooks_for_every_home_else_in_the_users_cache(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(parsed_cache.CACHE_ENV, raising=False)
    beside = tmp_path / "install" / "__pycache__"
    monkeypatch.setattr(parsed_cache, "BESIDE", beside)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-1"))
    parsed = parsed_now()
    assert len(entries(beside)) == 1
    assert not (tmp_path / "home-1").exists()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-2"))  # another user, or a fresh home
    assert parsed_cache.load(entries(beside)[0].stem.removeprefix("runbooks-")) is not None
    catalog._shipped_parsed.cache_clear()
    assert parsed_now() == parsed
    assert not (tmp_path / "home-2").exists(), "read from beside the runbooks, nothing parsed or written"

    in_the_way = tmp_path / "read-only-install"
    in_the_way.write_text("a file where the folder would be")
    monkeypatch.setattr(parsed_cache, "BESIDE", in_the_way / "__pycache__")
    catalog._shipped_parsed.cache_clear()
    assert parsed_now() == parsed
    assert len(entries(tmp_path / "home-2" / "maestro-tui")) == 1
