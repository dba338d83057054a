"""The agent's tools, built for one turn: search the sources, run the engine, look up a title.

Each tool returns content for the model and an artifact for the caller (LangChain's
content-and-artifact): the numbered citations, the engine's own output, the title
match. A bad argument raises :class:`ToolException`, which the model reads as the
tool's answer (it may correct itself once; see :mod:`skillcheck.agent`).

The model decides nothing the engine decides: ``assess_eligibility`` asks the model
only for facts an applicant states (:class:`StatedFacts`: no relevance, no
"highly relevant", no application date; hours and paid may be null). A job whose
hours or pay were not stated gets "needs more information" back, naming the facts
to ask for, and the engine does not run on guesses. The model reads a short summary
of the engine's result (:func:`engine_summary`); the full result is the artifact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from skillcheck import rules
from skillcheck.errors import SkillcheckError
from skillcheck.events import EligibilityRun
from skillcheck.passages import CitationRegistry, Passage, format_passages
from skillcheck.prompts import load_prompt
from skillcheck.retrieval import MAX_QUESTION_CHARS, Retriever
from skillcheck.rules.loader import Level
from skillcheck.rules.models import IsoDate

#: The engine's own judgements: never asked of the model, dropped if it sends them.
ENGINE_DECIDES = ("relevance", "highly_relevant", "application_date", "occupation")


@dataclass
class TurnState:
    """What the tools of one turn found: passages, the engine's run, errors."""

    registry: CitationRegistry = field(default_factory=CitationRegistry)
    eligibility: EligibilityRun | None = None
    tool_errors: list[str] = field(default_factory=list)


class SearchArgs(BaseModel):
    """Arguments of ``search_sources``."""

    query: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="a standalone question"
    )


class TitleArgs(BaseModel):
    """Arguments of ``lookup_title``."""

    title: str = Field(min_length=1, max_length=200, description="the job title, as given")


Text = Annotated[str, Field(max_length=200)]


class _Stated(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StatedQualification(_Stated):
    """A qualification as the applicant describes it."""

    title: Text | None = Field(default=None, description="Its name, as the user gave it.")
    level: Level = Field(description="Its AQF level as the user stated it; 'none' if none.")
    field: Text | None = Field(default=None, description="The field of study, as stated.")
    completed: IsoDate | None = Field(
        description="Completion date YYYY-MM-DD as stated; null if not completed."
    )


class StatedJob(_Stated):
    """A job as the applicant describes it."""

    title: Text | None = Field(default=None, description="The job title, as stated.")
    start: IsoDate = Field(description="First day YYYY-MM-DD, as stated.")
    end: IsoDate | None = Field(description="Last day YYYY-MM-DD; null if ongoing.")
    hours_per_week: float | None = Field(
        default=None, ge=0, le=168, description="Hours per week, only if the user stated them."
    )
    paid: bool | None = Field(default=None, description="Paid or not, only if the user said.")
    tasks: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=50, description="The duties the user named."
    )


class StatedFacts(_Stated):
    """The facts an applicant stated: what ``assess_eligibility`` asks of the model."""

    qualifications: list[StatedQualification] = Field(max_length=50)
    employment: list[StatedJob] = Field(max_length=200)
    organisational_chart: bool = Field(
        default=False, description="The user said an employer's organisational chart is available."
    )
    statutory_declaration: bool = Field(
        default=False, description="The user said a statutory declaration is available."
    )


def missing_facts(facts: StatedFacts) -> list[str]:
    """The facts the engine needs that the applicant has not stated, in words."""
    out = []
    for n, job in enumerate(facts.employment, 1):
        name = f"job {n}" + (f" ({job.title})" if job.title else "")
        if job.hours_per_week is None:
            out.append(f"the hours per week of {name}")
        if job.paid is None:
            out.append(f"whether {name} was paid")
    return out


def engine_summary(result: rules.AssessmentResult, limit: int = 1500) -> str:
    """What the model reads of the engine's result: outcome, route, reasons, next steps."""
    route = f" (route {result.pathway})" if result.pathway else ""
    lines = [f"outcome: {result.outcome}{route}", f"summary: {result.summary}"]
    for r in result.routes:
        state = "met" if r.met else "not met"
        lines.append(
            f"route {r.route} ({r.label}): {state}; {r.counted_days} of {r.required_days} "
            f"days counted; qualification: {r.qualification_reason}"
        )
    lines += [f"warning: {w.message}" for w in result.warnings]
    lines += [f"next step: {step.message}" for step in result.next_steps]
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _summary(exc: Exception) -> str:
    """What is wrong with the facts, in the engine's own one-line words."""
    if isinstance(exc, ValidationError):
        return rules.format_validation_error(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def build_tools(
    retriever: Retriever, turn: TurnState, top_k: int, prompts_dir: Path
) -> list[BaseTool]:
    """The three tools of a turn, writing what they find into ``turn``."""

    def search_sources(query: str) -> tuple[str, list[Passage]]:
        try:
            hits = retriever.search(query, top_k)
        except SkillcheckError as exc:
            raise ToolException(str(exc)) from None
        found = turn.registry.add([h.chunk for h in hits])
        return format_passages(found), found

    def assess_eligibility(**facts: Any) -> tuple[str, EligibilityRun | None]:
        try:
            stated = StatedFacts.model_validate(
                {k: v for k, v in facts.items() if k not in ENGINE_DECIDES}
            )
            missing = missing_facts(stated)
            if missing:
                return (
                    "needs_more_information: not stated: " + "; ".join(missing) + ". Ask the "
                    "user for these facts; do not guess them. The check has not run.",
                    None,
                )
            profile = stated.model_dump(mode="json")
            result = rules.assess(profile)
        except (ValidationError, SkillcheckError, ValueError, TypeError) as exc:
            raise ToolException(
                f"invalid input: {_summary(exc)}. Fix these fields and call again, "
                "or ask the user for the missing facts."
            ) from None
        run = EligibilityRun(profile, result)
        turn.eligibility = run
        return engine_summary(result), run

    def lookup_title(title: str) -> tuple[str, rules.TitleMatch]:
        result = rules.lookup_title(title)
        return result.model_dump_json(), result

    tools: list[BaseTool] = [
        StructuredTool.from_function(
            search_sources,
            name="search_sources",
            description=load_prompt("tool_search_sources", prompts_dir).text,
            args_schema=SearchArgs,
            response_format="content_and_artifact",
        ),
        StructuredTool.from_function(
            assess_eligibility,
            name="assess_eligibility",
            description=load_prompt("tool_assess_eligibility", prompts_dir).text,
            args_schema=StatedFacts.model_json_schema(),
            response_format="content_and_artifact",
        ),
        StructuredTool.from_function(
            lookup_title,
            name="lookup_title",
            description=load_prompt("tool_lookup_title", prompts_dir).text,
            args_schema=TitleArgs,
            response_format="content_and_artifact",
        ),
    ]
    for tool in tools:
        tool.handle_tool_error = True
    return tools
