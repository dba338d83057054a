"""What the model's text claims about the asker's eligibility, and the engine's correction.

The engine decides; the model only reports. These checks read the model's answer for
a determination (``you meet the criteria``, ``you are not eligible``...) and compare
it with the engine's outcome, so a contradiction is corrected visibly, and a
determination made without the engine is withdrawn.
"""

from __future__ import annotations

import re

from skillcheck.rules.outcomes import OUTCOME_LABELS, Outcome

_SUBJECT = r"(?:you|you'?re|you are|your (?:profile|application|experience)|the applicant)"
_NEGATIVE = re.compile(
    rf"\b{_SUBJECT}\s+(?:(?:do|does|would|will|did|could)\s*(?:not|n't)|don'?t|doesn'?t|"
    r"won'?t|wouldn'?t|are not|aren'?t|is not|isn'?t|'re not|cannot|can'?t)\s+"
    r"(?:yet\s+)?(?:be\s+)?(?:meet|eligible|qualify|satisfy|pass)"
    rf"|\b{_SUBJECT}\s+(?:\w+\s+)?ineligible\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    rf"\b{_SUBJECT}\s+(?:(?:do|does|would|will|should|certainly|clearly|definitely)\s+)?"
    r"(?:meets?|qualify|qualifies|satisfy|satisfies|pass|are eligible|'re eligible|"
    r"is eligible|am eligible)\b"
    r"|\byou(?: are|'re|re) (?:fully |definitely |clearly |now )?eligible\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(
    r"\b(?:if|whether|once|unless|to|when|until|before|how|must|need to|needs to)\s+\S*\s*$",
    re.IGNORECASE,
)


def _claims(pattern: re.Pattern[str], text: str) -> bool:
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 24) : match.start()]
        if not _CONDITIONAL.search(before):
            return True
    return False


def stated_outcome(text: str) -> Outcome | None:
    """The determination the text states about the asker, or None if it states none."""
    text = text.replace("\u2019", "'")
    if _claims(_NEGATIVE, text):
        return "does_not_meet"
    if _claims(_POSITIVE, text):
        return "meets_criteria"
    return None


def correction(engine_outcome: str, stated: Outcome | None) -> str | None:
    """The correction to show when the text contradicts the engine, else None."""
    if stated is None or stated == engine_outcome:
        return None
    label = OUTCOME_LABELS.get(engine_outcome, engine_outcome)
    return (
        f"Correction: the eligibility check found that this profile {label} "
        f"(outcome: {engine_outcome}). Where the answer says otherwise it is wrong; "
        "the check's result stands."
    )


NO_DETERMINATION = (
    "Correction: no eligibility check was run for this answer, so it cannot say whether "
    "you meet the criteria. Give your qualifications and jobs (or use the eligibility "
    "form, or `skillcheck assess`) and the check will decide."
)


def leaks(answer: str, secret_text: str, words: int = 8) -> bool:
    """True when ``answer`` repeats any run of ``words`` words of ``secret_text``."""
    norm = re.compile(r"[a-z0-9']+")
    src = norm.findall(secret_text.lower())
    grams = {tuple(src[i : i + words]) for i in range(len(src) - words + 1)}
    out = norm.findall(answer.lower())
    return any(tuple(out[i : i + words]) in grams for i in range(len(out) - words + 1))
