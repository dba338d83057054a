"""The ``skillcheck`` command line: one module per command, the parser in :mod:`.main`."""

from skillcheck.cli.main import main

__all__ = ["main"]
