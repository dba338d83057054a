"""Readable renderings of an assessment result: plain text (the CLI) and Markdown (the UI).

Both show the same things in the same order: the outcome, the estimated start of
skilled employment, where the numbers come from, the qualifications, the routes, the
jobs and what was counted, warnings, documents, next steps, sources and the
disclaimer. They are for people: durations in years and days ("5 years counted, 1
year needed"), jobs and qualifications counted from 1, and no internal codes (the
JSON keeps the codes; its ``message`` and ``reason`` fields carry the same words).
Text typed by the applicant (titles, fields) is escaped so it can never start a line
of its own, and in Markdown it cannot become markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from skillcheck.rules.context import context
from skillcheck.rules.models import AssessmentResult, PeriodResult, QualificationResult
from skillcheck.rules.outcomes import OUTCOME_HEADINGS as _OUTCOME

#: Each qualification level as people write it (every ``loader.Level``).
LEVEL_NAMES: dict[str, str] = {
    "none": "no formal level",
    "certificate_i": "Certificate I",
    "certificate_ii": "Certificate II",
    "certificate_iii": "Certificate III",
    "certificate_iv": "Certificate IV",
    "diploma": "Diploma",
    "advanced_diploma": "Advanced Diploma",
    "associate_degree": "Associate Degree",
    "bachelor": "Bachelor",
    "graduate_certificate": "Graduate Certificate",
    "graduate_diploma": "Graduate Diploma",
    "master": "Master",
    "doctoral": "Doctoral",
}
#: A job's relevance, and how it was decided (every value ``PeriodResult`` may hold).
RELEVANCE_NAMES: dict[str | None, str] = {
    "highly_relevant": "highly relevant",
    "relevant": "relevant (not highly relevant)",
    "not_relevant": "not relevant",
    None: "not decided",
}
RELEVANCE_SOURCES: dict[str, str] = {
    "stated": "as stated in the profile",
    "tasks": "decided from its tasks",
    "title": "decided from its title alone",
    "undecided": "its title does not decide it and no tasks were given",
}


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks shown as escapes (\\n, \\x1b, ...)."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif (
            unicodedata.category(ch) in ("Cc", "Zl", "Zp")
            or ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        ):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


_MD_SPECIAL = re.compile(r"([`*_\[\]<>|#~!])")


def md_text(text: str) -> str:
    """``text`` on one line with Markdown's markup characters escaped (shown, not applied)."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


@dataclass(frozen=True)
class Line:
    """One line of a section: its text, how deep it is nested, and a link shown after it."""

    text: str
    depth: int = 0
    url: str | None = None
    box: str | None = None  # "x" or " ": a checklist item


def _dur(result: AssessmentResult, days: int) -> str:
    return context(result.occupation).duration(days)


def _quote(title: str | None) -> str:
    return f'"{title}"' if title else "(no title given)"


def _head(result: AssessmentResult) -> list[Line]:
    outcome = (
        _OUTCOME[result.outcome]
        + (f" through route {result.pathway}" if result.pathway else "")
        + f" (application date {result.application_date})"
    )
    return [Line(outcome), Line(result.summary)]


def _skilled_lines(result: AssessmentResult) -> list[Line]:
    if result.skilled_from is None or result.skilled_from_note is None:
        return []
    return [
        Line(f"Skilled employment from (estimate): {result.skilled_from}."),
        Line(result.skilled_from_note.message),
    ]


def _evidence_lines(result: AssessmentResult) -> list[Line]:
    note = result.evidence_note
    if note is None:
        return []
    known = {e.id: e for e in result.external_references}
    lines = [Line(note.message)]
    for ext_id in note.external:
        e = known[ext_id]
        lines.append(Line(f'{e.publisher}, "{e.title}" (read {e.accessed}):', 1, e.url))
        lines.append(Line(e.supports, 2))
    return lines


