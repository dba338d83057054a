"""The rules file: every quote is on its cited line, and a malformed file does not load."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillcheck.errors import RulesFileError
from skillcheck.rules import load_rules
from skillcheck.rules.engine import _references
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


def test_routes_2_and_3_are_marked_reconstructed_and_1_and_4_are_not() -> None:
    rules = load_rules("149212")
    marked = {r.number: r.highly_relevant_years.reconstructed for r in rules.routes}
    assert marked == {1: False, 2: True, 3: True, 4: False}
    assert all(r.highly_relevant_years.note for r in rules.routes if r.number in (2, 3))
    assert [r.highly_relevant_years.value for r in rules.routes] == [1, 2, 3, 1]


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
    ],
    ids=[
        "unknown key",
        "duplicate key",
        "missing reference",
        "bad number",
        "bad choice",
        "bad yaml",
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
