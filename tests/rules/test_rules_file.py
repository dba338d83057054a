"""The rules file: every quote is on its cited line, and a malformed file does not load."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillcheck.errors import RulesFileError
from skillcheck.rules import load_rules
from skillcheck.rules.context import all_references as _references
from skillcheck.rules.loader import parse_rules, rules_path

REPO = Path(__file__).resolve().parents[2]
RULES = rules_path("149212")
TEXT = RULES.read_text(encoding="utf-8")


def test_every_quote_occurs_verbatim_on_its_cited_line() -> None:
    refs = list(_references(load_rules("149212")))
    assert len(refs) > 40
    for ref in refs:
        lines = (REPO / "corpus" / f"{ref.source}.txt").read_text(encoding="utf-8").split("\n")
        assert 1 <= ref.line <= len(lines), ref
        assert ref.quote in lines[ref.line - 1], f"{ref.source}:{ref.line} lacks {ref.quote!r}"


def test_group_c_routes_need_1_1_2_and_1_plus_3_years() -> None:
    rules = load_rules("149212")
    assert [r.highly_relevant_years.value for r in rules.routes] == [1, 1, 2, 1]
    assert rules.routes[3].total_years is not None and rules.routes[3].total_years.value == 4
    assert [r.qualification.field for r in rules.routes] == [
        "highly_relevant",
        "not_highly_relevant",
        "not_highly_relevant",
        "any",
    ]
    assert [r.qualification.additional_required for r in rules.routes] == [
        False,
        True,
        False,
        False,
    ]
    assert "reconstructed" not in TEXT


def test_the_lost_years_carry_the_corpus_lines_and_the_external_references() -> None:
    rules = load_rules("149212")
    for route in rules.routes[:3]:
        years = route.highly_relevant_years
        lines = {years.reference.line if years.reference else 0} | {r.line for r in years.see_also}
        assert {48, 50} <= lines, route.number
        assert len(years.external) >= 3, route.number
        assert set(years.external) <= set(rules.external_references)
    for ref in rules.external_references.values():
        assert ref.url.startswith(("https://", "http://")) and ref.supports and ref.publisher


_EXTERNAL = (
    "  visaenvoy_149212:\n"
    "    publisher: visaenvoy.com\n"
    "    title: Customer Service Manager - ANZSCO 149212\n"
    "    url: https://visaenvoy.com/sol/customer-service-manager\n"
)


def test_the_real_file_loads() -> None:
    assert parse_rules(TEXT, RULES).occupation.code == "149212"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  group: C\n",
            "  group: C\n  colour: blue\n",
            "occupation.colour: Extra inputs are not permitted",
        ),
        ("  group: C\n", "  group: C\n  group: B\n", "duplicate key 'group'"),
        (
            "  reference: {source: vetassess-149212, line: 6, "
            'quote: "ANZSCO Code: 149212 / Group C"}\n',
            "",
            "occupation.reference: Field required",
        ),
        ("    value: 20\n", "    value: twenty\n", "employment.min_hours_per_week.value"),
        (
            "      field: highly_relevant\n",
            "      field: relevant-ish\n",
            "routes.0.qualification.field",
        ),
        ("title: Customer Service Manager\n", "title: [unclosed\n", "not valid YAML"),
        (
            "      external: [vetassess_experts_2024_08, myvisaonline_149212, visaenvoy_149212, "
            "oz51_groups]\n",
            "      external: [no_such_page]\n",
            "routes.0.highly_relevant_years.external: unknown external reference 'no_such_page'",
        ),
        (
            _EXTERNAL,
            _EXTERNAL.replace("https://visaenvoy.com", "visaenvoy.com"),
            "external_references.visaenvoy_149212.url",
        ),
        (
            _EXTERNAL + "    accessed: 2026-11-25\n",
            _EXTERNAL + "    accessed: yesterday\n",
            "external_references.visaenvoy_149212",
        ),
        (
            "  describe_tasks: >-\n",
            "  describe_tasks_typo: >-\n",
            "messages: missing describe_tasks",
        ),
        (
            "  application_date_defaulted: No application date given; today ({date}) was used.\n",
            "  application_date_defaulted: No application date given; today ({day}) was used.\n",
            "messages.application_date_defaulted: unknown field {day}",
        ),
        (
            "    input_field: statutory_declaration\n",
            "",
            "documents.1.input_field: Field required",
        ),
    ],
    ids=[
        "unknown key",
        "duplicate key",
        "missing reference",
        "bad number",
        "bad choice",
        "bad yaml",
        "unknown external reference",
        "external url not an address",
        "external accessed not a date",
        "message missing",
        "message with a field the engine does not fill",
        "document without its input field",
    ],
)
def test_a_malformed_rules_file_does_not_load(
    old: str, new: str, message: str, tmp_path: Path
) -> None:
    assert old in TEXT
    path = tmp_path / "occupation_149212.yaml"
    with pytest.raises(RulesFileError) as err:
        parse_rules(TEXT.replace(old, new, 1), path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


_ROUTE1_YEARS = (
    '      reference: {source: vetassess-149212, line: 48, quote: "1-3"}\n'
    "      see_also:\n"
    '        - {source: vetassess-149212, line: 50, quote: "minimum years of employment highly '
    "relevant to the nominated occupation, completed at an appropriate skill level in the five "
    'years before the date of application for a Skills Assessment."}\n'
    "      external: [vetassess_experts_2024_08, myvisaonline_149212, visaenvoy_149212, "
    "oz51_groups]\n"
)


def test_a_rule_with_neither_kind_of_reference_does_not_load(tmp_path: Path) -> None:
    assert TEXT.count(_ROUTE1_YEARS) == 1
    path = tmp_path / "occupation_149212.yaml"
    with pytest.raises(RulesFileError) as err:
        parse_rules(TEXT.replace(_ROUTE1_YEARS, ""), path)
    assert "routes.0.highly_relevant_years" in str(err.value)
    assert "needs a reference (corpus line) or an external reference" in str(err.value)


def test_a_rule_with_only_an_external_reference_loads(tmp_path: Path) -> None:
    only_external = "      external: [vetassess_experts_2024_08]\n"
    rules = parse_rules(TEXT.replace(_ROUTE1_YEARS, only_external), tmp_path / "x.yaml")
    years = rules.routes[0].highly_relevant_years
    assert years.reference is None and years.external == ["vetassess_experts_2024_08"]


def test_the_rules_page_exists_and_its_routes_table_states_the_engines_years() -> None:
    page = (REPO / "docs" / "eligibility-rules.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| ")}
    for route in load_rules("149212").routes:
        years = route.highly_relevant_years.value
        assert f"{years} year" in rows[str(route.number)], route.number
        if route.total_years is not None:
            assert f"{route.total_years.value} years" in rows[str(route.number)]
    for ref in load_rules("149212").external_references.values():
        assert ref.url in page, ref.url  # every external page is named on the rules page
