"""``python -m dchkit`` runs the command line."""

from __future__ import annotations

from dchkit.cli import main

if __name__ == "__main__":
    main()
