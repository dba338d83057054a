"""The eligibility engine as the app calls it: the CLI's validation, the CLI's messages.

:func:`assess_profile` takes the same JSON object as ``skillcheck assess`` and gives
back the engine's result as JSON (``model_dump(mode="json")``) or the one-line
message the CLI would print for that input. The app never decides an outcome itself.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from skillcheck.errors import SkillcheckError


def assess_profile(payload: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The engine's result for ``payload`` as JSON, or the message naming what is wrong."""
    from skillcheck import rules

    try:
        result = rules.assess(payload)
    except ValidationError as exc:
        return None, rules.format_validation_error(exc)
    except SkillcheckError as exc:
        return None, str(exc)
    dumped: dict[str, Any] = result.model_dump(mode="json")
    return dumped, None


def report_markdown(result: dict[str, Any]) -> str:
    """The report as Markdown, by the engine's own renderer."""
    from skillcheck.report import to_markdown
    from skillcheck.rules import AssessmentResult

    text: str = to_markdown(AssessmentResult.model_validate(result))
    return text


def report_json(eligibility: dict[str, Any]) -> str:
    """The input and the engine's result as one JSON document."""
    return json.dumps(
        {"input": eligibility.get("input", {}), "result": eligibility["result"]},
        indent=2,
        ensure_ascii=False,
    )
