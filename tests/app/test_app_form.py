"""The eligibility form and result card in ``app.py``, driven with AppTest.

The tables are ``st.data_editor`` widgets: AppTest cannot type into cells, so each
test seeds the editors' edit state (``edited_rows``/``added_rows``), which is exactly
what the browser sends when a user edits cells.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from skillcheck import rules

APP = str(Path(__file__).resolve().parents[2] / "app.py")
APPLICATION_DATE = date(2026, 11, 22)
QUAL_EDIT = {
    "title": "Diploma of Business",
    "level": "diploma",
    "field": "Business Management",
    "completed": "2018-06-30",
}
JOB_EDIT = {
    "title": "Customer Experience Manager",
    "start": "2019-01-01",
    "hours_per_week": 38,
    "relevance": "highly_relevant",
}
#: The same profile as the CLI reads it (``skillcheck assess``).
KNOWN_CASE: dict[str, Any] = {
    "occupation": "149212",
    "application_date": "2026-11-22",
    "qualifications": [
        {
            "title": "Diploma of Business",
            "level": "diploma",
            "field": "Business Management",
            "highly_relevant": None,
            "completed": "2018-06-30",
        }
    ],
    "employment": [
        {
            "title": "Customer Experience Manager",
            "start": "2019-01-01",
            "end": None,
            "hours_per_week": 38,
            "paid": True,
            "relevance": "highly_relevant",
            "tasks": [],
            "front_line_retail": False,
            "transactional": False,
            "operations_only": False,
        }
    ],
    "organisational_chart": True,
    "statutory_declaration": False,
}


QUAL_VALUES: dict[str, Any] = {
    "title": "Diploma of Business",
    "level": "diploma",
    "field": "Business Management",
    "completed": date(2018, 6, 30),
}
JOB_VALUES: dict[str, Any] = {
    "title": "Customer Experience Manager",
    "start": date(2019, 1, 1),
    "hours_per_week": 38.0,
    "relevance": "highly_relevant",
}


def _open_form() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at = next(b for b in at.button if b.label == "Check my eligibility").click().run()
    assert at.session_state["messages"][-1]["kind"] == "form"
    assert not at.get("arrow_data_frame") and not at.get("data_editor")  # no spreadsheet
    return at


def _form_id(at: AppTest) -> str:
    return str(next(m for m in reversed(at.session_state["messages"]) if m["kind"] == "form")["id"])


def _set(at: AppTest, key: str, value: Any) -> None:
    """Set one native input by its key, as a user would with that kind of input."""
    for kind in ("text_input", "text_area", "selectbox", "date_input", "number_input", "checkbox"):
        found = [w for w in at.get(kind) if getattr(w, "key", None) == key]
        if found:
            found[0].set_value(value)
            return
    raise AssertionError(f"no input with key {key}")


def _fill(at: AppTest, kind: str, index: int, values: dict[str, Any]) -> None:
    fid = _form_id(at)
    row = at.session_state[f"f-{fid}-{kind}s"][index]
    for name, value in values.items():
        _set(at, f"f-{fid}-{kind}-{row}-{name}", value)


def _submit(at: AppTest, quals: dict[str, Any], jobs: dict[str, Any]) -> AppTest:
    fid = _form_id(at)
    _fill(at, "qual", 0, quals)
    _fill(at, "job", 0, jobs)
    _set(at, f"f-{fid}-app_date", APPLICATION_DATE)
    _set(at, f"f-{fid}-chart", True)
    submit = next(b for b in at.button if b.label == "Check eligibility")
    return submit.click().run()


def _html(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.html)


def _errors(at: AppTest) -> list[str]:
    found: list[str] = at.session_state[f"f-{_form_id(at)}-error"]
    return found


def test_the_form_gives_the_engines_result_for_a_known_case() -> None:
    at = _submit(_open_form(), QUAL_VALUES, JOB_VALUES)
    assert not at.exception
    kinds = [m["kind"] for m in at.session_state["messages"]]
    assert kinds == ["form", "eligibility"]  # the result follows the form it came from
    message = at.session_state["messages"][-1]
    assert message["eligibility"]["input"] == KNOWN_CASE
    expected = rules.assess(KNOWN_CASE).model_dump(mode="json")
    assert message["eligibility"]["result"] == expected
    assert expected["outcome"] == "meets_criteria" and expected["pathway"] == 1
    assert at.session_state["messages"][0]["status"] == "sent"  # the form closes; the card stays
    page = _html(at)
    assert f'id="verdict-{message["id"]}"' in page  # the view is sent here (the verdict)
    badges = [str(m.value) for m in at.markdown if "badge" in str(m.value)]
    assert any("Meets the published criteria" in b for b in badges), badges
    assert any("through route 1" in b for b in badges)
    assert html.escape(expected["disclaimer"]) in page
    assert len(at.dataframe) >= 2  # routes and jobs tables
    assert [b.label for b in at.get("download_button")] == [
        "Download the report (Markdown)",
        "Download the report (JSON)",
    ]
    assert at.get("vega_lite_chart"), "the timeline chart is drawn"


def test_every_label_counts_from_one() -> None:
    at = _open_form()
    at = next(b for b in at.button if b.label == "Add a job").click().run()
    labels = [w.label for w in at.text_input] + [w.label for w in at.date_input]
    assert "Job 1: title" in labels and "Job 2: title" in labels
    assert not any("Job 0" in label or "row" in label.lower() for label in labels)


def test_bad_input_is_said_in_words_and_what_was_typed_stays() -> None:
    at = _submit(_open_form(), QUAL_VALUES, dict(JOB_VALUES, end=date(2018, 1, 1)))
    assert not at.exception
    fid = _form_id(at)
    assert _errors(at) == ["Job 1: the end date is before the start date"]
    assert "Job 1: the end date is before the start date" in _html(at)
    assert all(m.get("kind") != "eligibility" for m in at.session_state["messages"])
    row = at.session_state[f"f-{fid}-jobs"][0]
    assert at.session_state[f"f-{fid}-job-{row}-title"] == "Customer Experience Manager"
    assert at.session_state[f"f-{fid}-app_date"] == APPLICATION_DATE
    _set(at, f"f-{fid}-job-{row}-end", None)
    at = next(b for b in at.button if b.label == "Check eligibility").click().run()
    assert at.session_state["messages"][-1]["kind"] == "eligibility"


def test_an_engine_message_names_the_job_not_the_list_index() -> None:
    from skillcheck.ui.form import in_words

    message = "employment[0].hours_per_week: Input should be less than or equal to 168"
    said = in_words(message, {"employment": [1]})  # the first job sent is the form's second
    assert said == "Job 2, the hours per week: Input should be less than or equal to 168"
    assert "[" not in in_words("qualifications[0].level: missing", {"qualifications": [0]})


def test_an_added_row_counts_and_blank_rows_are_skipped() -> None:
    at = _open_form()
    at = next(b for b in at.button if b.label == "Add a job").click().run()
    at = next(b for b in at.button if b.label == "Add a job").click().run()
    _fill(
        at,
        "job",
        2,
        {
            "title": "Retail Manager",
            "start": date(2016, 1, 1),
            "end": date(2018, 12, 31),
            "hours_per_week": 15.0,
            "relevance": "relevant",
        },
    )
    at = _submit(at, QUAL_VALUES, JOB_VALUES)  # job 2 stays blank and is skipped
    result = at.session_state["messages"][-1]["eligibility"]["result"]
    assert [p["title"] for p in result["periods"]] == [
        "Customer Experience Manager",
        "Retail Manager",
    ]
    assert result["periods"][1]["excluded"][0]["code"] == "part_time"


def test_a_removed_row_is_gone() -> None:
    at = _open_form()
    at = next(b for b in at.button if b.label == "Add a qualification").click().run()
    fid = _form_id(at)
    first, second = at.session_state[f"f-{fid}-quals"]
    at = at.button(key=f"f-{fid}-qual-{first}-remove").click().run()
    assert at.session_state[f"f-{fid}-quals"] == [second]
    assert next(w.label for w in at.text_input if "Qualification" in w.label).startswith(
        "Qualification 1"
    )


def test_the_example_fills_the_rows_and_leaves_the_application_date_alone() -> None:
    at = _open_form()
    fid = _form_id(at)
    _set(at, f"f-{fid}-app_date", date(2026, 1, 15))
    at = next(b for b in at.button if b.label == "Fill in an example").click().run()
    assert at.session_state[f"f-{fid}-app_date"] == date(2026, 1, 15)
    at = next(b for b in at.button if b.label == "Check eligibility").click().run()
    assert not at.exception
    message = at.session_state["messages"][-1]
    assert message["eligibility"]["result"]["outcome"] == "meets_criteria"
    assert message["eligibility"]["input"]["application_date"] == "2026-01-15"


def test_hostile_text_in_the_form_is_escaped_in_the_card() -> None:
    hostile = 'Retail Manager <script>alert(1)</script><b onmouseover="x">b</b>'
    at = _submit(_open_form(), QUAL_VALUES, dict(JOB_VALUES, title=hostile))
    assert not at.exception
    page = _html(at)
    assert "<script>alert" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;" in page  # the title is echoed in a warning, escaped
    jobs = next(d for d in at.dataframe if "title" in d.value.columns and "days" in d.value.columns)
    assert jobs.value["title"][0] == hostile  # a table cell is data, drawn as text
