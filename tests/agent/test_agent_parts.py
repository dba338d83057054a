"""The agent's parts on their own: the marker filter, the outcome reader, prompts, follow-ups."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillcheck.guard import correction, leaks, stated_outcome
from skillcheck.history import Message, clean_history, joined_question, looks_like_follow_up
from skillcheck.passages import MarkerFilter
from skillcheck.paths import PROMPTS_DIR
from skillcheck.prompts import PromptError, load_prompt

ANSWER = "Hours count [1]. Titles [2, 7] matter [9]; lists [a] and [ 3 ] stay. End ["


def _filtered(text: str, cuts: list[int]) -> tuple[str, MarkerFilter]:
    f = MarkerFilter({1, 2, 3})
    pieces, last = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(f.feed(text[last:cut]))
        last = cut
    pieces.append(f.feed(text[last:]))
    pieces.append(f.flush())
    return "".join(pieces), f


def test_the_filter_keeps_allowed_markers_and_removes_the_others() -> None:
    out, f = _filtered(ANSWER, [])
    assert out == "Hours count [1]. Titles [2] matter ; lists [a] and [3] stay. End ["
    assert f.removed == [7, 9] and f.kept == {1, 2, 3}


@given(st.lists(st.integers(min_value=0, max_value=len(ANSWER)), max_size=12))
def test_the_filter_gives_the_same_text_however_the_stream_is_cut(cuts: list[int]) -> None:
    assert _filtered(ANSWER, cuts)[0] == _filtered(ANSWER, [])[0]


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("You meet the criteria [1].", "meets_criteria"),
        ("You’re eligible.", "meets_criteria"),
        ("Great news: you qualify for a positive assessment.", "meets_criteria"),
        ("You do not meet the criteria.", "does_not_meet"),
        ("Your profile does not meet the published criteria.", "does_not_meet"),
        ("You are ineligible.", "does_not_meet"),
        ("If you meet the criteria, apply online [2].", None),
        ("To meet the criteria you need a diploma [1].", None),
        ("Whether you qualify is decided by the check.", None),
        ("A job under 20 hours does not meet the rule [1].", None),
    ],
)
def test_the_stated_outcome_is_read_from_the_text(text: str, outcome: str | None) -> None:
    assert stated_outcome(text) == outcome


def test_a_correction_only_when_text_and_engine_disagree() -> None:
    assert correction("does_not_meet", "does_not_meet") is None
    assert correction("does_not_meet", None) is None
    fix = correction("needs_more_information", "meets_criteria")
    assert fix is not None and "needs more information" in fix


def test_leaks_finds_eight_words_of_the_prompt() -> None:
    prompt = "Never decide yourself whether a person meets the criteria or is eligible."
    assert leaks("ok: never decide yourself whether a person meets the criteria!", prompt)
    assert not leaks("A person meets the criteria through route 1 [1].", prompt)


def test_prompts_load_by_name_with_their_version(tmp_path: Path) -> None:
    system = load_prompt("system", PROMPTS_DIR)
    assert system.version >= 1 and "149212" in system.text and "[1]" in system.text
    assert "{question}" in load_prompt("followup", PROMPTS_DIR).text
    (tmp_path / "bad.txt").write_text("no version line\nhello\n")
    with pytest.raises(PromptError, match="version: N"):
        load_prompt("bad", tmp_path)
    with pytest.raises(PromptError, match="cannot read"):
        load_prompt("missing", tmp_path)
    with pytest.raises(PromptError, match="lower-case"):
        load_prompt("../system", tmp_path)


def test_follow_ups_are_recognised_and_joined_offline() -> None:
    history = clean_history(
        [
            {"role": "user", "content": "What qualification do I need?"},
            {"role": "tool", "content": "x"},
            {"role": "assistant", "content": 3},
        ]
    )
    assert history == [Message("user", "What qualification do I need?")]
    assert looks_like_follow_up("And a certificate IV?", history)
    assert not looks_like_follow_up("And a certificate IV?", [])
    long_q = "Which listed tasks must a customer service manager perform in a dedicated role"
    assert joined_question(long_q, history) == long_q
    assert joined_question("What about a master?", history).startswith("What qualification")
