"""What the model's text says about the asker's own outcome, and what replaces it.

The engine decides; the model only reports. The rule is by topic, not by polarity: a
sentence that speaks about the applicant's own outcome (meeting, satisfying, passing,
qualifying, being eligible or assessed positively, getting a positive or negative
outcome; positive, negative, hedged or conditional) is replaced by the engine's own
statement (:func:`engine_statement`), or, when the engine did not run, by
:data:`NO_CHECK`. Sentences about the criteria in general ("Applicants meet route 1
with...", "A Diploma meets the qualification level") are not about the applicant and
pass. The applicant is "you", or the client a migration agent asks about ("my client",
"she"); verdicts without a subject count too ("Criteria met.", "36 months counted of 24
needed", a table cell "Not met", a ticked task-list item).
:func:`about_own_outcome` reads one sentence; :mod:`skillcheck.release` splits
the stream into sentences and applies it before anything is shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from skillcheck.rules.outcomes import OUTCOME_LABELS, Outcome

NO_CHECK = (
    "The eligibility check decides this: give your qualifications and jobs, or use the "
    "form in the app or `skillcheck assess`."
)


def engine_statement(summary: str) -> str:
    """The sentence that stands in for the model's words about the outcome."""
    return f"The eligibility check found: {summary.strip()}"


# --- the vocabulary --------------------------------------------------------------------