def _qualification_line(q: QualificationResult) -> list[Line]:
    level = LEVEL_NAMES.get(q.level, q.level)
    field = f"; field: {q.field}" if q.field else "; no field given"
    done = f"completed {q.completed}" if q.completed else "not completed"
    lines = [Line(f"Qualification {q.index + 1}: {_quote(q.title)} ({level}{field}), {done}.")]
    if q.counts:
        lines.append(Line("It counts: at the required level and completed in time.", 1))
    else:
        why = [n[:1].upper() + n[1:] + "." for n in q.notes] or ["It does not count."]
        lines += [Line(n, 1) for n in why]
    how = (
        "as stated in the profile" if q.highly_relevant_source == "stated" else "read from its name"
    )
    verdict = "highly relevant" if q.highly_relevant else "not highly relevant"
    lines.append(Line(f"Its field is {verdict} ({how}).", 1))
    return lines


def _qualification_lines(result: AssessmentResult) -> list[Line]:
    out = [line for q in result.qualifications for line in _qualification_line(q)]
    return out or [Line("No qualification given.")]


def _route_lines(result: AssessmentResult) -> list[Line]:
    lines = []
    for r in result.routes:
        mark = "met" if r.met else "not met"
        lines.append(Line(f"Route {r.route}, {mark}: {r.label}."))
        if r.external and r.qualification_met:
            lines.append(
                Line(
                    "Its years are not on the captured page; they come from the public "
                    "pages listed under Sources.",
                    1,
                )
            )
        lines.append(Line(f"Qualification: {r.qualification_reason}.", 1))
        lines += [Line(q.message, 1) for q in r.requirements]
    return lines


def _job_head(p: PeriodResult, result: AssessmentResult) -> str:
    length = _dur(result, p.days)
    if p.ongoing:
        when = f"from {p.start}, ongoing ({length} to the application date)"
    else:
        when = f"from {p.start} to {p.end} ({length})"
    return f"Job {p.index + 1}: {_quote(p.title)}, {when}."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _period_lines(result: AssessmentResult) -> list[Line]:
    lines = []
    for p in result.periods:
        lines.append(Line(_job_head(p, result)))
        relevance = RELEVANCE_NAMES.get(p.relevance, str(p.relevance))
        how = RELEVANCE_SOURCES.get(p.relevance_source, p.relevance_source)
        if p.relevance_source == "tasks":
            how += f" ({len(p.matched_tasks)} of the listed tasks matched)"
        lines.append(Line(f"Relevance: {relevance}, {how}.", 1))
        for x in p.excluded:
            days = f", {_dur(result, x.days)}" if x.days else ""
            lines.append(Line(f"Not counted{days}: {_lower_first(x.reason)}", 1))
        for br in p.by_route:
            if br.counted_days:
                said = (
                    f"Route {br.route} counts {_dur(result, br.counted_days)}, "
                    f"from {br.counted_from} to {br.counted_to}"
                )
            else:
                said = f"Route {br.route} counts none of it"
            for n in br.not_counted:
                said += f"; {_dur(result, n.days)} not counted: {_lower_first(n.reason)}"
            lines.append(Line(said if said.endswith(".") else said + ".", 1))
        if not p.by_route and not p.excluded:
            lines.append(Line("No route counts it.", 1))
    return lines or [Line("No employment given.")]


def _document_lines(result: AssessmentResult) -> list[Line]:
    out = []
    for d in result.documents:
        box = {"provided": "x", "missing": " "}.get(d.status)
        message = d.message or d.status.replace("_", " ")
        out.append(Line(f"{d.label}: {message}.", box=box))
    return out


@lru_cache(maxsize=4)
def _source_names() -> dict[str, tuple[str, str | None, str | None]]:
    """Each corpus source's name, official address and capture date, from the manifest."""
    try:
        from skillcheck.corpus import load_manifest
        from skillcheck.rules.citations import default_corpus_dir

        manifest = load_manifest(default_corpus_dir())
    except Exception:  # the report stands without the manifest: sources by their file names
        return {}
    return {
        s.id: (f'{s.publisher}, "{s.title}"', s.url, s.captured.isoformat() if s.captured else None)
        for s in manifest.sources
    }


