"""The app's pure helpers: HTML escaping and highlights, form tables, timeline, turn record."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from skillcheck import rules
from skillcheck.events import Done, EligibilityRun, Notice, Token, ToolResult, ToolStart
from skillcheck.passages import Passage, highlight_spans, with_claim_highlights
from skillcheck.ui import html as h
from skillcheck.ui import profile
from skillcheck.ui.session import TurnRecord
from skillcheck.ui.timeline import focus_route, timeline_chart

APP = str(Path(__file__).resolve().parents[2] / "app.py")
EVIL = "<script>alert(1)</script>\"&'"


def _citation(n: int, text: str, **extra: Any) -> Passage:
    values: dict[str, Any] = {
        "n": n,
        "chunk_id": f"c{n}",
        "source": "vetassess-149212",
        "title": "T",
        "publisher": "P",
        "section": "S",
        "latest_release": True,
        "text": text,
        "start": 100,
        "end": 100 + len(text),
    }
    return Passage(**(values | extra))


def test_answer_html_escapes_first_and_links_only_known_markers() -> None:
    out = h.answer_html(f"- {EVIL} [1] [7]\n**bold**", [_citation(1, "x")], "m1")
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#x27;" in out
    assert '<a class="sc-cite" href="#src-m1-1">[1]</a>' in out
    assert "[7]" in out and 'href="#src-m1-7"' not in out  # no source 7: left as text
    assert "<strong>bold</strong>" in out and out.count("<li>") == 1


def test_a_markdown_link_in_corpus_text_stays_text() -> None:
    out = h.answer_html("see [here](javascript:alert(1)) [1]", [_citation(1, "x")], "m")
    assert 'href="javascript' not in out and "[here](javascript:alert(1))" in out


def test_sources_highlight_the_quoted_sentences_and_escape_the_passage() -> None:
    passage = f"Intro line here. The quoted sentence is this one. {EVIL}\nAnother sentence follows."
    answer = "From the sources:\n- The quoted sentence is this one. [1]"
    cited = with_claim_highlights([_citation(1, passage, latest_release=False)], answer)
    out = h.sources_html(cited, answer, "m")
    assert "<mark>The quoted sentence is this one.</mark>" in out
    assert "<script>" not in out
    assert "not the latest ANZSCO release" in out
    assert 'id="src-m-1"' in out


def test_a_restated_claim_highlights_its_closest_sentence() -> None:
    passage = "Employment must be 20 hours or more per week. Unrelated text about applying online."
    spans = highlight_spans(passage, ["Jobs count when they are 20 hours or more per week"])
    assert [passage[s:e] for s, e in spans] == ["Employment must be 20 hours or more per week."]


def test_explicit_highlights_are_source_offsets() -> None:
    c = _citation(1, "abcdefghij", highlights=((102, 105),))
    assert c.local_highlights() == [(2, 5)]
    assert "ab<mark>cde</mark>fghij" in h.sources_html([c], "", "m")


def test_the_plain_sources_list_of_the_offline_answer_is_dropped() -> None:
    text = 'From the sources:\n- a [1]\n\nSources:\n[1] T (P), section "S"\n\nA closing note.'
    assert h.strip_sources_block(text) == "From the sources:\n- a [1]\n\nA closing note."


def test_form_tables_become_the_cli_contract() -> None:
    quals = profile.quals_frame([*profile.EXAMPLE_QUALS, {}])  # a blank row is skipped
    jobs = profile.jobs_frame(profile.EXAMPLE_JOBS)
    jobs.loc[0, "tasks"] = "Plan service; train staff\nreport"
    payload, rows = profile.to_payload(date(2026, 11, 22), quals, jobs, True, False)
    assert rows == {"qualifications": [0], "employment": [0]}
    assert payload["qualifications"][0]["completed"] == "2018-06-30"
    assert payload["employment"][0]["tasks"] == ["Plan service", "train staff", "report"]
    assert payload["employment"][0]["hours_per_week"] == 38
    assert rules.assess(payload).outcome == "meets_criteria"


def test_a_blank_job_row_keeps_its_checkbox_defaults() -> None:
    jobs = profile.jobs_frame()
    assert list(jobs.loc[0, ["paid", "front_line_retail", "transactional"]]) == [True, False, False]
    assert profile.job_rows(jobs) == ([], [])


def test_engine_messages_name_the_forms_job_and_field_in_words() -> None:
    from skillcheck.ui.form import in_words

    said = in_words("employment[1].start: missing", {"employment": [0, 3]})
    assert said == "Job 4, the start date: missing"
    assert in_words("application_date: bad", {}) == "The application date: bad"
    assert in_words("something else", {}) == "something else"


def _example_payload() -> dict[str, Any]:
    """The form's example, as the form hands it to the engine."""
    payload, _ = profile.to_payload(
        date(2026, 11, 22),
        profile.quals_frame(profile.EXAMPLE_QUALS),
        profile.jobs_frame(profile.EXAMPLE_JOBS),
        True,
        False,
    )
    return payload


