"""`python -m eksy ...` is the `eksy` command."""

import sys

from eksy._cli import main

sys.exit(main())
