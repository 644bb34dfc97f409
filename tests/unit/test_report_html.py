"""The reports' Markdown dialect to HTML: what the templates write, rendered; anything else stays text."""

from __future__ import annotations

import pytest

from maestro.report_html import inline, markdown_to_html


def test_blocks_of_the_dialect() -> None:
    markdown = "\n".join(
        [
            "# Title",
            "",
            "**Incident**: INC-1 · `a|b`",
            "**Generated**: now",
            "",
            "## Steps",
            "",
            "3. **Fix** - first",
            "   - Impact: `x`",
            "   - [x] done",
            "4. second",
            "",
            "- [ ] open task",
            "",
            "> Note: careful",
            "",
            "| A | B |",
            "|---|---|",
            "| 1 \\| 2 | `c` |",
            "",
            "````bash",
            "echo ```",
            "<b>",
            "````",
            "",
            "---",
        ]
    )
    assert markdown_to_html(markdown) == "\n".join(
        [
            "<h1>Title</h1>",
            "<p><strong>Incident</strong>: INC-1 · <code>a|b</code><br>",
            "<strong>Generated</strong>: now</p>",
            "<h2>Steps</h2>",
            '<ol start="3">',
            "<li><strong>Fix</strong> - first",
            "<ul>",
            "<li>Impact: <code>x</code></li>",
            '<li class="task"><input type="checkbox" disabled checked> done</li>',
            "</ul></li>",
            "<li>second</li>",
            "</ol>",
            "<ul>",
            '<li class="task"><input type="checkbox" disabled> open task</li>',
            "</ul>",
            "<blockquote>",
            "<p>Note: careful</p>",
            "</blockquote>",
            "<table>",
            "<thead>",
            "<tr><th>A</th><th>B</th></tr>",
            "</thead>",
            "<tbody>",
            "<tr><td>1 | 2</td><td><code>c</code></td></tr>",
            "</tbody>",
            "</table>",
            '<pre><code class="language-bash">echo ```',
            "&lt;b&gt;",
            "</code></pre>",
            "<hr>",
            "",
        ]
    )


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("![x](https://evil.test/a.png)", "![x](https://evil.test/a.png)"),
        ("[docs](https://evil.test)", "[docs](https://evil.test)"),
        ("<https://evil.test>", "&lt;https://evil.test&gt;"),
        ('<img src="https://evil.test/i.png">', '&lt;img src="https://evil.test/i.png"&gt;'),
        ("\\*\\*not bold\\*\\*", "**not bold**"),
        ("**bold** and **", "<strong>bold</strong> and **"),
        ("`` a ` b ``", "<code>a ` b</code>"),
        ("`unclosed", "`unclosed"),
        ("a & b", "a &amp; b"),
    ],
)
def test_inline_text_can_never_become_a_link_an_image_or_a_tag(text: str, html: str) -> None:
    assert inline(text) == html
