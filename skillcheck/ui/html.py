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

from skillcheck.corpus import split_sentences
from skillcheck.retrieval import tokenize

#: ``[3]`` or ``[1, 2]``: a citation marker in an answer.
MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_SOURCES_HEAD = "Sources:"
_SOURCE_LINE = re.compile(r"^\[\d+\] ")
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
#: A sentence of a passage is highlighted when this share of its words is in the claim.
OVERLAP_FLOOR = 0.6
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


def answer_html(text: str, citations: list[dict[str, Any]], message_id: str) -> str:
    """The answer as HTML: paragraphs and bullet lists, with ``[n]`` linked to sources."""
    numbers = {int(c["n"]) for c in citations}
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


def claims(text: str) -> dict[int, list[str]]:
    """For each cited number, the pieces of the answer that cite it.

    A claim is the text between the previous marker (or the line's start) and the
    marker itself; a bullet's list intro stays in it.
    """
    out: dict[int, list[str]] = {}
    for line in text.split("\n"):
        pos = 0
        for match in MARKER.finditer(line):
            claim = line[pos : match.start()].strip(" -*•;,")
            for n in re.split(r"\s*,\s*", match.group(1)):
                if claim:
                    out.setdefault(int(n), []).append(claim)
            pos = match.end()
    return out


def highlight_spans(passage: str, claim_texts: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of ``passage`` (its sentences) that the claims quote or restate."""
    sentences = [(s, e) for s, e in split_sentences(passage) if e - s >= 8]
    spans: set[tuple[int, int]] = set()
    for claim in claim_texts:
        verbatim = _exact_spans(passage, claim)
        verbatim += [(s, e) for s, e in sentences if passage[s:e].strip() in claim]
        if verbatim:
            spans.update(verbatim)
            continue
        claim_terms = set(tokenize(claim))
        best: tuple[float, tuple[int, int]] | None = None
        for s, e in sentences:
            terms = set(tokenize(passage[s:e]))
            if not terms:
                continue
            share = len(terms & claim_terms) / len(terms)
            if share >= OVERLAP_FLOOR and (best is None or share > best[0]):
                best = (share, (s, e))
        if best is not None:
            spans.add(best[1])
    return _merge(sorted(spans))


def _exact_spans(passage: str, claim: str) -> list[tuple[int, int]]:
    """Where the claim (or each "; "-joined piece of it) appears in the passage verbatim."""
    out: list[tuple[int, int]] = []
    for piece in [claim, *claim.split("; ")]:
        piece = piece.strip()
        at = passage.find(piece) if len(piece) >= 12 else -1
        if at >= 0:
            out.append((at, at + len(piece)))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


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


def citation_spans(citation: dict[str, Any], answer_text: str) -> list[tuple[int, int]]:
    """The highlighted spans of a citation's passage (offsets within the passage).

    Explicit ``highlights`` (source offsets) win; else the sentences the answer's
    claims for this number quote or restate.
    """
    passage = str(citation.get("text", ""))
    explicit = citation.get("highlights")
    if explicit:
        base = int(citation.get("start", 0))
        return _merge(sorted((int(s) - base, int(e) - base) for s, e in explicit))
    return highlight_spans(passage, claims(answer_text).get(int(citation["n"]), []))


def sources_html(citations: list[dict[str, Any]], answer_text: str, message_id: str) -> str:
    """The numbered sources under an answer: title, publisher, section, highlighted passage."""
    if not citations:
        return ""
    cited = set(claims(answer_text))
    parts = ['<div class="sc-sources"><div class="sc-sources-title">Sources</div>']
    for c in sorted(citations, key=lambda c: int(c["n"])):
        n = int(c["n"])
        passage = str(c.get("text", ""))
        spans = citation_spans(c, answer_text)
        parts.append(f'<div class="sc-source" id="{anchor(message_id, n)}">')
        parts.append(
            f'<div class="sc-source-head"><strong>[{n}] {esc(c.get("title", ""))}</strong> '
            f'<span class="sc-meta">· {esc(c.get("publisher", ""))} · section '
            f"“{esc(c.get('section', ''))}”"
            + ("" if n in cited else " · not cited in the answer")
            + "</span></div>"
        )
        if not c.get("latest_release", True):
            parts.append(f'<div class="sc-note">Note: {esc(NOT_LATEST_NOTE)}</div>')
        body = _BLANK_LINES.sub("\n", marked(passage, spans))
        parts.append(f'<div class="sc-passage">{body}</div></div>')
    parts.append("</div>")
    return "".join(parts)


def notices_html(notices: list[dict[str, str]]) -> str:
    """Notices beside an answer (fallback, offline mode, corrections)."""
    if not notices:
        return ""
    return "".join(
        f'<div class="sc-notice sc-notice-{esc(re.sub(r"[^a-z_-]", "", n.get("kind", "")))}">'
        f"{esc(n.get('text', ''))}</div>"
        for n in notices
    )


def user_html(text: str) -> str:
    """A user's message, as text."""
    return f'<div class="sc-user">{esc(text)}</div>'


def list_html(items: Iterable[Any], css: str = "sc-list") -> str:
    """A bullet list of escaped items."""
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<ul class="{esc(css)}">{lis}</ul>' if lis else ""
