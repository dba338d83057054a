"""The eligibility form in the chat, and the result card the engine's output is shown in.

The form is a turn of the conversation (``kind: "form"``, drawn by
:func:`render_form_turn` with the inputs of :mod:`skillcheck.ui.form`); a valid
submission adds the engine's result as the next message, drawn from there by
:func:`render_card`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import streamlit as st
from pydantic import ValidationError

from skillcheck import rules
from skillcheck.errors import SkillcheckError
from skillcheck.events import EligibilityRun
from skillcheck.rules import AssessmentResult
from skillcheck.rules.models import Citation, DocumentItem, NextStep, WarningItem
from skillcheck.rules.outcomes import OUTCOME_TITLES
from skillcheck.rules.report import to_markdown
from skillcheck.ui import form
from skillcheck.ui import html as h
from skillcheck.ui.session import new_id
from skillcheck.ui.timeline import timeline_chart

if TYPE_CHECKING:  # pandas is imported when a result's tables are drawn, not with the page
    import pandas as pd  # type: ignore[import-untyped]

BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]
OUTCOMES: dict[str, tuple[str, BadgeColor, str]] = {
    "meets_criteria": (OUTCOME_TITLES["meets_criteria"], "green", ":material/check_circle:"),
    "does_not_meet": (OUTCOME_TITLES["does_not_meet"], "red", ":material/cancel:"),
    "needs_more_information": (
        OUTCOME_TITLES["needs_more_information"],
        "orange",
        ":material/help:",
    ),
}


def form_message(draft: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new form turn for the history (``draft``: what the chat understood, if anything)."""
    return {
        "id": new_id(),
        "role": "assistant",
        "kind": "form",
        "content": "",
        "draft": draft,
        "status": "open",
    }


def render_form_turn(message: dict[str, Any]) -> dict[str, Any] | None:
    """Draw a form turn; on a valid submission, the eligibility message (else None).

    An open form shows its inputs; a submitted one a line saying what was checked.
    """
    form_id = str(message["id"])
    with st.chat_message("assistant"):
        st.html(h.anchor_div("turn", form_id))
        if message.get("status") != "open":
            sent = message.get("payload") or {}
            st.html(h.form_sent_html(sent))
            return None
        form.init_form(form_id, message.get("draft"))
        pressed = form.draw(form_id)
        error_key = form.key(form_id, "error")
        if pressed:
            result = _submit(form_id)
            if result is not None:
                message["status"] = "sent"
                message["payload"] = result["eligibility"]["input"]
                form.forget(form_id)
                return result
        errors = st.session_state.get(error_key)
        if errors:
            st.html(h.form_errors_html(errors))
    return None


def _submit(form_id: str) -> dict[str, Any] | None:
    error_key = form.key(form_id, "error")
    found = form.problems(form.rows(form_id, "qual"), form.rows(form_id, "job"))
    if found:
        st.session_state[error_key] = found
        return None
    payload, rows = form.payload(form_id)
    result, error = assess_profile(payload)
    if error is not None or result is None:
        st.session_state[error_key] = [form.in_words(error or "the engine returned nothing", rows)]
        return None
    st.session_state.pop(error_key, None)
    run = EligibilityRun(payload, result)
    return {
        "id": new_id(),
        "role": "assistant",
        "kind": "eligibility",
        "content": "",
        "eligibility": run.to_json(),
    }


# --- the result card ---------------------------------------------------------------------
_STATUS_MARK = {
    "provided": "✓ provided",
    "provided_instead": "✓ provided instead",
    "missing": "✗ missing",
    "not_needed": "· not needed",
}


def _months(value: float) -> str:
    return f"{value:.1f}"


def routes_table(result: AssessmentResult) -> pd.DataFrame:
    """One row per route: what it needs, whether each part is met, and why."""
    import pandas as pd

    rows = [
        {
            "route": r.route,
            "met": "yes" if r.met else "no",
            "months required": _months(r.required_months),
            "months counted": _months(r.counted_months),
            "what it needs": r.label + (" (years from external sources)" if r.external else ""),
            "qualification": ("met: " if r.qualification_met else "not met: ")
            + r.qualification_reason,
            "why": r.reason,
        }
        for r in result.routes
    ]
    return pd.DataFrame(rows)


def periods_table(result: AssessmentResult) -> pd.DataFrame:
    """One row per job: its days, what each route counted, and what was not counted."""
    import pandas as pd

    rows = []
    for p in result.periods:
        counted = [f"route {b.route}: {b.counted_days}" for b in p.by_route]
        excluded = [f"{x.reason} ({x.days} days)" for x in p.excluded]
        rows.append(
            {
                "job": p.index + 1,  # as people count (and as the messages say)
                "title": p.title or "",
                "from": p.start.isoformat(),
                "to": p.end.isoformat() if p.end else "ongoing",
                "days": p.days,
                "relevance": (p.relevance or "undecided").replace("_", " ")
                + f" ({p.relevance_source})",
                "days counted": "; ".join(counted) or "none",
                "not counted": "; ".join(excluded),
            }
        )
    return pd.DataFrame(rows)


def _messages(items: Sequence[WarningItem | NextStep]) -> list[str]:
    out = []
    for item in items:
        when = item.earliest_date if isinstance(item, NextStep) else None
        out.append(f"{item.message} (earliest: {when})" if when else item.message)
    return out


def _documents_html(documents: list[DocumentItem]) -> str:
    lis = [
        f"<li>{h.esc(_STATUS_MARK.get(d.status, d.status))}: {h.esc(d.label)}</li>"
        for d in documents
        if d.status != "not_needed" or d.provided
    ]
    return '<ul class="sc-list">' + "".join(lis) + "</ul>" if lis else ""


