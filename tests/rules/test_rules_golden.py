"""Golden cases: each a sentence stating a rule, an input profile, and what must come out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from skillcheck.rules import assess

from .facts import check

GOLDEN = Path(__file__).parent / "golden"


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(GOLDEN.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert set(case) == {"name", "input", "expect"}, f"{path}: {case.get('name')}"
            cases.append(case)
    return cases


CASES = _cases()


def test_there_are_enough_golden_cases_with_unique_names() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) >= 45
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden(case: dict[str, Any]) -> None:
    result = assess(case["input"])
    assert check(result, case["expect"]) == []