# Who the sentence is about: the asker ("you", "your diploma", "this profile").
# A migration agent asks about a client: "my client", "she", "he" are the asker's case
# too (applicants in general are plural or "an applicant").
_WHO = re.compile(
    r"\b(?:you|you'?re|youre|you'?ve|you'?d|you'?ll|your|yours|yourself|"
    r"(?:this|the) (?:profile|applicant)|(?:this|the) application(?! (?:date|process|form|fee|"
    r"portal|stage|deadline|lodgement))|in your case|"
    r"(?:my|your|the|this|our) (?:client|candidate)(?:'s)?|he|she|he'?s|she'?s|him|his|her|hers|"
    r"(?:the|this|that|neither|either|both|our|my|your) (?:principal |primary |main |"
    r"secondary |first |second |other )?(?:applicant|candidate|client|gentleman|lady)s?|"
    r"(?:applicant|client|candidate) (?:(?:no\.? ?|number )?#?\d+|[a-z])|ur|u|"
    r"(?:neither|either|both|none|all|each|one) of (?:them|the two|the three)|"
    r"(?:all|both|the) (?:two|three|four|five|six|seven|eight) (?:clients|applicants|candidates|"
    r"cases)|"
    r"(?:the|your|my|her|his|their) (?:husband|wife|partner|spouse|son|daughter|brother|sister|"
    r"couple)(?:'s)?|"
    r"(?:none|neither|both|all|each|one|two|three|four) of (?:the|my|your|our) (?:\w+ )?"
    r"(?:clients|applicants|candidates)|^(?:applicant|client)(?='s| (?:meets|does|is|has|qualifies|"
    r"satisfies|fails|falls|would|will))|"
    r"they|"
    r"they'?re|they'?ve|their|(?:mr|mrs|ms|miss|mx|dr)\.? [a-z][a-z'-]+|"
    r"(?:on|given|with) (?:these|those|your|the current) (?:facts|details|numbers|dates))\b"
)
# The outcome words. Base forms ("meet", "qualify") are separate: at the start of a
# sentence they are imperatives ("Meet the qualification requirement: ...").
_TERM = (
    r"(?:meets?|met|meeting|satisf(?:y|ies|ied|ying)|fulfil+(?:s|ed|ing)?|"
    r"qualif(?:y|ies|ied|ying)|pass(?:es|ed|ing)?|eligible|ineligible|"
    r"succeed(?:s|ed)?|fail(?:s|ed|ing)?|falls? short|fell short|"
    r"(?:be |get |been )?(?:approved|rejected|refused)|make the cut|clear the bar|"
    r"ticks? (?:all |every |each |none of |any of |some of |one of |both )?(?:the |both )?"
    r"box(?:es)?|"
    r"(?:outcome|assessment|result|decision|application) (?:is|will be|would be|should be|"
    r"looks|seems|may be|might be|could be|comes? back|would come back|will come back|"
    r"is likely to be|is going to be)(?: \w+)? (?:positive|negative|favou?rable|"
    r"unfavou?rable|successful|unsuccessful|approved|rejected)|"
    r"(?:good|strong|high|low|slim|poor) chances?|"
    r"chances? (?:are|is|look)|(?:strong|good|ideal) (?:candidate|case)|"
    r"eligibility (?:is|looks|seems|appears|has been|was|will be|would be)|"
    r"(?:positive|negative|successful|unsuccessful|favou?rable|unfavou?rable|good|bad)"
    r"(?: \w+)? (?:skills )?(?:assessment|outcome|result|decision|determination)|"
    r"assessed (?:as )?(?:positively|negatively|favou?rably|suitable|unsuitable)|"
    r"in the clear|good to go|on track|"
    r"(?:is|are|'s|was|were|comes? up|came up|remains?|still|ur) (?:still |just |only |like )?"
    r"short\b|"
    r"(?:can|can't|cannot|will|won't|would|wouldn't|is|isn't|are|aren't)(?: not)? (?:be )?"
    r"counted\b(?! (?:back|from|forward|up|until|to|in|as|only|at|on))|"
    r"assess(?:es)? (?:you|him|her|them|your client) (?:as )?(?:positively|negatively|"
    r"favou?rably|suitable|unsuitable)|"
    r"(?:can|can't|cannot|could|couldn't|will|won't|would|wouldn't|should) (?:go|apply|come in|"
    r"get in) (?:via|through|under|by|on) (?:route|pathway)\b(?![^.;]{0,40}\b(?:if|only if|"
    r"when|provided|as long as|unless)\b)|"
    r"(?:have|has|'ve) (?:got )?(?:everything|all) (?:(?:you|he|she|they) )?(?:need|needed|"
    r"required|it takes)\b|"
    r"(?:is|are|looks?|seems?) (?:all |both )?(?:positive|negative|favou?rable|unfavou?rable)\b|"
    r"(?:rules?|ruled|ruling) out|sinks?|sank|unlocks?|unlocked|closes? off|"
    r"apply with confidence|safe to apply|go ahead and apply|"
    r"(?:'re|are|is|'s) (?:now |already |fully )?ready to apply|"
    r"clear(?:s|ed|ing)? (?:the |this |that )?(?:[\w-]+ ){0,2}(?:threshold|bar|mark|minimum|"
    r"requirements?|criteria|criterion|hurdle|line)|"
    r"hit(?:s|ting)? the (?:[\w-]+ ){0,2}(?:mark|threshold|minimum|requirement|target)|"
    r"(?:has|have|'s|'ve) (?:got )?what it takes|"
    r"(?:get|gets|got|getting|make|makes|made|making) (?:it )?there\b|make it\b|made it\b|"
    r"rely on (?:route|pathway)|"
    r"(?<!what )(?<!which )counts? (?:as|towards?|in full|fully)\b(?! (?:long as|soon as|the "
    r"(?:start|beginning|end|"
    r"date|first|last)))"
    r"(?![^.;]{0,40}\b(?:if|only if|when|provided|as long as|unless)\b)|"
    r"(?:doesn't|does not|won't|will not|wouldn't) count\b|"
    r"exceed(?:s|ed|ing)? the (?:[\w-]+ ){0,2}(?:minimum|threshold|requirements?|mark|bar)|"
    r"(?:get|gets|got|getting) through\b(?! (?:the|your|this|their) (?:form|process|steps|list|"
    r"documents|paperwork))|"
    r"(?:falls?|is|was|are|sits|lies) (?:outside|within|inside) the (?:[\w-]+ ){0,2}window|"
    r"(?:date )?deemed skilled|skilled from|skilled date)"
)
_TERM_RE = re.compile(rf"\b{_TERM}\b")
# A claim word right after the subordinator is a condition ("if you meet ..."), and
# after "to" a purpose ("to meet the criteria you need ..."), unless the "to" is
# "likely to", "set to", ... which claim.
_SUBORDINATE = re.compile(
    r"\b(?:if|whether|once|when|whenever|where|until|unless|before|after|how)\s+"
    r"(?!again\b)(?:\w+\s+){0,3}$"
)
_PURPOSE = re.compile(r"\b(?:to|for|towards?)\s+(?:\w+\s+){0,2}$")
_CLAIMING_TO = re.compile(
    r"\b(?:likely|unlikely|expected|set|going|able|about|bound|certain|sure|seem|seems|"
    r"appear|appears|poised|due|close|enough|on track)\s+(?:to|for)\s+(?:\w+\s+){0,2}$"
    r"|\benough(?:\s+\w+){0,2}\s+to\s+(?:\w+\s+){0,2}$"
    r"|\bexpect(?:s|ed)? (?:\w+ ){0,2}to\s+(?:\w+\s+){0,1}$"
)
_REQUIREMENT = re.compile(
    r"\b(?:must|need to|needs to|have to|has to|required to|need|needs|requires?)\s+"
    r"(?:\w+\s+){0,2}$"
)
# "you would need another year to qualify" states the outcome (not yet).
_SHORTFALL = re.compile(
    r"\b(?:would|will|'d|'ll|still|only|just) need\b(?! to (?:show|provide|submit|include|give|"
    r"prove|demonstrate|upload|attach|get|obtain|supply|send|list|describe|explain|ask))|"
    r"\bneed (?:another|a further|an "
    r"extra|an additional|only|just|\w+ more)\b|\b(?:not yet|short by|another \w+ "
    r"(?:months?|years?))\b"
)
# Passive: "the criteria are met", "route 1 is not satisfied".
_PASSIVE = re.compile(
    r"\b(?:criteria|criterion|requirements?|route \d|pathway \d|routes|conditions?|threshold|case|"
    r"minimum|bar|mark|benchmark)\s+(?:themselves\s+|itself\s+|all\s+|both\s+)?"
    r"(?:are|is|were|was|have been|has been|would be|will be|should be|may be|might be|"
    r"could be|appear to be|seem to be|isn't|aren't|wasn't|weren't|won't be|wouldn't be)"
    r"\s+(?:\w+\s+){0,2}?(?:met|satisfied|fulfill?ed|passed|"
    r"reached|cleared|exceeded|achieved|done|sorted|ticked off|covered)"
    r"\b(?P<after>[^.;]{0,30})"
)
_GENERAL_AFTER = re.compile(
    r"^\W*(?:when|if|only|unless|once|by|through|with|where|after|as soon as|for "
    r"(?:applicants|anyone|a person|people|candidates|an applicant))\b"
)
_REPORT = re.compile(
    r"\b(?:check|engine|assessment)\s+(?:\w+\s+)?(?:says|said|found|finds|shows|showed|"
    r"confirms|confirmed|agrees|concluded|determined)\s+(?:so|yes|no)\b"
)
# A sentence that starts with the claim, the subject left out: "Eligible via route 1".
_LEAD = re.compile(
    r"^(?:looks|seems|sounds|should be|would be|will be|could be|might be)(?: \w+)? (?:promising|"
    r"good|great|fine|ok|okay|positive|negative|bleak|unlikely|likely|doubtful|strong|weak|solid|"
    r"eligible|ineligible|like a (?:yes|no|pass|fail))\b|"
    r"^(?:no (?:dice|go|luck|chance|way)|not a chance|no can do)\b|"
    r"^(?:good to go|all set|in the clear|on track|home and dry)\b|"
    r"^(?:so |very |really )?close(?: but no| but not quite)?\b(?!\s+(?:to|by|of|attention|the))|"
    r"^(?:does not|doesn't|do not|don't|would not|wouldn't|will not|won't|would|will|should|"
    r"likely to|unlikely to) (?:yet )?(?:meet|satisfy|qualify|pass|fail|succeed)\b|"
    r"^(?:(?:not|fully|likely|probably|possibly|definitely|clearly|almost|now|still|"
    r"already|both)\s+)*(?:eligible(?! (?:qualifications?|employment|occupations?|roles?|"
    r"applicants?|fields?|jobs?|experience|work|periods?|titles?|visas?|courses?|study))|"
    r"ineligible|meets|met(?! (?:criteria|requirements?|conditions?|ones)\b)|qualifies|"
    r"qualified|satisfies|"
    r"satisfied|passes|passed|fails|failed|succeeds|approved|rejected|(?:pass|fail) on|"
    r"(?:positive|negative|successful|unsuccessful|favou?rable)(?: \w+)? "
    r"(?:skills )?(?:assessment|outcome|result))\b"
)
# "Qualification: met", "Outcome - not eligible", "Eligibility: yes".
_LABELLED = re.compile(
    r"^(?:(?:your )?(?:overall|outcome|result|verdict|status|eligibility|determination|"
    r"decision)(?: for you)?|"
    r"assessment|(?:qualification|employment|experience)(?: requirement| level| duration| field|"
    r" relevance| hours| length| recency)?|"
    r"route \d|pathway \d|both requirements|criteria)\s*[:\-\u2013\u2014]+\s*(?:[^\w\s]+\s*)?"
    r"(?:not met|met|satisfied|passed|failed|pass|fail|eligible|ineligible|meets|short|"
    r"not enough|enough|insufficient|sufficient|does not meet|positive|negative|"
    r"[\u2713\u2714\u2705\u274c\u2717])"
    r"|^(?:overall|outcome|result|verdict|status|eligibility|route \d|pathway \d|qualification|"
    r"employment|experience|case #?\d+|client #?\w+|applicant #?\w+)\s*[:\-\u2013\u2014]+\s*"
    r"(?:yes|no)\W*$"
)
_INTERJECTION = (
    r"(?:so far|for now|right now|at this point|yes|no|yep|yeah|nope|yes and no|correct|"
    r"right|so|well|ok|okay|overall|in short|"
    r"in summary|to conclude|to sum up|to summari[sz]e|bottom line|short answer|"
    r"the short answer|the answer|answer|good news|great news|bad news|congratulations|"
    r"unfortunately|sadly|fortunately|happily|alas|absolutely|definitely|certainly|"
    r"indeed|of course|once again|again|then|therefore|thus|hence|sorry|i'm sorry|i am sorry|"
    r"i'm afraid|regrettably|however|but|and|still|nah|yeah nah|yup|tl;?dr|tl dr|ahh?|oh|hmm+|"
    r"aw+|argh|ugh)"
)
_LEAD_NOISE = re.compile(rf"^(?:[\W_]+|\d+[.)]\s+|{_INTERJECTION}\b[\W_]*)")
_ONLY_INTERJECTIONS = re.compile(rf"^(?:[\W_]*{_INTERJECTION}\b)*[\W_]*$")
_YES_NO = re.compile(r"^[\W_]*(?:yes|no|yep|yeah|nope)\b")
_PRAISE = re.compile(r"^[\W_]*(?:congratulations|good news|great news|bad news)\b[\W_]*$")
_QUESTION = re.compile(
    r"^(?:do|does|did|would|will|are|is|can|could|shall|should|have|has|want|may)\b.*\?\s*$"
)
_MARKERS = re.compile(r"\[\s*\d+(?:\s*,\s*\d+)*\s*\]")


