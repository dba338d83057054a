"""What kind of question this is: off topic, a manipulation attempt, the asker's own
eligibility, or an ordinary question about the criteria; and whether it carries facts.

Rule-based and precise rather than greedy: a pattern must name the thing ("ignore
your instructions", "tell me I am eligible"), so "What happens if I ignore the 20
hour rule?" is an ordinary question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["question", "eligibility", "off_topic", "manipulation"]

_I = re.IGNORECASE
_MANIPULATION = [
    re.compile(p, _I)
    for p in (
        r"\b(ignore|disregard|forget|override|bypass)\b.{0,30}\b(instructions?|prompts?|"
        r"guidelines|system( message)?|(your|the|all|previous|above) (rules|criteria))\b",
        r"\b(show|reveal|print|repeat|tell me|what (is|are)|give me|display|leak)\b.{0,20}"
        r"\byour\b.{0,15}\b(system (prompt|message)|prompt|instructions|hidden rules)\b",
        r"\b(show|reveal|print|repeat|display|leak)\b.{0,20}\bthe\b.{0,10}"
        r"\b(system (prompt|message)|prompt|hidden (rules|instructions))\b",
        r"\bsystem prompt\b",
        r"\b(instructions|prompt|rules)\b.{0,10}\byou (were|have been|got) (given|told)\b",
        r"\b(tell|say|declare|confirm|state|write|certify|pretend)\b.{0,25}\b(that )?"
        r"(i'?m|i am|me)\b.{0,10}\b(eligible|approved|qualif(y|ied)|positive|pass(ed)?)\b"
        r"(?! or not)",
        r"\b(declare|mark|make|call)\s+me\s+(as\s+)?(eligible|approved|qualified|positive)\b",
        r"\bjust say (yes|i'?m eligible|i am eligible)\b(?! or no)",
        r"\b(you are now|pretend (to be|you are)|jailbreak|developer mode|\bDAN\b)",
    )
]
#: Near misses that look like manipulation but ask a real question.
_NOT_MANIPULATION = re.compile(
    r"\b(tell me|say) (if|whether)\b|\bwhat happens if i ignore\b|\bam i eligible\b", _I
)

_DOMAIN = re.compile(
    r"vetassess|anzsco|14921[12]|1492\b|assess|customer|client|service|manager|managing|"
    r"supervis|team ?lead|qualif|degree|diploma|bachelor|master|mba|phd|cert(ificate)?\b|"
    r"\bcert ?(iv|4)\b|experience|employ|work|job|role|position|title|hours?|part[- ]?time|"
    r"full[- ]?time|casual|unpaid|volunt|paid|salary|visa|migrat|skills?|occupation|apply|"
    r"application|document|chart|statutory|declaration|eligib|criteria|routes?|pathway|"
    r"group c|code|years?|field|major|study|studied|graduat|retail|operations|ops|"
    r"call cent|contact cent|bpo|fees?|cost|processing|priority|fast[- ]?track|support|"
    r"overseas|self[- ]?employ|business|tasks?|duties|standards|org chart|relevan|aqf|nzqf|"
    r"level|complain|refund|protocol|letterhead|chart|subordinat|superior|organi[sz]ation|"
    r"lodge|submit|unit group|dedicated|store|shop|counter|degree|major|graduat|employer|"
    r"demonstrat|knowledge|outcome|positive",
    _I,
)
#: Things the two pages plainly do not cover, even when domain words appear.
_OFF_TOPIC = re.compile(
    r"\bweather\b|\brecipe|\bcook(ing)?\b|\bfootball|\bcricket\b|\bjoke\b|\bpoem\b|"
    r"\bstock (price|market)|\bbitcoin|\bmovie|\bsong\b|"
    r"\b(software engineer|developer|accountant|nurse|chef|electrician|teacher|"
    r"mechanic|engineers australia|\bACS\b|ANMAC|TRA\b)\b|"
    r"\b(ielts|pte|toefl|english test|points test|points? (for|in) (the )?(189|190|491)|"
    r"\b(189|190|491|482|186) visa|visa (fees?|processing)|state nomination|"
    r"invitation round|expression of interest|\bEOI\b|mltssl|stsol|\bcsol\b|skilled occupation "
    r"list|in[- ]demand)",
    _I,
)
_OWN_CASE = re.compile(
    r"\bam i eligible\b|\bwill i (pass|get|be|qualify|succeed)\b|\bdo i (qualify|meet|pass|"
    r"have a chance)\b|\bcan i (get|be) (assessed|a positive|positive|approved)\b|"
    r"\bmy chances\b|\bwould i (pass|qualify|be eligible|get)\b|\bam i able to\b|"
    r"\b(check|assess) my (eligibility|profile|case)\b|\bis my (profile|case)\b|"
    r"\bcan i apply\b|\bdo i stand\b|\bi('m| am) (eligible|qualified)\?|"
    r"\b(if|whether) (i'?m|i am) (eligible|qualified)\b|\beligible\?|\bdo i meet\b",
    _I,
)
_FACT_HINT = re.compile(
    r"\b(i have|i've|i hold|i did|i got|i completed|i finished|i studied|my (degree|diploma|"
    r"bachelor|masters?|mba|qualification|job|role|title)|i work(ed)?|i'?m (a|an|working)|"
    r"i am (a|an|working)|i manage|i managed|i've been|i was|since (\w+ )?(19|20)\d\d|"
    r"\d+\s*(years?|yrs?|months?)\b.{0,30}\b(as|managing|working|experience)|"
    r"\b(bachelor|diploma|master'?s?|mba|degree|ba|bcom|bba)\b.{0,50}\b(19|20)\d\d\b)",
    _I,
)


#: With facts stated, these ask for the asker's outcome ("...since 2020. Enough?").
_OUTCOME_WORDS = re.compile(
    r"\b(enough|ok|okay|good enough|sufficient|eligible|qualify|meet (it|the criteria)|"
    r"pass|chances?|any chance|will (it|that) work|does (it|that) work|is that (fine|ok))\b",
    _I,
)


@dataclass(frozen=True)
class Intent:
    """The question's kind; ``has_facts`` when it states facts about the asker."""

    kind: Kind
    has_facts: bool
    reason: str
    asks_outcome: bool = False  # "am I eligible?", "enough?": asks for the asker's own outcome


def is_manipulation(question: str) -> bool:
    """A request to declare eligibility, drop the rules or reveal the instructions."""
    if _NOT_MANIPULATION.search(question) and not re.search(
        r"\b(ignore|disregard|forget)\b.{0,30}\b(instructions?|prompts?|system)\b", question, _I
    ):
        return False
    return any(p.search(question) for p in _MANIPULATION)


def classify(question: str) -> Intent:
    """Classify a question (no model; deterministic)."""
    text = question.strip()
    has_facts = bool(_FACT_HINT.search(text))
    if is_manipulation(text):
        return Intent("manipulation", has_facts, "asks to declare, override or reveal")
    off = _OFF_TOPIC.search(text)
    if off is not None:
        return Intent("off_topic", has_facts, f"not covered by the pages: {off.group(0)!r}")
    if not _DOMAIN.search(text):
        return Intent("off_topic", has_facts, "no word of the occupation or its assessment")
    asks = bool(_OWN_CASE.search(text)) or (has_facts and bool(_OUTCOME_WORDS.search(text)))
    if asks or has_facts:
        return Intent("eligibility", has_facts, "asks about the asker's own case", asks)
    return Intent("question", has_facts, "a question about the criteria")
