"""The eligibility form's rows, and their conversion to the ``assess`` input contract.

The form (:mod:`skillcheck.ui.form`) hands over its rows (qualifications, jobs) as two
tables whose columns are the contract's field names. :func:`to_payload` turns them
into the same JSON object
``skillcheck assess`` reads, so the engine validates it and its messages are the
CLI's. Nothing is dropped or fixed silently: only rows left entirely blank are skipped.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, get_args

from skillcheck.rules.loader import Level

if TYPE_CHECKING:  # pandas is imported when the form is used, not with the page
    import pandas as pd  # type: ignore[import-untyped]

LEVELS = list(get_args(Level))  # the engine's own list, in AQF order
RELEVANCE = ["auto", "highly_relevant", "relevant", "not_relevant"]
YES_NO_AUTO = ["auto", "yes", "no"]
QUAL_COLUMNS = ["title", "level", "field", "highly_relevant", "completed"]
JOB_COLUMNS = [
    "title",
    "start",
    "end",
    "hours_per_week",
    "paid",
    "relevance",
    "tasks",
    "front_line_retail",
    "transactional",
    "operations_only",
]
_DATE_COLUMNS = {"completed", "start", "end"}
_BOOL_COLUMNS = {"paid", "front_line_retail", "transactional", "operations_only"}
_TASK_SPLIT = re.compile(r"\s*[;\n]\s*")

#: A known case: a business diploma, then five years as a Customer Experience Manager.
EXAMPLE_QUALS = [
    {
        "title": "Diploma of Business",
        "level": "diploma",
        "field": "Business Management",
        "highly_relevant": "auto",
        "completed": "2018-06-30",
    }
]
EXAMPLE_JOBS = [
    {
        "title": "Customer Experience Manager",
        "start": "2019-01-01",
        "end": None,
        "hours_per_week": 38.0,
        "paid": True,
        "relevance": "highly_relevant",
        "tasks": "",
        "front_line_retail": False,
        "transactional": False,
        "operations_only": False,
    }
]


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(rows, columns=columns)
    for col in columns:
        if col in _DATE_COLUMNS:
            df[col] = pd.to_datetime(df[col], errors="coerce")
        elif col in _BOOL_COLUMNS:
            df[col] = [_bool(v, col == "paid") for v in df[col]]
            df[col] = df[col].astype("bool")
        elif col == "hours_per_week":
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        else:
            df[col] = df[col].astype("object")
    return df


def quals_frame(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """The qualifications table (one blank row when ``rows`` is None)."""
    blank = [{"level": "diploma", "highly_relevant": "auto"}]
    return _frame(blank if rows is None else rows, QUAL_COLUMNS)


def jobs_frame(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """The jobs table (one blank row when ``rows`` is None)."""
    blank = [{"paid": True, "relevance": "auto"}]
    return _frame(blank if rows is None else rows, JOB_COLUMNS)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    import pandas as pd

    if value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _date(value: Any) -> str | None:
    if _missing(value):
        return None
    import pandas as pd

    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip() or None


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> int | float | str | None:
    if _missing(value):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else float(value)
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text  # the engine names the field and says what is wrong
    return int(number) if number.is_integer() else number


def _bool(value: Any, default: bool) -> bool:
    return default if _missing(value) else bool(value)


def _choice(value: Any) -> str | None:
    text = _text(value)
    return None if text in (None, "auto") else text


def _blank(row: dict[str, Any], ignore: set[str]) -> bool:
    return all(_missing(v) or v == "" for k, v in row.items() if k not in ignore)


def qualification_rows(df: pd.DataFrame) -> tuple[list[dict[str, Any]], list[int]]:
    """The qualifications table as contract objects (blank rows skipped), and their rows."""
    out = []
    rows = []
    for i, row in enumerate(df.to_dict("records")):
        if _blank(row, {"level", "highly_relevant"}):
            continue
        rows.append(i)
        relevant = _choice(row.get("highly_relevant"))
        out.append(
            {
                "title": _text(row.get("title")),
                "level": _text(row.get("level")),
                "field": _text(row.get("field")),
                "highly_relevant": None if relevant is None else relevant == "yes",
                "completed": _date(row.get("completed")),
            }
        )
    return out, rows


def job_rows(df: pd.DataFrame) -> tuple[list[dict[str, Any]], list[int]]:
    """The jobs table as contract objects (blank rows skipped), and their rows."""
    out = []
    rows = []
    for i, row in enumerate(df.to_dict("records")):
        if _blank(row, _BOOL_COLUMNS | {"relevance"}):
            continue
        rows.append(i)
        tasks_text = _text(row.get("tasks")) or ""
        out.append(
            {
                "title": _text(row.get("title")),
                "start": _date(row.get("start")),
                "end": _date(row.get("end")),
                "hours_per_week": _number(row.get("hours_per_week")),
                "paid": _bool(row.get("paid"), True),
                "relevance": _choice(row.get("relevance")),
                "tasks": [t for t in _TASK_SPLIT.split(tasks_text) if t],
                "front_line_retail": _bool(row.get("front_line_retail"), False),
                "transactional": _bool(row.get("transactional"), False),
                "operations_only": _bool(row.get("operations_only"), False),
            }
        )
    return out, rows


def to_payload(
    application_date: date | None,
    quals: pd.DataFrame,
    jobs: pd.DataFrame,
    organisational_chart: bool,
    statutory_declaration: bool,
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The ``assess`` input object from the form, and each entry's row in its table."""
    qual_items, qual_rows = qualification_rows(quals)
    job_items, job_row_ids = job_rows(jobs)
    payload: dict[str, Any] = {
        "occupation": "149212",
        "qualifications": qual_items,
        "employment": job_items,
        "organisational_chart": bool(organisational_chart),
        "statutory_declaration": bool(statutory_declaration),
    }
    if application_date is not None:
        payload["application_date"] = application_date.isoformat()
    return payload, {"qualifications": qual_rows, "employment": job_row_ids}


def rows_from_input(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Form rows (qualifications, jobs) from a profile in ``assess``'s input schema.

    Used to pre-fill the form with what the chat understood; a missing value stays
    blank for the applicant to fill in.
    """
    yes_no = {True: "yes", False: "no", None: "auto"}
    quals = [
        {
            "title": q.get("title") or "",
            "level": q.get("level"),
            "field": q.get("field") or "",
            "highly_relevant": yes_no[q.get("highly_relevant")],
            "completed": q.get("completed"),
        }
        for q in data.get("qualifications", [])
    ]
    jobs = [
        {
            "title": j.get("title") or "",
            "start": j.get("start"),
            "end": j.get("end"),
            "hours_per_week": j.get("hours_per_week"),
            "paid": j.get("paid", True) is not False,
            "relevance": j.get("relevance") or "auto",
            "tasks": "; ".join(j.get("tasks") or []),
            "front_line_retail": bool(j.get("front_line_retail")),
            "transactional": bool(j.get("transactional")),
            "operations_only": bool(j.get("operations_only")),
        }
        for j in data.get("employment", [])
    ]
    return quals, jobs
