"""Messages number qualifications and jobs from 1, as people count; JSON indexes stay 0-based."""

from __future__ import annotations

import json
from pathlib import Path

from skillcheck import rules

PROFILE = {
    "application_date": "2026-11-25",
    "qualifications": [
        {"level": "bachelor", "field": "Psychology", "completed": "2012-12-01"},
        {"level": "certificate_iv", "field": "Business Management", "completed": "2026-09-25"},
    ],
    "employment": [
        {
            "title": "Customer Experience Manager",
            "start": "2025-07-26",
            "end": None,
            "hours_per_week": 38,
            "paid": True,
            "relevance": "highly_relevant",
        }
    ],
}


def test_the_certificate_iv_caveat_names_qualifications_from_one() -> None:
    result = rules.assess(PROFILE)
    caveat = next(w for w in result.warnings if w.code == "additional_certificate_iv")
    assert caveat.message.startswith("Qualification 2 is a Certificate IV")
    assert "after qualification 1" in caveat.message
    assert caveat.qualification_index == 1  # the JSON keeps the list's own index
    text = json.dumps(result.model_dump(mode="json"))
    assert "qualification 0" not in text.lower() and "job 0" not in text.lower()


def test_no_message_template_is_filled_outside_the_one_filler() -> None:
    """Every template goes through rules.context.fill, so no message can count from 0."""
    package = Path(rules.__file__).parent
    offenders = [
        f.name
        for f in package.glob("*.py")
        if ".format(" in f.read_text("utf-8") and f.name != "context.py"
    ]
    assert offenders == [], offenders