# "They" is the client only when no one else is named: "Many applicants ... they count".
_GENERIC = re.compile(
    r"\b(?:applicants|people|someone|somebody|anyone|anybody|candidates|many|most|some|others|"
    r"workers|employees|managers|those who|a person|an applicant|vetassess|assessors?|they say)\b"
)
_THEY = re.compile(r"\b(?:they|they're|they've|their|them)\b")


# A client named by an agent, as the subject of a clause or a label: "Priya does not
# meet ...", "Lina qualifies, Omar does not", "Elena: route 4, satisfied". Read as "the
# client". Capitalised words of the pages and of answers are not names.
_NOT_NAMES = frozenset(
    "route routes group groups vetassess anzsco abs employment qualification qualifications "
    "experience result results outcome outcomes verdict status diploma bachelor certificate "
    "customer customers part full applicants applicant your the this that it there each every "
    "any some most only both neither either overall eligibility assessment assessments answer "
    "note step yes no table total tasks task skill skills level hours months years evidence "
    "documents document suitable unsuitable highly relevant i we you he she they what which "
    "who why how when where if once unless until after before because while although though "
    "however so but and or also then therefore thus hence a an in on at for from with by of "
    "to as unfortunately sadly fortunately good great bad short bottom summary overall "
    "conclusion in criteria criterion requirement requirements pathway pathways option "
    "options work job jobs role roles title titles manager managers call contact centre "
    "service services australia australian new zealand aqf nzqf level employer employers "
    "reference references payslips payslip field fields study studies degree degrees "
    "masters master graduate advanced associate honours phd doctorate certificates "
    "my our their his her its these those here now today please thanks thank sorry yes "
    "okay ok well right sure let next first second third last final finally additionally "
    "moreover meanwhile remember keep check ask tell give use make see read consider "
    "congratulations unpaid paid volunteer voluntary casual contract self internal "
    "relevance recency duration window date dates application applications visa visas "
    "occupation occupations unit main other another every all none one two three four "
    "nobody everyone everybody someone somebody anyone anybody prediction disclaimer "
    "retail sales office team store shop contact operations general senior junior do does "
    "did is are was were can could would will should shall may might must have has had "
    "positions position people person staff supervisors leaders candidates clients "
    "whether nothing something everything this client case cases pathway".split()
)
_NAME_SUBJECT = re.compile(
    r"(?P<pre>^(?:[-*+] |#{1,6} |\d+[.)] |\*\*)?|[,;:(] |\. |\*\*)"
    r"(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)(?='s (?:employment|experience|qualification|"
    r"case|file|application|work|role|job|diploma|degree|history|hours|years|months)\b|"
    r"(?: \w+)? (?:meets?|qualifies|satisfies|fulfils|fulfills|falls|lacks|clears|passes|fails|"
    r"succeeds|doesn't|does not|did not|didn't|hasn't|has not|is not eligible|is eligible|isn't|"
    r"has hit|has reached|has got|has enough|has the|has what|is short|is \w+ short|is \w+ shy|"
    r"would|will|won't|can't|cannot|needs another|needs more|needs a further)\b|"
    r"\s*(?:\([^)]{0,80}\))?\s*:\s*(?:[^\w\s]+\s*)?(?:(?:route|pathway) \d,? )?(?:not met|met|"
    r"satisfied|passed|failed|pass|fail|eligible|ineligible|not eligible|meets|does not meet|"
    r"doesn't meet|fulfils|qualifies|does not qualify|short|not enough|enough|yes|no|not yet|"
    r"positive|negative)\b)"
)


_THE_JOB = re.compile(
    r"\b[Tt]he (?=(?:[A-Z][a-z]+|first|second|third|last|latest|current|previous|earlier|later|"
    r"\d{4}(?:[\u2013-]\d{2,4})?) (?:job|role|position|stint)\b)"
)


def _name_as_client(text: str) -> str:
    """``text`` with a client's name as a subject read as "the client", and "the Manila
    job" (a job the asker named) as "your Manila job"."""
    text = _THE_JOB.sub("your ", text)

    def swap(match: re.Match[str]) -> str:
        words = match.group("name").lower().replace("-", " ").split()
        return match.group(0) if words[0] in _NOT_NAMES else match.group("pre") + "the client"

    return _NAME_SUBJECT.sub(swap, text)


def _normal(text: str) -> str:
    text = _name_as_client(text.strip())
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = _MARKERS.sub(" ", text)
    text = re.sub(r"[*_`#>]+", " ", text)  # markdown emphasis, headings, quotes
    if _GENERIC.search(text):
        text = _THEY.sub("others", text)
    return re.sub(r"\s+", " ", text).strip()


def is_interjection(unit: str) -> bool:
    """True when ``unit`` is only "Yes." / "Good news!" / "So," and the like.

    Such a piece is read together with the sentence after it.
    """
    return bool(_ONLY_INTERJECTIONS.match(_normal(unit)))


# "Keep working until March and you'll meet route 3": the "and you'll" clause is a
# main clause again, whatever came before it.
_BOUNDARY = re.compile(
    r"[,;:()]|(?<!\d)[\u2013\u2014](?!\d)|\s-\s|\bthen\b|"
    r"\band\b(?= (?:then )?(?:you|he|she)(?:'ll| will|'d| would|'re| are| should| can)\b)"
)
_SUBORDINATOR = re.compile(
    r"\b(?:if|whether|once|when|whenever|until|unless|before|after|how)\b(?!\s+again\b)"
)


def _clause_before(text: str, end: int) -> tuple[list[int], str]:
    """Where each clause of ``text`` before ``end`` starts, and the last one up to ``end``."""
    starts = [b.end() for b in _BOUNDARY.finditer(text, 0, end)]
    return starts, text[starts[-1] if starts else 0 : end]


_SPEAKER = re.compile(r"\b(?:i|we)(?:'ll|'d|'m| will| would| can| could| am)?\s+(?:\w+\s+)?$")
_HAND_OVER = re.compile(
    r"pass(?:es|ed|ing)? (?:it|this|that|everything|them|these|those|your|the)\b"
    r"[^.;]{0,30}\b(?:to|on|along|over)\b"
)


# "Until your diploma is conferred you can't satisfy any route": the condition has its own
# verb, then the asker starts the main clause.
_MAIN_AFTER = re.compile(
    r"\b(?:is|are|was|were|has|have|had|gets?|got|comes?|finish\w*|complet\w*|conferr\w*|"
    r"award\w*|reach\w*|work\w*|start\w*|appl(?:y|ies|ied)|wait\w*)\b.*\b(?:you|he|she|they)"
    r"(?:'ll|'d| can't| cannot| won't| will not| wouldn't| would| will| can| could| should| "
    r"still)\b"
)


_VERB_ONLY = re.compile(
    r"^\s*(?:(?:does|doesn't|do|don't|did|didn't|is|isn't|was|wasn't|has|hasn't|have|haven't|"
    r"would|wouldn't|will|won't|can|can't|cannot|still|also|clearly|easily|currently|not|yet)\s+)*$"
)
_CASE_PREFIX = re.compile(r"^(?:in|for|as for|regarding|with|of|among) ([^,]{1,50}),")


