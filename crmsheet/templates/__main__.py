"""``python -m crmsheet.templates [FOLDER]``: rebuild the committed templates/ (or FOLDER)."""

from __future__ import annotations

import sys
from pathlib import Path

from .build import build_all

target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2] / "templates"
for built in build_all(target):
    print(built)
