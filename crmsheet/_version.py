"""crmsheet's version, in a module of its own so that any part of the package can read it.

The package face (``crmsheet/__init__.py``) re-exports it; the modules that need it (the CLI,
the Settings sheet of the enriched workbook) import it from here rather than from the face,
which imports them. Keep it equal to ``version`` in pyproject.toml.
"""

from __future__ import annotations

__version__ = "0.1.0"
