"""Job titles in free text, each with a verdict from the title lookup and the statement to show.

"I'm a team lead at a BPO" -> 'team lead' -> Customer Service Agent or Supervisor,
not suitable. Titles are found around role nouns (manager, supervisor, team lead,
agent, ...), taking up to four words before the noun and stopping at small words.
The verdict always comes from :func:`skillcheck.rules.lookup_title`; a short
alias table here only rewrites informal words ('ops', 'team lead', 'BPO
supervisor') and is tried only when the words as written are not listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillcheck.rules import TitleMatch, lookup_title
from skillcheck.topics import Ref, Said, Topics, VerdictKind, fill, load_topics

_HEAD = (
    r"manager|mgr|supervisor|team ?lead(?:er)?|lead|agent|officer|executive|representative|rep|"
    r"coordinator|co-ordinator|director|head of [a-z ]{3,30}?(?=[,.;!?]|$| at | in | for )|"
    r"specialist|consultant|associate|advisor|adviser"
)
_HEAD_RE = re.compile(rf"\b({_HEAD})s?\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z&/'-]*")
_STOP = {
    "a",
    "an",
    "the",
    "as",
    "i",
    "i'm",
    "im",
    "am",
    "is",
    "was",
    "my",
    "at",
    "in",
    "and",
    "but",
    "to",
    "of",
    "for",
    "with",
    "be",
    "been",
    "being",
    "are",
    "currently",
    "now",
    "title",
    "role",
    "position",
    "job",
    "work",
    "working",
    "worked",
    "promoted",
    "me",
    "years",
    "year",
    "months",
    "since",
    "then",
    "also",
    "called",
    "named",
    "its",
    "it's",
    "under",
    "our",
    "their",
    "his",
    "her",
    "who",
    "that",
    "this",
    "from",
    "before",
    "after",
    "full",
    "part",
    "time",
    "still",
    "just",
    "only",
    "mostly",
    "like",
    "about",
    "got",
    "have",
    "has",
    "had",
    "hired",
    "employed",
    "became",
    "become",
    "so",
    "not",
    "or",
    "if",
    "what",
    "can",
    "does",
    "do",
    "will",
    "would",
    "should",
    "could",
    "how",
    "accepted",
    "count",
    "counts",
    "ok",
    "okay",
    "suitable",
    "yes",
    "no",
    "any",
    "some",
    "each",
    "every",
}
_FRONT = (
    r"^(customer service |cs |bpo |call cent(er|re) |contact cent(er|re) |helpdesk |help desk )?"
)
#: Informal words rewritten before a second lookup (only when the first finds nothing).
_ALIASES = [
    (re.compile(r"\bops\b", re.IGNORECASE), "operations"),
    (re.compile(r"\btech\b", re.IGNORECASE), "technical"),
    # a whole title only: "marketing team lead" is not a customer service supervisor
    (re.compile(_FRONT[:-1] + r"supervisor$", re.IGNORECASE), "customer service supervisor"),
    (re.compile(_FRONT + r"team ?lead(er)?$", re.IGNORECASE), "customer service supervisor"),
    (re.compile(_FRONT[:-1] + r"agent$", re.IGNORECASE), "customer service agent"),
]


@dataclass(frozen=True)
class TitleVerdict:
    """A title found in the text, the lookup's answer, and what to say about it."""

    text: str  # the words as found in the question
    looked_up: str  # what was passed to lookup_title
    match: TitleMatch
    said: tuple[Said, ...]

    @property
    def status(self) -> str:
        return self.match.status


def candidate_titles(text: str) -> list[str]:
    """Title phrases in free text, in order of appearance, without repeats."""
    found: list[str] = []
    for m in _HEAD_RE.finditer(text):
        head = m.group(1)
        if head.lower() == "lead" and not re.search(r"team\s*$", text[: m.start()], re.I):
            continue
        before = _WORD.findall(text[: m.start()])[-4:]
        words: list[str] = []
        for word in reversed(before):
            if word.lower() in _STOP:
                break
            words.insert(0, word)
        # a phrase ends at punctuation: drop words that come before a comma or full stop
        gap = text[: m.start()]
        cut = max(gap.rfind(","), gap.rfind("."), gap.rfind(";"), gap.rfind("("))
        if cut >= 0:
            tail = _WORD.findall(gap[cut:])
            words = words[len(words) - min(len(words), len(tail)) :] if tail else []
        phrase = " ".join([*words, head]).strip()
        if phrase.lower() in {"lead", "agent", "rep", "associate"}:
            continue
        if phrase.lower() not in (f.lower() for f in found):
            found.append(phrase)
    return found


