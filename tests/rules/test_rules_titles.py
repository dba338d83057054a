"""Title lookup: suitable, unsuitable (with ANZSCO placement) or not listed, tolerant of wording."""

from __future__ import annotations

import pytest

from skillcheck.rules import lookup_title


@pytest.mark.parametrize(
    ("title", "status", "matched", "anzsco"),
    [
        ("Call Centre Manager", "unsuitable", "Call or Contact Centre Manager", "149211"),
        ("contact center mgr.", "unsuitable", "Call or Contact Centre Manager", "149211"),
        (
            "Call or Contact Centre Manager",
            "unsuitable",
            "Call or Contact Centre Manager",
            "149211",
        ),
        ("customer service supervisor", "unsuitable", "Customer Service Agent or Supervisor", None),
        ("Customer Service Agents", "unsuitable", "Customer Service Agent or Supervisor", None),
        ("OPERATIONS MANAGER", "unsuitable", "Operations Manager", None),
        ("Retail Manager", "unsuitable", "Retail Manager", None),
        ("Technical Support Manager", "unsuitable", "Technical Support Manager", None),
        ("Client Relationship Manager", "unsuitable", "Client Relationship Manager", None),
        ("Client Services Manager", "suitable", "Client Service Manager", "149212"),
        ("Service Manager", "suitable", "Service Manager", "149212"),
        ("Senior Customer-Experience Manager", "suitable", "Customer Experience Manager", None),
        ("Custmer Experience Manager", "suitable", "Customer Experience Manager", None),
        ("Customer Service Manager", "suitable", "Customer Service Manager", "149212"),
        (
            "Customer Service Team Supervisor",
            "unsuitable",
            "Customer Service Agent or Supervisor",
            None,
        ),
        ("Team Leader", "unsuitable", "Customer Service Agent or Supervisor", None),
        ("team lead", "unsuitable", "Customer Service Agent or Supervisor", None),
        (
            "Customer Service Team Leader",
            "unsuitable",
            "Customer Service Agent or Supervisor",
            None,
        ),
        ("BPO Supervisor", "unsuitable", "Customer Service Agent or Supervisor", None),
        ("Head Chef", "not_listed", None, None),
        ("Manager", "not_listed", None, None),
    ],
)
def test_lookup(title: str, status: str, matched: str | None, anzsco: str | None) -> None:
    match = lookup_title(title)
    assert (match.status, match.matched_title, match.anzsco_code) == (status, matched, anzsco)
    assert bool(match.citations) == (status != "not_listed")


def test_call_centre_manager_cites_both_sources() -> None:
    match = lookup_title("Call Centre Manager")
    assert {(c.source, c.line) for c in match.citations} >= {
        ("vetassess-149212", 22),
        ("anzsco-1492", 41),
    }
    assert "149211" in match.message


def test_a_title_containing_an_unsuitable_one_says_so() -> None:
    match = lookup_title("Retail Customer Service Manager")
    assert match.match == "partial" and "Retail Manager" in match.also_unsuitable
