"""literal(): outside text shown inert, every hiding or terminal-driving character made visible."""

from __future__ import annotations

import pytest

from maestro.text import copyable, literal

HIDDEN = [
    *(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    *"\u200b\u200c\u200d\u200e\u200f\ufeff",
    "\u2028",
    "\u2029",
]


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_every_hiding_character_is_made_visible(char: str) -> None:
    out = literal(f"a{char}b")
    assert char not in out
    assert out.startswith("a\\") and out.endswith("b")
    assert out.isprintable()


def test_escape_sequences_cannot_reach_the_terminal() -> None:
    out = literal("docker ps\x1b]0;pwned\x07\x1b]52;c;ZWNobw==\x07\x9b2J")
    assert out == "docker ps\\x1b]0;pwned\\x07\\x1b]52;c;ZWNobw==\\x07\\x9b2J"


def test_a_lone_carriage_return_is_visible_and_crlf_is_a_newline() -> None:
    assert literal("ls # ok\rrm -rf /") == "ls # ok\\x0drm -rf /"
    assert literal("a\r\nb") == "a\nb"


def test_tabs_newlines_and_ordinary_unicode_stay() -> None:
    assert literal("a\tb\nc é 中文 ✓") == "a    b\nc é 中文 ✓"
    assert literal("one\n\ntwo\n", one_line=True) == "one / two"


def test_bidi_override_is_shown_by_its_code() -> None:
    assert literal("txt\u202egpj.exe") == "txt\\u202egpj.exe"


def test_copyable_keeps_a_clean_command_and_makes_a_hostile_one_visible() -> None:
    clean = "docker service logs web 2>&1 | grep -i 'error\tx'\ndocker service ls"
    assert copyable(clean) == clean
    hostile = "docker service ls\x1b]52;c;cm0gLXJmIC8=\x07\rdocker service rm web"
    assert copyable(hostile) == "docker service ls\\x1b]52;c;cm0gLXJmIC8=\\x07\\x0ddocker service rm web"
    assert copyable("ls\u2028reboot") == "ls\\u2028reboot"
