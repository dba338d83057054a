"""Read an applicant's facts from chat text into a draft profile for the rules engine.

``read_facts(text, today)`` finds qualifications (level, field, completion) and jobs
(title, dates or duration, current or past, hours, paid, duties) with regular
expressions, no model. The draft says back what it understood, lists every
assumption (always the conservative reading: a year with no month counts the least
time it could), and asks for exactly the facts the engine needs that are absent.
``apply_followup(draft, text, today)`` reads a follow-up ("what if my degree was in marketing?",
"and if I worked 15 hours a week?") and changes the draft.
"""

from __future__ import annotations

from skillcheck.facts.draft import DraftProfile, read_facts
from skillcheck.facts.followup import apply_followup
from skillcheck.facts.model import JobFact, QualFact, When

__all__ = ["DraftProfile", "JobFact", "QualFact", "When", "apply_followup", "read_facts"]
