"""The eligibility form in the chat, and the result card the engine's output is shown in.

The form's tables are ``st.data_editor`` widgets inside an ``st.form``; their base
tables live in ``st.session_state`` and do not change while the form is open, so
what a user typed survives a rejected submission. A result is stored in the chat
history as an assistant message and drawn from there by :func:`render_card`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st
from pydantic import ValidationError

from skillcheck import rules
from skillcheck.errors import SkillcheckError
from skillcheck.rules import AssessmentResult
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
    return {
        "id": new_id(),
        "role": "assistant",
        "kind": "eligibility",
        "content": "",
        "eligibility": {"input": payload, "result": result},
    }


# --- the result card ---------------------------------------------------------------------
_STATUS_MARK = {
    "provided": "✓ provided",
    "provided_instead": "✓ provided instead",
    "missing": "✗ missing",
    "not_needed": "· not needed",
}


def _months(value: Any) -> str:
    return f"{float(value):.1f}" if isinstance(value, int | float) else ""


def routes_table(result: dict[str, Any]) -> pd.DataFrame:
    """One row per route: what it needs, whether each part is met, and why."""
    rows = []
    for r in result.get("routes") or []:
        rows.append(
            {
                "route": r.get("route"),
                "met": "yes" if r.get("met") else "no",
                "months required": _months(r.get("required_months")),
                "months counted": _months(r.get("counted_months")),
                "what it needs": str(r.get("label", ""))
                + (" (years from external sources)" if r.get("external") else ""),
                "qualification": ("met: " if r.get("qualification_met") else "not met: ")
                + str(r.get("qualification_reason", "")),
                "why": str(r.get("reason", "")),
            }
        )
    return pd.DataFrame(rows)


def periods_table(result: dict[str, Any]) -> pd.DataFrame:
    """One row per job: its days, what each route counted, and what was not counted."""
    rows = []
    for p in result.get("periods") or []:
        counted = [
            f"route {b.get('route')}: {b.get('counted_days')}" for b in p.get("by_route") or []
        ]
        excluded = [f"{x.get('reason')} ({x.get('days')} days)" for x in p.get("excluded") or []]
        rows.append(
            {
                "job": p.get("index"),
                "title": p.get("title") or "",
                "from": p.get("start"),
                "to": p.get("end") or "ongoing",
                "days": p.get("days"),
                "relevance": str(p.get("relevance") or "undecided").replace("_", " ")
                + f" ({p.get('relevance_source')})",
                "days counted": "; ".join(counted) or "none",
                "not counted": "; ".join(excluded),
            }
        )
    return pd.DataFrame(rows)


def _messages(items: Any) -> list[str]:
    out = []
    for item in items or []:
        text = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        when = item.get("earliest_date") if isinstance(item, dict) else None
        out.append(f"{text} (earliest: {when})" if when else text)
    return out


def _documents_html(documents: Any) -> str:
    lis = [
        f"<li>{h.esc(_STATUS_MARK.get(str(d.get('status')), str(d.get('status'))))}: "
        f"{h.esc(d.get('label', ''))}</li>"
        for d in documents or []
        if d.get("status") != "not_needed" or d.get("provided")
    ]
    return '<ul class="sc-list">' + "".join(lis) + "</ul>" if lis else ""


def _citations_html(citations: Any) -> str:
    lis = [
        f"<li><strong>{h.esc(c.get('source', ''))}, line {h.esc(c.get('line', ''))}</strong>"
        + (f" (section “{h.esc(c['section'])}”)" if c.get("section") else "")
        + f": “{h.esc(c.get('quote', ''))}”</li>"
        for c in citations or []
    ]
    return '<ul class="sc-list">' + "".join(lis) + "</ul>" if lis else ""


def skilled_from_html(result: dict[str, Any]) -> str:
    """The estimated start of skilled employment, labelled an estimate (empty if none)."""
    when = result.get("skilled_from")
    note = result.get("skilled_from_note") or {}
    if not when:
        return ""
    return (
        f'<p class="sc-skilled-from"><strong>Skilled employment from (estimate): '
        f"{h.esc(when)}</strong><br>{h.esc(note.get('message', ''))}</p>"
    )


def evidence_html(result: dict[str, Any]) -> str:
    """Where the outcome's number comes from, with the external pages (empty if not external)."""
    note = result.get("evidence_note")
    if not note:
        return ""
    known = {e.get("id"): e for e in result.get("external_references") or []}
    items = []
    for ext_id in note.get("external") or []:
        e = known.get(ext_id)
        if e is None:
            continue
        items.append(
            f"<li>{h.esc(e.get('publisher', ''))}, "
            f'<a href="{h.esc(e.get("url", ""))}" target="_blank" rel="noopener">'
            f"“{h.esc(e.get('title', ''))}”</a> (read {h.esc(e.get('accessed', ''))}): "
            f"{h.esc(e.get('supports', ''))}</li>"
        )
    listed = '<ul class="sc-list">' + "".join(items) + "</ul>" if items else ""
    return f'<div class="sc-evidence"><p>{h.esc(note.get("message", ""))}</p>{listed}</div>'


