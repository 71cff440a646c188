"""``python -m api.cli`` runs the gridplan CLI (same as the ``gridplan`` script)."""

from api.cli import main

main()
