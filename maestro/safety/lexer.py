"""Shell text into pipelines of simple commands: words, redirections, here-docs and substitutions.

An uppercase name in angle brackets (`<SERVICE>`, `<NAME>=<VALUE>`) is a placeholder the
reader fills in before running the command: it is part of a word, never a redirection.
"""

from __future__ import annotations

import codecs
import re
import shlex
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

SUB = "\x00"  # stands for the output of a command substitution
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")

_PLAIN = re.compile(r"[^\s|&;<>()\\'\"$`]+")
_DQ_PLAIN = re.compile(r'[^"\\$`]+')
_REDIRECT = re.compile(r"\d*(?:<<<|<<-|<<|<>|<&|>>|>&|>\||>|<)|&>>|&>")
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*>")
_BREAK = frozenset(" \t\r\n|&;<>()")
_BRACES = re.compile(r"\{[^{}\s]*(?:,|\.\.)[^{}\s]*\}")
_GLOB = re.compile(r"[*?]|\[.*\]")
_EMPTY_PARENS = re.compile(r"\([ \t]*\)")
_QUOTED = "\x01"  # stands for quoted text in the unquoted shape of a word


@dataclass
class Simple:
    """One simple command: its words, its output redirections and the text given on its input."""

    words: list[str] = field(default_factory=list)
    redirects: list[tuple[str, str]] = field(default_factory=list)
    stdin: str | None = None
    braced: set[int] = field(default_factory=set)
    globbed: set[int] = field(default_factory=set)


def computed(args: Iterable[str]) -> bool:
    """Whether any argument holds the output of a command substitution."""
    return any(SUB in a for a in args)


def split_words(line: str) -> list[str]:
    """The words of one line, quotes removed; plain whitespace splitting when the quotes do not close."""
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