def _said(kind: VerdictKind, match: TitleMatch, topics: Topics) -> list[Said]:
    values: dict[str, int | str] = {
        "query": match.query,
        "title": match.matched_title or match.query,
        "code": "149212",
        "anzsco_code": match.anzsco_code or "",
        "anzsco_title": match.anzsco_title or "",
    }
    return [Said(fill(s.text, values), tuple(s.cite)) for s in topics.file.title_verdicts[kind]]


def _refs(match: TitleMatch) -> tuple[Ref, ...]:
    return tuple(Ref(source=c.source, line=c.line, quote=c.quote) for c in match.citations)


def verdict_statement(match: TitleMatch, topics: Topics | None = None) -> list[Said]:
    """What to say about a looked-up title: suitable but duties decide, not suitable and
    why (with ANZSCO's other code when it has one), or not listed."""
    topics = topics or load_topics()
    listed = _refs(match)
    if match.status == "not_listed":
        return _said("not_listed", match, topics)
    if match.listed_as == "occupation":
        first, *rest = _said("occupation", match, topics)
        return [Said(first.text, _unique(first.refs + listed)), *rest]
    if match.status == "suitable":
        first, *rest = _said("suitable", match, topics)
        return [Said(first.text, _unique(listed + first.refs)), *rest]
    first, *rest = _said("unsuitable", match, topics)
    out = [Said(first.text, tuple(r for r in listed if r.source != "anzsco-1492") + first.refs)]
    if match.anzsco_code and match.anzsco_code != "149212":
        anz = tuple(r for r in listed if r.source == "anzsco-1492")
        other = _said("elsewhere", match, topics)[0]
        out.append(Said(other.text, anz + other.refs))
    return [Said(x.text, _unique(x.refs)) for x in [*out, *rest]]


def _lookup(phrase: str) -> tuple[str, TitleMatch]:
    match = lookup_title(phrase)
    if match.status != "not_listed":
        return phrase, match
    rewritten = phrase
    for pattern, replacement in _ALIASES:
        rewritten = pattern.sub(replacement, rewritten)
    if rewritten != phrase:
        again = lookup_title(rewritten)
        if again.status != "not_listed":
            return rewritten, again
    return phrase, match


#: Words before a title that make it a job the asker holds ("I'm a", "work as", "my title is").
_HELD = re.compile(
    r"\b(i'?m|i am|i was|i've been|i have been|work(ed|ing)? as|title (is|was)|position (is|of)|"
    r"role (is|as)|promoted to|hired as|employed as|years as|yrs as|months as|job as|"
    r"as (an? )?)(\s+(an?|the))?\s+[\w ]{0,20}$",
    re.IGNORECASE,
)


def _before(text: str, phrase: str) -> str:
    at = text.lower().find(phrase.lower())
    return text[:at] if at >= 0 else ""


def _unique(refs: tuple[Ref, ...]) -> tuple[Ref, ...]:
    return tuple(dict.fromkeys(refs))


def titles_in_text(text: str, topics: Topics | None = None) -> list[TitleVerdict]:
    """Every job title found in the text with its verdict; unlisted titles are kept
    only when they contain a manager/supervisor/lead word (a real job title)."""
    verdicts: list[TitleVerdict] = []
    for phrase in candidate_titles(text):
        looked_up, match = _lookup(phrase)
        if match.status == "not_listed" and len(phrase.split()) < 2:
            continue
        if match.listed_as == "occupation" and not _HELD.search(_before(text, phrase)):
            continue  # "what does a customer service manager do": the occupation, not a job held
        said = tuple(verdict_statement(match, topics))
        verdicts.append(TitleVerdict(phrase, looked_up, match, said))
    # a longer phrase that found the same listed title makes the shorter one redundant
    seen: set[str] = set()
    out: list[TitleVerdict] = []
    for v in sorted(verdicts, key=lambda v: -len(v.text)):
        key = v.match.matched_title or v.text.lower()
        if key not in seen:
            seen.add(key)
            out.append(v)
    return sorted(out, key=lambda v: text.lower().find(v.text.lower()))
