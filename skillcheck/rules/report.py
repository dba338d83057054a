"""Readable renderings of an assessment result: plain text (the CLI) and Markdown (the UI).

Both show the same things in the same order: the outcome, the estimated start of
skilled employment, where the numbers come from, the routes, the jobs and what was
counted, warnings, documents, next steps, sources and the disclaimer. Text typed by
the applicant (titles) is escaped so it can never start a line of its own.
"""

from __future__ import annotations

import unicodedata

from skillcheck.rules.models import AssessmentResult
from skillcheck.rules.outcomes import OUTCOME_HEADINGS as _OUTCOME


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


def _route_lines(result: AssessmentResult) -> list[str]:
    lines = []
    for r in result.routes:
        mark = "met" if r.met else "not met"
        flag = " (years from external sources)" if r.external else ""
        lines.append(f"Route {r.route} - {mark}{flag}: {r.label}")
        lines.append(f"  qualification: {r.qualification_reason}")
        for q in r.requirements:
            what = (
                "highly relevant" if q.kind == "highly_relevant" else "relevant or highly relevant"
            )
            lines.append(
                f"  {what}, {q.counted_from} to {q.counted_to}: {q.counted_days} of "
                f"{q.required_days} days ({q.counted_months} of {q.required_months} months)"
            )
        lines.append(f"  {r.reason}")
    return lines


def _period_lines(result: AssessmentResult) -> list[str]:
    lines = []
    for p in result.periods:
        end = p.end.isoformat() if p.end else "ongoing"
        relevance = (p.relevance or "undecided").replace("_", " ")
        lines.append(
            f"Job {p.index}: {p.title or '(no title)'}, {p.start} to {end}, {p.days} days, "
            f"{relevance} ({p.relevance_source})"
        )
        for x in p.excluded:
            lines.append(f"  not counted ({x.code}, {x.days} days): {x.reason}")
        for br in p.by_route:
            extra = ", ".join(f"{n.code} {n.days} days" for n in br.not_counted)
            lines.append(
                f"  route {br.route}: {br.counted_days} days counted"
                + (f" ({extra} not counted)" if extra else "")
            )
    return lines


def _evidence_lines(result: AssessmentResult) -> list[str]:
    note = result.evidence_note
    if note is None:
        return []
    known = {e.id: e for e in result.external_references}
    lines = [note.message]
    for ext_id in note.external:
        e = known[ext_id]
        lines.append(f'{e.publisher}, "{e.title}", {e.url} (read {e.accessed}): {e.supports}')
    return lines


def _sections(result: AssessmentResult) -> list[tuple[str, list[str]]]:
    head = [
        f"{_OUTCOME[result.outcome]}"
        + (f" through route {result.pathway}" if result.pathway else "")
        + f" (application date {result.application_date})",
        result.summary,
    ]
    if result.skilled_from is not None and result.skilled_from_note is not None:
        head.append(
            f"Skilled employment from (estimate): {result.skilled_from}. "
            + result.skilled_from_note.message
        )
    docs = [
        f"[{'x' if d.status in ('provided', 'provided_instead', 'not_needed') else ' '}] "
        f"{d.label} ({d.status.replace('_', ' ')})"
        for d in result.documents
    ]
    steps = [s.message for s in result.next_steps] or ["None."]
    cites = [f'[{c.id}] {c.source} line {c.line}: "{c.quote}"' for c in result.citations]
    cites += [
        f'[{e.id}] {e.publisher}, "{e.title}", {e.url} (read {e.accessed})'
        for e in result.external_references
    ]
    evidence = _evidence_lines(result)
    return [
        (f"{result.occupation_title} ({result.occupation})", head),
        *([("Where the numbers come from", evidence)] if evidence else []),
        ("Routes", _route_lines(result)),
        ("Employment", _period_lines(result) or ["No employment given."]),
        ("Warnings", [f"{w.code}: {w.message}" for w in result.warnings] or ["None."]),
        ("Documents", docs),
        ("Next steps", steps),
        ("Assumptions", result.assumptions),
        ("Sources", cites),
        ("Disclaimer", [result.disclaimer]),
    ]


def to_text(result: AssessmentResult) -> str:
    """The result as plain text for a terminal."""
    out: list[str] = []
    for title, lines in _sections(result):
        out += [title, "=" * len(title) if not out else "-" * len(title), *map(one_line, lines), ""]
    return "\n".join(out)


def to_markdown(result: AssessmentResult) -> str:
    """The result as Markdown (headings, bullet lists, a routes table)."""
    out: list[str] = []
    for i, (title, raw) in enumerate(_sections(result)):
        lines = [one_line(line) for line in raw]
        out.append(f"{'#' if i == 0 else '##'} {title}")
        out.append("")
        if title == "Routes":
            out += [
                "| route | met | counted days | required days | why |",
                "| --- | --- | --- | --- | --- |",
            ]
            for r in result.routes:
                out.append(
                    f"| {r.route} | {'yes' if r.met else 'no'} | {r.counted_days} | "
                    f"{r.required_days} | {r.reason} |"
                )
        elif i == 0 or title == "Disclaimer":
            out += [f"**{lines[0]}**" if i == 0 else lines[0], *lines[1:]]
        else:
            out += [f"- {line.strip()}" for line in lines]
        out.append("")
    return "\n".join(out)
