"""The eligibility form: a turn of the conversation, with native inputs per qualification and job.

The form is a message of its own (``kind: "form"``) at the place in the chat where it
was asked for. Each qualification and each job is a bordered block of ordinary inputs
(text, select, date, number, checkbox) that stack on a phone; rows are added and
removed with buttons. Everything is numbered from 1, as people count, and so are the
messages ("Job 1: the end date is before the start date"). The application date is
shown and editable, and nothing changes it but the applicant (the example fills in
the rows only). What the chat understood (its draft profile) arrives pre-filled.

The inputs' values live in ``st.session_state`` under keys named after the form and
the row (``f-<form>-job-<row>-start``), so they survive reruns. A valid submission
gives the ``assess`` input object (through :func:`skillcheck.ui.profile.to_payload`),
which the engine checks exactly as ``skillcheck assess`` does.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import streamlit as st

from skillcheck.ui import profile
from skillcheck.ui.session import new_id

EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)
LEVEL_LABELS: dict[str, str] = {lvl: lvl.replace("_", " ") for lvl in profile.LEVELS}
RELEVANCE_LABELS = {
    "auto": "decide from the title and tasks",
    "highly_relevant": "highly relevant",
    "relevant": "relevant",
    "not_relevant": "not relevant",
}
YES_NO_LABELS = {"auto": "decide from the field", "yes": "yes", "no": "no"}
FIELD_WORDS = {
    "title": "the title",
    "level": "the level",
    "field": "the field of study",
    "highly_relevant": "whether the field is highly relevant",
    "completed": "the completion date",
    "start": "the start date",
    "end": "the end date",
    "hours_per_week": "the hours per week",
    "paid": "whether it was paid",
    "relevance": "the relevance",
    "tasks": "the tasks",
    "application_date": "the application date",
}
QUAL_DEFAULTS: dict[str, Any] = {
    "title": "",
    "level": "diploma",
    "field": "",
    "highly_relevant": "auto",
    "completed": None,
}
JOB_DEFAULTS: dict[str, Any] = {
    "title": "",
    "start": None,
    "end": None,
    "hours_per_week": None,
    "paid": True,
    "relevance": "auto",
    "tasks": "",
    "front_line_retail": False,
    "transactional": False,
    "operations_only": False,
}
_KINDS = {"qual": QUAL_DEFAULTS, "job": JOB_DEFAULTS}


def key(form_id: str, *parts: str) -> str:
    """The session-state key of one of the form's values."""
    return "-".join(("f", form_id, *parts))


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _row_value(name: str, value: Any, default: Any) -> Any:
    if name in ("completed", "start", "end"):
        return _as_date(value)
    if name == "hours_per_week":
        return float(value) if isinstance(value, int | float) else None
    if isinstance(default, bool):
        return bool(value)
    if name == "level":
        return value if value in profile.LEVELS else default
    if value is None:
        return default
    return value


def add_row(form_id: str, kind: str, values: dict[str, Any] | None = None) -> str:
    """Add a qualification (``qual``) or job (``job``) row; its id."""
    row = new_id()[:6]
    defaults = _KINDS[kind]
    for name, default in defaults.items():
        given = (values or {}).get(name, default)
        st.session_state[key(form_id, kind, row, name)] = _row_value(name, given, default)
    st.session_state.setdefault(key(form_id, kind + "s"), []).append(row)
    return row


def remove_row(form_id: str, kind: str, row: str) -> None:
    """Remove a row (a callback)."""
    rows: list[str] = st.session_state.get(key(form_id, kind + "s"), [])
    if row in rows:
        rows.remove(row)
    for name in _KINDS[kind]:
        st.session_state.pop(key(form_id, kind, row, name), None)


def init_form(form_id: str, draft: dict[str, Any] | None) -> None:
    """Put the draft profile's rows and dates into the form, once (later runs keep edits)."""
    if st.session_state.get(key(form_id, "init")):
        return
    data = draft or {}
    quals, jobs = profile.rows_from_input(data)
    st.session_state[key(form_id, "quals")] = []
    st.session_state[key(form_id, "jobs")] = []
    for q in quals or [{}]:
        add_row(form_id, "qual", q)
    for j in jobs or [{}]:
        add_row(form_id, "job", j)
    st.session_state[key(form_id, "app_date")] = _as_date(data.get("application_date")) or (
        date.today()
    )
    st.session_state[key(form_id, "chart")] = bool(data.get("organisational_chart"))
    st.session_state[key(form_id, "decl")] = bool(data.get("statutory_declaration"))
    st.session_state[key(form_id, "init")] = True