def _citations_html(citations: list[Citation]) -> str:
    lis = [
        f"<li><strong>{h.esc(c.source)}, line {int(c.line)}</strong>"
        + (f" (section “{h.esc(c.section)}”)" if c.section else "")
        + f": “{h.esc(c.quote)}”</li>"
        for c in citations
    ]
    return '<ul class="sc-list">' + "".join(lis) + "</ul>" if lis else ""


def skilled_from_html(result: AssessmentResult) -> str:
    """The estimated start of skilled employment, labelled an estimate (empty if none)."""
    when = result.skilled_from
    if when is None:
        return ""
    note = result.skilled_from_note.message if result.skilled_from_note else ""
    return (
        f'<p class="sc-skilled-from"><strong>Skilled employment from (estimate): '
        f"{when.isoformat()}</strong><br>{h.esc(note)}</p>"
    )


def evidence_html(result: AssessmentResult) -> str:
    """Where the outcome's number comes from, with the external pages (empty if not external)."""
    note = result.evidence_note
    if note is None:
        return ""
    known = {e.id: e for e in result.external_references}
    items = [
        f"<li>{h.esc(e.publisher)}, "
        f'<a href="{h.esc(e.url)}" target="_blank" rel="noopener">'
        f"“{h.esc(e.title)}”</a> (read {e.accessed.isoformat()}): "
        f"{h.esc(e.supports)}</li>"
        for ext_id in note.external
        if (e := known.get(ext_id)) is not None
    ]
    listed = '<ul class="sc-list">' + "".join(items) + "</ul>" if items else ""
    return f'<div class="sc-evidence"><p>{h.esc(note.message)}</p>{listed}</div>'


def render_card(run: EligibilityRun, message_id: str) -> None:
    """The engine's result as one card: badge, routes, periods, chart, lists, downloads."""
    result = run.result
    with st.container(border=True, key=f"card-{message_id}"):
        st.html(h.anchor_div("verdict", message_id))
        label, color, icon = OUTCOMES.get(
            result.outcome, (result.outcome, "gray", ":material/info:")
        )
        st.markdown("**Eligibility check** · Customer Service Manager (ANZSCO 149212)")
        with st.container(horizontal=True):
            st.badge(label, color=color, icon=icon)
            if result.pathway:
                st.badge(f"through route {result.pathway}", color="blue")
            st.caption(f"application date {result.application_date.isoformat()}")
        if result.summary:
            st.html(h.paragraph_html(result.summary))
        skilled = skilled_from_html(result)
        if skilled:
            st.html(skilled)
        evidence = evidence_html(result)
        if evidence:
            st.markdown("**Where the numbers come from**")
            st.html(evidence)
        if result.routes:
            st.markdown("**Routes**")
            st.dataframe(routes_table(result), hide_index=True, width="stretch")
        if result.periods:
            st.markdown("**Jobs: days counted and not counted**")
            st.dataframe(periods_table(result), hide_index=True, width="stretch")
        try:
            theme = st.context.theme.type or "light"
        except Exception:
            theme = "light"
        chart = timeline_chart(result, theme)
        if chart is not None:
            st.markdown("**Timeline**")
            st.altair_chart(chart, width="stretch", key=f"timeline-{message_id}")
            st.caption(
                "Shaded: the 10- and 5-year windows before the application date (dashed "
                "line). Dark green: the days the engine counted for the route named above. "
                "Diamonds: qualifications completed."
            )
        lists: tuple[tuple[str, Sequence[WarningItem | NextStep]], ...] = (
            ("Warnings", result.warnings),
            ("Next steps", result.next_steps),
        )
        for title, found in lists:
            items = _messages(found)
            if items:
                st.markdown(f"**{title}**")
                st.html(h.list_html(items))
        docs = _documents_html(result.documents)
        if docs:
            st.markdown("**Documents checklist**")
            st.html(docs)
        cites = _citations_html(result.citations)
        if cites:
            with st.expander(f"Citations ({len(result.citations)})"):
                st.html(cites)
        if result.assumptions:
            with st.expander("Assumptions"):
                st.html(h.list_html(result.assumptions))
        if result.disclaimer:
            st.html(h.paragraph_html(result.disclaimer, "sc-disclaimer"))
        _downloads(run, message_id)


def _downloads(run: EligibilityRun, message_id: str) -> None:
    with st.container(horizontal=True):
        st.download_button(
            "Download the report (Markdown)",
            report_markdown(run.result),
            file_name="skillcheck-report.md",
            mime="text/markdown",
            key=f"dl-md-{message_id}",
            on_click="ignore",
        )
        st.download_button(
            "Download the report (JSON)",
            report_json(run),
            file_name="skillcheck-report.json",
            mime="application/json",
            key=f"dl-json-{message_id}",
            on_click="ignore",
        )


# ---- the engine as the form calls it, and the downloads --------------------------


def assess_profile(payload: dict[str, Any]) -> tuple[AssessmentResult | None, str | None]:
    """The engine's result for ``payload``, or the message naming what is wrong."""
    try:
        return rules.assess(payload), None
    except ValidationError as exc:
        return None, rules.format_validation_error(exc)
    except SkillcheckError as exc:
        return None, str(exc)


def report_markdown(result: AssessmentResult) -> str:
    """The report as Markdown, by the engine's own renderer."""
    text: str = to_markdown(result)
    return text


def report_json(run: EligibilityRun) -> str:
    """The input and the engine's result as one JSON document."""
    return json.dumps(run.to_json(), indent=2, ensure_ascii=False)