def _claimed(text: str, match: re.Match[str]) -> bool:
    """Whether the outcome word at ``match`` is said of the asker, not a condition or purpose.

    The asker must be named in the same clause (before the word, or after it before
    the next clause or condition), and the clause must not be a condition ("if ...").
    """
    starts, clause = _clause_before(text, match.start())
    if _SUBORDINATOR.search(clause) and not _MAIN_AFTER.search(clause):
        return False
    if match.group(0).endswith("ing") and not _WHO.search(clause):
        return False  # a gerund as subject: "Meeting the criteria depends on ..."
    if _SPEAKER.search(clause) or _HAND_OVER.match(text[match.start() :]):
        return False  # the assistant's own act: "I'll pass everything to the engine"
    rest = text[match.end() :]
    stop = min(
        (m.start() for m in (_BOUNDARY.search(rest), _SUBORDINATOR.search(rest)) if m),
        default=len(rest),
    )
    case = _CASE_PREFIX.match(text)  # "In the applicant's case, both ... are positive"
    if _VERB_ONLY.match(clause) and len(starts) >= 1:
        # "your client, on the information supplied, does not satisfy ...": the subject
        # is two clauses back
        clause = text[starts[-3] if len(starts) >= 3 else 0 : match.start()]
    if not (
        _WHO.search(clause)
        or _WHO.search(rest[:stop])
        or _WHO.search(match.group(0))
        or (case and _WHO.search(case.group(1)))
    ):
        return False
    before = text[max(0, match.start() - 60) : match.start()]
    if _PURPOSE.search(before):
        return bool(_CLAIMING_TO.search(before)) or bool(_SHORTFALL.search(before))
    if _REQUIREMENT.search(before) and not _SHORTFALL.search(before):
        return False
    return not (match.group(0).startswith("meet") and text[match.end() :].startswith(" with"))


# The learned head's gate: the asker named as a subject or owner ("you are", "your
# diploma"), not as an object ("tell you", "for you") or inside a condition.
_OBJECT_WHO = re.compile(
    r"\b(?:tell|tells|give|gives|show|shows|help|helps|let|lets|ask|asks|with|assist|"
    r"guide|remind|walk|send|contact|check|checks)\s+you\b|"
    r"\b(?:run|do|check|work out|look up|fill in)\b[^.;]{0,40}\bfor you\b"
)
_DEICTIC = re.compile(
    r"^(?:that|this|which|it|these|those)(?:'s| is| was| are| were| will| would| should|"
    r" could| may| might|'ll| isn't| wasn't| aren't| won't| wouldn't)\b"
)
# "That's enough for VETASSESS", "That should do it": a verdict on the facts just given.
_DEICTIC_VERDICT = re.compile(
    r"(?:^|[,;:\u2013\u2014] )(?:that|this|which|it|these|those)"
    r"(?: one| case| profile| file| application)?"
    r"(?:'s| is| was| are| will be| would be| should be|"
    r" isn't| wasn't| aren't| won't be| wouldn't be| will not be| would not be| is not| was not)"
    r"(?: not| probably| likely| still| more than| easily| just| "
    r"clearly| definitely| comfortably)* (?!enough (?:about|of (?:that|this)|for (?:now|today)|"
    r"said|talk)\b)(?:enough|sufficient|insufficient|plenty|a yes|a no|"
    r"an? (?:clear |easy |straightforward |likely |definite |obvious |borderline )?(?:pass|fail|"
    r"yes|no|non-starter|winner))\b"
    r"|^(?:that|this) (?:should|will|would|ought to) do (?:it|the job|the trick)\b"
)
# "Route 2 applies to you", "no route works for you".
_APPLIES = re.compile(
    r"\b(?:route|routes|pathway|pathways|it|none|neither|either|both|criteria)\b[^.;]{0,20}"
    r"\b(?:appl(?:y|ies)|works?|fits?|(?:is|are|remains?|stays?)(?: still| now| also| not)? "
    r"(?:open|closed|available|unavailable|shut|out of reach|within reach|off the table|out|"
    r"an option|not an option))"
    r" (?:to|for) (?:you|your case|your situation|your client|him|her|them)\b"
)
_IMPERATIVE = re.compile(
    r"^(?:please |just |simply )?(?:tell|give|share|let|provide|send|check|use|add|list|"
    r"upload|ask|contact|see|read|note|consider|make sure|include|gather|keep|run|try|match|"
    r"fill|enter|describe|confirm|get|prepare|apply|lodge|start|book|count|calculate|measure|"
    r"work out|exclude|remember|bring|attach|ensure|find|search|select|choose|open|click|go|"
    r"visit|review|download|look)\b"
)
_REQUEST = re.compile(
    r"\b(?:must|needs? to|has to|have to) (?:be|have|include|show|count)\b|"
    r"(?:^|[,;:] )(?:(?!so\b)\w+ )?you (?:need|require)\b|"
    r"\bshould (?:show|include|list|state|name|give|send|provide|submit|attach|get|obtain|ask|"
    r"upload|gather|prepare|keep)\b|"
    r"\byou(?:'ll| will)? (?:must|need to|have to|can|could|may want to|might want to|"
    r"will need to|should (?:provide|submit|include|upload|gather|get|ask|check|apply|lodge|"
    r"prepare|keep|contact|attach|list|describe|send|obtain|make sure))\b"
)


# The asker's facts said back ("You said you finished ...", "Your diploma was completed
# in 2017"), with no consequence drawn from them.
_RESTATED = re.compile(
    r"^(?:you|your client|the client|client #?\w+|applicant #?\w+|he|she|they) (?:didn't|did not|"
    r"haven't|hasn't|have not|has not) (?:yet )?(?:give|given|say|said|mention|mentioned|list|"
    r"listed|provide|provided|share|shared|send|sent)\b|"
    r"^(?:so |and |also )?(?:you|your client|the client|he|she|they)(?:'ve| have| has)? "
    r"(?:said|told me|told you|told us|mentioned|wrote|listed|gave|asked|wanted to know|wondered|"
    r"described|worked|"
    r"finished|completed|started|studied|held|were employed|have been working)\b|"
    r"^(?:so |and |also )?your\b[\w' ]{1,40}? (?:was|were|has been|started|ended|began|"
    r"finished) (?:completed|finished|awarded|part[- ]time|full[- ]time|casual|from|in|at|"
    r"on|with|since|a|an|the)\b|"
    r"^(?:so |and |also )?your\b[\w ]{1,80}? (?:is|was) (?:taken as|treated as|assumed)\b|"
    r"^(?:i've|i have|i) (?:noted|recorded|got|taken down|written down|logged|captured)\b"
)
# The process, not a verdict: "you will get the result from VETASSESS".
_NEUTRAL_RESULT = re.compile(
    r"\b(?:get|receive|hear|see) (?:the|your) (?:result|decision|outcome)\b(?! (?:is|will be))"
)
# What the outcome turns on, not a verdict: "Meeting route 2 depends on your hours".
_MEANS = re.compile(r"\bmeans?\b")
_QUOTED_WORD = re.compile(r"(?:^|\s)['\"][^'\"]{1,30}['\"](?:\s|$|[.,;:])")
_DEPENDS = re.compile(r"\b(?:depends?|depending|hinges?|hinging|turns) on\b|\bcomes? down to\b")
# Saying what the assistant will not do, or what weighs most: "I won't guess at your
# result", "Your duties matter more than your title".
_DISCLAIMS = re.compile(
    r"\bi(?: can't| cannot| can not| won't| will not| don't| do not| am not able to|'m not able to|"
    r" am unable to|'m unable to| shouldn't| should not)(?: \w+)? (?:decide|say|guess|tell|judge|"
    r"determine|predict|confirm|promise|guarantee|speculate|give)\b|\bnot (?:my|for me|our) "
    r"(?:role|place|job|call)\b|\bmatters? (?:more|most|less)\b|\bmore important than\b|"
    r"\bweighs? (?:more|most)\b|"
    r"\bi (?:can't|cannot|won't|will not) (?:do|help with) (?:that|this)\b|"
    r"\bi (?:don't|do not) (?:yet )?have\b|\bi (?:haven't|have not)(?: yet)? (?:got|been given|"
    r"received|seen)\b"
)
_CLIENT_LABEL = re.compile(
    r"^(?:\d+[.)] )?(?:the client|client #?\w+|applicant #?\w+|candidate #?\w+|your client|"
    r"my client|the applicant)(?: \([^)]*\))?: "
)
_ADVICE = re.compile(
    r"^(?:it's|it is|it may be|it might be|it would be) (?:worth|a good idea|wise)\b|"
    r"\b(?:saves? time|speeds? (?:it |things )?up|avoids? delays?|makes? (?:it|things) easier)\b"
)
_OWN_ACT = re.compile(
    r"^(?:[\w ]{0,30}, )?(?:i'll|i will|i can(?!'t)|let me|i'm going to|i am going to|we'll|"
    r"we will)\b|^(?:so far,? |now,? |ok,? |okay,? )?(?:i have|i've got|i've|i now have)\b|"
    r"^(?:thanks|thank you|good luck|best of luck|all the best|best wishes)\b|"
    r"\bi (?:need|still need|would need|'d need|require)\b|"
    r"^(?:that's|this is|it's) (?:a |an )?(?:good|great|common|fair|reasonable|important|"
    r"excellent) (?:question|point|one)\b|\byour (?:question|point|concern|message)\b|"
    r"^(?:a )?(?:good|great|fair) (?:question|point)\b|"
    r"\b(?:added|removed|updated|recorded|changed|saved) (?:to|in|from|on) (?:the |your )?"
    r"(?:input|profile|facts|form|list)\b|"
    r"^(?:the )?(?:engine|rules engine|eligibility check|check)(?:'s)? (?:statement|result|"
    r"answer|verdict|output|finding)s?\b(?! (?:is|says|shows|found) (?:that )?(?:you|yes|no)\b)|"
    r"\b(?:comes?|came) from the (?:rules )?(?:engine|check)\b|\bis (?:made|decided|"
    r"determined) by\b"
)
_CONSEQUENCE = re.compile(r"\b(?:so|which|therefore|thus|hence|meaning|means|that's|then)\b")


