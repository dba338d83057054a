"""Saved conversations and feedback (``skillcheck.conversations``) and ``feedback export``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skillcheck.cli.main import main
from skillcheck.conversations import (
    Conversation,
    ConversationStore,
    new_conversation_id,
    title_of,
    turn_for_feedback,
    valid_id,
)

QUESTION = {"id": "aaaaaaaaaa", "role": "user", "kind": "text", "content": "Does part-time count?"}
ANSWER = {
    "id": "bbbbbbbbbb",
    "role": "assistant",
    "kind": "text",
    "content": "Only 20 hours or more per week [1].",
    "citations": [{"n": 1, "source": "vetassess-149212", "title": "T", "text": "x", "url": None}],
    "eligibility": None,
    "mode": "offline",
}


def test_a_conversation_is_saved_and_read_back(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    cid = new_conversation_id()
    store.save(Conversation(cid, [QUESTION, ANSWER]))
    back = store.load(cid)
    assert back is not None and back.messages == [QUESTION, ANSWER]
    assert back.title == "Does part-time count?"
    assert [s.id for s in store.list()] == [cid]
    assert not list((tmp_path / "conversations").glob(".tmp-*"))  # nothing half-written left


def test_an_empty_conversation_is_not_stored(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    store.save(Conversation(new_conversation_id(), []))
    assert store.list() == []


@pytest.mark.parametrize("bad", ["", "../x", "ABCDEF0123456789", "0123", "0" * 17, None, 5])
def test_an_id_that_is_not_ours_names_no_file(tmp_path: Path, bad: object) -> None:
    assert not valid_id(bad)
    assert ConversationStore(tmp_path).load(bad) is None  # type: ignore[arg-type]


def test_a_corrupt_file_is_no_conversation(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    cid = new_conversation_id()
    (tmp_path / "conversations").mkdir()
    (tmp_path / "conversations" / f"{cid}.json").write_text("{not json")
    assert store.load(cid) is None


def test_the_oldest_go_first_past_the_count_and_the_age(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path, keep=3, keep_days=10)
    ids = [new_conversation_id() for _ in range(5)]
    for i, cid in enumerate(ids):
        store.save(Conversation(cid, [QUESTION]), now=1_000_000 + i)
    assert {s.id for s in store.list()} == set(ids[2:])  # the two oldest dropped
    store.save(Conversation(ids[4], [QUESTION]), now=1_000_000 + 11 * 86400)
    assert [s.id for s in store.list()] == [ids[4]]  # the others are older than 10 days


def test_titles_are_the_first_question_cut_short() -> None:
    long = {"role": "user", "content": "word " * 40}
    assert title_of([long]).endswith("…") and len(title_of([long])) == 60
    assert title_of([{"role": "assistant", "kind": "form"}]) == "Eligibility check"
    assert title_of([]) == "New chat"


def test_feedback_keeps_the_turn_and_is_replaced_not_duplicated(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    cid = new_conversation_id()
    turn = turn_for_feedback([QUESTION, ANSWER], ANSWER["id"])
    store.save_feedback(cid, turn, "up", now=1.0)
    store.save_feedback(cid, turn, "down", "  too vague  ", now=2.0)
    (entry,) = list(store.feedback())
    assert entry["rating"] == "down" and entry["comment"] == "too vague"
    assert entry["question"] == QUESTION["content"] and entry["answer"] == ANSWER["content"]
    assert entry["sources"][0]["source"] == "vetassess-149212"
    with pytest.raises(ValueError):
        store.save_feedback(cid, turn, "meh")


def test_feedback_is_kept_up_to_its_limit(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path, keep_feedback=2)
    for i in range(4):
        cid = new_conversation_id()
        store.save_feedback(cid, turn_for_feedback([QUESTION, ANSWER], ANSWER["id"]), "up")
        assert len(list(store.feedback())) == min(i + 1, 2)


def test_feedback_export_writes_json_lines_and_filters_by_rating(
    skillcheck_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ConversationStore(skillcheck_home)
    turn = turn_for_feedback([QUESTION, ANSWER], ANSWER["id"])
    up, down = new_conversation_id(), new_conversation_id()
    store.save_feedback(up, turn, "up")
    store.save_feedback(down, turn, "down", "missing the hours")
    out = tmp_path / "feedback.jsonl"
    assert main(["feedback", "export", "--rating", "down", "--output", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["conversation"] for e in lines if e["conversation"] in (up, down)] == [down]
    assert "exported" in capsys.readouterr().err


def test_feedback_export_to_a_missing_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["feedback", "export", "--output", str(tmp_path / "nope" / "f.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