def render_card(eligibility: dict[str, Any], message_id: str) -> None:
    """The engine's result as one card: badge, routes, periods, chart, lists, downloads."""
    result = eligibility["result"]
    payload = eligibility.get("input") or {}
    with st.container(border=True, key=f"card-{message_id}"):
        outcome = str(result.get("outcome"))
        label, color, icon = OUTCOMES.get(outcome, (outcome, "gray", ":material/info:"))
        st.markdown("**Eligibility check** · Customer Service Manager (ANZSCO 149212)")
        with st.container(horizontal=True):
            st.badge(label, color=color, icon=icon)
            if result.get("pathway"):
                st.badge(f"through route {result['pathway']}", color="blue")
            st.caption(f"application date {result.get('application_date', '')}")
        if result.get("summary"):
            st.html(f"<p>{h.esc(result['summary'])}</p>")
        skilled = skilled_from_html(result)
        if skilled:
            st.html(skilled)
        evidence = evidence_html(result)
        if evidence:
            st.markdown("**Where the numbers come from**")
            st.html(evidence)
        if result.get("routes"):
            st.markdown("**Routes**")
            st.dataframe(routes_table(result), hide_index=True, width="stretch")
        if result.get("periods"):
            st.markdown("**Jobs: days counted and not counted**")
            st.dataframe(periods_table(result), hide_index=True, width="stretch")
        chart = timeline_chart(payload, result)
        if chart is not None:
            st.markdown("**Timeline**")
            st.altair_chart(chart, width="stretch", key=f"timeline-{message_id}")
            st.caption(
                "Shaded: the 10- and 5-year windows before the application date (dashed "
                "line). Dark green: the days the engine counted for the route named above. "
                "Diamonds: qualifications completed."
            )
        for title, key in (("Warnings", "warnings"), ("Next steps", "next_steps")):
            items = _messages(result.get(key))
            if items:
                st.markdown(f"**{title}**")
                st.html(h.list_html(items))
        docs = _documents_html(result.get("documents"))
        if docs:
            st.markdown("**Documents checklist**")
            st.html(docs)
        cites = _citations_html(result.get("citations"))
        if cites:
            with st.expander(f"Citations ({len(result['citations'])})"):
                st.html(cites)
        if result.get("assumptions"):
            with st.expander("Assumptions"):
                st.html(h.list_html(result["assumptions"]))
        if result.get("disclaimer"):
            st.html(f'<p class="sc-disclaimer">{h.esc(result["disclaimer"])}</p>')
        _downloads(eligibility, message_id)


def _downloads(eligibility: dict[str, Any], message_id: str) -> None:
    with st.container(horizontal=True):
        st.download_button(
            "Download the report (Markdown)",
            report_markdown(eligibility["result"]),
            file_name="skillcheck-report.md",
            mime="text/markdown",
            key=f"dl-md-{message_id}",
            on_click="ignore",
        )
        st.download_button(
            "Download the report (JSON)",
            report_json(eligibility),
            file_name="skillcheck-report.json",
            mime="application/json",
            key=f"dl-json-{message_id}",
            on_click="ignore",
        )


# ---- the engine as the form calls it, and the downloads --------------------------


def assess_profile(payload: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The engine's result for ``payload`` as JSON, or the message naming what is wrong."""
    try:
        result = rules.assess(payload)
    except ValidationError as exc:
        return None, rules.format_validation_error(exc)
    except SkillcheckError as exc:
        return None, str(exc)
    dumped: dict[str, Any] = result.model_dump(mode="json")
    return dumped, None


def report_markdown(result: dict[str, Any]) -> str:
    """The report as Markdown, by the engine's own renderer."""
    text: str = to_markdown(AssessmentResult.model_validate(result))
    return text


def report_json(eligibility: dict[str, Any]) -> str:
    """The input and the engine's result as one JSON document."""
    return json.dumps(
        {"input": eligibility.get("input", {}), "result": eligibility["result"]},
        indent=2,
        ensure_ascii=False,
    )
