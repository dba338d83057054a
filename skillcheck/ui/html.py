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
#: The same note as HTML (our own words, escaped once here).
NOT_LATEST_NOTE_HTML = html.escape(NOT_LATEST_NOTE)

# The app's colours. Streamlit 1.67 exposes no CSS variables of its theme, so the page's
# theme type (light or dark) is read from the app's computed background by THEME_JS and
# set as ``data-sc-theme`` on <html>; the server's guess (``st.context.theme.type``) is
# the default until then. Body text inherits Streamlit's own text colour; only secondary
# text, notes and links get colours of ours, each at least 4.5:1 on its theme's
# background (measured by the browser test). Highlights carry their own dark text.
PALETTES = {
    "light": {
        "--sc-muted": "#4b5060",
        "--sc-note": "#7a4500",
        "--sc-link": "#0b57d0",
        "--sc-accent": "#3b6fc4",
        "--sc-mark-bg": "#ffe27a",
        "--sc-mark-fg": "#1b1b1b",
        "--sc-card": "rgba(59,111,196,.07)",
    },
    "dark": {
        "--sc-muted": "#c9ccd4",
        "--sc-note": "#ffcf87",
        "--sc-link": "#8ab4f8",
        "--sc-accent": "#6f9be8",
        "--sc-mark-bg": "#ffe27a",
        "--sc-mark-fg": "#1b1b1b",
        "--sc-card": "rgba(111,155,232,.10)",
    },
}


def _vars(kind: str) -> str:
    return "; ".join(f"{k}: {v}" for k, v in PALETTES[kind].items())


def css(theme_type: str | None = None) -> str:
    """The app's styles; ``theme_type`` (light or dark) is the server's guess of the theme."""
    default = "dark" if theme_type == "dark" else "light"
    return (
        "<style>\n"
        f":root {{ {_vars(default)}; }}\n"
        f"html[data-sc-theme=light] {{ {_vars('light')}; }}\n"
        f"html[data-sc-theme=dark] {{ {_vars('dark')}; }}\n" + _CSS_RULES + "</style>"
    )


_CSS_RULES = """
.sc-answer p { margin: 0 0 .5em 0; }
.sc-answer ul { margin: 0 0 .5em 1.1em; padding: 0; }
.sc-answer a, .sc-source a, .sc-about a, .sc-evidence a { color: var(--sc-link); }
.sc-cite { text-decoration: none; font-weight: 600; font-size: .85em; vertical-align: super;
  color: var(--sc-link); }
.sc-sources { margin-top: .4em; border-top: 1px solid rgba(128,128,128,.35); padding-top: .4em; }
.sc-sources-title { font-weight: 600; font-size: .9em; margin-bottom: .3em; }
.sc-source { margin: 0 0 .6em 0; padding: .4em .6em; border-left: 3px solid var(--sc-accent);
  background: var(--sc-card); border-radius: 4px; scroll-margin-top: 4em;
  overflow-wrap: anywhere; }
.sc-source:target { outline: 2px solid var(--sc-accent); }
.sc-source-head { font-size: .9em; }
.sc-source summary { cursor: pointer; font-size: .9em; }
.sc-preview { color: var(--sc-muted); }
.sc-meta { color: var(--sc-muted); }
.sc-note { font-size: .85em; color: var(--sc-note); margin: .2em 0; }
.sc-passage { white-space: pre-wrap; font-size: .88em; margin-top: .3em; }
.sc-passage mark, .sc-answer mark { background: var(--sc-mark-bg); color: var(--sc-mark-fg);
  padding: 0 .1em; border-radius: 2px; }
.sc-notice { font-size: .88em; padding: .35em .6em; border-radius: 4px; margin: .25em 0;
  background: rgba(74,123,208,.10); }
.sc-notice-fallback, .sc-notice-warning { background: rgba(255,170,0,.16); }
.sc-notice-error { background: rgba(255,60,60,.14); }
.sc-user { white-space: pre-wrap; overflow-wrap: anywhere; }
.sc-list { margin: .2em 0 .5em 1.1em; padding: 0; }
.sc-disclaimer { font-size: .85em; color: var(--sc-muted); font-style: italic; }
.sc-muted { color: var(--sc-muted); font-size: .9em; }
.sc-copy { font: inherit; font-size: .85em; cursor: pointer; border-radius: 6px;
  padding: .15em .6em; border: 1px solid rgba(128,128,128,.5); background: transparent;
  color: inherit; }
.sc-about p, .sc-about li { font-size: .92em; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] p, [data-testid="stTooltipHoverTarget"] {
  color: inherit !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] { color: var(--sc-muted) !important; }
[data-testid="stMarkdownContainer"] a { color: var(--sc-link); }
[data-testid="stChatMessageAvatarUser"] { background-color: #a3262a !important; }
[data-testid="stChatMessageAvatarAssistant"] { background-color: #1d4ed8 !important; }
[data-testid="stChatMessageAvatarUser"] *, [data-testid="stChatMessageAvatarAssistant"] * {
  color: #ffffff !important; }
[data-testid="stFeedback"] button, [data-testid="stFeedback"] button * {
  color: var(--sc-muted) !important; opacity: 1 !important; }
[data-testid="stDateInputField"] span { color: inherit !important; opacity: 1 !important; }
[data-testid="stDateInputField"] [data-placeholder] { color: var(--sc-muted) !important; }
input::placeholder, textarea::placeholder { color: var(--sc-muted) !important; opacity: 1; }
[id^="turn-"], [id^="verdict-"] { scroll-margin-top: 70px; }
@media (max-width: 640px) { .block-container, [data-testid="stMainBlockContainer"] {
  padding-left: .75rem; padding-right: .75rem; } }
"""