def _names_asker(text: str) -> bool:
    """Whether the asker is a subject or owner in a main clause of ``text``."""
    if _DEICTIC.match(text):
        return True
    for clause in re.split(r"[,;:()]|(?<!\d)[\u2013\u2014](?!\d)|\s-\s", text):
        main = _SUBORDINATOR.split(clause, maxsplit=1)[0]
        main = re.split(r"\bto\s+(?!you\b)(?=\w+\s)", main, maxsplit=1)[0]
        for who in _WHO.finditer(main):
            if not _OBJECT_WHO.search(main[: who.end()][-25:]):
                return True
    return False


def _learned_gate(text: str) -> Literal["named", "unnamed"] | None:
    """Whether the learned head may judge ``text`` (normalised), and how: None for a
    question, a request, a requirement, a fact said back, a disclaimer or a definition;
    "named" when it names the asker in a main clause; "unnamed" when it names no one
    (a verdict without a subject, or about a client by name), judged more strictly; None
    when it is about applicants or people in general."""
    if text.endswith("?") or _IMPERATIVE.match(text):
        return None
    if _REQUEST.search(text) and not _SHORTFALL.search(text):
        return None
    if _RESTATED.search(text) and not _CONSEQUENCE.search(text):
        return None
    if _NEUTRAL_RESULT.search(text) or _DEPENDS.search(text) or _DISCLAIMS.search(text):
        return None
    if _OWN_ACT.search(text) or _ADVICE.search(text):
        return None  # "For each client, I'll show the facts you gave, then ..."
    if _CLIENT_LABEL.match(text) and not _TERM_RE.search(text):
        return None  # facts under a label: "Client A: Bachelor of Business, 2019; ..."
    means = _MEANS.search(text)
    subject = text[: means.start()] if means else ""
    if (
        means
        and not _WHO.search(subject)
        and not re.match(r"(?:so |and )?(?:that|this|it)\b", subject)
    ):
        return None  # a definition: "A month under the year means the route isn't met"
    if _DOCUMENT_ITEM.match(text) and not _FINITE.search(text):
        return None  # a document named, no verb: "Certified copy of your qualification"
    if _names_asker(text):
        return "named"
    if _GENERIC.search(text) or text.endswith(":") or len(_WORD.findall(text)) < 4:
        return None  # about people in general, a label, or a fragment ("Assumed:")
    if _QUOTED_WORD.search(text):
        return None  # about words: "'diplomma' is read as 'diploma'"
    return "unnamed"


def _default_learned(sentence: str) -> bool:
    from skillcheck.outcome_head import reads_as_outcome

    return reads_as_outcome(sentence)


def _default_unnamed(sentence: str) -> bool:
    from skillcheck.outcome_head import reads_as_outcome

    return reads_as_outcome(sentence, named=False)


def about_own_outcome(
    sentence: str,
    *,
    asked: bool = False,
    learned: Callable[[str], bool] | None = _default_learned,
    unnamed: Callable[[str], bool] = _default_unnamed,
) -> bool:
    """True when ``sentence`` speaks about the applicant's own outcome, in any wording.

    ``asked`` says the question asked for the outcome ("Am I eligible?"), so a bare
    "Yes," or "No," answers it. The patterns decide first; a sentence they pass that
    names the asker goes to ``learned`` (the head of :mod:`skillcheck.outcome_head`),
    one that names no one to ``unnamed`` (the same head at a stricter threshold);
    ``learned=None``: patterns only.
    """
    text = _normal(sentence)
    body = _without_lead(text)
    if _by_pattern(sentence, text, body, asked):
        return True
    if learned is None or sentence.lstrip().startswith("#"):
        return False
    gate = _learned_gate(body) if body else None
    if gate == "named":
        return learned(sentence)
    # The pages quoted, or the rest of a sentence cut at "...": not the model's verdict.
    quoted = sentence.lstrip().startswith((">", '"', "\u201c"))
    letter = re.search(r"[A-Za-z]", sentence)
    fragment = letter is not None and letter.group(0).islower()
    return gate == "unnamed" and not quoted and not fragment and unnamed(sentence)


# A check or cross mark beside a part of the case: "| Employment | ✅ enough |".
_MARKED = re.compile(r"[\u2705\u274c\u2714\u2716\u2718\u2713\u2717\u2611\u274e]")
_CASE_PART = re.compile(
    r"\b(?:qualification|employment|route|pathway|overall|level|hours|years?|months?|"
    r"experience|job|role|degree|diploma|box(?:es)?|criteria|requirements?|eligib\w*|"
    r"verdict|result|outcome)\b"
)
# "Short answer: no, not yet", "Verdict: not eligible (yet)", "the answer is no".
_VERDICT_LABEL = re.compile(
    r"^(?:the |your |(?:my |your |the )?client's )?(?:short answer|answer|verdict|result|"
    r"outcome|bottom line|in short|overall|(?:eligibility )?status|pathway met|route met|"
    r"outlook|prognosis|likely outcome|assessment outlook|chances|prediction|forecast|"
    r"final answer|final verdict|conclusion|summary|"
    r"expected outcome|likely result|my (?:read|take|view|assessment|verdict|call)|"
    r"to answer(?: \w+){0,2}|"
    r"in a word|put simply|simply put|straight answer|quick answer|tl;?dr)"
    r"(?: for (?:you|him|her|them|this case|(?:your|my|the|this|our) [\w']+(?: case)?|"
    r"applicant #?\w+|client #?\w+))?"
    r"\s*(?:[:\-\u2013\u2014,]+|\bis\b)\s*"
    r"(?:a |an |(?:(?:route|pathway) \d,? )?(?:all )?(?:the )?(?:criteria|requirements?) |"
    r"(?:route|pathway) \d )?"
    r"(?:yes|no|nope|not yet|not eligible|eligible|ineligible|met|not met|unmet|"
    r"does not meet|meets|pending|likely|unlikely|borderline|on track|positive|negative|"
    r"favou?rable|unfavou?rable|pass|fail|passed|failed|good|poor|strong|weak|\d)\b"
    r"|\bthe answer (?:for you |in your case )?is (?:a )?(?:yes|no|not yet)\b"
    r"|^(?:no (?:dice|go|luck|chance|way)|not a chance|no can do)\b"
)


