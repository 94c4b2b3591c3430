"""``python -m ripeness``: the same as the ``ripeness`` command."""

import sys

from .cli import main

sys.exit(main())