def load_example(form_id: str) -> None:
    """Fill the rows with a known case (a callback). The application date is left alone."""
    for kind in ("qual", "job"):
        for row in list(st.session_state.get(key(form_id, kind + "s"), [])):
            remove_row(form_id, kind, row)
    for q in profile.EXAMPLE_QUALS:
        add_row(form_id, "qual", q)
    for j in profile.EXAMPLE_JOBS:
        add_row(form_id, "job", j)
    st.session_state[key(form_id, "chart")] = True


def forget(form_id: str) -> None:
    """Drop every value of the form from the session."""
    prefix = key(form_id) + "-"
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[name]


def rows(form_id: str, kind: str) -> list[dict[str, Any]]:
    """The form's rows of one kind, as the values typed in them."""
    out = []
    for row in st.session_state.get(key(form_id, kind + "s"), []):
        out.append(
            {name: st.session_state.get(key(form_id, kind, row, name)) for name in _KINDS[kind]}
        )
    return out


# --- drawing -------------------------------------------------------------------------------


def _level_label(value: str) -> str:
    return LEVEL_LABELS.get(value, value)


def _yes_no_label(value: str) -> str:
    return YES_NO_LABELS.get(value, value)


def _relevance_label(value: str) -> str:
    return RELEVANCE_LABELS.get(value, value)


def _add(form_id: str, kind: str) -> None:
    """The Add buttons' callback (Streamlit's on_click takes no return value)."""
    add_row(form_id, kind)


def _block_head(form_id: str, kind: str, row: str, label: str) -> None:
    """A row's heading ("Job 2") and its Remove button."""
    head, remove = st.columns([5, 2], vertical_alignment="center")
    head.markdown(f"**{label}**")
    remove.button(
        "Remove",
        key=key(form_id, kind, row, "remove"),
        on_click=remove_row,
        args=(form_id, kind, row),
        icon=":material/delete:",
        help=f"Remove {label[0].lower()}{label[1:]}",
    )


def _qual_block(form_id: str, row: str, n: int) -> None:
    def k(name: str) -> str:
        return key(form_id, "qual", row, name)

    with st.container(border=True, key=f"fq-{form_id}-{row}"):
        _block_head(form_id, "qual", row, f"Qualification {n}")
        a, b = st.columns(2)
        a.text_input(f"Qualification {n}: title", key=k("title"), placeholder="Diploma of Business")
        b.selectbox(
            f"Qualification {n}: level",
            profile.LEVELS,
            key=k("level"),
            format_func=_level_label,
        )
        a, b = st.columns(2)
        a.text_input(
            f"Qualification {n}: field of study (major)", key=k("field"), placeholder="Business"
        )
        b.selectbox(
            f"Qualification {n}: highly relevant field?",
            profile.YES_NO_AUTO,
            key=k("highly_relevant"),
            format_func=_yes_no_label,
        )
        st.date_input(
            f"Qualification {n}: completed on (empty if not completed)",
            key=k("completed"),
            min_value=EARLIEST,
            max_value=LATEST,
            format="YYYY-MM-DD",
        )


def _job_block(form_id: str, row: str, n: int) -> None:
    def k(name: str) -> str:
        return key(form_id, "job", row, name)

    with st.container(border=True, key=f"fj-{form_id}-{row}"):
        _block_head(form_id, "job", row, f"Job {n}")
        st.text_input(f"Job {n}: title", key=k("title"), placeholder="Customer Service Manager")
        a, b = st.columns(2)
        a.date_input(
            f"Job {n}: start date",
            key=k("start"),
            min_value=EARLIEST,
            max_value=LATEST,
            format="YYYY-MM-DD",
        )
        b.date_input(
            f"Job {n}: end date (empty if you still work there)",
            key=k("end"),
            min_value=EARLIEST,
            max_value=LATEST,
            format="YYYY-MM-DD",
        )
        a, b = st.columns(2)
        a.number_input(
            f"Job {n}: hours per week",
            key=k("hours_per_week"),
            min_value=0.0,
            max_value=168.0,
            step=1.0,
            format="%g",
        )
        b.selectbox(
            f"Job {n}: relevance to the occupation",
            profile.RELEVANCE,
            key=k("relevance"),
            format_func=_relevance_label,
        )
        st.text_area(
            f"Job {n}: main tasks (one per line)",
            key=k("tasks"),
            height=80,
            placeholder="Managed the customer service team\nSet service standards",
        )
        st.checkbox(f"Job {n}: paid", key=k("paid"))
        st.checkbox(f"Job {n}: front-line retail work", key=k("front_line_retail"))
        st.checkbox(f"Job {n}: mostly processing transactions", key=k("transactional"))
        st.checkbox(f"Job {n}: operations only (no customer service)", key=k("operations_only"))