# "Your experience isn't enough", "you have enough for route 1", "she has sufficient".
_ENOUGH = re.compile(
    r"\b(?:your|his|her|(?:my|your|the) client's)\b[^.;]{0,80}? (?:is|are|was|were|isn't|"
    r"aren't|wasn't|weren't|will be|would be|should be|won't be|wouldn't be|looks|seems|"
    r"falls?|comes?|remains?)(?: \w+){0,4}? (?:enough|sufficient|insufficient|adequate|"
    r"inadequate|too short|too little|short|plenty)\b"
    r"|\b(?:you|he|she)(?:'ve| have| has|'d have| would have| will have|'ll have| now have| "
    r"already have| already has)? (?:got )?(?:not |no )?(?:more than |just |easily )?(?:enough|"
    r"sufficient|"
    r"insufficient|plenty of)\b(?! (?:evidence|documents?|documentation|payslips|"
    r"references?|proof|information|detail|time to))"
    r"|\b(?:you|he|she|they|the client) (?:haven't|hasn't|have not|has not) (?:yet )?got "
    r"(?:enough|sufficient)\b"
    r"|\b(?:you|he|she|they|the client|the applicant|the candidate|the gentleman|the lady)"
    r"(?: [\w ]{0,25}?)? (?:don't|do not|doesn't|does not|didn't|won't|wouldn't) (?:yet )?have "
    r"(?:the required|the necessary|the needed)\b"
    r"|\b(?:you|he|she) (?:don't|do not|doesn't|does not|didn't|won't|wouldn't) (?:yet )?have "
    r"(?:enough|sufficient)\b(?! (?:evidence|documents?|documentation|payslips|references?|"
    r"proof|information|detail))"
)
# An imperative that predicts the outcome: "Expect a negative outcome if you apply now".
_EXPECT = re.compile(
    r"^(?:(?:don't|do not|you can|you should|you can't|you shouldn't) )?(?:expect|anticipate|"
    r"count on|bank on|prepare for|brace (?:yourself )?for|look forward to|plan on)\b"
)
# A hedged yes or no: "Probably yes, if VETASSESS sees your role as ...".
_HEDGED_ANSWER = re.compile(
    r"^(?:probably|likely|most likely|very likely|almost certainly|quite possibly|possibly|"
    r"maybe|perhaps|i think|i'd say|i would say|i believe|i suspect|i expect|realistically|"
    r"honestly|on balance|on these facts|on the facts)\W* (?:a )?(?:yes|no|not|not yet|nope)\b"
)
_BARE = re.compile(r"^[\w' ]+[.!]?$")  # "Probably yes." with nothing after it
# An appositive verdict on a figure: "Total: 4 years 2 months, enough for route 4".
_ENOUGH_FOR = re.compile(
    r"(?:[,;:\u2013\u2014] )(?:not |more than |just |easily |comfortably |still not )?(?:enough|"
    r"sufficient|insufficient) (?:for|to meet|to satisfy|to qualify)\b"
)
# A verdict word leading a short line: "Yes — route 3.", "Pass — route 1.", "Fail: ...",
# "Positive, by my reading.", "Not good news on the employment front".
_VERDICT_FIRST = re.compile(
    r"^(?:yes|no|pass|fail|passed|failed|positive|negative|eligible|ineligible|met|not met)\s*"
    r"[\u2014\u2013:-]+\s*(?:(?:via |under |through )?(?:route|pathway) \d\W*$|insufficient|"
    r"not enough|enough|short)|^(?:pass|fail|passed|failed)\s*[\u2014\u2013:,-]"
    r"|^(?:positive|negative)\W+(?:by|on|in|from|according to) (?:my|the|your)\b"
    r"|^not (?:good|great) news\b"
)
# One of the asker's jobs or qualifications judged: "The first one is fine; the second one
# isn't."
_ONE_IS = re.compile(
    r"(?:^|[,;:] )the (?:first|second|third|other|latter|former|last|newer|older) one(?:'s| is| "
    r"isn't| is not| was| wasn't)(?: \w+)? (?:fine|ok|okay|good|enough|sufficient|no good|"
    r"relevant|accepted)\b"
)
# "..., so route 4 holds"; "Tick: qualification. Cross: employment."
_ROUTE_HOLDS = re.compile(
    r"\b(?:so|then|therefore|thus|hence|which means|meaning)\W* (?:route|pathway) \d (?:holds|"
    r"works|applies|stands|is met|is open|is satisfied|is available)\b"
    r"|^(?:tick|ticked|cross|crossed|check)\s*[:\-\u2013\u2014]\s*(?:qualification|employment|"
    r"experience|route|level|hours|field|duration)\b"
)
# A verdict in brackets or after a label: "**Pathway:** 3 (meets)", "18 months counted,
# 12 required: requirement met."; time left to go: "just 6 weeks to go".
_TAIL_VERDICT = re.compile(
    r"\((?:meets|met|not met|fails|failed|eligible|not eligible|ineligible|pass|fail|satisfied|"
    r"short)\)"
    r"|(?:[:;,\u2014\u2013] )(?:the )?(?:criteria|requirements?|route \d|pathway \d|employment "
    r"requirement|qualification requirement) (?:met|satisfied|not met|unmet|failed)\W*$"
)
# "They've got it"; "Without the Dubai job your total is nine months"; "Give it five months
# and your case will be complete".
_CASE_SAID = re.compile(
    r"^(?:you|they|he|she)(?:'ve| have|'s| has) (?:got|nailed|made) it\W*$"
    r"|\bwithout (?:the |your |her |his |their )?[\w ]{1,30}?,? (?:your|her|his|their) (?:total|"
    r"count|employment|experience) (?:is|would be|comes to|drops to|falls to)\b"
    r"|\b(?:and|then) (?:your|the client's|his|her|their) (?:case|application|file|profile) "
    r"(?:will|would|should) be (?:complete|ready|there|done|sorted|fine|strong enough)\b"
    r"|\band (?:you're|you'll be|he's|she's|they're|he'll be|she'll be|they'll be) (?:there|set|"
    r"through|in|eligible|good|fine|covered)\b"
)
# "So, to your question "do I qualify?" — yes", "The answer to "am I eligible" is not yet".
_QUOTED_ANSWER = re.compile(
    r"\b(?:question|answer)(?: to)?[^.]{0,60}?[\"\u201d]\W*(?:is\s+)?(?:a )?(?:yes|no|not yet|"
    r"nope)\b"
)
# The answer cut from its quoted question by the sentence split: '" — yes.'
_DASH_ANSWER = re.compile(r"^\s*[\"\u201d]?\s*[\u2014\u2013]\s*(?:yes|no|nope|not yet)\b", re.I)
_TIME_TO_GO = re.compile(
    r"\b(?:just |only )?(?:\d+|a|one|two|three|four|five|six|a few|a couple of) (?:more )?"
    r"(?:weeks?|months?|days?|years?) (?:to go|away|left to go|short|shy)\b"
)
# A conclusion drawn at the end: "You need 24 and you have 31, so yes."
_SO_VERDICT = re.compile(
    r"\b(?:so|then|therefore|thus|hence|which means|meaning)\W* (?:the answer is |it's |"
    r"that's |it is |that is )?(?:a )?(?:yes|no|not yet|nope)\W*$"
    r"|\b(?:so|then|therefore|thus|hence|which means|meaning)\W* (?:you|he|she)(?:'re| are|"
    r"'s| is)(?: \w+)? (?:fine|set|covered|good|ok|okay|there|through|done|all set|in)\W*$"
)
# A verbless line: "Criteria met.", "All requirements satisfied ✅", "Enough experience".
_VERBLESS = re.compile(
    r"^(?:all |both |the )*(?:criteria|requirements?|conditions|route \d|pathway \d|"
    r"employment requirement|qualification requirement|experience requirement)"
    r"(?: (?!(?:is|are|was|were|be|been|being|can|could|may|might|must|will|would|should)\b)"
    r"\w+)? (?:met|satisfied|fulfill?ed|passed|not met|unmet|achieved|failed)\b"
    r"|^(?:not )?(?:enough|sufficient|insufficient|more than enough)"
    r"(?: (?!(?:is|are|was|were|means|causes|leads|delays|can|may|will)\b)[\w-]+){0,5}?"
    r"(?: (?:for|to meet|to satisfy|to qualify)\b|(?: yet| so far| for now)?"
    r"(?:\W+(?:sorry|unfortunately|i'm afraid|i'm sorry))?\W*$)"
    r"|^(?:you're |you are )?(?:not |nearly |almost |not quite )?there(?: yet)?(?:\W*$|,)"
)
# A count set against what is needed: "36 months counted of 24 needed".
_COUNT_AGAINST = re.compile(
    r"\b\d+(?:[ ,]+[\w-]+){0,5}?[ ,]+"
    r"(?:of|against|versus|vs|out of|towards?|over|under|above|below) "
    r"(?:the |a |an )?\d+(?:[- ][\w-]+){0,3}? (?:needed|required|you need|minimum|requirement|"
    r"threshold|asked for|necessary)\b"
)
# A table row with a verdict cell: "| Qualification | Diploma | Not highly relevant |".
_VERDICT_CELL = re.compile(
    r"^\s*[\u2705\u274c\u2714\u2716\u2718\u2713\u2717]?\s*(?:not met|met|unmet|satisfied|"
    r"not satisfied|enough|not enough|sufficient|insufficient|short(?: by [\w ]+)?|counts|"
    r"doesn't count|does not count|not counted|counted|highly relevant|not highly relevant|"
    r"not relevant|eligible|ineligible|not eligible|pass|fail|passed|failed|yes|no|meets|"
    r"does not meet|doesn't meet|qualifies|does not qualify|doesn't qualify|not yet)"
    r"(?:\s*\([^)]{0,30}\))?\s*[.!]?\s*$"
)
# A part of the case, labelled, ending on a verdict: "Employment: 9 of 12 months — not enough".
_PART_ENDING = re.compile(
    r"^(?:your )?(?:qualification|employment|experience|hours|level|field|route \d|pathway \d|"
    r"recency|overall|duration|relevance|counted|total|combined|your total)\b"
    r"[^:]{0,30}:.*\b(?:not met|met|not enough|enough|"
    r"insufficient|sufficient|short|ok|okay|satisfied|fails?|passes|eligible|ineligible)\W*$"
)
# A yes or no tied to the asker's facts: "Nope, not on these facts", "No, not yet".
_FACTS_ANSWER = re.compile(
    r"^(?:yes|no|nope|yep|not|not yet)\b\W*(?:(?:not|yes|no) )?(?:on|with|given|based on) "
    r"(?:(?:these|the|your|those|current) (?:facts|details|numbers|dates|figures|information|"
    r"profile|case|history)|what you've given|what you gave)\b|^(?:no|nope|not)\W+(?:not )?"
    r"(?:yet|for now|at this stage|as things stand|right now)\b"
)
# A prediction of the assessor's answer: "I'd expect VETASSESS to say yes".
_ASSESSOR_SAYS = re.compile(
    r"\b(?:vetassess|they|the assessors?|the authority)(?: \w+){0,2}? (?:to )?(?:say|says|"
    r"answer|reply) (?:yes|no)\b"
)


