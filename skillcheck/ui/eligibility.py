"""The eligibility form in the chat, and the result card the engine's output is shown in.

The form's tables are ``st.data_editor`` widgets inside an ``st.form``; their base
tables live in ``st.session_state`` and do not change while the form is open, so
what a user typed survives a rejected submission. A result is stored in the chat
history as an assistant message and drawn from there by :func:`render_card`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st
from pydantic import ValidationError

from skillcheck import rules
from skillcheck.errors import SkillcheckError
from skillcheck.events import EligibilityRun
from skillcheck.rules import AssessmentResult
from skillcheck.rules.models import Citation, DocumentItem, NextStep, WarningItem
from skillcheck.rules.outcomes import OUTCOME_TITLES
from skillcheck.rules.report import to_markdown
from skillcheck.ui import html as h
from skillcheck.ui import profile
from skillcheck.ui.session import new_id
from skillcheck.ui.timeline import timeline_chart

BASE_KEY = "form_base"
QUALS_KEY = "form_quals"
JOBS_KEY = "form_jobs"
ERROR_KEY = "form_error"
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
_LEVEL_LABELS = {lvl: lvl.replace("_", " ") for lvl in profile.LEVELS}
_RELEVANCE_LABELS = {
    "auto": "decide from title and tasks",
    "highly_relevant": "highly relevant",
    "relevant": "relevant",
    "not_relevant": "not relevant",
}
_YES_NO_LABELS = {"auto": "decide from field", "yes": "yes", "no": "no"}


def _base() -> dict[str, pd.DataFrame]:
    if BASE_KEY not in st.session_state:
        st.session_state[BASE_KEY] = {
            "quals": profile.quals_frame(),
            "jobs": profile.jobs_frame(),
        }
    base: dict[str, pd.DataFrame] = st.session_state[BASE_KEY]
    return base


def load_example() -> None:
    """Fill the form with a known case (a callback: runs before the next script run)."""
    st.session_state[BASE_KEY] = {
        "quals": profile.quals_frame(profile.EXAMPLE_QUALS),
        "jobs": profile.jobs_frame(profile.EXAMPLE_JOBS),
    }
    for key in (QUALS_KEY, JOBS_KEY):
        st.session_state.pop(key, None)
    st.session_state["form_app_date"] = date(2026, 11, 22)
    st.session_state["form_org_chart"] = True


def prefill(data: dict[str, Any]) -> None:
    """Fill the form with a draft profile the chat read (``assess`` input schema)."""
    quals, jobs = profile.rows_from_input(data)
    st.session_state[BASE_KEY] = {
        "quals": profile.quals_frame(quals or None),
        "jobs": profile.jobs_frame(jobs or None),
    }
    for key in (QUALS_KEY, JOBS_KEY):
        st.session_state.pop(key, None)
    if data.get("application_date"):
        st.session_state["form_app_date"] = date.fromisoformat(str(data["application_date"]))


def close_form() -> None:
    """Close the form and forget what was typed in it."""
    st.session_state["form_open"] = False
    for key in (BASE_KEY, QUALS_KEY, JOBS_KEY, ERROR_KEY):
        st.session_state.pop(key, None)


_QUAL_CONFIG = {
    "title": st.column_config.TextColumn("Qualification", help="e.g. Diploma of Business"),
    "level": st.column_config.SelectboxColumn(
        "AQF level", options=profile.LEVELS, format_func=lambda v: _LEVEL_LABELS.get(str(v), str(v))
    ),
    "field": st.column_config.TextColumn("Field of study (major)"),
    "highly_relevant": st.column_config.SelectboxColumn(
        "Highly relevant field?",
        options=profile.YES_NO_AUTO,
        default="auto",
        format_func=lambda v: _YES_NO_LABELS.get(str(v), str(v)),
    ),
    "completed": st.column_config.DateColumn(
        "Completed on", help="Leave empty if not completed", format="YYYY-MM-DD"
    ),
}
_JOB_CONFIG = {
    "title": st.column_config.TextColumn("Job title"),
    "start": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
    "end": st.column_config.DateColumn("End", help="Empty: still in this job", format="YYYY-MM-DD"),
    "hours_per_week": st.column_config.NumberColumn("Hours/week"),
    "paid": st.column_config.CheckboxColumn("Paid", default=True),
    "relevance": st.column_config.SelectboxColumn(
        "Relevance",
        options=profile.RELEVANCE,
        default="auto",
        format_func=lambda v: _RELEVANCE_LABELS.get(str(v), str(v)),
    ),
    "tasks": st.column_config.TextColumn("Main tasks (separate with ;)"),
    "front_line_retail": st.column_config.CheckboxColumn("Front-line retail", default=False),
    "transactional": st.column_config.CheckboxColumn("Mostly transactions", default=False),
    "operations_only": st.column_config.CheckboxColumn("Operations only", default=False),
}


def render_form() -> dict[str, Any] | None:
    """Draw the form; on a valid submission, the new history message (else None)."""
    base = _base()
    with st.chat_message("assistant"):
        st.markdown("**Check your eligibility**")
        st.caption(
            "Add one row per qualification and per job. The check is made by the "
            "rules engine from the published criteria, not by a language model."
        )
        with st.container(horizontal=True):
            st.button("Fill in an example", on_click=load_example, key="form_example")
            st.button("Close the form", on_click=close_form, key="form_close")
        with st.form("eligibility_form", clear_on_submit=False, enter_to_submit=False):
            app_date = st.date_input(
                "Date of application",
                value=date.today(),
                key="form_app_date",
                format="YYYY-MM-DD",
            )
            st.markdown("Qualifications")
            quals = st.data_editor(
                base["quals"],
                key=QUALS_KEY,
                num_rows="dynamic",
                hide_index=True,
                column_config=_QUAL_CONFIG,
                width="stretch",
            )
            st.markdown("Jobs (paid employment)")
            jobs = st.data_editor(
                base["jobs"],
                key=JOBS_KEY,
                num_rows="dynamic",
                hide_index=True,
                column_config=_JOB_CONFIG,
                width="stretch",
            )
            chart = st.checkbox(
                "My employers can give an organisational chart", key="form_org_chart"
            )
            declaration = st.checkbox(
                "Otherwise, I can give a statutory declaration", key="form_stat_decl"
            )
            submitted = st.form_submit_button("Check eligibility", type="primary")
        if submitted:
            message = _submit(app_date, quals, jobs, chart, declaration)
            if message is not None:
                return message
        error = st.session_state.get(ERROR_KEY)
        if error:
            hint = f"<br>{h.esc(error['hint'])}" if error.get("hint") else ""
            st.html(
                '<div class="sc-notice sc-notice-error sc-form-error" role="alert">'
                f"{h.esc(error['message'])}{hint}</div>"
            )
    return None


def _submit(
    app_date: Any, quals: pd.DataFrame, jobs: pd.DataFrame, chart: bool, declaration: bool
) -> dict[str, Any] | None:
    payload, rows = profile.to_payload(
        app_date if isinstance(app_date, date) else None, quals, jobs, chart, declaration
    )
    result, error = assess_profile(payload)
    if error is not None or result is None:
        message = error or "the engine returned nothing"
        st.session_state[ERROR_KEY] = {"message": message, "hint": profile.row_hint(message, rows)}
        return None
    st.session_state.pop(ERROR_KEY, None)
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
        f"<li><strong>{h.esc(c.source)}, line {h.esc(c.line)}</strong>"
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
        f"{h.esc(when.isoformat())}</strong><br>{h.esc(note)}</p>"
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
        f"“{h.esc(e.title)}”</a> (read {h.esc(e.accessed.isoformat())}): "
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
            st.html(f"<p>{h.esc(result.summary)}</p>")
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
        chart = timeline_chart(result)
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
            st.html(f'<p class="sc-disclaimer">{h.esc(result.disclaimer)}</p>')
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
