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
    # nothing of the workshop: no rebuild button, no top-k slider, no store details
    assert not any("Rebuild" in label for label in labels)
    assert not at.slider
    page = _html(at)
    assert "Chunks" not in page and "Collection" not in page and "ingested" not in page
    about = next(e for e in at.expander if e.label == "About the sources")
    text = "\n".join(str(h.value) for h in about.get("html"))
    assert "Australian Bureau of Statistics" in text and "VETASSESS" in text
    assert "not the latest ANZSCO release" in text
    assert "The capture date was not recorded." in text  # the seeds record none
    assert "vetassess.com.au" in text  # the official page linked


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
    assert 'class="sc-source' in _html(at)
    assert _html(at).count('class="sc-source') == first.count('class="sc-source')


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


def test_new_chat_keeps_the_old_one_reachable() -> None:
    at = _ask(_app(), "What qualification do I need?")
    old = at.query_params["c"]
    old = old[0] if isinstance(old, list) else old
    at = at.button(key="new_chat").click().run()
    assert at.session_state["messages"] == []
    new = at.query_params["c"]
    assert (new[0] if isinstance(new, list) else new) != old
    at = at.button(key=f"conv-{old}").click().run()
    assert [m["role"] for m in at.session_state["messages"]] == ["user", "assistant"]


def test_the_conversation_survives_a_reload() -> None:
    first = _ask(_app(), "How many hours a week must a job have to count?")
    cid = first.query_params["c"]
    cid = cid[0] if isinstance(cid, list) else cid
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    again.query_params["c"] = cid  # the same URL, a new browser session
    again.run()
    assert not again.exception
    messages = again.session_state["messages"]
    assert [m["content"] for m in messages] == [
        m["content"] for m in first.session_state["messages"]
    ]
    assert 'class="sc-source' in _html(again)


def test_a_made_up_conversation_id_is_a_new_empty_chat() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["c"] = "../../etc/passwd"
    at.run()
    assert not at.exception and at.session_state["messages"] == []
    cid = at.query_params["c"]
    assert (cid[0] if isinstance(cid, list) else cid) != "../../etc/passwd"


def test_an_answer_has_a_copy_button_thumbs_and_clickable_follow_ups() -> None:
    at = _ask(_app(), "How many hours a week must a job have to count?")
    answer = at.session_state["messages"][1]
    assert 'class="sc-copy"' in _html(at) and "20 hours or more per week" in _html(at)
    assert at.get("feedback"), "thumbs up/down under the answer"
    suggestions = [b for b in at.button if (b.key or "").startswith(f"sugg-{answer['id']}")]
    assert 2 <= len(suggestions) <= 3
    assert [b.label for b in suggestions] == answer["suggestions"][: len(suggestions)]
    at = suggestions[0].click().run()
    messages = at.session_state["messages"]
    assert messages[2]["content"] == answer["suggestions"][0] and len(messages) == 4


def test_feedback_is_stored_with_its_turn_and_exported(
    skillcheck_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from skillcheck.cli.main import main

    at = _ask(_app(), "Does part-time work count?")
    answer = at.session_state["messages"][1]
    at.get("feedback")[0].set_value(0).run()  # thumbs down
    at.text_input(key=f"fbc-{answer['id']}").input("Say how many hours exactly").run()
    at = at.button(key=f"fbsend-{answer['id']}").click().run()
    assert not at.exception
    capsys.readouterr()
    assert main(["feedback", "export"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    mine = [e for e in lines if e["message"] == answer["id"]]
    assert len(mine) == 1
    entry = mine[0]
    assert entry["rating"] == "down" and entry["comment"] == "Say how many hours exactly"
    assert entry["question"] == "Does part-time work count?"
    assert entry["answer"] == answer["content"] and entry["sources"]


def test_an_eligibility_question_offline_asks_for_the_form_in_the_chat() -> None:
    at = _ask(_app(), "Am I eligible with a diploma and two years of work?")
    assert not at.exception
    kinds = [(m["role"], m["kind"]) for m in at.session_state["messages"]]
    assert kinds == [("user", "text"), ("assistant", "text"), ("assistant", "form")]
    labels = [w.label for w in at.text_input]
    assert "Qualification 1: title" in labels and "Job 1: title" in labels
    at = _ask(at, "What qualification do I need?")  # a later answer comes after the form
    assert [m["kind"] for m in at.session_state["messages"]][-3:] == ["form", "text", "text"]


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
    assert '<script>alert("x")' not in page and "<img" not in page
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
    assert not at.exception
    form = at.session_state["messages"][-1]
    assert form["kind"] == "form" and form["status"] == "open"
    fid = form["id"]
    (qual,) = at.session_state[f"f-{fid}-quals"]
    (job,) = at.session_state[f"f-{fid}-jobs"]
    assert at.selectbox(key=f"f-{fid}-qual-{qual}-level").value == "bachelor"
    assert "Bachelor of Commerce" in at.text_input(key=f"f-{fid}-qual-{qual}-title").value
    assert at.text_input(key=f"f-{fid}-job-{job}-title").value.lower().startswith("team lead")


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
