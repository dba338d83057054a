"""``python -m ingest``: the top-level entry point of indexing (``skillcheck ingest``).

A thin front over :mod:`skillcheck.indexing`, which does the work; nothing in the
``skillcheck`` package imports this folder.
"""

from skillcheck.indexing import IngestSummary, run_ingest

__all__ = ["IngestSummary", "run_ingest"]
