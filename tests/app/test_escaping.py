"""Hostile text in every field of every HTML renderer comes out escaped.

Each renderer of ``skillcheck/ui`` that builds HTML is given objects whose every string
(passages, notices, the engine's result, the manifest's sources, the user's and the
model's text) holds markup; no tag of it may come out live. ``scripts/mutations.py``
removes each ``esc()`` call in turn and these tests must then fail.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from skillcheck import rules
from skillcheck.corpus import load_manifest
from skillcheck.events import Notice
from skillcheck.passages import Passage
from skillcheck.paths import CORPUS_DIR
from skillcheck.rules.models import Note
from skillcheck.ui import eligibility, profile
from skillcheck.ui import html as h
from skillcheck.ui.sidebar import about_html

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
LIVE = ("<script", "<img")


def _poisoned(value: Any) -> Any:
    """``value`` with every string inside it prefixed by :data:`HOSTILE` (no validation)."""
    if isinstance(value, str):
        return HOSTILE + value
    if isinstance(value, list):
        return [_poisoned(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_poisoned(v) for v in value)
    if isinstance(value, dict):
        return {k: _poisoned(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        fields = {name: _poisoned(getattr(value, name)) for name in type(value).model_fields}
        return type(value).model_construct(**fields)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _poisoned(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return dataclasses.replace(value, **changes)
    return value


def _assert_escaped(out: str) -> None:
    low = out.lower()
    assert not any(tag in low for tag in LIVE), out[:300]
    assert "&lt;script&gt;" in out  # the hostile text is there, as text


def _passage(n: int) -> Passage:
    text = f"{HOSTILE} A job counts at 20 hours a week. {HOSTILE}"
    return Passage(
        n=n,
        chunk_id=f"c{n}",
        source=f"{HOSTILE}src",
        title=f"{HOSTILE}Title",
        publisher=f"{HOSTILE}Publisher",
        section=f"{HOSTILE}Section",
        latest_release=False,
        text=text,
        start=0,
        end=len(text),
        url=f"https://example.org/{HOSTILE}",
        captured=f"{HOSTILE}2026-01-01",
        highlights=((len(HOSTILE) + 1, len(HOSTILE) + 30),),
    )


@pytest.fixture(scope="module")
def result() -> Any:
    payload, _ = profile.to_payload(
        date(2026, 11, 22),
        profile.quals_frame(profile.EXAMPLE_QUALS),
        profile.jobs_frame(profile.EXAMPLE_JOBS),
        True,
        False,
    )
    real = rules.assess(payload)
    assert real.skilled_from is not None and real.skilled_from_note is not None
    assert real.documents and real.citations and real.external_references
    if real.evidence_note is None:  # the example's years are on the page: give it a note
        refs = [e.id for e in real.external_references]
        note = Note(code="years_external", message="The years come from", external=refs)
        real = real.model_copy(update={"evidence_note": note})
    return _poisoned(real)


@pytest.mark.parametrize(
    "text",
    [
        f"{HOSTILE} a paragraph [1].",
        f"- {HOSTILE} a list item [1]\n- another {HOSTILE}",
        f"First paragraph.\n\n{HOSTILE} second [1]\n* {HOSTILE} starred",
    ],
    ids=["paragraph", "list", "mixed"],
)
def test_the_answer_in_every_branch(text: str) -> None:
    _assert_escaped(h.answer_html(text, [_passage(1)], "m1"))


def test_source_cards_cited_and_uncited() -> None:
    out = h.sources_html([_passage(1), _passage(2)], f"{HOSTILE} cited [1].", "m1")
    _assert_escaped(out)
    assert out.count("&lt;script&gt;") >= 10  # title, publisher, section, text... of both


def test_a_highlighted_passage() -> None:
    p = _passage(1)
    _assert_escaped(h.marked(p.text, list(p.highlights)))


def test_notices_user_text_lists_and_copy() -> None:
    _assert_escaped(h.notices_html([Notice(f"x{HOSTILE}", HOSTILE)]))
    _assert_escaped(h.user_html(HOSTILE))
    _assert_escaped(h.list_html([HOSTILE, HOSTILE], css=f"c{HOSTILE}"))
    _assert_escaped(h.copy_button_html(HOSTILE))


def test_the_about_panel() -> None:
    sources = [_poisoned(s) for s in load_manifest(CORPUS_DIR).sources]
    sources = [s.model_copy(update={"captured": date(2026, 1, 1)}) for s in sources]
    _assert_escaped(about_html(sources))


def test_the_cards_documents_citations_skilled_from_and_evidence(result: Any) -> None:
    _assert_escaped(eligibility._documents_html(result.documents))
    _assert_escaped(eligibility._citations_html(result.citations))
    _assert_escaped(eligibility.skilled_from_html(result))
    _assert_escaped(eligibility.evidence_html(result))


def test_the_small_pieces_drawn_with_st_html() -> None:
    _assert_escaped(h.anchor_div("turn", HOSTILE))
    _assert_escaped(h.paragraph_html(HOSTILE))
    _assert_escaped(h.paragraph_html(HOSTILE, f"c{HOSTILE}"))
    _assert_escaped(h.error_html(HOSTILE))
    _assert_escaped(h.error_html(HOSTILE, alert=True))
    _assert_escaped(h.store_problem_html(HOSTILE))
    _assert_escaped(h.form_errors_html([HOSTILE, f"Job 1: {HOSTILE}"]))
    _assert_escaped(h.form_sent_html({"application_date": HOSTILE, "employment": [1]}))


def test_the_scroll_script_keeps_its_nonce_inert() -> None:
    from skillcheck.ui.render import scroll_script

    out = scroll_script(f"#turn-{HOSTILE}", f"*/ {HOSTILE}")
    assert out.count("<script") == 1  # its own, nothing from the nonce or the target
    assert "&lt;script&gt;" in out and "*/ &lt;" not in out
