"""A flat view of an assessment result, so golden cases can pin the figures that matter."""

from __future__ import annotations

from typing import Any

from skillcheck.rules.models import AssessmentResult


def facts(result: AssessmentResult) -> dict[str, Any]:
    """``outcome``, ``route1.counted_days``, ``period0.excluded``, ``warnings`` and the like."""
    out: dict[str, Any] = {
        "outcome": result.outcome,
        "pathway": result.pathway,
        "skilled_from": result.skilled_from.isoformat() if result.skilled_from else None,
        "evidence_note.routes": result.evidence_note.routes if result.evidence_note else None,
        "evidence_note.external": result.evidence_note.external if result.evidence_note else None,
    }
    for r in result.routes:
        key = f"route{r.route}"
        out.update(
            {
                f"{key}.met": r.met,
                f"{key}.qualification_met": r.qualification_met,
                f"{key}.qualification_index": r.qualification_index,
                f"{key}.counted_days": r.counted_days,
                f"{key}.required_days": r.required_days,
                f"{key}.additional_qualification_index": r.additional_qualification_index,
                f"{key}.reason": r.reason,
                f"{key}.requirements": [q.message for q in r.requirements],
            }
        )
        if r.requirements:
            out[f"{key}.spans"] = [
                [s.start.isoformat(), s.end.isoformat()] for s in r.requirements[0].spans
            ]
            out[f"{key}.recent_days"] = r.requirements[0].counted_days
            out[f"{key}.overlap_days"] = r.requirements[0].overlap_days
        if len(r.requirements) > 1:
            out[f"{key}.total_days"] = r.requirements[1].counted_days
    out["windows"] = [[w.years, w.start.isoformat(), w.end.isoformat()] for w in result.windows]
    for p in result.periods:
        key = f"period{p.index}"
        out[f"{key}.excluded"] = [x.code for x in p.excluded]
        out[f"{key}.counted"] = p.counted
        out[f"{key}.relevance"] = p.relevance
        out[f"{key}.relevance_source"] = p.relevance_source
        out[f"{key}.title_status"] = p.title_status
        out[f"{key}.matched_tasks"] = p.matched_tasks
        out[f"{key}.runs_to"] = p.runs_to.isoformat()
        for br in p.by_route:
            out[f"{key}.route{br.route}"] = br.counted_days
            if br.counted_from and br.counted_to:
                out[f"{key}.route{br.route}.span"] = [
                    br.counted_from.isoformat(),
                    br.counted_to.isoformat(),
                ]
            out[f"{key}.route{br.route}.not_counted"] = {n.code: n.days for n in br.not_counted}
    out["warnings"] = [w.code for w in result.warnings]
    out["next_steps"] = [s.code for s in result.next_steps]
    for s in result.next_steps:
        if s.route is not None and s.code == "more_employment":
            out[f"earliest_date.route{s.route}"] = (
                s.earliest_date.isoformat() if s.earliest_date else None
            )
            out[f"shortfall.route{s.route}"] = s.shortfall_days
    out["external_references"] = [e.id for e in result.external_references]
    for d in result.documents:
        out[f"document.{d.id}"] = d.status
        out[f"document.{d.id}.message"] = d.message
    for q in result.qualifications:
        out[f"qualification{q.index}.field"] = q.field
    return out


def check(result: AssessmentResult, expect: dict[str, Any]) -> list[str]:
    """The differences between a result and a case's expectations (empty when all hold)."""
    got = facts(result)
    problems = []
    for key, want in expect.items():
        if key in ("warnings", "next_steps"):
            missing = [c for c in want if c not in got[key]]
            if missing:
                problems.append(f"{key}: missing {missing} in {got[key]}")
        elif key in ("no_warnings", "no_next_steps"):
            present = [c for c in want if c in got[key.removeprefix("no_")]]
            if present:
                problems.append(f"{key}: unexpected {present}")
        elif key not in got:
            problems.append(f"{key}: not in the result (keys: {sorted(got)})")
        elif got[key] != want:
            problems.append(f"{key}: expected {want!r}, got {got[key]!r}")
    return problems