#: Sets ``data-sc-theme`` on <html> from the app's computed background (light or dark),
#: again whenever it changes (the user can switch themes without a rerun).
THEME_JS = """
<script>
(function () {
  function apply() {
    var app = document.querySelector('.stApp') || document.body;
    var m = getComputedStyle(app).backgroundColor.match(/[0-9.]+/g);
    if (!m) { return; }
    var y = 0.299 * m[0] + 0.587 * m[1] + 0.114 * m[2];
    var kind = y < 128 ? 'dark' : 'light';
    if (document.documentElement.dataset.scTheme !== kind) {
      document.documentElement.dataset.scTheme = kind;
    }
  }
  apply();
  if (!window.__scThemeTimer) { window.__scThemeTimer = setInterval(apply, 400); }
  if (!window.__scCopy) {
    window.__scCopy = true;
    document.addEventListener('click', function (ev) {
      var b = ev.target.closest ? ev.target.closest('.sc-copy') : null;
      if (!b) { return; }
      var text = b.getAttribute('data-copy') || '';
      var done = function () { b.textContent = 'Copied'; setTimeout(function () {
        b.textContent = 'Copy'; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(); });
      } else { fallback(); }
      function fallback() {
        var t = document.createElement('textarea'); t.value = text;
        document.body.appendChild(t); t.select();
        try { document.execCommand('copy'); done(); } finally { t.remove(); }
      }
    });
  }
})();
</script>
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


PREVIEW_CHARS = 90


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The first words of ``text`` on one line, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _source_meta(p: Passage) -> str:
    """Publisher, section and capture date of a source, in words."""
    parts = [esc(p.publisher), f"section “{esc(p.section)}”"]
    if p.captured:
        parts.append(f"captured {esc(p.captured)}")
    return " · ".join(parts)


def _title_link(p: Passage) -> str:
    """The source's title, linked to its official page when the manifest has its address."""
    if p.url and re.match(r"^https?://", p.url):
        return (
            f'<a href="{esc(p.url)}" target="_blank" rel="noopener noreferrer" '
            f'title="The official page (opens in a new tab)">{esc(p.title)}</a>'
        )
    return esc(p.title)


