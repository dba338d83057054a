"""The assistant: the one owner of a chat turn, for every front end (ask, chat, the app).

Who answers is decided here, once: the model when one is configured (or injected)
and offline mode is not asked for, else the offline turn. A model that fails is
replaced here, and only here, by the offline answer with a notice that says why.
Every front end gets the same typed events (:mod:`skillcheck.events`); the API key
is masked in every event. LangChain and the OpenAI client are imported only when a
model answers (:mod:`skillcheck.agent`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from skillcheck.config import Settings
from skillcheck.errors import SkillcheckError
from skillcheck.events import Done, Error, Event, Mode, ModelFailure, Notice, Usage
from skillcheck.history import Message, clean_history, joined_question
from skillcheck.offline import offline_turn
from skillcheck.retrieval import Retriever, validate_query

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from skillcheck.agent import LLMTurn

log = logging.getLogger(__name__)
FALLBACK = "fallback"


class Assistant:
    """Answers questions, one turn at a time, as a stream of typed events.

    ``model`` is any LangChain chat model (tests inject fakes); without one, the
    settings' model is used when configured. ``offline=True`` never uses a model.
    """

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        model: BaseChatModel | None = None,
        *,
        offline: bool = False,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.mode: Mode = (
            "llm"
            if not offline
            and not settings.offline
            and (model is not None or settings.llm_configured)
            else "offline"
        )
        self._model = model
        self._llm: LLMTurn | None = None  # the model's turn, built on first use
        key = settings.openai_api_key
        self._secret = key.get_secret_value() if key is not None else None

    @property
    def label(self) -> str:
        """What answers, in words: "offline ..." or the model's name."""
        if self.mode == "offline":
            return "offline (answers from the sources, no language model)"
        where = f" at {self.settings.openai_base_url}" if self.settings.openai_base_url else ""
        return f"model {self.settings.model}{where}"

    def stream(
        self,
        question: str,
        history: Iterable[Message | dict[str, Any]] | None = None,
        top_k: int | None = None,
        today: date | None = None,
    ) -> Iterator[Event]:
        """The events of one turn: tokens, tool steps, notices, citations, then ``Done``.

        ``history`` is the conversation so far (user and assistant messages; the facts
        an applicant stated in it are read again); ``top_k`` overrides the settings'
        number of passages; ``today`` is the date the engine assesses on (default: today).
        """
        k = self.settings.top_k if top_k is None else top_k
        day = today or date.today()
        for event in self._turn(question, clean_history(history), k, day):
            yield self._scrub(event)

    def _turn(self, question: str, history: list[Message], k: int, today: date) -> Iterator[Event]:
        try:
            q = validate_query(question, k)
        except SkillcheckError as exc:
            yield Error(str(exc))
            yield Done(answer="", mode=self.mode)
            return
        if self.mode == "offline":
            yield from self._offline(q, history, k, today)
            return
        runner = self._runner()
        try:
            yield from runner.turn(q, history, k)
        except ModelFailure as failure:
            log.warning("model call failed, answering offline: %s", failure.reason)
            notice = Notice(
                FALLBACK,
                f"The language model could not answer: {failure.reason}. This is the "
                "offline answer, from the sources.",
            )
            yield notice
            yield from self._offline(q, history, k, today, [notice], failure.usage)

    def _offline(
        self,
        question: str,
        history: list[Message],
        k: int,
        today: date,
        notices: list[Notice] | None = None,
        usage: Usage | None = None,
    ) -> Iterator[Event]:
        try:
            yield from offline_turn(
                self.retriever,
                question,
                k,
                history=history,
                query=joined_question(question, history),
                corpus_dir=self.settings.corpus_dir,
                cache_dir=self.settings.cache_dir,
                today=today,
                notices=notices,
                usage=usage,
            )
        except SkillcheckError as exc:
            yield Error(str(exc))
            yield Done(
                answer="", mode="offline", notices=list(notices or []), usage=usage or Usage()
            )

    def _runner(self) -> LLMTurn:
        if self._llm is None:
            from skillcheck.agent import LLMTurn, build_chat_model

            model = self._model if self._model is not None else build_chat_model(self.settings)
            self._llm = LLMTurn(self.settings, self.retriever, model)
        return self._llm

    def _scrub(self, event: Event) -> Event:
        """The event with the API key masked wherever it might appear (it never should).

        Every string field is masked, and the strings inside its lists, dicts and
        notices (a tool's arguments, ``Done.notices``). The model's text reaches here
        a whole checked sentence at a time (:mod:`skillcheck.release` masks a key
        split across streamed chunks), so a key is never cut across two events.
        """
        secret = self._secret
        if not secret or secret not in repr(event):
            return event
        changes = {
            name: _masked(value, secret)
            for name, value in vars(event).items()
            if isinstance(value, str | list | dict | Notice)
        }
        return replace(event, **changes)


def _masked(value: Any, secret: str) -> Any:
    """``value`` with ``secret`` replaced by ``***`` in every string it holds."""
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, Notice):
        return Notice(value.kind, _masked(value.text, secret))
    if isinstance(value, list):
        return [_masked(v, secret) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v, secret) for k, v in value.items()}
    return value
