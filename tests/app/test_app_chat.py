"""The chat in ``app.py``, driven with Streamlit's AppTest (no browser, no model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from skillcheck.events import Citations, Done, Event, Notice, Token, ToolResult, ToolStart
from skillcheck.passages import Passage

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run()


def _html(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.html)


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def test_empty_chat_offers_example_questions_and_the_offline_mode() -> None:
    at = _app()
    assert not at.exception
    labels = [b.label for b in at.button]
    assert any("hours" in label for label in labels)
    assert "Check my eligibility" in labels
    assert "Mode:</strong> offline" in _html(at)
    assert "Chunks: " in _html(at)  # the store was built on first start


def test_a_question_gets_an_answer_with_numbered_sources() -> None:
    at = _ask(_app(), "How many hours a week must a job have to count?")
    assert not at.exception
    messages = at.session_state["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    answer = messages[1]
    assert "20 hours or more per week" in answer["content"]
    assert answer["citations"] and answer["steps"][0]["name"] == "search_sources"
    page = _html(at)
    mid = answer["id"]
    assert f'href="#src-{mid}-1"' in page  # the [1] marker links to source 1
    assert f'id="src-{mid}-1"' in page
    assert "<mark>" in page  # the cited sentence is highlighted in its passage
    assert "VETASSESS" in page
    statuses = [s.label for s in at.status] if hasattr(at, "status") else []
    assert statuses == [] or "Searching the sources" in statuses


def test_history_is_rendered_again_after_a_rerun() -> None:
    at = _ask(_app(), "What qualification do I need?")
    first = _html(at)
    at.run()
    assert 'class="sc-source"' in _html(at)
    assert _html(at).count('class="sc-source"') == first.count('class="sc-source"')


def test_an_example_question_is_asked_when_clicked() -> None:
    at = _app()
    button = next(b for b in at.button if "hours" in b.label)
    at = button.click().run()
    assert len(at.session_state["messages"]) == 2


def test_the_anzsco_source_carries_its_not_latest_release_note() -> None:
    at = _ask(_app(), "Can experience substitute for the formal qualification in ANZSCO?")
    cites = at.session_state["messages"][1]["citations"]
    assert any(not c["latest_release"] for c in cites)
    assert "not the latest ANZSCO release" in _html(at)


def test_clear_chat_empties_the_history() -> None:
    at = _ask(_app(), "What qualification do I need?")
    at = next(b for b in at.button if b.label == "Clear the chat").click().run()
    assert at.session_state["messages"] == []


def test_top_k_is_a_session_setting() -> None:
    at = _app()
    at.slider(key="top_k").set_value(2).run()
    at = _ask(at, "What qualification do I need?")
    search = at.session_state["messages"][1]["steps"][0]
    assert search["name"] == "search_sources" and search["args"]["k"] == 2


def test_an_eligibility_question_offline_opens_the_form() -> None:
    at = _ask(_app(), "Am I eligible with a diploma and two years of work?")
    assert not at.exception
    assert at.session_state["form_open"] is True
    assert len(at.data_editor) == 2  # qualifications and jobs


def test_two_sessions_do_not_share_a_conversation() -> None:
    one, two = _app(), _app()
    _ask(one, "What qualification do I need?")
    two.run()
    assert len(one.session_state["messages"]) == 2
    assert two.session_state["messages"] == []


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>[click](javascript:alert(2))'


def _hostile_turn(*args: Any, **kwargs: Any) -> Iterator[Event]:
    citation = Passage(
        n=1,
        chunk_id="c1",
        source="vetassess-149212",
        title=f"Title {HOSTILE}",
        publisher=f"Pub {HOSTILE}",
        latest_release=False,
        section=f"Section {HOSTILE}",
        text=f"A passage. {HOSTILE} The cited sentence is here.",
        start=0,
        end=10,
        highlights=((0, 10),),
    )
    yield ToolStart("search_sources", {"query": HOSTILE, "k": 1})
    yield ToolResult("search_sources", [citation])
    answer = f"From the sources:\n- {HOSTILE} The cited sentence is here. [1]"
    yield Token(answer)
    yield Notice("offline", f"notice {HOSTILE}")
    yield Citations([citation])
    yield Done(answer=answer, mode="offline", passages=[citation])


def test_corpus_and_user_text_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skillcheck.assistant.offline_turn", _hostile_turn)
    at = _ask(_app(), HOSTILE)
    assert not at.exception
    page = _html(at)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript' not in page
    for markdown in at.markdown:  # nothing hostile went through a Markdown element
        assert "alert" not in str(markdown.value)


def test_a_failing_model_shows_a_notice_and_the_offline_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skillcheck.config import get_settings
    from skillcheck.ui import resources
    from tests.agent.fakes import FailingModel, scripted_assistant

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    get_settings.cache_clear()
    model = FailingModel(responses=[], text="half an answer from a model that then")
    monkeypatch.setattr(resources, "get_assistant", scripted_assistant(model))
    at = _ask(_app(), "How many hours a week must a job have to count?")
    assert not at.exception
    answer = at.session_state["messages"][1]
    assert "half an answer" not in answer["content"]
    assert "20 hours or more per week" in answer["content"]
    assert any(n["kind"] == "fallback" for n in answer["notices"])
    assert "could not answer: unexpected error (RuntimeError)." in _html(at)


def test_what_the_chat_understood_arrives_in_the_form() -> None:
    at = _ask(_app(), "Am I eligible? I have a Bachelor of Commerce and work as a team leader.")
    assert not at.exception and at.session_state["form_open"] is True
    base = at.session_state["form_base"]
    assert list(base["quals"]["level"]) == ["bachelor"]
    assert "Bachelor of Commerce" in base["quals"]["title"].iloc[0]
    assert base["jobs"]["title"].iloc[0].lower().startswith("team lead")


def test_a_bad_setting_is_one_line_on_the_page_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from skillcheck.config import get_settings

    monkeypatch.setenv("SKILLCHECK_TOP_K", "0")
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    get_settings.cache_clear()
    assert not at.exception
    page = "\n".join(str(e.value) for e in at.html)
    assert "SKILLCHECK_TOP_K=0" in page and "Traceback" not in page
