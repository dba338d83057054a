"""The agent's tools, built for one turn: search the sources, run the engine, look up a title.

Each tool returns content for the model and an artifact for the caller (LangChain's
content-and-artifact): the numbered citations, the engine's own output, the title
match. A bad argument raises :class:`ToolException`, which the model reads as the
tool's answer (it may correct itself once; see :mod:`skillcheck.agent`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field, ValidationError

from skillcheck import rules
from skillcheck.errors import SkillcheckError
from skillcheck.events import EligibilityRun
from skillcheck.passages import CitationRegistry, Passage, format_passages
from skillcheck.prompts import load_prompt
from skillcheck.retrieval import MAX_QUESTION_CHARS, Retriever


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

    def assess_eligibility(**facts: Any) -> tuple[str, EligibilityRun]:
        try:
            result = rules.assess(facts)
        except (ValidationError, SkillcheckError, ValueError, TypeError) as exc:
            raise ToolException(
                f"invalid input: {_summary(exc)}. Fix these fields and call again, "
                "or ask the user for the missing facts."
            ) from None
        run = EligibilityRun(facts, result)
        turn.eligibility = run
        return result.model_dump_json(), run

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
            args_schema=rules.input_schema(),
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
