"""``python -m crmsheet``: the same as the ``crmsheet`` command."""

import sys

from .cli import main

sys.exit(main())