def sources_html(passages: list[Passage], answer_text: str, message_id: str) -> str:
    """The numbered sources under an answer.

    A passage the answer cites is shown whole with its highlights (the spans the
    answer quoted or stated); one it does not cite is collapsed to a one-line preview
    that opens on a click. Each card links to the official page and gives the date the
    page was captured (``url`` and ``captured`` in ``corpus/manifest.yaml``; left out
    when the manifest has none).
    """
    if not passages:
        return ""
    cited = set(claims(answer_text))
    parts = ['<div class="sc-sources"><div class="sc-sources-title">Sources</div>']
    for p in sorted(passages, key=lambda p: p.n):
        n = p.n
        note = (
            "" if p.latest_release else f'<div class="sc-note">Note: {NOT_LATEST_NOTE_HTML}</div>'
        )
        body = _BLANK_LINES.sub("\n", marked(p.text, p.local_highlights()))
        passage = f'<div class="sc-passage">{body}</div>'
        if n in cited:
            parts.append(
                f'<div class="sc-source sc-cited" id="{anchor(message_id, n)}">'
                f'<div class="sc-source-head"><strong>[{n}] {_title_link(p)}</strong> '
                f'<span class="sc-meta">· {_source_meta(p)}</span></div>'
                f"{note}{passage}</div>"
            )
        else:
            parts.append(
                f'<details class="sc-source sc-uncited" id="{anchor(message_id, n)}">'
                f"<summary><strong>[{n}] {esc(p.title)}</strong> "
                f'<span class="sc-preview">· not cited · “{esc(preview(p.text))}”</span>'
                "</summary>"
                f'<div class="sc-source-head">{_title_link(p)} '
                f'<span class="sc-meta">· {_source_meta(p)}</span></div>'
                f"{note}{passage}</details>"
            )
    parts.append("</div>")
    return "".join(parts)


def copy_button_html(text: str) -> str:
    """A button that copies ``text`` (the answer) to the clipboard (THEME_JS handles it)."""
    return (
        f'<button type="button" class="sc-copy" data-copy="{esc(text)}" '
        'aria-label="Copy the answer">Copy</button>'
    )


def notices_html(notices: list[Notice]) -> str:
    """Notices beside an answer (fallback, offline mode, corrections)."""
    return "".join(
        f'<div class="sc-notice sc-notice-{re.sub(r"[^a-z_-]", "", n.kind)}">{esc(n.text)}</div>'
        for n in notices
    )


def user_html(text: str) -> str:
    """A user's message, as text."""
    return f'<div class="sc-user">{esc(text)}</div>'


def list_html(items: Iterable[Any], css: str = "sc-list") -> str:
    """A bullet list of escaped items."""
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return f'<ul class="{esc(css)}">{lis}</ul>' if lis else ""


# --- small pieces the pages draw with st.html (pure, so hostile text can be tested) --------
STORE_PROBLEM = (
    "The sources cannot be opened right now, so questions cannot be answered. "
    "The site's administrator can rebuild them with the command "
    "<code>skillcheck ingest</code>. ({problem})"
)


def anchor_div(prefix: str, ident: Any) -> str:
    """An empty element with the id ``prefix-ident``, for the view to scroll to."""
    return f'<div id="{re.sub(r"[^a-z-]", "", prefix)}-{esc(ident)}"></div>'


def paragraph_html(text: Any, css: str = "") -> str:
    """One paragraph of text (the card's summary and disclaimer)."""
    cls = f' class="{esc(css)}"' if css else ""
    return f"<p{cls}>{esc(text)}</p>"


def error_html(text: Any, *, alert: bool = False) -> str:
    """An error notice in words (a bad setting, a failed step, a failed turn)."""
    role = ' role="alert"' if alert else ""
    return f'<div class="sc-notice sc-notice-error"{role}>{esc(text)}</div>'


def store_problem_html(problem: Any) -> str:
    """The sources cannot be opened: what it means for the visitor, and the admin's fix."""
    return (
        '<div class="sc-notice sc-notice-error" role="alert">'
        + STORE_PROBLEM.format(problem=esc(problem))
        + "</div>"
    )


def form_errors_html(errors: Iterable[Any]) -> str:
    """The eligibility form's problems, one a line."""
    return (
        '<div class="sc-notice sc-notice-error sc-form-error" role="alert">'
        + "<br>".join(esc(e) for e in errors)
        + "</div>"
    )


def form_sent_html(sent: dict[str, Any]) -> str:
    """The line that stands for a submitted form: what was sent for checking."""
    return (
        '<p class="sc-muted">Eligibility form sent: '
        f"{len(sent.get('qualifications') or [])} qualification(s), "
        f"{len(sent.get('employment') or [])} job(s), application date "
        f"{esc(sent.get('application_date') or 'today')}.</p>"
    )