# A task-list item about a part of the case: "- [x] Qualification at Diploma level".
_TICKED = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[\s*[xX\u2713\u2714]\s*\]")
_UNTICKED = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[\s\]")
_DOCUMENT = re.compile(
    r"\b(?:letters?|payslips?|certificates?|references?|statements?|evidence|documents?|"
    r"transcripts?|cop(?:y|ies)|forms?|passport|contracts?|records?|cv|resume)\b"
)


# The opposite said as a surprise: "I'd be surprised if you weren't assessed positively".
_SURPRISED = re.compile(r"\b(?:be|been|am|i'm) (?:very |quite )?(?:surprised|shocked|amazed) if\b")
# The asker's figure set against a threshold: "comfortably above the two-year mark".
_AGAINST_MARK = re.compile(
    r"\b(?:above|over|below|under|beyond|past|short of|clear of|shy of|within) the (?:[\w-]+ ){0,3}"
    r"(?:mark|minimum|threshold|requirement|benchmark|bar|floor|line|needed|required)\b"
)
# Carried over the line: "which gets them through Route 3", "puts you over the bar".
_CARRIED = re.compile(
    r"\b(?:gets?|got|getting|puts?|putting|takes?|took|carries|carry|pushes|push|lifts?|brings?|"
    r"brought) (?:you|him|her|them|your client)\b(?: \w+){0,2}? (?:through|over|past|across|into|"
    r"to|onto|above|below|under) (?:the |a |your )?(?:line|bar|mark|threshold|route|pathway|"
    r"criteria|requirements?|minimum|eligib\w*|positive|finish|target)"
)


_DOCUMENT_ITEM = re.compile(
    r"^(?:(?:a|an|the|your|certified|signed|original|recent)\s+){0,3}" + _DOCUMENT.pattern
)


_FINITE = re.compile(
    r"\b(?:is|are|was|were|isn't|aren't|wasn't|falls?|fell|meets?|met|has|have|does|doesn't|"
    r"counts?|will|won't|would|wouldn't|should|can|can't|gets?|puts?)\b"
)


# The application itself, said as "this" or "it": "I'm confident this will be approved".
_IT_WILL = re.compile(
    r"\b(?:this|it|that)(?: one| case| application| file| profile)? (?:will|would|should|is likely "
    r"to|is going to|won't|wouldn't|shouldn't|will not|would not)(?: \w+)? (?:be approved|"
    r"be rejected|be refused|be accepted|be successful|be unsuccessful|go through|succeed|pass|"
    r"work(?: out)? (?:for you|in your case|on (?:the|these|this) (?:current )?"
    r"(?:evidence|facts)))\b"
)
# The asker's figures judged: "The numbers don't stack up for Route 2".
_NUMBERS = re.compile(
    r"\b(?:numbers|figures|dates|maths|math|sums|months|years)\b (?:(?:don't|do not|doesn't|"
    r"does not|just|easily|comfortably|clearly|all) )?(?:stack up|add up|work out|check out)\b"
)