def test_the_timeline_marks_the_engines_counted_days_for_the_route_met() -> None:
    payload = _example_payload()
    result = rules.assess(payload)
    route = focus_route(result)
    assert route is not None and route.route == 1
    chart = timeline_chart(result)
    assert chart is not None
    spec = chart.to_dict()
    datasets = list(spec["datasets"].values())
    rows = [r for d in datasets for r in d]
    counted = [r for r in rows if "days counted" in r and "status" not in r]
    assert counted and counted[0]["days counted"] == 1825
    assert str(counted[0]["start"]).startswith("2021-11-24")  # the 5-year window's first day
    windows = [r["window"] for r in rows if "window" in r]
    assert windows == ["last 10 years", "last 5 years"]


def test_a_turn_record_keeps_steps_citations_and_the_engines_result() -> None:
    record = TurnRecord()
    record.apply(ToolStart("assess_eligibility", {"employment": []}))
    profile_ = {"application_date": "2026-11-22", "qualifications": [], "employment": []}
    run = EligibilityRun(profile_, rules.assess(profile_))
    record.apply(ToolResult("assess_eligibility", run))
    record.apply(Token("partial"))
    record.apply(Notice("fallback", "model failed"))
    assert record.text == ""  # a fallback replaces what the failed model said
    record.apply(Done(answer="final", mode="offline", passages=[_citation(1, "x")]))
    message = record.to_message()
    assert message["content"] == "final" and message["citations"][0]["n"] == 1
    assert record.steps[0].label == "Checking eligibility" and message["steps"][0]["done"]
    assert message["eligibility"]["input"] == profile_
    assert message["eligibility"]["result"]["outcome"] == "does_not_meet"
    again = TurnRecord.from_message(message)  # what a rerun renders from
    assert again.eligibility == run and again.passages == record.passages


def test_a_fallback_notice_repeated_at_the_end_keeps_the_offline_text() -> None:
    record = TurnRecord()
    record.apply(Token("The model said this [1]. "))
    fallback = Notice("fallback", "model failed")
    record.apply(fallback)
    assert record.text == ""
    record.apply(Token("The offline answer [1]."))
    record.apply(fallback)  # offline_turn yields the notices it was given at its end
    assert record.text == "The offline answer [1]." and record.notices == [fallback]


def test_a_run_read_back_from_json_is_the_run_and_the_downloads_are_made_from_it() -> None:
    from skillcheck.ui.eligibility import report_json, report_markdown

    profile_ = {"application_date": "2026-11-22", "qualifications": [], "employment": []}
    run = EligibilityRun(profile_, rules.assess(profile_))
    assert EligibilityRun.from_json(run.to_json()) == run
    assert json.loads(report_json(run)) == {
        "input": profile_,
        "result": run.result.model_dump(mode="json"),
    }
    heading = "DOES NOT MEET the published criteria (application date 2026-11-22)"
    assert heading in report_markdown(run.result)


