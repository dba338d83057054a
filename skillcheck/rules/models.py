"""The input and output contract of ``assess`` as pydantic models.

Input models forbid unknown keys and accept dates only as ``YYYY-MM-DD``; their
JSON Schema (:func:`skillcheck.rules.input_schema`) is what the chat tool offers the
model. Output models describe the answer: outcome, routes, periods, warnings,
documents, next steps, citations and the disclaimer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from skillcheck.rules.loader import ExclusionCode, Level
from skillcheck.rules.outcomes import Outcome

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


IsoDate = Annotated[
    date,
    BeforeValidator(_parse_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
Relevance = Literal["highly_relevant", "relevant", "not_relevant"]
Title = Annotated[str, Field(max_length=200)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Qualification(_Input):
    """One qualification the applicant holds or is studying for."""

    title: Title | None = Field(default=None, description="Its name, e.g. 'Diploma of Business'.")
    level: Level = Field(description="Its level as assessed (AQF); 'none' if none applies.")
    field: Title | None = Field(
        default=None, description="The major field of study, e.g. 'Business Management'."
    )
    highly_relevant: bool | None = Field(
        default=None,
        description="Whether the field is highly relevant; null decides from `field`.",
    )
    completed: IsoDate | None = Field(
        description="The completion date (YYYY-MM-DD); null if not completed."
    )


class Employment(_Input):
    """One job (period of employment); a job with no end runs to the application date."""

    title: Title | None = Field(default=None, description="The job title as on the contract.")
    start: IsoDate = Field(description="First day of the job (YYYY-MM-DD).")
    end: IsoDate | None = Field(description="Last day of the job (YYYY-MM-DD); null if ongoing.")
    hours_per_week: float = Field(
        ge=0, le=168, allow_inf_nan=False, description="Paid hours per week (0-168)."
    )
    paid: bool = Field(description="Whether the work was paid.")
    relevance: Relevance | None = Field(
        default=None,
        description=(
            "How relevant the duties are to Customer Service Manager; null decides from "
            "title and tasks."
        ),
    )
    tasks: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=50, description="The main duties, one per item."
    )
    front_line_retail: bool = Field(
        default=False, description="Based in a front-line retail setting."
    )
    transactional: bool = Field(
        default=False, description="Predominantly direct client transactional interaction."
    )
    operations_only: bool = Field(
        default=False, description="An exclusive focus on operations management."
    )

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if end is not None and isinstance(start, date) and end < start:
            raise ValueError(f"{end.isoformat()} is before start {start.isoformat()}")
        return end


class AssessmentInput(_Input):
    """An applicant's profile to check against an occupation's published criteria."""

    occupation: str = Field(
        default="149212", pattern=r"^\d{6}$", description="ANZSCO code; only 149212 has rules."
    )
    application_date: IsoDate | None = Field(
        default=None, description="Date of the skills assessment application; null means today."
    )
    qualifications: list[Qualification] = Field(max_length=50)
    employment: list[Employment] = Field(max_length=200)
    organisational_chart: bool = Field(
        default=False, description="An organisational chart from the employer is available."
    )
    statutory_declaration: bool = Field(
        default=False,
        description="A statutory declaration is available where the employer gives no chart.",
    )


# ---- output -------------------------------------------------------------------------


class _Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Output):
    """A sentence of a source text; chunk and offsets are filled by resolve_citations."""

    id: str
    source: str
    line: int
    quote: str
    chunk_id: str | None = None
    section: str | None = None
    start: int | None = None
    end: int | None = None


class QualificationResult(_Output):
    index: int
    title: str | None
    level: Level
    field: str | None = Field(default=None, description="The field of study as given.")
    completed: date | None
    counts: bool = Field(description="Completed at the required level by the application date.")
    at_required_level: bool
    highly_relevant: bool
    highly_relevant_source: Literal["stated", "field"]
    additional_level: bool = Field(description="At a level an additional qualification may have.")
    notes: list[str]


class Span(_Output):
    """Days counted, from ``start`` to ``end`` (both included)."""

    start: date
    end: date
    days: int


class Window(_Output):
    """The years before the application date a route counts in (both ends included)."""

    years: int
    start: date
    end: date


class Requirement(_Output):
    kind: Literal["highly_relevant", "relevant_or_highly_relevant"]
    window_years: int
    window_from: date = Field(description="First day of the window (before the qualification).")
    counted_from: date
    counted_to: date
    required_days: int
    counted_days: int
    required_months: float
    counted_months: float
    shortfall_days: int
    overlap_days: int = Field(description="Days more than one job covered, counted once.")
    undecided_days: int = Field(description="Days more if jobs of undecided relevance counted.")
    spans: list[Span] = Field(description="The counted days, overlaps merged, in date order.")
    met: bool
    message: str = Field(
        default="", description="What was counted and what is needed, in words (years, days)."
    )


class RouteResult(_Output):
    route: int
    label: str
    met: bool
    qualification_met: bool
    qualification_index: int | None
    additional_qualification_index: int | None
    qualification_reason: str
    post_qualification: bool
    external: list[str] = Field(
        description="Ids of the external references its years rest on (external_references)."
    )
    required_days: int
    counted_days: int
    required_months: float
    counted_months: float
    requirements: list[Requirement]
    reason: str
    cites: list[str]


class NotCounted(_Output):
    code: ExclusionCode
    days: int
    reason: str
    cites: list[str]


class PeriodRoute(_Output):
    route: int
    counted_days: int
    counted_from: date | None = Field(description="First day of this job the route counts.")
    counted_to: date | None
    not_counted: list[NotCounted]


class PeriodResult(_Output):
    index: int
    title: str | None
    start: date
    end: date | None
    ongoing: bool
    days: int = Field(description="Whole days from start to end (or the application date).")
    days_to_application_date: int
    runs_to: date = Field(description="Its last day up to the application date (start if later).")
    relevance: Relevance | None
    relevance_source: Literal["stated", "tasks", "title", "undecided"]
    matched_tasks: list[str]
    title_status: Literal["suitable", "unsuitable", "not_listed"] | None
    counted: bool
    excluded: list[NotCounted]
    by_route: list[PeriodRoute]


class ExternalSource(_Output):
    """A public page outside the corpus that a rule rests on; ``supports`` is in our words."""

    id: str
    publisher: str
    title: str
    url: str
    accessed: date
    supports: str


class Note(_Output):
    """A plain statement beside the outcome, with the corpus lines and pages it rests on."""

    code: str
    message: str
    routes: list[int] = Field(default_factory=list)
    cites: list[str] = Field(default_factory=list)
    external: list[str] = Field(default_factory=list)


class WarningItem(_Output):
    code: str
    message: str
    period_index: int | None = None
    qualification_index: int | None = None
    route: int | None = None
    cites: list[str] = Field(default_factory=list)


class DocumentItem(_Output):
    id: str
    label: str
    needed: bool
    provided: bool
    status: Literal["provided", "provided_instead", "missing", "not_needed"]
    message: str = Field(default="", description="The status in words.")
    cites: list[str]


class NextStep(_Output):
    code: str
    message: str
    route: int | None = None
    period_index: int | None = None
    shortfall_days: int | None = None
    earliest_date: date | None = None


class AssessmentResult(_Output):
    """The answer of ``assess``: an answer, never an exception, even when it is no."""

    occupation: str
    occupation_title: str
    application_date: date
    windows: list[Window] = Field(description="The extended and recent windows, in that order.")
    outcome: Outcome
    pathway: int | None
    summary: str
    skilled_from: date | None = Field(
        description="Estimated first day of skilled employment (after the met route's minimum)."
    )
    skilled_from_note: Note | None
    evidence_note: Note | None = Field(
        description="Where the outcome rests on external evidence (route 2 or 3), says so."
    )
    qualifications: list[QualificationResult]
    routes: list[RouteResult]
    periods: list[PeriodResult]
    warnings: list[WarningItem]
    documents: list[DocumentItem]
    next_steps: list[NextStep]
    assumptions: list[str]
    citations: list[Citation]
    external_references: list[ExternalSource]
    disclaimer: str
