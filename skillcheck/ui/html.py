"""HTML built from untrusted text: every piece of corpus or user text is escaped first.

Nothing here calls Streamlit. The app shows these strings with ``st.html`` (no
Markdown pass over them, so a ``[link](javascript:...)`` or ``<script>`` in a source
or a question stays inert text). Markup is added only around text already escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from skillcheck.events import Notice
from skillcheck.passages import MARKER, Passage, claims

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_SOURCES_HEAD = "Sources:"
_SOURCE_LINE = re.compile(r"^\[\d+\] ")
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
NOT_LATEST_NOTE = (
    "This ANZSCO page is not the latest ANZSCO release; the occupation's details may "
    "have changed since."
)

CSS = """
<style>
.sc-answer p { margin: 0 0 .5em 0; }
.sc-answer ul { margin: 0 0 .5em 1.1em; padding: 0; }
.sc-cite { text-decoration: none; font-weight: 600; font-size: .85em; vertical-align: super; }
.sc-sources { margin-top: .4em; border-top: 1px solid rgba(128,128,128,.3); padding-top: .4em; }
.sc-sources-title { font-weight: 600; font-size: .9em; margin-bottom: .3em; }
.sc-source { margin: 0 0 .7em 0; padding: .4em .6em; border-left: 3px solid #4a7bd0;
  background: rgba(74,123,208,.06); border-radius: 4px; scroll-margin-top: 4em; }
.sc-source:target { background: rgba(255,213,79,.25); }
.sc-source-head { font-size: .9em; }
.sc-meta { color: #666; }
.sc-note { font-size: .85em; color: #8a5300; margin: .2em 0; }
.sc-passage { white-space: pre-wrap; font-size: .85em; max-height: 14em; overflow-y: auto;
  margin-top: .3em; color: #333; }
.sc-passage mark { background: #ffe58a; padding: 0 .1em; }
.sc-notice { font-size: .85em; padding: .35em .6em; border-radius: 4px; margin: .25em 0;
  background: rgba(74,123,208,.08); }
.sc-notice-fallback, .sc-notice-warning { background: rgba(255,170,0,.15); }
.sc-notice-error { background: rgba(255,60,60,.12); }
.sc-user { white-space: pre-wrap; }
.sc-list { margin: .2em 0 .5em 1.1em; padding: 0; }
.sc-disclaimer { font-size: .8em; color: #666; font-style: italic; }
</style>
"""


def esc(text: Any) -> str:
    """``text`` as HTML text (quotes included)."""
    return html.escape(str(text), quote=True)


def anchor(message_id: str, n: int) -> str:
    """The element id of source ``n`` under message ``message_id``."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "", message_id)
    return f"src-{safe}-{int(n)}"


def strip_sources_block(text: str) -> str:
    """The answer without the plain-text "Sources:" list the offline answer ends with.

    The app shows the sources itself, with their passages; the rest of the text
    (a note after the list, say) is kept.
    """
    lines = text.split("\n")
    out: list[str] = []
    skipping = False
    for line in lines:
        if line.strip() == _SOURCES_HEAD:
            skipping = True
            continue
        if skipping and (_SOURCE_LINE.match(line) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out).strip()


def _inline(escaped: str, message_id: str, numbers: set[int]) -> str:
    """Inline markup on escaped text: ``[n]`` links, **bold**, `code`."""

    def link(match: re.Match[str]) -> str:
        ns = [int(x) for x in re.split(r"\s*,\s*", match.group(1))]
        if not all(n in numbers for n in ns):
            return match.group(0)
        return "".join(f'<a class="sc-cite" href="#{anchor(message_id, n)}">[{n}]</a>' for n in ns)

    out = MARKER.sub(link, escaped)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _CODE.sub(r"<code>\1</code>", out)


def answer_html(text: str, passages: list[Passage], message_id: str) -> str:
    """The answer as HTML: paragraphs and bullet lists, with ``[n]`` linked to sources."""
    numbers = {p.n for p in passages}
    blocks: list[str] = []
    items: list[str] = []
    para: list[str] = []

    def flush_para() -> None:
        if para:
            blocks.append("<p>" + "<br>".join(para) + "</p>")
            para.clear()

    def flush_items() -> None:
        if items:
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.split("\n"):
        line = raw.rstrip()
        body = _inline(esc(line.lstrip()), message_id, numbers)
        if re.match(r"^\s*[-*•] ", line):
            flush_para()
            items.append(_inline(esc(re.sub(r"^\s*[-*•] ", "", line)), message_id, numbers))
        elif not line.strip():
            flush_items()
            flush_para()
        else:
            flush_items()
            para.append(body)
    flush_items()
    flush_para()
    return '<div class="sc-answer">' + "".join(blocks) + "</div>"


def marked(passage: str, spans: list[tuple[int, int]]) -> str:
    """``passage`` escaped, with ``spans`` wrapped in ``<mark>``."""
    out: list[str] = []
    pos = 0
    for s, e in spans:
        s, e = max(s, pos), min(e, len(passage))
        if s >= e:
            continue
        out.append(esc(passage[pos:s]))
        out.append(f"<mark>{esc(passage[s:e])}</mark>")
        pos = e
    out.append(esc(passage[pos:]))
    return "".join(out)


def sources_html(passages: list[Passage], answer_text: str, message_id: str) -> str:
    """The numbered sources under an answer: title, publisher, section, highlighted passage.

    The highlights are the passage's own (the spans the answer quoted or stated).
    """
    if not passages:
        return ""
    cited = set(claims(answer_text))
    parts = ['<div class="sc-sources"><div class="sc-sources-title">Sources</div>']
    for p in sorted(passages, key=lambda p: p.n):
        n = p.n
        parts.append(f'<div class="sc-source" id="{anchor(message_id, n)}">')
        parts.append(
            f'<div class="sc-source-head"><strong>[{n}] {esc(p.title)}</strong> '
            f'<span class="sc-meta">· {esc(p.publisher)} · section '
            f"“{esc(p.section)}”"
            + ("" if n in cited else " · not cited in the answer")
            + "</span></div>"
        )
        if not p.latest_release:
            parts.append(f'<div class="sc-note">Note: {esc(NOT_LATEST_NOTE)}</div>')
        body = _BLANK_LINES.sub("\n", marked(p.text, p.local_highlights()))
        parts.append(f'<div class="sc-passage">{body}</div></div>')
    parts.append("</div>")
    return "".join(parts)


def notices_html(notices: list[Notice]) -> str:
    """Notices beside an answer (fallback, offline mode, corrections)."""
    return "".join(
        f'<div class="sc-notice sc-notice-{esc(re.sub(r"[^a-z_-]", "", n.kind))}">'
        f"{esc(n.text)}</div>"
        for n in notices
    )


def user_html(text: str) -> str:
    """A user's message, as text."""
    return f'<div class="sc-user">{esc(text)}</div>'


def list_html(items: Iterable[Any], css: str = "sc-list") -> str:
    """A bullet list of escaped items."""
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<ul class="{esc(css)}">{lis}</ul>' if lis else ""
