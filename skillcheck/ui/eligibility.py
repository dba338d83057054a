"""The eligibility form in the chat, and the result card the engine's output is shown in.

The form's tables are ``st.data_editor`` widgets inside an ``st.form``; their base
tables live in ``st.session_state`` and do not change while the form is open, so
what a user typed survives a rejected submission. A result is stored in the chat
history as an assistant message and drawn from there by :func:`render_card`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import pandas as pd  # type: ignore[import-untyped]
import streamlit as st

from skillcheck.ui import html as h
from skillcheck.ui import profile
from skillcheck.ui.engine import assess_profile, report_json, report_markdown
from skillcheck.ui.session import new_id
from skillcheck.ui.timeline import timeline_chart

BASE_KEY = "form_base"
QUALS_KEY = "form_quals"
JOBS_KEY = "form_jobs"
ERROR_KEY = "form_error"
BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]
OUTCOMES: dict[str, tuple[str, BadgeColor, str]] = {
    "meets_criteria": ("Meets the published criteria", "green", ":material/check_circle:"),
    "does_not_meet": ("Does not meet the published criteria", "red", ":material/cancel:"),
    "needs_more_information": ("Needs more information", "orange", ":material/help:"),
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
        c1, c2 = st.columns(2)
        c1.button("Fill in an example", on_click=load_example, key="form_example")
        c2.button("Close the form", on_click=close_form, key="form_close")
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
def _yes_no(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "" if value is None else str(value)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else str(value)


def _table(rows: list[dict[str, Any]], skip: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame(
        [{k.replace("_", " "): _cell(v) for k, v in r.items() if k not in skip} for r in rows]
    )


def _items(values: Any) -> list[str]:
    out = []
    for v in values or []:
        if isinstance(v, dict):
            text = v.get("text") or v.get("message") or v.get("label") or v.get("step")
            out.append(str(text) if text else _cell(v))
        else:
            out.append(str(v))
    return out


def _documents_html(documents: Any) -> str:
    lis = []
    for d in documents or []:
        if isinstance(d, dict):
            label = d.get("label") or d.get("document") or d.get("id") or ""
            status = d.get("status")
            have = d.get("provided", d.get("have"))
            mark = "✓" if have is True or status in ("provided", "ok") else "☐"
            note = d.get("note") or d.get("why") or (status if isinstance(status, str) else "")
            extra = f' <span class="sc-meta">({h.esc(note)})</span>' if note else ""
            lis.append(f"<li>{mark} {h.esc(label)}{extra}</li>")
        else:
            lis.append(f"<li>☐ {h.esc(d)}</li>")
    return '<ul class="sc-list">' + "".join(lis) + "</ul>" if lis else ""


def _citations_html(citations: Any) -> str:
    lis = []
    for c in citations or []:
        if isinstance(c, dict):
            head = " · ".join(
                str(c[k]) for k in ("n", "source", "title", "section", "line") if c.get(k)
            )
            quote = c.get("quote") or c.get("text") or ""
            lis.append(
                f"<li><strong>{h.esc(head)}</strong>"
                + (f": “{h.esc(quote)}”" if quote else "")
                + "</li>"
            )
        else:
            lis.append(f"<li>{h.esc(c)}</li>")
    return '<ul class="sc-list">' + "".join(lis) + "</ul>" if lis else ""


def render_card(eligibility: dict[str, Any], message_id: str) -> None:
    """The engine's result as one card: badge, routes, periods, chart, lists, downloads."""
    result = eligibility["result"]
    payload = eligibility.get("input") or {}
    with st.container(border=True):
        label, color, icon = OUTCOMES.get(
            str(result.get("outcome")), (str(result.get("outcome")), "gray", ":material/info:")
        )
        cols = st.columns([3, 2])
        with cols[0]:
            st.badge(label, color=color, icon=icon)
        if result.get("pathway"):
            cols[1].caption(f"through route {result['pathway']}")
        if result.get("summary"):
            st.html(f"<p>{h.esc(result['summary'])}</p>")
        routes = result.get("routes") or []
        if routes:
            st.markdown("**Routes**")
            st.dataframe(_table(routes), hide_index=True, width="stretch")
        periods = result.get("periods") or []
        if periods:
            st.markdown("**Employment periods: counted and excluded**")
            st.dataframe(_table(periods), hide_index=True, width="stretch")
        chart = timeline_chart(payload, result)
        if chart is not None:
            st.markdown("**Timeline**")
            st.altair_chart(chart, width="stretch", key=f"timeline-{message_id}")
        for title, key in (("Warnings", "warnings"), ("Next steps", "next_steps")):
            items = _items(result.get(key))
            if items:
                st.markdown(f"**{title}**")
                st.html(h.list_html(items))
        docs = _documents_html(result.get("documents"))
        if docs:
            st.markdown("**Documents checklist**")
            st.html(docs)
        cites = _citations_html(result.get("citations"))
        if cites:
            st.markdown("**Citations**")
            st.html(cites)
        if result.get("disclaimer"):
            st.html(f'<p class="sc-disclaimer">{h.esc(result["disclaimer"])}</p>')
        _downloads(eligibility, message_id)


def _downloads(eligibility: dict[str, Any], message_id: str) -> None:
    c1, c2 = st.columns(2)
    try:
        markdown = report_markdown(eligibility["result"])
    except Exception:  # the report renderer is missing or refused: JSON still works
        markdown = None
    if markdown is not None:
        c1.download_button(
            "Download the report (Markdown)",
            markdown,
            file_name="skillcheck-report.md",
            mime="text/markdown",
            key=f"dl-md-{message_id}",
            on_click="ignore",
        )
    c2.download_button(
        "Download the report (JSON)",
        report_json(eligibility),
        file_name="skillcheck-report.json",
        mime="application/json",
        key=f"dl-json-{message_id}",
        on_click="ignore",
    )