def _source_lines(result: AssessmentResult) -> list[Line]:
    names = _source_names()
    lines: list[Line] = []
    for source in dict.fromkeys(c.source for c in result.citations):
        name, url, captured = names.get(source, (f"the source text {source}", None, None))
        when = f"captured {captured}" if captured else "capture date not recorded"
        lines.append(Line(f"{name} ({when})", 0, url))
        lines += [
            Line(f'line {c.line}: "{c.quote}"', 1) for c in result.citations if c.source == source
        ]
    if result.external_references:
        lines.append(Line("Public pages outside these sources that some numbers rest on:"))
        lines += [
            Line(f'{e.publisher}, "{e.title}" (read {e.accessed})', 1, e.url)
            for e in result.external_references
        ]
    return lines


def _plain(lines: list[str]) -> list[Line]:
    return [Line(text) for text in lines]


def _sections(result: AssessmentResult) -> list[tuple[str, list[Line]]]:
    skilled = _skilled_lines(result)
    evidence = _evidence_lines(result)
    return [
        (f"{result.occupation_title} ({result.occupation})", _head(result)),
        *([("Skilled employment (an estimate)", skilled)] if skilled else []),
        *([("Where the numbers come from", evidence)] if evidence else []),
        ("Qualifications", _qualification_lines(result)),
        ("Routes", _route_lines(result)),
        ("Employment", _period_lines(result)),
        ("Warnings", _plain([w.message for w in result.warnings]) or [Line("None.")]),
        ("Documents", _document_lines(result)),
        ("Next steps", _plain([s.message for s in result.next_steps]) or [Line("None.")]),
        ("Assumptions", _plain(result.assumptions)),
        ("Sources", _source_lines(result)),
        ("Disclaimer", [Line(result.disclaimer)]),
    ]


def _text_line(line: Line) -> str:
    box = f"[{line.box}] " if line.box is not None else ""
    url = f" {line.url}" if line.url else ""
    return "  " * line.depth + box + one_line(line.text) + url


def to_text(result: AssessmentResult) -> str:
    """The result as plain text for a terminal."""
    out: list[str] = []
    for title, lines in _sections(result):
        out += [title, "=" * len(title) if not out else "-" * len(title)]
        out += [_text_line(line) for line in lines]
        out.append("")
    return "\n".join(out)


def _md_line(line: Line) -> str:
    box = f"[{line.box}] " if line.box is not None else ""
    url = f" <{line.url}>" if line.url else ""
    return "  " * line.depth + "- " + box + md_text(line.text) + url


def _routes_table(result: AssessmentResult) -> list[str]:
    rows = [
        "| route | met | employment counted | needed | why |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in result.routes:
        counted = _dur(result, r.counted_days) if r.qualification_met else "-"
        rows.append(
            f"| {r.route} | {'yes' if r.met else 'no'} | {counted} | "
            f"{_dur(result, r.required_days)} | {md_text(r.reason)} |"
        )
    return rows


def to_markdown(result: AssessmentResult) -> str:
    """The result as Markdown (headings, bullet lists, a checklist, a routes table)."""
    out: list[str] = []
    for i, (title, lines) in enumerate(_sections(result)):
        out += [f"{'#' if i == 0 else '##'} {title}", ""]
        if i == 0:
            out += [f"**{md_text(lines[0].text)}**", "", *(md_text(x.text) for x in lines[1:])]
        elif title == "Disclaimer":
            out.append(md_text(lines[0].text))
        else:
            if title == "Routes":
                out += [*_routes_table(result), ""]
            out += [_md_line(line) for line in lines]
        out.append("")
    return "\n".join(out)
