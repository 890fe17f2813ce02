"""`python -m eksy ...` is the `eksy` command."""

import sys

from eksy.cli import main

sys.exit(main())
