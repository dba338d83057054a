"""Load an occupation's rules file (YAML) into validated, frozen pydantic models.

A rules file that is wrong does not load: unknown keys, duplicate keys, a missing
``reference`` or a malformed value raise :class:`~skillcheck.errors.RulesFileError`
naming the file and the key.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from skillcheck.errors import RulesFileError
from skillcheck.rules.messages import check_messages

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


class ExternalReference(_Strict):
    """A public page outside the corpus that a rule rests on, described in our own words.

    ``supports`` says what the page supports, never a sentence copied from it;
    ``accessed`` is the day the page (or a stored copy) was read.
    """

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")
    accessed: date
    supports: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _accessed_is_a_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("accessed"), str):
            try:
                return {**data, "accessed": date.fromisoformat(data["accessed"])}
            except ValueError:
                raise ValueError("accessed: must be a date written YYYY-MM-DD") from None
        return data


class RuleValue(_Strict):
    """A rule: its value rests on a corpus line, on external references, or on both."""

    description: str = ""
    reference: Reference | None = None
    see_also: list[Reference] = Field(default_factory=list)
    external: list[str] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _has_a_reference(self) -> RuleValue:
        if self.reference is None and not self.external:
            raise ValueError("a rule needs a reference (corpus line) or an external reference")
        return self


class Number(RuleValue):
    """One number of the rules."""

    value: int = Field(ge=0)


class Levels(RuleValue):
    value: list[Level]


class Words(RuleValue):
    value: list[str]


class WordMap(RuleValue):
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
    """A listed task and the word prefixes that make a stated task match it.

    A stated task matches when, for one of the patterns, it has a word beginning with
    a prefix of every group (so a shared verb alone never matches).
    """

    id: str
    text: str
    patterns: list[list[list[str]]] = Field(min_length=1)
    reference: Reference


class Message(RuleValue):
    """A message template of ours ({named} fields filled by the engine), with its basis."""

    message: str


class TaskMatching(_Strict):
    min_tasks_highly_relevant: Number
    unsuitable_title_cap: Message


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


class EvidenceNote(RuleValue):
    """The note shown when an outcome rests on a route whose years come from external pages."""

    routes: list[int]
    message: str


class OlderReading(RuleValue):
    """The older sheets' additional level (Certificate IV): a caveat, never an outcome."""

    additional_levels: list[Level]
    warning: str
    next_step: str


class SkilledFrom(RuleValue):
    """How the estimated date from which employment counts as skilled is explained."""

    message: str


class DateRange(RuleValue):
    earliest: date
    latest: date

    @model_validator(mode="before")
    @classmethod
    def _dates(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("earliest", "latest"):
                if isinstance(data.get(key), str):
                    try:
                        data[key] = date.fromisoformat(data[key])
                    except ValueError:
                        raise ValueError(f"{key}: must be a date written YYYY-MM-DD") from None
        return data


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
    note: str | None = None


class TitleRules(_Strict):
    synonyms: WordMap
    ignore_words: Words
    occupation: list[ListedTitle]
    suitable: list[ListedTitle]
    unsuitable: list[ListedTitle]
    unsuitable_reason: Cited


class Document(_Strict):
    """A document of the checklist, and the input field saying whether the applicant has it."""

    id: str
    input_field: Literal["organisational_chart", "statutory_declaration"]
    name: str = Field(description="What the document is called inside a sentence.")
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
    external_references: dict[str, ExternalReference]
    evidence_note: EvidenceNote
    older_reading: OlderReading
    skilled_from: SkilledFrom
    application_dates: DateRange
    messages: dict[str, str]
    anzsco_substitution: AnzscoSubstitution
    titles: TitleRules
    documents: list[Document]


#: libyaml's parser where PyYAML was built with it: the same safe loading, 10x faster (the
#: topics file is read at an app's first answer).
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """A safe YAML loader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise RulesFileError(f"duplicate key '{key}' (line {line})")
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node)
    return mapping


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


M = TypeVar("M", bound=BaseModel)


def parse_strict(text: str, path: Path, model: type[M]) -> M:
    """A YAML data file read into ``model``: duplicate keys, bad YAML and a wrong shape are
    each a :class:`RulesFileError` naming the file and the key. Shared by every data file
    of rules and statements (the rules, the topics)."""
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # a safe loader
    except RulesFileError as exc:
        raise RulesFileError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise RulesFileError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RulesFileError(f"{path}: {_where(first['loc'])}: {first['msg']}") from None


def parse_rules(text: str, path: Path) -> Rules:
    """Validate the text of a rules file; ``path`` is only named in errors."""
    rules = parse_strict(text, path, Rules)
    _check_consistency(rules, path)
    return rules


def _check_consistency(rules: Rules, path: Path) -> None:
    numbers = [r.number for r in rules.routes]
    if numbers != sorted(set(numbers)):
        raise RulesFileError(f"{path}: routes: numbers must be unique and ascending")
    check_messages(rules.messages, path)
    for where, ext_id in _external_ids(rules):
        if ext_id not in rules.external_references:
            raise RulesFileError(f"{path}: {where}.external: unknown external reference {ext_id!r}")
    known = set(numbers)
    if not set(rules.evidence_note.routes) <= known:
        raise RulesFileError(f"{path}: evidence_note.routes: unknown route")
    ids = {d.id for d in rules.documents}
    for doc in rules.documents:
        if doc.alternative_to is not None and doc.alternative_to not in ids:
            raise RulesFileError(f"{path}: documents.{doc.id}.alternative_to: unknown document")


def _external_ids(node: object, where: str = "") -> list[tuple[str, str]]:
    """Every (key path, external reference id) a rule names, anywhere in the rules."""
    found: list[tuple[str, str]] = []
    if isinstance(node, RuleValue):
        found += [(where, ext) for ext in node.external]
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += _external_ids(getattr(node, name), f"{where}.{name}".lstrip("."))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _external_ids(item, f"{where}.{i}")
    elif isinstance(node, dict):
        for key, item in node.items():
            found += _external_ids(item, f"{where}.{key}")
    return found


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
