"""Your own thresholds: as a Python object, or as a settings.toml file.

    python examples/custom_settings.py

Here a customer is lapsed after 180 days without a purchase (default 365) and A customers
are those making the top 70 % of revenue (default 80 %). Writes settings.toml and the
enriched workbook into a new temporary folder and prints the workbook's path on the last line.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import crmsheet

SAMPLE = Path(__file__).resolve().with_name("sample_customers.xlsx")
AS_OF = date(2026, 11, 1)

SETTINGS_TOML = """\
# Every setting and its meaning is listed in the README and in the Settings sheet.
[settings]
lapse_days = 180
pareto_a = 0.7
"""


def summary(label: str, result: crmsheet.Analysis) -> None:
    h = result.headline
    print(f"{label:<22} A/B/C {h.rated_A}/{h.rated_B}/{h.rated_C}, "
          f"{h.lapsed} lapsed, {h.lapsing} lapsing")  # fmt: skip


def main() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="crmsheet-"))
    data = crmsheet.read(SAMPLE, as_of=AS_OF)
    summary("Default settings:", crmsheet.analyze(data, as_of=AS_OF))

    # 1. From Python: a Settings object (unknown or out-of-range values are refused)
    settings = crmsheet.Settings(lapse_days=180, pareto_a=0.7)
    summary("Settings(...):", crmsheet.analyze(data, as_of=AS_OF, settings=settings))

    # 2. From a file: the same values in settings.toml, as `crmsheet enrich --settings` takes
    #    (crmsheet.enrich takes a Settings object here just as well)
    toml = folder / "settings.toml"
    toml.write_text(SETTINGS_TOML, encoding="utf-8")
    out = folder / "sample_customers.enriched.xlsx"
    result = crmsheet.enrich(SAMPLE, as_of=AS_OF, settings=toml, output=out)
    summary("settings.toml:", result.analysis)
    print("The Settings sheet of the workbook lists every value used.")
    print(f"Wrote {out}")
    return out


if __name__ == "__main__":
    main()
