"""Fixtures for the answer building blocks: the offline embedder and a fixed 'today'."""

from __future__ import annotations

from datetime import date

import pytest

from skillcheck.embeddings import LocalMiniLM

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="session")
def embedder() -> LocalMiniLM:
    """The bundled offline model (loaded once per session)."""
    return LocalMiniLM()
