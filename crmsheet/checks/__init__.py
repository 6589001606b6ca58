"""The checks: laid-out tables -> clean frames and a problem report (:func:`build_data`).

Everything here is vectorised per column; Python loops run over columns, tables and the
(few) problem rows, never over every cell. The rules are derived from :mod:`crmsheet.schema`:
each field's ``kind`` picks its parser, its ``ge``/``le`` bounds its range.

One module per thing checked, in the order a table meets them:

- :mod:`~crmsheet.checks.cells`: vectorised tests on cells (blank, Excel error, text match);
- :mod:`~crmsheet.checks.table`: the table under check, its body rows and how it reports;
- :mod:`~crmsheet.checks.fields`: each mapped column parsed into its field;
- :mod:`~crmsheet.checks.rows`: rules over whole rows (required fields, totals, reader notes);
- :mod:`~crmsheet.checks.identity`: which rows are one customer, which customer a name means;
- :mod:`~crmsheet.checks.assemble`: one table cleaned, then all tables checked together.

Every non-blank input row ends up in exactly one place: the clean frame of its role, or the
problem report with action "row skipped" (tests/test_accounting.py checks it against the
row numbers read from the file itself).
"""

from __future__ import annotations

from .assemble import build_data
from .identity import customer_name_key

__all__ = ["build_data", "customer_name_key"]