def draw(form_id: str) -> bool:
    """Draw the form's inputs; True when "Check eligibility" was pressed."""
    st.markdown("**Check your eligibility**")
    st.caption(
        "One block per qualification and per job. The check is made by fixed rules from "
        "the published criteria, not by a language model."
    )
    st.date_input(
        "Date of application",
        key=key(form_id, "app_date"),
        min_value=EARLIEST,
        max_value=LATEST,
        format="YYYY-MM-DD",
        help="The windows of 5 and 10 years are counted back from this date.",
    )
    st.markdown("**Qualifications**")
    for n, row in enumerate(st.session_state.get(key(form_id, "quals"), []), start=1):
        _qual_block(form_id, row, n)
    st.button(
        "Add a qualification",
        key=key(form_id, "add_qual"),
        on_click=_add,
        args=(form_id, "qual"),
        icon=":material/add:",
    )
    st.markdown("**Jobs (paid employment)**")
    for n, row in enumerate(st.session_state.get(key(form_id, "jobs"), []), start=1):
        _job_block(form_id, row, n)
    st.button(
        "Add a job",
        key=key(form_id, "add_job"),
        on_click=_add,
        args=(form_id, "job"),
        icon=":material/add:",
    )
    st.checkbox("My employers can give an organisational chart", key=key(form_id, "chart"))
    st.checkbox("Otherwise, I can give a statutory declaration", key=key(form_id, "decl"))
    with st.container(horizontal=True):
        pressed = st.button("Check eligibility", type="primary", key=key(form_id, "submit"))
        st.button(
            "Fill in an example",
            key=key(form_id, "example"),
            on_click=load_example,
            args=(form_id,),
        )
    return bool(pressed)


# --- checking what was typed -----------------------------------------------------------------


def problems(quals: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> list[str]:
    """What is wrong with the rows, in words, numbered as the form numbers them."""
    out = []
    del quals  # the engine checks qualifications; its messages are put in words below
    for n, j in enumerate(jobs, start=1):
        if _blank(j, JOB_DEFAULTS):
            continue
        start, end = j.get("start"), j.get("end")
        if start is None:
            out.append(f"Job {n}: the start date is missing")
        elif end is not None and end < start:
            out.append(f"Job {n}: the end date is before the start date")
    return out


def _blank(row: dict[str, Any], defaults: dict[str, Any]) -> bool:
    return all(
        row.get(name) in (None, "") or row.get(name) == default
        for name, default in defaults.items()
    )


_PATH = re.compile(r"^(qualifications|employment)\[(\d+)\](?:\.(\w+))?(?:\[\d+\])?:\s*")


def in_words(message: str, table_rows: dict[str, list[int]]) -> str:
    """An engine message about ``employment[0].end`` as the form says it ("Job 1, the end date")."""
    match = _PATH.match(message)
    if match is None:
        field = re.match(r"^(\w+):\s*", message)
        if field and field.group(1) in FIELD_WORDS:
            return f"{FIELD_WORDS[field.group(1)].capitalize()}: {message[field.end() :]}"
        return message
    table, index, name = match.group(1), int(match.group(2)), match.group(3)
    ids = table_rows.get(table, [])
    n = (ids[index] if index < len(ids) else index) + 1
    what = "Qualification" if table == "qualifications" else "Job"
    where = f"{what} {n}" + (f", {FIELD_WORDS.get(name, name.replace('_', ' '))}" if name else "")
    rest = message[match.end() :]
    rest = re.sub(
        r"\b(qualifications|employment)\[(\d+)\]",
        lambda m: (
            ("qualification " if m.group(1) == "qualifications" else "job ")
            + str(int(m.group(2)) + 1)
        ),
        rest,
    )
    return f"{where}: {rest}"


def payload(form_id: str) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The ``assess`` input from the form, and each entry's place among the form's rows."""
    import pandas as pd  # type: ignore[import-untyped]  # with the form, not with the page

    quals = pd.DataFrame(rows(form_id, "qual"), columns=profile.QUAL_COLUMNS)
    jobs_rows = rows(form_id, "job")
    for j in jobs_rows:
        j["tasks"] = "; ".join(t.strip() for t in str(j.get("tasks") or "").splitlines() if t)
    jobs = pd.DataFrame(jobs_rows, columns=profile.JOB_COLUMNS)
    app_date = st.session_state.get(key(form_id, "app_date"))
    return profile.to_payload(
        app_date if isinstance(app_date, date) else None,
        quals,
        jobs,
        bool(st.session_state.get(key(form_id, "chart"))),
        bool(st.session_state.get(key(form_id, "decl"))),
    )
