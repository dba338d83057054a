"""Load an occupation's rules file (YAML) into validated, frozen pydantic models.

A rules file that is wrong does not load: unknown keys, duplicate keys, a missing
``reference`` or a malformed value raise :class:`~skillcheck.errors.RulesFileError`
naming the file and the key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from skillcheck.errors import RulesFileError

RULES_DIR = Path(__file__).resolve().parent
Level = Literal[
    "none",
    "certificate_i",
    "certificate_ii",
    "certificate_iii",
    "certificate_iv",
    "diploma",
    "advanced_diploma",
    "associate_degree",
    "bachelor",
    "graduate_certificate",
    "graduate_diploma",
    "master",
    "doctoral",
]
ExclusionCode = Literal[
    "after_application_date",
    "part_time",
    "unpaid",
    "front_line_retail",
    "transactional",
    "operations_only",
    "not_relevant",
    "relevance_undecided",
    "relevant_only",
    "outside_window",
    "before_qualification",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Reference(_Strict):
    """The line of a corpus text a rule rests on, with the verbatim words."""

    source: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    line: int = Field(ge=1)
    quote: str = Field(min_length=1)


class _Cited(_Strict):
    description: str = ""
    reference: Reference
    see_also: list[Reference] = Field(default_factory=list)
    note: str | None = None


class Number(_Cited):
    """One number of the rules."""

    value: int = Field(ge=0)
    reconstructed: bool = False


class Levels(_Cited):
    value: list[Level]


class Words(_Cited):
    value: list[str]


class WordMap(_Cited):
    value: dict[str, str]


class Cited(_Strict):
    reference: Reference


class Occupation(_Strict):
    code: str = Field(pattern=r"^\d{6}$")
    title: str
    assessing_authority: str
    group: str
    reference: Reference


class Assumption(_Strict):
    text: str
    reference: Reference


class Units(_Strict):
    days_per_year: Number
    months_per_year: Number


class QualificationRules(_Strict):
    required_levels: Levels
    highly_relevant_fields: Words
    additional_levels: Levels


class Exclusion(_Strict):
    reason: str
    reference: Reference


class Task(_Strict):
    id: str
    text: str
    reference: Reference


class TaskMatching(_Strict):
    stem_length: Number
    min_shared_words: Number
    min_tasks_highly_relevant: Number
    stop_words: Words


class EmploymentRules(_Strict):
    min_hours_per_week: Number
    recent_window_years: Number
    extended_window_years: Number
    exclusions: dict[ExclusionCode, Exclusion]
    highly_relevant_tasks: list[Task]
    task_matching: TaskMatching


class RouteQualification(_Strict):
    field: Literal["highly_relevant", "not_highly_relevant", "any"]
    additional_required: bool


class Route(_Strict):
    number: int = Field(ge=1)
    label: str
    qualification: RouteQualification
    highly_relevant_years: Number
    post_qualification: bool
    total_years: Number | None
    reference: Reference


class ReconstructedWarning(_Strict):
    min_counted_years: Number


class AnzscoSubstitution(_Strict):
    occupation_text: Cited
    skill_level: Cited
    authority_text: Cited
    both_required: Cited


class AnzscoPlacement(_Strict):
    code: str = Field(pattern=r"^\d{6}$")
    title: str
    reference: Reference


class ListedTitle(_Strict):
    title: str
    variants: list[str] = Field(default_factory=list)
    reference: Reference
    anzsco: AnzscoPlacement | None = None


class TitleRules(_Strict):
    synonyms: WordMap
    ignore_words: Words
    occupation: list[ListedTitle]
    suitable: list[ListedTitle]
    unsuitable: list[ListedTitle]
    unsuitable_reason: Cited


class Document(_Strict):
    id: str
    label: str
    alternative_to: str | None
    reference: Reference


class Rules(_Strict):
    """Everything the engine needs to know about one occupation's criteria."""

    occupation: Occupation
    disclaimer: str
    assumptions: list[Assumption]
    units: Units
    qualification: QualificationRules
    employment: EmploymentRules
    routes: list[Route] = Field(min_length=1)
    reconstructed_warning: ReconstructedWarning
    anzsco_substitution: AnzscoSubstitution
    titles: TitleRules
    documents: list[Document]


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise RulesFileError(f"duplicate key '{key}' (line {line})")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_rules(text: str, path: Path) -> Rules:
    """Validate the text of a rules file; ``path`` is only named in errors."""
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except RulesFileError as exc:
        raise RulesFileError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise RulesFileError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    try:
        rules = Rules.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RulesFileError(f"{path}: {_where(first['loc'])}: {first['msg']}") from None
    _check_consistency(rules, path)
    return rules


def _check_consistency(rules: Rules, path: Path) -> None:
    numbers = [r.number for r in rules.routes]
    if numbers != sorted(set(numbers)):
        raise RulesFileError(f"{path}: routes: numbers must be unique and ascending")
    ids = {d.id for d in rules.documents}
    for doc in rules.documents:
        if doc.alternative_to is not None and doc.alternative_to not in ids:
            raise RulesFileError(f"{path}: documents.{doc.id}.alternative_to: unknown document")


def rules_path(occupation: str) -> Path:
    """Where the rules file of an occupation lives."""
    return RULES_DIR / f"occupation_{occupation}.yaml"


def available_occupations() -> tuple[str, ...]:
    """The occupation codes that have a rules file."""
    return tuple(
        sorted(p.stem.removeprefix("occupation_") for p in RULES_DIR.glob("occupation_*.yaml"))
    )


@lru_cache(maxsize=8)
def load_rules(occupation: str = "149212") -> Rules:
    """The validated rules of ``occupation`` (cached; the models are frozen)."""
    path = rules_path(occupation)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesFileError(f"{path}: cannot read the rules file ({exc.strerror})") from None
    rules = parse_rules(text, path)
    if rules.occupation.code != occupation:
        raise RulesFileError(
            f"{path}: occupation.code: is {rules.occupation.code}, not {occupation}"
        )
    return rules
