"""skillcheck: cited answers and a deterministic eligibility check for ANZSCO 149212."""

__version__ = "0.1.0"
