"""``python -m ingest`` is ``skillcheck ingest``."""

import sys

from skillcheck.cli import main

raise SystemExit(main(["ingest", *sys.argv[1:]]))
