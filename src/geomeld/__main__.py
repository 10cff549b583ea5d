"""``python -m geomeld`` runs the command line."""

from geomeld.cli import main

main()