def test_a_store_of_an_old_layout_is_explained_with_the_command_that_rebuilds_it(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from skillcheck.config import get_settings
    from skillcheck.store import Store
    from skillcheck.ui import resources

    monkeypatch.setenv("SKILLCHECK_HOME", str(tmp_path / "old"))
    get_settings.cache_clear()
    settings = get_settings()
    from skillcheck.indexing import run_ingest

    run_ingest(settings, progress=False)
    store = Store(settings)
    col = store._client.get_collection(store.active_name())
    col.modify(metadata={**(col.metadata or {}), "schema": 0})
    resources.startup.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("hours" in b.label for b in at.button)  # the page is drawn at once
    at.chat_input[0].set_value("How many hours a week?")
    at = at.run()
    assert not at.exception
    page = "\n".join(str(e.value) for e in at.html)
    assert "The sources cannot be opened right now" in page and "layout 0" in page
    assert "skillcheck ingest" in page  # rebuilding is the administrator's command
    assert not any("Rebuild" in b.label for b in at.button)  # not a public button
    resources.startup.clear()


def test_a_cited_source_is_shown_whole_and_an_uncited_one_as_a_one_line_preview() -> None:
    long = "Uncited passage words. " * 20
    cited = _citation(
        1, "The cited sentence.", url="https://example.org/page", captured="2026-11-22"
    )
    other = _citation(2, long, url="javascript:alert(1)", captured=None)
    out = h.sources_html([cited, other], "An answer [1].", "m")
    head, rest = out.split('<details class="sc-source sc-uncited" id="src-m-2"')
    assert 'class="sc-source sc-cited" id="src-m-1"' in head and "<details" not in head
    assert '<a href="https://example.org/page" target="_blank"' in head
    assert "captured 2026-11-22" in head
    assert rest.count("<summary>") == 1 and "not cited" in rest
    preview = rest.split("<summary>")[1].split("</summary>")[0]
    assert len(preview) < 250 and "…" in preview  # one line, cut at a word
    assert 'href="javascript' not in out  # only http(s) addresses are linked
    assert "captured" not in rest.split("</summary>")[1]  # no date given: none shown


def test_merged_list_items_are_each_highlighted() -> None:
    passage = "Duties include:\n• Planning the customer service policy\n• Training the staff well"
    answer = "- Duties include: Planning the customer service policy; Training the staff well [1]"
    (cited,) = with_claim_highlights([_citation(1, passage)], answer)
    marked = [passage[s:e] for s, e in cited.local_highlights()]
    assert "Planning the customer service policy" in marked
    assert "Training the staff well" in marked


def test_the_card_says_where_a_route_3_number_comes_from_and_the_skilled_from_estimate() -> None:
    from skillcheck.ui.eligibility import evidence_html, routes_table, skilled_from_html

    payload = {
        "application_date": "2026-11-22",
        "qualifications": [{"level": "bachelor", "field": "History", "completed": "2015-06-30"}],
        "employment": [
            {
                "start": "2024-11-23",
                "end": None,
                "hours_per_week": 40,
                "paid": True,
                "relevance": "highly_relevant",
            }
        ],
    }
    result = rules.assess(payload)
    assert result.pathway == 3
    evidence = evidence_html(result)
    assert (
        "lost the years" in evidence
        and "https://visaenvoy.com/sol/customer-service-manager" in evidence
    )
    skilled = skilled_from_html(result)
    assert "Skilled employment from (estimate): 2026-11-23" in skilled
    assert "external sources" in routes_table(result).loc[2, "what it needs"]
    no = rules.assess({**payload, "employment": []})
    assert skilled_from_html(no) == "" and evidence_html(no) != ""  # route 3 missed: still said


def test_the_card_numbers_jobs_and_qualifications_from_one_like_its_messages() -> None:
    from skillcheck.ui.eligibility import periods_table

    payload = _example_payload()
    result = rules.assess(payload)
    assert list(periods_table(result)["job"]) == [1]
    chart = timeline_chart(result)
    assert chart is not None
    rows = [r for d in chart.to_dict()["datasets"].values() for r in d]
    labels = {str(r.get("row")) for r in rows if "row" in r}
    assert "Job 1: Customer Experience Manager" in labels
    assert any(label.startswith("Qualification 1: ") for label in labels)
    assert not any(label.startswith(("Job 0", "Qualification 0")) for label in labels)


# --- hostile text in every branch of every renderer of ui/html.py ---------------------------
HOSTILE = '<img src=x onerror=alert(1)> <script>alert(2)</script> "q" & amp'
ESCAPED = (
    "&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(2)&lt;/script&gt; "
    "&quot;q&quot; &amp; amp"
)
HOSTILE_ID = '"><img src=x onerror=alert(1)>'


def _inert(out: str) -> None:
    assert "<img" not in out and "<script" not in out and "onerror=alert(1)>" not in out


def test_a_hostile_paragraph_is_text() -> None:
    out = h.answer_html(f"Intro.\n{HOSTILE}", [], "m")
    _inert(out)
    assert f"<p>Intro.<br>{ESCAPED}</p>" in out


def test_a_hostile_list_item_is_text() -> None:
    out = h.answer_html(f"- {HOSTILE}\n* {HOSTILE}", [], "m")
    _inert(out)
    assert out.count(f"<li>{ESCAPED}</li>") == 2


def test_hostile_bold_and_code_are_text_in_paragraphs_and_items() -> None:
    out = h.answer_html(f"**{HOSTILE}** `{HOSTILE}`\n- **{HOSTILE}** `{HOSTILE}`", [], "m")
    _inert(out)
    assert out.count(f"<strong>{ESCAPED}</strong>") == 2
    assert out.count(f"<code>{ESCAPED}</code>") == 2


def test_a_citation_link_cannot_be_broken_out_of() -> None:
    out = h.answer_html(f"{HOSTILE} [1]\n- item [1]", [_citation(1, "x")], HOSTILE_ID)
    _inert(out)
    assert out.count('<a class="sc-cite" href="#src-imgsrcxonerroralert1-1">[1]</a>') == 2
    assert h.anchor(HOSTILE_ID, 1) == "src-imgsrcxonerroralert1-1"


def test_a_hostile_source_head_passage_and_highlight_are_text() -> None:
    text = f"{HOSTILE} middle {HOSTILE} end {HOSTILE}"
    lo = text.index(" middle ") + len(" middle ")
    c = _citation(
        1,
        text,
        title=HOSTILE,
        publisher=HOSTILE,
        section=HOSTILE,
        latest_release=False,
        highlights=((100 + lo, 100 + lo + len(HOSTILE)),),
    )
    out = h.sources_html([c], "", HOSTILE_ID)
    _inert(out)
    assert 'id="src-imgsrcxonerroralert1-1"' in out
    assert f"<strong>[1] {ESCAPED}</strong>" in out  # title
    assert f"· {ESCAPED} · section “{ESCAPED}”" in out  # publisher, section
    assert (
        f'<div class="sc-passage">{ESCAPED} middle <mark>{ESCAPED}</mark> end {ESCAPED}</div>'
        in (out)
    )


def test_marked_escapes_around_and_inside_every_highlight() -> None:
    out = h.marked(f"{HOSTILE}{HOSTILE}{HOSTILE}", [(len(HOSTILE), 2 * len(HOSTILE))])
    assert out == f"{ESCAPED}<mark>{ESCAPED}</mark>{ESCAPED}"


def test_hostile_notices_are_text() -> None:
    out = h.notices_html([Notice(kind=HOSTILE, text=HOSTILE), Notice("fallback", HOSTILE)])
    _inert(out)
    assert '<div class="sc-notice sc-notice-imgsrcxonerroralertscriptalertscriptqamp">' in out
    assert out.count(f">{ESCAPED}</div>") == 2


def test_hostile_user_text_is_text() -> None:
    out = h.user_html(HOSTILE)
    _inert(out)
    assert out == f'<div class="sc-user">{ESCAPED}</div>'


def test_hostile_list_items_and_class_are_text() -> None:
    out = h.list_html([HOSTILE, HOSTILE], css=HOSTILE)
    _inert(out)
    assert out == f'<ul class="{ESCAPED}"><li>{ESCAPED}</li><li>{ESCAPED}</li></ul>'


def test_the_page_is_usable_while_the_sources_are_prepared(monkeypatch: Any) -> None:
    import threading

    from skillcheck.ui import resources

    release = threading.Event()
    real_run = resources.Startup.run

    def slow_run(self: resources.Startup, settings: Any) -> None:
        self.building = True
        release.wait(30)  # the store is "being built" until the test says so
        real_run(self, settings)

    monkeypatch.setattr(resources.Startup, "run", slow_run)
    resources.startup.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        assert at.chat_input, "the chat box is there before the sources are ready"
        assert any("hours" in b.label for b in at.button)
        bars = at.get("progress")
        assert bars and "Preparing the sources" in str(bars[0].proto.text)
        second = AppTest.from_file(APP, default_timeout=60).run()  # another visitor
        assert not second.exception and second.chat_input
    finally:
        release.set()
        resources.startup.clear()


def test_the_timelines_window_labels_follow_the_theme() -> None:
    from skillcheck.ui.timeline import WINDOW_LABEL

    result = rules.assess(_example_payload())
    for theme in ("light", "dark"):
        chart = timeline_chart(result, theme)
        assert chart is not None
        assert WINDOW_LABEL[theme] in json.dumps(chart.to_dict(), default=str)
