"""``python -m skillcheck`` runs the command line."""

from skillcheck.cli import main

raise SystemExit(main())
