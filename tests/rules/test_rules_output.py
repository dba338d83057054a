"""The parts of the answer around the determination: citations, report, defaults, schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from skillcheck.report import to_markdown, to_text
from skillcheck.rules import assess, input_schema, resolve_citations

REPO = Path(__file__).resolve().parents[2]
PROFILE = {
    "application_date": "2026-11-22",
    "qualifications": [{"level": "bachelor", "field": "History", "completed": "2018-06-30"}],
    "employment": [
        {
            "title": "Call Centre Manager",
            "start": "2024-01-01",
            "end": None,
            "hours_per_week": 38,
            "paid": True,
            "relevance": "highly_relevant",
        },
    ],
}


def test_citations_carry_offsets_of_the_quote_in_the_source() -> None:
    result = resolve_citations(assess(PROFILE), corpus_dir=REPO / "corpus")
    assert result.citations
    for c in result.citations:
        text = (REPO / "corpus" / f"{c.source}.txt").read_text(encoding="utf-8")
        assert c.start is not None and c.end is not None
        assert text[c.start : c.end] == c.quote
    ids = {c.id for c in result.citations}
    cited = [i for r in result.routes for i in r.cites] + [
        i for w in result.warnings for i in w.cites
    ]
    assert set(cited) <= ids


def test_the_engine_alone_leaves_chunk_fields_empty() -> None:
    assert all(c.chunk_id is None and c.start is None for c in assess(PROFILE).citations)


def test_no_application_date_means_today_with_a_warning() -> None:
    result = assess({k: v for k, v in PROFILE.items() if k != "application_date"})
    assert result.application_date == date.today()
    assert "application_date_defaulted" in [w.code for w in result.warnings]


def test_text_and_markdown_reports_show_outcome_routes_and_sources() -> None:
    result = assess(PROFILE)
    for text in (to_text(result), to_markdown(result)):
        assert "DOES NOT MEET" in text
        assert "Route 3" in text or "| 3 |" in text
        assert "vetassess-149212 line" in text and result.disclaimer in text
    assert to_markdown(result).startswith("# Customer Service Manager (149212)")


def test_schema_describes_dates_and_levels() -> None:
    schema = input_schema()
    job = schema["$defs"]["Employment"]["properties"]
    assert job["start"]["format"] == "date"
    assert "doctoral" in schema["$defs"]["Qualification"]["properties"]["level"]["enum"]
