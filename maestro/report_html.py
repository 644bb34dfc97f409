"""HTML for the reports: the Markdown subset our templates write, and nothing else.

The templates emit a small, known Markdown dialect (headings, `**strong**`, inline code, lists with
checkboxes, tables, fenced blocks, quotes, rules); text from outside reaches them escaped by the report
filters. This converter knows only that dialect, so it is fast (one pass over the lines, no backtracking)
and it cannot produce a link, an image or raw HTML whatever the text says: everything else is literal.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"^(`{3,})([\w-]*)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})\s*$")
_ITEM = re.compile(r"^( *)([-*+]|(\d{1,9})[.)])(?: +(.*))?$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_TASK = re.compile(r"^\[([ xX])\] +")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def markdown_to_html(markdown: str) -> str:
    return "\n".join(_Blocks(markdown.split("\n")).render()) + "\n"


_SPECIAL = re.compile(r"[\\`*]")
_TOKEN = re.compile(r"\\([!-/:-@\[-`{-~])|(`+)|(\*\*)|([^\\`*]+|[\\`*])")


def inline(text: str) -> str:
    """Backslash escapes, code spans and `**strong**`; every other character is text."""
    if not _SPECIAL.search(text):
        return html.escape(text, quote=False)
    out: list[str] = []
    strong: list[int] = []
    plain: list[str] = []
    at, end = 0, len(text)
    while at < end:
        token = _TOKEN.match(text, at)
        assert token is not None
        escaped, ticks, stars, other = token.groups()
        at = token.end()
        if escaped is not None:
            plain.append(escaped)
        elif ticks is not None:
            close = _closing_ticks(text, at, len(ticks))
            if close < 0:
                plain.append(ticks)
                continue
            code = text[at:close]
            if len(code) > 2 and code[0] == " " and code[-1] == " " and code.strip():
                code = code[1:-1]
            out.append(html.escape("".join(plain), quote=False))
            plain.clear()
            out.append(f"<code>{html.escape(code, quote=False)}</code>")
            at = close + len(ticks)
        elif stars is not None:
            out.append(html.escape("".join(plain), quote=False))
            plain.clear()
            strong.append(len(out))
            out.append("**")
        else:
            plain.append(other)
    out.append(html.escape("".join(plain), quote=False))
    for opening, closing in zip(strong[::2], strong[1::2], strict=False):
        out[opening], out[closing] = "<strong>", "</strong>"
    return "".join(out)


def _closing_ticks(text: str, start: int, count: int) -> int:
    at = start
    while (at := text.find("`" * count, at)) >= 0:
        end = at + count
        if (at == 0 or text[at - 1] != "`") and (end >= len(text) or text[end] != "`"):
            return at
        while end < len(text) and text[end] == "`":
            end += 1
        at = end
    return -1


class _Blocks:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.at = 0

    def render(self) -> list[str]:
        out: list[str] = []
        lines = self.lines
        while self.at < len(lines):
            line = lines[self.at]
            if not line.strip():
                self.at += 1
            elif fence := _FENCE.match(line):
                out.append(self._fence(fence))
            elif heading := _HEADING.match(line):
                level = len(heading.group(1))
                out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
                self.at += 1
            elif _RULE.match(line):
                out.append("<hr>")
                self.at += 1
            elif line.startswith("|") and self.at + 1 < len(lines) and _TABLE_SEPARATOR.match(lines[self.at + 1]):
                out.append(self._table())
            elif line.startswith(">"):
                out.append(self._quote())
            elif _ITEM.match(line):
                out.append(self._list(0))
            else:
                out.append(self._paragraph())
        return out

    def _fence(self, opening: re.Match[str]) -> str:
        ticks, lang = opening.group(1), opening.group(2)
        body: list[str] = []
        self.at += 1
        while self.at < len(self.lines):
            line = self.lines[self.at]
            self.at += 1
            if line.startswith(ticks) and not line.strip("`").strip():
                break
            body.append(line)
        attribute = f' class="language-{html.escape(lang)}"' if lang else ""
        text = html.escape("\n".join(body), quote=False)
        return f"<pre><code{attribute}>{text}\n</code></pre>" if body else f"<pre><code{attribute}></code></pre>"

    def _paragraph(self) -> str:
        parts = []
        while self.at < len(self.lines):
            line = self.lines[self.at]
            if parts and self._interrupts(line):
                break
            parts.append(inline(line.strip()))
            self.at += 1
        return "<p>" + "<br>\n".join(parts) + "</p>"

    def _interrupts(self, line: str) -> bool:
        return (
            not line.strip()
            or bool(_FENCE.match(line) or _HEADING.match(line) or _RULE.match(line))
            or line.startswith((">", "|"))
            or bool(_ITEM.match(line))
        )

    def _quote(self) -> str:
        inner: list[str] = []
        while self.at < len(self.lines) and self.lines[self.at].startswith(">"):
            inner.append(self.lines[self.at][1:].removeprefix(" "))
            self.at += 1
        return "<blockquote>\n" + "\n".join(_Blocks(inner).render()) + "\n</blockquote>"

    def _table(self) -> str:
        header = _cells(self.lines[self.at])
        self.at += 2
        rows = []
        while self.at < len(self.lines) and self.lines[self.at].startswith("|"):
            rows.append(_cells(self.lines[self.at]))
            self.at += 1
        head = "".join(f"<th>{inline(c)}</th>" for c in header)
        body = "\n".join(
            "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in (row + [""] * len(header))[: len(header)]) + "</tr>"
            for row in rows
        )
        return f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}\n</tbody>\n</table>"

    def _list(self, indent: int) -> str:
        first = _ITEM.match(self.lines[self.at])
        assert first is not None
        ordered = first.group(3) is not None
        marker = first.group(2)[-1]
        start = int(first.group(3)) if ordered else 1
        items: list[str] = []
        while self.at < len(self.lines):
            match = _ITEM.match(self.lines[self.at])
            if match is None or len(match.group(1)) != indent or match.group(2)[-1] != marker:
                break
            self.at += 1
            items.append(self._item(match.group(4) or "", indent))
            blank = self.at
            while blank < len(self.lines) and not self.lines[blank].strip():
                blank += 1
            following = _ITEM.match(self.lines[blank]) if blank < len(self.lines) else None
            if following is None or len(following.group(1)) != indent or following.group(2)[-1] != marker:
                break
            self.at = blank
        tag = "ol" if ordered else "ul"
        attribute = f' start="{start}"' if ordered and start != 1 else ""
        return f"<{tag}{attribute}>\n" + "\n".join(items) + f"\n</{tag}>"

    def _item(self, text: str, indent: int) -> str:
        task = _TASK.match(text)
        lines = [inline(text[task.end() :] if task else text)]
        nested: list[str] = []
        while self.at < len(self.lines):
            line = self.lines[self.at]
            match = _ITEM.match(line)
            if match is not None and len(match.group(1)) > indent:
                nested.append(self._list(len(match.group(1))))
                continue
            if nested or not line.strip() or self._interrupts(line):
                break
            lines.append(inline(line.strip()))
            self.at += 1
        body = "<br>\n".join(lines) + ("\n" + "\n".join(nested) if nested else "")
        if task is None:
            return f"<li>{body}</li>"
        checked = " checked" if task.group(1) in "xX" else ""
        return f'<li class="task"><input type="checkbox" disabled{checked}> {body}</li>'


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    """A table row's cells; `\\|` is a pipe inside a cell (left escaped for `inline`)."""
    row = line.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return [cell.strip() for cell in _CELL_SPLIT.split(row)]
