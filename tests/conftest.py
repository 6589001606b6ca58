"""What every test shares: the hypothesis profiles and the one path to the shared test data.

Hypothesis profiles decide how many examples each property test runs (no test pins
``max_examples``): ``dev`` is the default run, quick enough for every edit; ``ci`` runs six
times the examples and prints a blob to reproduce a failure. Pick one with
``pytest --hypothesis-profile=ci`` or ``HYPOTHESIS_PROFILE=ci`` (``.ci/run`` does; the ``CI``
variable alone also selects ``ci``). Tests marked slow scale the profile in force.

Real public files live beside the repository, never in it (../shared/testdata, see its
MANIFEST.md): tests read them in place through :data:`TESTDATA`, :func:`shared` or the
``testdata`` fixture, which skip, saying why, when the folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"

# Writing and reading a workbook per example is slow next to hypothesis' 200 ms default
# deadline on a loaded machine: no deadline, and CI does not fail on slow data generation.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)  # pytest's --hypothesis-profile, if given, is loaded after this


def shared(path: Path) -> Path:
    """``path`` (under :data:`TESTDATA`), read in place; skip, saying why, when it is absent."""
    if not path.exists():
        pytest.skip(
            f"shared test data not found: {path} (it lives beside the repository, "
            "see ../shared/testdata/MANIFEST.md)"
        )
    return path


@pytest.fixture
def testdata() -> Path:
    """The shared test-data folder; the test is skipped, saying why, when it is absent."""
    return shared(TESTDATA)
