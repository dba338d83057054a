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


def _edits(row: dict[str, Any]) -> dict[str, Any]:
    return {"edited_rows": {0: row}, "added_rows": [], "deleted_rows": []}


def _open_form() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at = next(b for b in at.button if b.label == "Check my eligibility").click().run()
    assert at.session_state["form_open"] is True
    assert len(at.data_editor) == 2
    return at


def _submit(at: AppTest, quals: dict[str, Any], jobs: dict[str, Any]) -> AppTest:
    at.session_state["form_quals"] = quals
    at.session_state["form_jobs"] = jobs
    at.date_input(key="form_app_date").set_value(APPLICATION_DATE)
    at.checkbox(key="form_org_chart").check()
    submit = next(b for b in at.button if b.label == "Check eligibility")
    return submit.click().run()


def _html(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.html)


def test_the_form_gives_the_engines_result_for_a_known_case() -> None:
    at = _submit(_open_form(), _edits(QUAL_EDIT), _edits(JOB_EDIT))
    assert not at.exception
    message = at.session_state["messages"][-1]
    assert message["kind"] == "eligibility"
    assert message["eligibility"]["input"] == KNOWN_CASE
    expected = rules.assess(KNOWN_CASE).model_dump(mode="json")
    assert message["eligibility"]["result"] == expected
    assert expected["outcome"] == "meets_criteria" and expected["pathway"] == 1
    assert at.session_state["form_open"] is False  # the form closes; the card stays
    page = _html(at)
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


def test_bad_input_shows_the_cli_message_and_keeps_what_was_typed() -> None:
    bad_job = dict(JOB_EDIT, hours_per_week=200)
    at = _submit(_open_form(), _edits(QUAL_EDIT), _edits(bad_job))
    assert not at.exception
    assert at.session_state["form_open"] is True
    expected = "employment[0].hours_per_week: Input should be less than or equal to 168"
    assert at.session_state["form_error"]["message"] == expected
    page = _html(at)
    assert expected in page and "row 1 of the jobs table" in page
    assert all(m.get("kind") != "eligibility" for m in at.session_state["messages"])
    # what was typed is still there: the editors keep their edits, the date its value
    assert at.session_state["form_jobs"]["edited_rows"][0]["hours_per_week"] == 200
    assert at.session_state["form_quals"]["edited_rows"][0]["title"] == "Diploma of Business"
    assert at.date_input(key="form_app_date").value == APPLICATION_DATE
    # correcting the one cell gives the result
    at = _submit(at, _edits(QUAL_EDIT), _edits(JOB_EDIT))
    assert at.session_state["messages"][-1]["kind"] == "eligibility"


def test_an_end_before_the_start_is_named_like_the_cli_names_it() -> None:
    bad_job = dict(JOB_EDIT, end="2018-01-01")
    at = _submit(_open_form(), _edits(QUAL_EDIT), _edits(bad_job))
    message = at.session_state["form_error"]["message"]
    assert message.startswith("employment[0].end: ")
    assert "before start 2019-01-01" in message


def test_an_added_row_counts_and_blank_rows_are_skipped() -> None:
    at = _open_form()
    second_job = {
        "title": "Retail Manager",
        "start": "2016-01-01",
        "end": "2018-12-31",
        "hours_per_week": 15,
        "paid": True,
        "relevance": "relevant",
    }
    jobs = {"edited_rows": {0: JOB_EDIT}, "added_rows": [{}, second_job], "deleted_rows": []}
    at = _submit(at, _edits(QUAL_EDIT), jobs)
    result = at.session_state["messages"][-1]["eligibility"]["result"]
    assert [p["title"] for p in result["periods"]] == [
        "Customer Experience Manager",
        "Retail Manager",
    ]
    assert result["periods"][1]["excluded"][0]["code"] == "part_time"


def test_the_example_button_fills_in_a_case_the_engine_accepts() -> None:
    at = _open_form()
    at = next(b for b in at.button if b.label == "Fill in an example").click().run()
    at = next(b for b in at.button if b.label == "Check eligibility").click().run()
    assert not at.exception
    assert at.session_state["messages"][-1]["eligibility"]["result"]["outcome"] == "meets_criteria"


def test_hostile_text_in_the_form_is_escaped_in_the_card() -> None:
    hostile = 'Retail Manager <script>alert(1)</script><b onmouseover="x">b</b>'
    at = _submit(_open_form(), _edits(QUAL_EDIT), _edits(dict(JOB_EDIT, title=hostile)))
    assert not at.exception
    page = _html(at)
    assert "<script" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;" in page  # the title is echoed in a warning, escaped
    jobs = next(d for d in at.dataframe if "title" in d.value.columns and "days" in d.value.columns)
    assert jobs.value["title"][0] == hostile  # a table cell is data, drawn as text
