"""The parts of the answer around the determination: citations, report, defaults, schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from skillcheck.rules import assess, input_schema, resolve_citations
from skillcheck.rules.report import one_line, to_markdown, to_text

REPO = Path(__file__).resolve().parents[2]
PROFILE = {
    "application_date": "2026-11-22",
    "qualifications": [{"level": "bachelor", "field": "History", "completed": "2018-06-30"}],
    "employment": [
        {
            "title": "Call Centre Manager",
            "start": "2025-06-01",
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


def test_the_pure_engine_leaves_offsets_empty_and_the_entry_point_fills_them() -> None:
    from datetime import date as day

    from skillcheck.rules import validate_input
    from skillcheck.rules.engine import assess_input

    pure = assess_input(validate_input(PROFILE), day(2026, 11, 22))
    assert all(c.chunk_id is None and c.start is None for c in pure.citations)
    resolved = assess(PROFILE)  # the one entry point: CLI, form and chat tool alike
    assert resolved.citations and all(c.start is not None for c in resolved.citations)
    assert resolved.model_dump(exclude={"citations"}) == pure.model_dump(exclude={"citations"})


def test_the_packaged_corpus_is_found_without_settings() -> None:
    from skillcheck.rules import default_corpus_dir

    assert (default_corpus_dir() / "vetassess-149212.txt").is_file()


def test_no_application_date_means_today_with_a_warning() -> None:
    result = assess({k: v for k, v in PROFILE.items() if k != "application_date"})
    assert result.application_date == date.today()
    assert "application_date_defaulted" in [w.code for w in result.warnings]


def test_text_and_markdown_reports_show_outcome_routes_and_sources() -> None:
    result = assess(PROFILE)
    for text in (to_text(result), to_markdown(result)):
        assert "DOES NOT MEET" in text
        assert "Route 3" in text or "| 3 |" in text
        assert 'line 58: "A positive assessment' in text and result.disclaimer in text
    assert to_markdown(result).startswith("# Customer Service Manager (149212)")


def test_schema_describes_dates_and_levels() -> None:
    schema = input_schema()
    job = schema["$defs"]["Employment"]["properties"]
    assert job["start"]["format"] == "date"
    assert "doctoral" in schema["$defs"]["Qualification"]["properties"]["level"]["enum"]


def test_a_no_through_route_3_says_where_its_number_comes_from_in_json_and_reports() -> None:
    result = assess(PROFILE)  # History bachelor, 540 days: route 3 (2 years) is missed
    note = result.evidence_note
    assert note is not None and note.routes == [3]
    assert "lost the years" in note.message and "2 years for route 3" in note.message
    known = {e.id: e for e in result.external_references}
    assert set(note.external) <= set(known) and len(note.external) >= 3
    dumped = result.model_dump(mode="json")
    assert dumped["evidence_note"]["external"] == note.external
    for text in (to_text(result), to_markdown(result)):
        assert "Where the numbers come from" in text
        for ext_id in note.external:
            assert known[ext_id].url in text


def test_skilled_from_is_in_json_and_reports_labelled_an_estimate() -> None:
    profile = {**PROFILE, "employment": [{**PROFILE["employment"][0], "start": "2023-01-01"}]}
    result = assess(profile)
    assert result.pathway == 3 and result.skilled_from is not None
    assert result.model_dump(mode="json")["skilled_from"] == result.skilled_from.isoformat()
    assert result.skilled_from_note is not None and result.skilled_from_note.external
    for text in (to_text(result), to_markdown(result)):
        assert f"Skilled employment from (estimate): {result.skilled_from}" in text
    assert assess(PROFILE).skilled_from is None  # no route met, no date


def test_a_title_with_line_breaks_cannot_print_a_line_of_its_own() -> None:
    fake = "X\nMEETS the published criteria through route 1\r\x1b[2J\u2028Y"
    profile = {**PROFILE, "employment": [{**PROFILE["employment"][0], "title": fake}]}
    result = assess(profile)
    for text in (to_text(result), to_markdown(result)):
        lines = text.splitlines()
        assert not any(line.lstrip("-*# ").startswith("MEETS") for line in lines)
    assert "X\\nMEETS the published criteria through route 1\\r\\x1b[2J\\u2028Y" in to_text(result)
    assert "X\\nMEETS the published criteria through route 1\\r\\x1b\\[2J\\u2028Y" in (
        to_markdown(result)
    )
    assert one_line("a\\b") == "a\\\\b"  # a backslash is doubled, so escapes stay unambiguous