class Lexer:
    """Splits a shell script into pipelines of simple commands, never raising.

    Command substitutions are collected in `subs` and leave `SUB` in their word;
    unbalanced quotes run to the end of the text. `hidden` names what hides the text that
    will run: ANSI-C quoting and function definitions.
    """

    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.subs: list[str] = []
        self.hidden: list[str] = []
        self.pipelines: list[list[Simple]] = []
        self._pipeline: list[Simple] = []
        self._cur = Simple()
        self._heredocs: list[tuple[Simple, str]] = []
        self._after_pipe = False

    def run(self) -> Lexer:
        s, n = self.s, self.n
        while self.i < n:
            c = s[self.i]
            if c == "\n":
                self.i += 1
                if not self._after_pipe:
                    self._end_pipeline()
                self._read_heredocs()
            elif c.isspace():
                self.i += 1
            elif c == "\\" and s.startswith(("\\\n", "\\\r\n"), self.i):
                self.i += 2 if s[self.i + 1] == "\n" else 3
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end
            elif s.startswith(("<(", ">("), self.i):
                end = _close_paren(s, self.i + 2)
                self.subs.append(s[self.i + 2 : end])
                self._cur.words.append(SUB)
                self.i = end + 1
            elif (m := _REDIRECT.match(s, self.i)) and not (c == "<" and _PLACEHOLDER.match(s, self.i)):
                self.i = m.end()
                self._redirect(m.group())
            elif s.startswith(("&&", "||"), self.i):
                self.i += 2
                self._end_pipeline()
            elif c == "|":
                self.i += 2 if s.startswith("|&", self.i) else 1
                self._end_command()
                self._after_pipe = True
            elif c in ";&()":
                if c == "(" and len(self._cur.words) == 1 and _EMPTY_PARENS.match(s, self.i):
                    self.hidden.append(f"defines the function {self._cur.words[0]}")
                self.i += 1
                self._end_pipeline()
            else:
                self._add_word()
        self._end_pipeline()
        return self

    def _add_word(self) -> None:
        shape: list[str] = []
        word = self._word(shape)
        bare = "".join(shape)
        index = len(self._cur.words)
        if _BRACES.search(bare):
            self._cur.braced.add(index)
        if bare not in ("[", "[[") and _GLOB.search(bare):
            self._cur.globbed.add(index)
        self._cur.words.append(word)
        self._after_pipe = False

    def _redirect(self, op: str) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1
        target = self._word() if self._at_word() else ""
        if op.endswith("<<<"):
            self._cur.stdin = target
        elif op.endswith(("<<", "<<-")):
            self._heredocs.append((self._cur, target.strip()))
        else:
            self._cur.redirects.append((op, target))

    def _at_word(self) -> bool:
        i = self.i
        return i < self.n and (self.s[i] not in _BREAK or _PLACEHOLDER.match(self.s, i) is not None)

    def _end_command(self) -> None:
        if self._cur.words or self._cur.redirects:
            self._pipeline.append(self._cur)
        self._cur = Simple()

    def _end_pipeline(self) -> None:
        self._end_command()
        if self._pipeline:
            self.pipelines.append(self._pipeline)
        self._pipeline = []
        self._after_pipe = False

    def _read_heredocs(self) -> None:
        s, n = self.s, self.n
        for command, delimiter in self._heredocs:
            lines: list[str] = []
            while self.i < n:
                end = s.find("\n", self.i)
                end = n if end < 0 else end
                line = s[self.i : end]
                self.i = end + 1
                if line.strip() == delimiter:
                    break
                lines.append(line)
            command.stdin = "\n".join(lines)
        self._heredocs = []

    def _word(self, shape: list[str] | None = None) -> str:
        """The next word, quotes removed; `shape` gets its unquoted text with quoted parts as `_QUOTED`."""
        s, n = self.s, self.n
        buf: list[str] = []
        shape = [] if shape is None else shape
        i = self.i
        while i < n:
            if m := _PLAIN.match(s, i):
                buf.append(m.group())
                shape.append(m.group())
                i = m.end()
                continue
            shape.append(_QUOTED)
            c = s[i]
            if c == "<" and (m := _PLACEHOLDER.match(s, i)):
                buf.append(m.group())
                i = m.end()
            elif c in _BREAK:
                break
            elif c == "\\":
                if i + 1 < n and s[i + 1] != "\n":
                    buf.append(s[i + 1])
                i += 2
            elif c == "'":
                end = s.find("'", i + 1)
                end = n if end < 0 else end
                buf.append(s[i + 1 : end])
                i = end + 1
            elif c == '"':
                i = self._double_quoted(i + 1, buf)
            elif c == "$":
                i = self._dollar(i, buf, quoted=False)
            elif c == "`":
                i = self._backtick(i, buf)
            else:
                buf.append(c)
                i += 1
        self.i = min(i, n)
        return "".join(buf)

    def _double_quoted(self, i: int, buf: list[str]) -> int:
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == '"':
                return i + 1
            if c == "\\" and i + 1 < n:
                if s[i + 1] in '"\\$`':
                    buf.append(s[i + 1])
                elif s[i + 1] != "\n":
                    buf.append(s[i : i + 2])
                i += 2
            elif c == "$":
                i = self._dollar(i, buf, quoted=True)
            elif c == "`":
                i = self._backtick(i, buf)
            elif m := _DQ_PLAIN.match(s, i):
                buf.append(m.group())
                i = m.end()
            else:
                buf.append(c)
                i += 1
        return n

    def _dollar(self, i: int, buf: list[str], *, quoted: bool) -> int:
        s, n = self.s, self.n
        if s.startswith("$((", i):
            end = s.find("))", i + 3)
            end = n if end < 0 else end + 2
            self._inner_subs(s[i + 3 : end])
            buf.append(s[i:end])
            return end
        if s.startswith("$(", i):
            end = _close_paren(s, i + 2)
            self.subs.append(s[i + 2 : end])
            buf.append(SUB)
            return end + 1
        if s.startswith("${", i):
            end = s.find("}", i + 2)
            end = n if end < 0 else end + 1
            self._inner_subs(s[i + 2 : end])
            buf.append(s[i:end])
            return end
        if s.startswith("$'", i) and not quoted:
            j = i + 2
            while j < n and s[j] != "'":
                j += 2 if s[j] == "\\" else 1
            body = s[i + 2 : min(j, n)]
            if "\\" in body:
                self.hidden.append("ANSI-C quoting ($'...') hides the text")
            buf.append(_ansi_c(body))
            return j + 1
        buf.append("$")
        return i + 1

    def _backtick(self, i: int, buf: list[str]) -> int:
        s, n = self.s, self.n
        j = i + 1
        while j < n and s[j] != "`":
            j += 2 if s[j] == "\\" else 1
        self.subs.append(s[i + 1 : min(j, n)].replace("\\`", "`"))
        buf.append(SUB)
        return j + 1

    def _inner_subs(self, text: str) -> None:
        """Command substitutions inside arithmetic or a parameter expansion still run."""
        if "$(" in text or "`" in text:
            inner = Lexer(text).run()
            self.subs += inner.subs
            self.hidden += inner.hidden


def _ansi_c(body: str) -> str:
    """The text of `$'...'` as bash decodes it (\\xHH, \\uHHHH, octal, \\n, \\e ...)."""
    if "\\" not in body:
        return body
    try:
        escaped = re.sub(r"\\[eE]", r"\\x1b", body).encode("latin-1", "backslashreplace")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return codecs.decode(escaped, "unicode_escape")
    except (UnicodeError, ValueError):
        return body


def _close_paren(s: str, i: int) -> int:
    """Index of the `)` closing a `(` just before i, skipping quotes; len(s) if none."""
    n, depth = len(s), 1
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c in "'\"":
            end = s.find(c, i + 1)
            while c == '"' and end > 0 and s[end - 1] == "\\":
                end = s.find(c, end + 1)
            i = n if end < 0 else end + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return n
