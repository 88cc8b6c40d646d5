"""``python -m kolba``: the kolba command line."""

from __future__ import annotations

from .cli import main

main()
