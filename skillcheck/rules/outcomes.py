"""The three outcomes of an assessment and every label they are shown with (one place)."""

from __future__ import annotations

from typing import Literal

Outcome = Literal["meets_criteria", "does_not_meet", "needs_more_information"]
OUTCOMES: tuple[Outcome, ...] = ("meets_criteria", "does_not_meet", "needs_more_information")

#: In a sentence: "the check found that this profile <label>".
OUTCOME_LABELS: dict[str, str] = {
    "meets_criteria": "meets the published criteria",
    "does_not_meet": "does not meet the published criteria",
    "needs_more_information": "needs more information before it can say",
}
#: As a title (the app's badge).
OUTCOME_TITLES: dict[str, str] = {
    "meets_criteria": "Meets the published criteria",
    "does_not_meet": "Does not meet the published criteria",
    "needs_more_information": "Needs more information",
}
#: As the first line of a report, the verb in capitals.
OUTCOME_HEADINGS: dict[str, str] = {
    "meets_criteria": "MEETS the published criteria",
    "does_not_meet": "DOES NOT MEET the published criteria",
    "needs_more_information": "NEEDS MORE INFORMATION",
}
