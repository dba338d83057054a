"""The outcome rule over a data set: every sentence about the applicant's outcome is replaced.

``data/outcome_sentences.yaml`` holds sentences that speak about the applicant's own
outcome (positive, negative, hedged, conditional, in lists, with and without markers)
and ordinary sentences that must pass. Each is streamed through the release in small
chunks, as the model's tokens are.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from skillcheck.guard import NO_CHECK, about_own_outcome, engine_statement
from skillcheck.outcome_head import OutcomeHead, digest
from skillcheck.release import SentenceRelease

HERE = Path(__file__).parent
DATA: dict[str, Any] = yaml.safe_load(
    (HERE / "data" / "outcome_sentences.yaml").read_text(encoding="utf-8")
)


def _trainer() -> Any:
    """scripts/train_outcome_head.py, which names the tuning sets and made the head."""
    spec = importlib.util.spec_from_file_location(
        "train_outcome_head", HERE.parents[1] / "scripts" / "train_outcome_head.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


TRAINER = _trainer()
#: Each written blind, measured once, then tuned on (see its header).
LATER: dict[str, dict[str, Any]] = {
    path.stem.removeprefix("outcome_sentences_"): yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in TRAINER.tuning_paths()[1:]
}
SUMMARY = "The profile does not meet the published criteria for Customer Service Manager (149212)."


def _released(text: str, engine: tuple[str, str] | None, asked: bool = False) -> str:
    release = SentenceRelease(
        secret=None, instructions="Never decide yourself.", engine=lambda: engine, asked=asked
    )
    out = [release.feed(text[i : i + 5]) for i in range(0, len(text), 5)]
    return "".join(out) + release.flush()


def _through(sentences: list[str], asked: bool = False) -> list[str]:
    """The outcome sentences that went out unreplaced, with or without an engine run."""
    missed = []
    for sentence in sentences:
        for engine, statement in (
            ((("does_not_meet", SUMMARY)), engine_statement(SUMMARY)),
            (
                None,
                NO_CHECK,
            ),
        ):
            out = _released(sentence, engine, asked)
            if sentence.strip() in out or statement.rstrip(".") not in out:
                missed.append(f"{sentence!r} -> {out!r}")
    return missed


def _changed(sentences: list[str], asked: bool = False) -> list[str]:
    """The ordinary sentences the rule changed (false positives)."""
    return [
        s
        for s in sentences
        if _released(s, ("does_not_meet", SUMMARY), asked) != s or _released(s, None, asked) != s
    ]


def test_the_sets_are_big_enough() -> None:
    assert len(DATA["outcome"]) >= 100 and len(DATA["ordinary"]) >= 40


def test_no_outcome_sentence_gets_through() -> None:
    missed = _through(DATA["outcome"]) + _through(DATA["asked"]["outcome"], asked=True)
    print(f"\noutcome sentences: {len(DATA['outcome'])}, got through: {len(missed)}")
    assert missed == []


def test_ordinary_sentences_pass_untouched() -> None:
    changed = _changed(DATA["ordinary"]) + _changed(DATA["asked"]["ordinary"], asked=True)
    print(f"\nordinary sentences: {len(DATA['ordinary'])}, false positives: {len(changed)}")
    assert changed == []


def test_the_tuning_sets_are_found() -> None:
    assert len(LATER) >= 10  # tuning3 to tuning14: a glob that finds none would test none


@pytest.mark.parametrize("name", sorted(LATER))
def test_the_later_tuning_sets_hold(name: str) -> None:
    data = LATER[name]
    assert _through(data["outcome"]) == [] and _changed(data["ordinary"]) == []


@pytest.mark.parametrize(
    "sentence",
    ["You're set.", "You have a good shot at this.", "Your background gets you there."],
)
def test_the_learned_head_catches_verdicts_without_verdict_words(sentence: str) -> None:
    assert not about_own_outcome(sentence, learned=None)  # the patterns alone miss it
    assert about_own_outcome(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Your current job started in January 2019.",
        "Tell me when your diploma was completed.",
        "Would you like me to run the check?",
        "You need paid employment; unpaid work is not counted [1].",
    ],
)
def test_the_gate_keeps_facts_requests_and_rules_from_the_head(sentence: str) -> None:
    assert not about_own_outcome(sentence, learned=lambda _s: True)


def test_the_head_was_trained_on_the_sentences_in_the_repo() -> None:
    outcome, ordinary = TRAINER.training_sentences()
    assert OutcomeHead.load().digest == digest(outcome, ordinary), (
        "the tuning sentences changed: run scripts/train_outcome_head.py"
    )


def test_a_bare_yes_is_an_outcome_only_when_the_outcome_was_asked() -> None:
    assert about_own_outcome("Yes.", asked=True) and not about_own_outcome("Yes.")


def test_a_list_keeps_its_bullet_and_its_other_items() -> None:
    text = "The check ran.\n- You meet route 1 [1].\n- A job counts at 20 hours a week [2].\n"
    out = _released(text, ("does_not_meet", SUMMARY))
    assert out == (
        f"The check ran.\n- {engine_statement(SUMMARY)[:-1]} [1].\n"
        "- A job counts at 20 hours a week [2].\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Once again, you meet the criteria. You have met all the criteria [1].",
        "Yes. Eligible via route 1",
        "You qualify!\n\nYou meet route 1.\n- You are eligible.",
    ],
)
def test_the_engine_statement_is_said_once(text: str) -> None:
    out = _released(text, ("does_not_meet", SUMMARY))
    assert out.count("The eligibility check found") == 1
    assert "meet the criteria" not in out and "eligible" not in out.replace("eligibility", "")