# A label naming the asker, then a verdict: "Client B (Bachelor, 3 years): does not meet".
_WHO_LABEL = re.compile(
    r"^(?P<label>[^:]{1,80}):\s*(?:[^\w\s]+\s*)?(?:(?:route|pathway) \d,? )?(?:not met|met|"
    r"satisfied|not satisfied|passed|failed|pass|fail|eligible|ineligible|not eligible|meets|"
    r"does not meet|doesn't meet|fulfils|fulfills|qualifies|does not qualify|doesn't qualify|"
    r"short|not enough|enough|insufficient|sufficient|yes|no|not yet|positive|negative|"
    r"not accepted|accepted|rejected|not counted|counted|excluded)\b"
)
# The verdict words listed as words: "Meets criteria, does not meet and needs more
# information are the three results the engine can return".
_LISTED = re.compile(
    r"\b(?:are|is) (?:the|its|our) (?:\w+ )?(?:results?|outcomes?|labels?|values?|answers?|"
    r"statuses|verdicts?|options)\b"
)


def _without_lead(text: str) -> str:
    """``text`` (normalised) without its leading marks, list numbers and interjections."""
    body = text
    while (stripped := _LEAD_NOISE.sub("", body, count=1)) != body:
        body = stripped
    return body


def _by_pattern(sentence: str, text: str, body: str, asked: bool) -> bool:
    """The patterns' reading of ``sentence``, given its normalised ``text`` and that
    text's ``body`` without its lead (see :func:`about_own_outcome`)."""
    if not text:
        return False
    if _PRAISE.match(text) or (asked and _YES_NO.match(text)):
        return True
    if _MARKED.search(sentence) and _CASE_PART.search(text):
        return True
    if _TICKED.match(sentence) and _CASE_PART.search(text):
        return True
    if _UNTICKED.match(sentence) and _CASE_PART.search(text) and not _DOCUMENT.search(text):
        return True
    bare = re.sub(r"^[\W_]+", "", text)
    if _VERDICT_LABEL.search(bare):
        return True
    if _QUESTION.match(text):
        return False
    mention = sentence.lstrip()[:1] in "\"'\u201c\u2018`" or bool(_LISTED.search(text))
    if (_LEAD.match(body) and not mention) or _LABELLED.match(body) or _REPORT.search(text):
        return True
    if _DEICTIC_VERDICT.search(body) or _APPLIES.search(text):
        return True
    label = _WHO_LABEL.match(body)
    who_label = label and (
        _WHO.search(label.group("label"))
        or re.search(r"\b(?:applicant|client|candidate)s?$", label.group("label"))
    )
    if who_label and not mention:
        return True
    if _VERBLESS.match(body) or _SO_VERDICT.search(text) or _COUNT_AGAINST.search(text):
        return True
    if _VERDICT_FIRST.match(body) or _VERDICT_FIRST.match(bare):
        return True
    if _ONE_IS.search(text) or _ROUTE_HOLDS.search(text) or _TAIL_VERDICT.search(text):
        return True
    if _CASE_SAID.search(text) or _QUOTED_ANSWER.search(text) or _DASH_ANSWER.match(sentence):
        return True
    if _TIME_TO_GO.search(text) and not _GENERIC.search(text):
        return True
    if _ENOUGH_FOR.search(text):
        return True
    if _PART_ENDING.match(body) or _FACTS_ANSWER.match(body) or _ASSESSOR_SAYS.search(text):
        return True
    if text.startswith("|") and any(_VERDICT_CELL.match(c) for c in text.split("|")[2:]):
        return True
    if _HEDGED_ANSWER.match(body) and (asked or _WHO.search(text) or _BARE.match(body)):
        return True
    if _EXPECT.match(body) and _TERM_RE.search(body):
        return True
    if _IT_WILL.search(text) or _NUMBERS.search(text):
        return True
    if _CARRIED.search(text) or (_SURPRISED.search(text) and _TERM_RE.search(text)):
        return True
    for mark in _AGAINST_MARK.finditer(text):
        before = text[max(0, mark.start() - 60) : mark.start()]
        if _WHO.search(text) and not _SUBORDINATE.search(before) and not _QUESTION.match(text):
            return True
    for enough in _ENOUGH.finditer(text):
        if not _SUBORDINATE.search(text[max(0, enough.start() - 60) : enough.start()]):
            return True
    for passive in _PASSIVE.finditer(text):
        before = text[max(0, passive.start() - 60) : passive.start()]
        _, clause = _clause_before(text, passive.start())
        if _SUBORDINATE.search(before) or (_MEANS.search(before) and not _WHO.search(before)):
            continue  # a condition, or a definition: "A month under means the route isn't met"
        if _SUBORDINATOR.search(clause) and not _WHO.search(clause):
            continue  # "A route is met when both its ... conditions are met"
        if not _GENERAL_AFTER.match(passive.group("after")) or _WHO.search(passive.group(0)):
            return True
    if not _WHO.search(text):
        return False
    return any(_claimed(text, m) for m in _TERM_RE.finditer(text))


_NEGATIVE = re.compile(
    r"\b(?:not|n't|never|no longer|ineligible|unsuccessful|negative|unfavou?rable|"
    r"fail\w*|fall\w* short|fell short|short of|rejected|refused|not yet|nope|no)\b"
)
_HEDGED = re.compile(
    r"\b(?:may|might|could|likely|probably|possibly|perhaps|should|would|depend\w*|if|"
    r"unless|once|when|seems?|appears?|chances?)\b"
)


def polarity(sentence: str) -> Outcome | None:
    """The outcome a sentence about the applicant's outcome states, or None if hedged."""
    text = _normal(sentence)
    if _NEGATIVE.search(text):
        return "does_not_meet"
    if _HEDGED.search(text):
        return None
    return "meets_criteria"


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def stated_outcome(text: str, *, asked: bool = False) -> Outcome | None:
    """The first determination ``text`` states about the asker, or None if it states none."""
    for sentence in _sentences(text):
        if about_own_outcome(sentence, asked=asked):
            stated = polarity(sentence)
            if stated is not None:
                return stated
    return None


def correction(engine_outcome: str, stated: Outcome | None) -> str | None:
    """The notice to show when the model's words contradicted the engine, else None."""
    if stated is None or stated == engine_outcome:
        return None
    label = OUTCOME_LABELS.get(engine_outcome, engine_outcome)
    return (
        f"Correction: the eligibility check found that this profile {label} "
        f"(outcome: {engine_outcome}). A sentence of the answer that said otherwise was "
        "replaced by the check's result."
    )


NO_DETERMINATION = (
    "Correction: no eligibility check was run for this answer, so it cannot say whether "
    "you meet the criteria; a sentence that did was replaced. Give your qualifications "
    "and jobs (or use the eligibility form, or `skillcheck assess`) and the check will decide."
)


_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    """The lower-case words of ``text``, as the leak check counts them."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=8)
def _grams(secret_text: str, size: int) -> frozenset[tuple[str, ...]]:
    src = words(secret_text)
    return frozenset(tuple(src[i : i + size]) for i in range(len(src) - size + 1))


def leaks(answer: str, secret_text: str, words_: int = 8, allowed: str = "") -> bool:
    """True when ``answer`` repeats any run of ``words_`` words of ``secret_text``.

    Runs that are also in ``allowed`` (what the instructions ask the model to say,
    such as its refusal of an off-topic question) are not a leak.
    """
    grams = _grams(secret_text, words_) - _grams(allowed, words_)
    out = words(answer)
    return any(tuple(out[i : i + words_]) in grams for i in range(len(out) - words_ + 1))


def may_start_a_leak(answer: str, secret_text: str, words_: int = 8) -> bool:
    """True when the last 4 to ``words_ - 1`` words of ``answer`` are a run of ``secret_text``.

    Such text is held back until what follows shows whether it goes on repeating it.
    """
    out = words(answer)
    for size in range(min(words_ - 1, len(out)), 3, -1):
        if tuple(out[-size:]) in _grams(secret_text, size):
            return True
    return False
